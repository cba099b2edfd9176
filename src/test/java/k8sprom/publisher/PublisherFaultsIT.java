package k8sprom.publisher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import k8sprom.testsupport.KafkaBroker;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SharedStack;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher started while Prometheus and Kafka are both down: it keeps running, is live but not ready, and
 * publishes by itself once they are back. The catalog also holds a metric with broken PromQL, which must fail
 * alone, and a custom query full of characters that need encoding.
 */
@ExtendWith(SharedStack.class)
class PublisherFaultsIT {

    private static final String TOPIC = "faults.kubernetes";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private PrometheusServer prometheus;
    private KafkaBroker kafka;

    /** The stack is shared with other test classes: what this test stopped runs again after it, even if it failed. */
    @AfterEach
    void restartWhatTheTestStopped() {
        if (kafka != null && !kafka.isRunning()) {
            kafka.restart();
        }
        if (prometheus != null && !prometheus.isRunning()) {
            prometheus.restart();
        }
    }

    @Test
    void startsWithoutPrometheusAndKafkaReportsNotReadyAndRecoversByItself(SharedStack.Stack stack) throws Exception {
        Path catalog = TestCatalog.write(
                dir,
                "{name: container_memory_usage_bytes, type: gauge, unit: bytes}",
                "{name: broken_promql, type: gauge, unit: \"\", query: 'sum(rate(x[1m]) by'}",
                "{name: encoded_query, type: gauge, unit: \"\","
                        + " query: 'sum by (label_vim_id) (kube_pod_labels{label_ow_action=~\"action-0|a&b=c\"}) + 0'}");
        prometheus = stack.prometheus();
        kafka = stack.kafka();
        prometheus.stop();
        kafka.stop();

        try (PublisherApp app = PublisherApp.start(Map.of(
                "prometheus.url", prometheus.baseUrl(),
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "kafka.topic", TOPIC,
                "publisher.metrics-file", catalog.toString(),
                "publisher.cycle-seconds", "1",
                "publisher.step", "1s",
                "publisher.settle-delay", "1s",
                "prometheus.connect-timeout-ms", "500",
                "camel.component.kafka.max-block-ms", "1000"))) {

            // a few cycles have failed
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> app.management("/observe/metrics")
                            .body()
                            .matches("(?s).*\\npublisher_cycle_errors_total [1-9][0-9.]*\\n.*"));
            assertEquals(503, app.management("/observe/health/ready").statusCode(), "not ready while down");
            assertEquals(200, app.management("/observe/health/live").statusCode(), "but alive");
            assertTrue(
                    app.management("/observe/metrics").body().contains("publisher_cycle_errors_total "),
                    "without Kafka the positions are unknown, so cycles fail before querying");

            kafka.restart();
            // with Kafka back, the positions are read and the queries run, and fail
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> counter(
                                    app.management("/observe/metrics").body(),
                                    "publisher_query_errors_total",
                                    "container_memory_usage_bytes",
                                    "unreachable")
                            > 0);
            assertEquals(503, app.management("/observe/health/ready").statusCode(), "Prometheus still down");

            prometheus.restart();

            List<ConsumerRecord<String, String>> records = kafka.readAll(TOPIC, false, 3 + 1, Duration.ofSeconds(60));
            Set<String> published = new TreeSet<>();
            for (ConsumerRecord<String, String> record : records) {
                JsonNode message = JSON.readTree(record.value());
                String metric = message.get("metric_type").asText();
                published.add(metric);
                if (metric.equals("encoded_query")) {
                    assertEquals("vim-0", record.key(), "only action-0 pods match, so + & \" { } survived");
                    assertEquals("1", message.get("data").get(0).get("value").asText());
                }
            }
            assertTrue(published.contains("container_memory_usage_bytes"), published.toString());
            assertTrue(published.contains("encoded_query"), published.toString());
            assertTrue(!published.contains("broken_promql"), published.toString());

            String after = app.management("/observe/metrics").body();
            assertTrue(counter(after, "publisher_query_errors_total", "broken_promql", "http_400") > 0, after);
        }
    }

    private static double counter(String exposition, String name, String metric, String reason) {
        Pattern line = Pattern.compile("^" + name + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(exposition);
        double sum = 0;
        while (matcher.find()) {
            String labels = matcher.group(1);
            if (labels.contains("metric=\"" + metric + "\"") && labels.contains("reason=\"" + reason + "\"")) {
                sum += Double.parseDouble(matcher.group(2));
            }
        }
        return sum;
    }
}
