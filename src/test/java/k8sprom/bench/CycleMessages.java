package k8sprom.bench;

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
import java.util.List;
import k8sprom.publisher.MetricCatalog;
import k8sprom.publisher.OutboundMessage;
import k8sprom.publisher.QueryRangeTranslator;

/**
 * A cycle's messages exactly as the publisher makes them: each metric's query_range answer for one window, turned
 * into messages by the publisher's own QueryRangeTranslator, Used
 * to give Kafka's producer test the same message sizes and count as a publisher cycle.
 */
final class CycleMessages {

    private CycleMessages() {}

    /** One list per metric window. */
    static List<List<OutboundMessage>> fetch(
            String prometheusUrl, List<MetricCatalog.RenderedMetric> metrics, Instant start, Instant end, Duration step)
            throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        QueryRangeTranslator translator = new QueryRangeTranslator();
        translator.setSamples("all");
        translator.setMaxSamplesPerMessage(100);
        List<List<OutboundMessage>> windows = new ArrayList<>();
        for (MetricCatalog.RenderedMetric metric : metrics) {
            String body = "query=" + URLEncoder.encode(metric.promql(), StandardCharsets.UTF_8) + "&start="
                    + seconds(start) + "&end=" + seconds(end) + "&step=" + step.toMillis() / 1000.0;
            HttpResponse<InputStream> response = http.send(
                    HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query_range"))
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                windows.add(translator.translate(in, metric.definition()).messages());
            }
        }
        return windows;
    }

    static int count(List<List<OutboundMessage>> windows) {
        return windows.stream().mapToInt(List::size).sum();
    }

    private static String seconds(Instant t) {
        return BigDecimal.valueOf(t.toEpochMilli(), 3).toPlainString();
    }
}
