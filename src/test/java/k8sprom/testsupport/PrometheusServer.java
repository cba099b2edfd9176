package k8sprom.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The real Prometheus ({@code /usr/bin/prometheus}, Debian package) as a child process on a free
 * loopback port, with its data and log under a work directory.
 *
 * <p>The process is ended on {@link #close()} and, should a test forget that, by a JVM shutdown
 * hook. Override the binaries with the system properties {@code prometheus.bin} / {@code promtool.bin}.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path workDir;
    private final Path configFile;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final int expectedTargets;
    private final boolean requireTargetsUp;
    private final Duration scrapeInterval;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Process process;
    private Thread shutdownHook;
    private volatile Instant scrapingSince;

    private PrometheusServer(
            Path workDir, String configYaml, int expectedTargets, boolean requireTargetsUp, Duration scrapeInterval)
            throws IOException {
        this.workDir = workDir.toAbsolutePath();
        Files.createDirectories(this.workDir);
        this.configFile = this.workDir.resolve("prometheus.yml");
        this.dataDir = this.workDir.resolve("data");
        this.logFile = this.workDir.resolve("prometheus.log");
        this.port = FreePort.find();
        this.expectedTargets = expectedTargets;
        this.requireTargetsUp = requireTargetsUp;
        this.scrapeInterval = scrapeInterval;
        Files.writeString(configFile, configYaml);
    }

    /**
     * Starts Prometheus scraping {@code targets} ("host:port", path /metrics) as job "cluster" with
     * honor_labels, and returns once every target has been scraped successfully and the samples
     * are queryable. Expect about 5 s: see {@link #scrapingSince()}. A target with 10,000 pods needs
     * an interval of at least 5 s (its scrape takes ~3 s here; the timeout is the interval, max 10 s).
     */
    public static PrometheusServer start(Path workDir, Duration scrapeInterval, String... targets) {
        return launch(workDir, scrapeConfig(scrapeInterval, targets), targets.length, true, scrapeInterval);
    }

    /**
     * Starts Prometheus with a complete prometheus.yml of your own and returns once at least one
     * target has been scraped, successfully or not (an {@code up} sample exists).
     */
    public static PrometheusServer startWithConfig(Path workDir, String prometheusYaml) {
        return startWithConfig(workDir, prometheusYaml, 1);
    }

    /**
     * As {@link #startWithConfig(Path, String)}, waiting until at least {@code expectedTargets}
     * targets have been scraped (0: only until /-/ready). Expect about 5 s: see {@link #scrapingSince()}.
     */
    public static PrometheusServer startWithConfig(Path workDir, String prometheusYaml, int expectedTargets) {
        return launch(workDir, prometheusYaml, expectedTargets, false, Duration.ofSeconds(10));
    }

    /** The prometheus.yml that {@link #start} writes; a starting point for {@link #startWithConfig}. */
    public static String scrapeConfig(Duration scrapeInterval, String... targets) {
        // Prometheus rejects a scrape timeout longer than the interval, and its default is 10s.
        Duration timeout =
                scrapeInterval.compareTo(Duration.ofSeconds(10)) < 0 ? scrapeInterval : Duration.ofSeconds(10);
        String targetList = Arrays.stream(targets).map(t -> "'" + t + "'").collect(Collectors.joining(", "));
        return "global:\n"
                + "  scrape_interval: " + scrapeInterval.toMillis() + "ms\n"
                + "  scrape_timeout: " + timeout.toMillis() + "ms\n"
                + "  evaluation_interval: " + scrapeInterval.toMillis() + "ms\n"
                + "scrape_configs:\n"
                + "  - job_name: cluster\n"
                // Keep the target's own namespace/pod labels as they are, as for kube-state-metrics.
                + "    honor_labels: true\n"
                + "    static_configs:\n"
                + "      - targets: [" + targetList + "]\n";
    }

    private static PrometheusServer launch(
            Path workDir, String yaml, int expectedTargets, boolean requireUp, Duration scrapeInterval) {
        PrometheusServer server;
        try {
            server = new PrometheusServer(workDir, yaml, expectedTargets, requireUp, scrapeInterval);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.startProcess();
        return server;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return logFile;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path configFile() {
        return configFile;
    }

    /**
     * When the current process had scraped every target once: samples exist from about then on, so
     * a {@code rate(x[w])} at time t is exact only once t - w is later than this. Note that
     * Prometheus 2.42 applies its first target set about 5 s after start (a fixed throttle), so
     * {@link #start} and {@link #restart} take at least that long.
     */
    public Instant scrapingSince() {
        return scrapingSince;
    }

    /** Sleeps until a {@code rate()} over {@code window} ending now only covers scraped time. */
    public void awaitFullWindow(Duration window) {
        // The first sample is a little older than scrapingSince; a small margin keeps it out.
        Instant due = scrapingSince.plus(window).plusMillis(500);
        long millis = Duration.between(Instant.now(), due).toMillis();
        if (millis > 0) {
            sleep(millis);
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the process (SIGTERM, then SIGKILL); data and port stay for {@link #restart()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        terminate(process);
        process = null;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to; nothing to undo
        }
        shutdownHook = null;
    }

    /** Stops if running, then starts again on the same port with the same data directory. */
    public synchronized void restart() {
        stop();
        startProcess();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Writes a new prometheus.yml and asks the running server to reload it (lifecycle API). Does not
     * wait for the new targets to be scraped.
     */
    public void reloadConfig(String prometheusYaml) {
        try {
            Files.writeString(configFile, prometheusYaml);
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl() + "/-/reload"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("reload failed: " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Instant query at the server's "now"; returns the response's {@code data} node. */
    public JsonNode query(String promql) {
        return api("/api/v1/query", form("query", promql));
    }

    /** Instant query at {@code time}; returns the response's {@code data} node. */
    public JsonNode query(String promql, Instant time) {
        return api("/api/v1/query", form("query", promql) + "&" + form("time", seconds(time)));
    }

    /** Range query; returns the response's {@code data} node. */
    public JsonNode queryRange(String promql, Instant start, Instant end, Duration step) {
        String body = form("query", promql) + "&" + form("start", seconds(start)) + "&" + form("end", seconds(end))
                + "&" + form("step", BigDecimal.valueOf(step.toMillis(), 3).toPlainString());
        return api("/api/v1/query_range", body);
    }

    /** The value of an instant query that must return exactly one series or a scalar. */
    public double queryValue(String promql) {
        return singleValue(promql, query(promql));
    }

    /** As {@link #queryValue(String)}, evaluated at {@code time}. */
    public double queryValue(String promql, Instant time) {
        return singleValue(promql, query(promql, time));
    }

    private static double singleValue(String promql, JsonNode data) {
        JsonNode result = data.get("result");
        JsonNode value;
        if ("vector".equals(data.get("resultType").asText())) {
            if (result.size() != 1) {
                throw new AssertionError("expected one series for " + promql + ", got " + result);
            }
            value = result.get(0).get("value");
        } else {
            value = result;
        }
        return Double.parseDouble(value.get(1).asText());
    }

    /** Polls the instant query until it returns at least one series. */
    public void awaitNonEmpty(String promql, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last;
        do {
            last = query(promql).get("result");
            if (last.size() > 0) {
                return;
            }
            sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no series within " + timeout + " for " + promql + ", last result " + last);
    }

    /** {@code /usr/bin/promtool}, or the {@code promtool.bin} system property. */
    public static Path promtool() {
        return binary("promtool.bin", "promtool");
    }

    /** {@code /usr/bin/prometheus}, or the {@code prometheus.bin} system property. */
    public static Path prometheusBinary() {
        return binary("prometheus.bin", "prometheus");
    }

    /**
     * Runs {@code promtool check metrics} on an exposition (fed through stdin) and returns what it
     * printed, trimmed: empty when it found nothing to complain about.
     */
    public static String checkMetrics(String exposition) {
        try {
            Process p = new ProcessBuilder(promtool().toString(), "check", "metrics")
                    .redirectErrorStream(true)
                    .start();
            // Feed stdin from another thread so a chatty promtool cannot deadlock us on a full pipe.
            Thread feeder = new Thread(
                    () -> {
                        try (OutputStream in = p.getOutputStream()) {
                            in.write(exposition.getBytes(StandardCharsets.UTF_8));
                        } catch (IOException ignored) {
                            // promtool exited early; its output says why
                        }
                    },
                    "promtool-stdin");
            feeder.start();
            String output;
            try (InputStream out = p.getInputStream()) {
                output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("promtool did not finish");
            }
            feeder.join();
            return output.trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private synchronized void startProcess() {
        List<String> command = List.of(
                prometheusBinary().toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + dataDir,
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle",
                "--web.enable-admin-api");
        Instant launchedAt = Instant.now();
        try {
            Files.writeString(
                    logFile,
                    "=== " + Instant.now() + " " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        }
        Process started = process;
        shutdownHook = new Thread(() -> terminate(started), "prometheus-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            awaitStarted(launchedAt);
        } catch (RuntimeException | Error e) {
            String tail = logTail(40);
            stop();
            throw new IllegalStateException(
                    "Prometheus did not start: " + e.getMessage() + "\n--- tail of " + logFile + " ---\n" + tail, e);
        }
    }

    private void awaitStarted(Instant launchedAt) {
        // A large target (the 10k-pod benchmark) may take a few intervals for its first scrape.
        long deadline = System.nanoTime()
                + READY_TIMEOUT.plus(scrapeInterval.multipliedBy(3)).toNanos();
        while (!ready()) {
            checkAliveAndTime(deadline, "/-/ready");
            sleep(100);
        }
        while (!targetsScraped(launchedAt)) {
            checkAliveAndTime(deadline, "first scrape of every target");
            sleep(100);
        }
        scrapingSince = Instant.now();
    }

    private void checkAliveAndTime(long deadline, String waitingFor) {
        if (!process.isAlive()) {
            throw new IllegalStateException("process exited with " + process.exitValue());
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out waiting for " + waitingFor);
        }
    }

    private boolean ready() {
        try {
            HttpResponse<Void> r = http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl() + "/-/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException notYetListening) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Counts {@code up} samples written by the current process. A target's health in the targets
     * API turns "up" before the scraped samples are committed (which takes seconds for 10k pods),
     * whereas {@code up} is committed together with them. The timestamp filter skips old samples,
     * which are still there after a restart. It must be applied to the bare selector: on any other
     * expression, {@code up == 1} included, {@code timestamp()} gives the evaluation time, so an
     * {@code up} sample from before a restart passed and {@link #scrapingSince()} came about 5 s
     * before the first new scrape.
     */
    private boolean targetsScraped(Instant launchedAt) {
        if (expectedTargets == 0) {
            return true;
        }
        String scraped = "timestamp(up) >= " + seconds(launchedAt);
        String query = requireTargetsUp ? "count((" + scraped + ") and up == 1)" : "count(" + scraped + ")";
        JsonNode result = query(query).get("result");
        return result.size() == 1 && result.get(0).get("value").get(1).asDouble() >= expectedTargets;
    }

    private JsonNode api(String path, String formBody) {
        // POST with a form body: PromQL's braces, quotes, '+' and '&' need no URL juggling there.
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(formBody))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return unwrap(path + " " + formBody, response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode unwrap(String what, String body) throws IOException {
        JsonNode json = JSON.readTree(body);
        if (!"success".equals(json.path("status").asText())) {
            throw new IllegalStateException(
                    "Prometheus " + what + ": " + json.path("errorType").asText() + ": "
                            + json.path("error").asText() + " (" + body + ")");
        }
        return json.get("data");
    }

    private static String form(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String seconds(Instant t) {
        return BigDecimal.valueOf(t.toEpochMilli(), 3).toPlainString();
    }

    /** SIGTERM so Prometheus closes its TSDB cleanly; SIGKILL if it takes too long. */
    private static void terminate(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read log: " + e + ")";
        }
    }

    private static Path binary(String property, String name) {
        String configured = System.getProperty(property);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path usual = Path.of("/usr/bin", name);
        if (Files.isExecutable(usual)) {
            return usual;
        }
        List<Path> onPath = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                onPath.add(Path.of(dir, name));
            }
        }
        if (onPath.isEmpty()) {
            throw new IllegalStateException(
                    name + " not found (apt-get install prometheus, or set -D" + property + ")");
        }
        return onPath.get(0);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
