package k8sprom.bench;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The floor of a publishing cycle: the cycle's query_range requests sent straight to Prometheus' HTTP API, as the
 * publisher sends them (form POST, same PromQL, window and step), with the same concurrency; every response is read
 * to its end and thrown away.
 */
final class FloorClient implements AutoCloseable {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI queryRange;
    private final List<String> promql;
    private final ExecutorService pool;

    /** What one pass over all queries took, and how many bytes came back. */
    record Pass(double seconds, long bytes) {}

    FloorClient(String prometheusUrl, List<String> promql, int concurrency) {
        this.queryRange = URI.create(prometheusUrl + "/api/v1/query_range");
        this.promql = List.copyOf(promql);
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "floor-query");
            t.setDaemon(true);
            return t;
        });
    }

    /** Sends every query for the window [start, end] at step, at most `concurrency` at a time. */
    Pass run(Instant start, Instant end, Duration step) throws Exception {
        long began = System.nanoTime();
        List<Future<Long>> results = new ArrayList<>();
        for (String query : promql) {
            String body = "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + seconds(start)
                    + "&end=" + seconds(end) + "&step=" + step.toMillis() / 1000.0;
            results.add(pool.submit(() -> send(body)));
        }
        long bytes = 0;
        for (Future<Long> result : results) {
            bytes += result.get();
        }
        if (TRACE) {
            StringBuilder line = new StringBuilder("   floor timeline (ms from pass start: sent-done):");
            trace.forEach(t -> line.append(' ')
                    .append((t[0] - began) / 1_000_000)
                    .append('-')
                    .append((t[1] - began) / 1_000_000));
            System.out.println(line);
            trace.clear();
        }
        return new Pass((System.nanoTime() - began) / 1e9, bytes);
    }

    private static final boolean TRACE = System.getenv("BENCH_TRACE") != null;
    private final List<long[]> trace = Collections.synchronizedList(new ArrayList<>());

    private long send(String body) throws IOException, InterruptedException {
        long sent = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(queryRange)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long bytes = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = response.body()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                bytes += n;
            }
        }
        if (response.statusCode() != 200) {
            throw new IOException("query_range answered " + response.statusCode());
        }
        trace.add(new long[] {sent, System.nanoTime()});
        return bytes;
    }

    private static String seconds(Instant t) {
        return BigDecimal.valueOf(t.toEpochMilli(), 3).toPlainString();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
