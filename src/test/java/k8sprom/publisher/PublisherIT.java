package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import k8sprom.testsupport.KafkaBroker;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SharedStack;
import k8sprom.testsupport.SyntheticCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher end to end: a real Prometheus scraping a synthetic cluster with known rates and gauges, the real
 * application with the shipped routes and catalog, and a real Kafka broker read back with a real consumer. The cluster,
 * Prometheus and the broker are the run's shared ones; this is the one class that publishes to the default topic, so
 * its name is checked here too.
 */
@ExtendWith(SharedStack.class)
class PublisherIT {

    private static final int PODS = SharedStack.PODS;
    private static final String TOPIC = "nfvi.ncsrd.kubernetes";
    private static final String EXTRA_METRIC = "container_extra_things";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static SyntheticCluster cluster;
    static PrometheusServer prometheus;
    static KafkaBroker kafka;
    static PublisherApp app;
    static Path catalog;
    static List<ConsumerRecord<String, String>> records;

    @BeforeAll
    static void publishForAFewCycles(SharedStack.Stack stack) throws Exception {
        cluster = stack.cluster();
        // served to every later class too; none of them has it in its catalog
        cluster.addMetric(EXTRA_METRIC, false);
        prometheus = stack.prometheus();
        kafka = stack.kafka();
        catalog = dir.resolve("metrics.yaml");
        Files.copy(Path.of("routes/metrics.yaml"), catalog);
        // another class may have restarted the shared Prometheus a moment ago
        prometheus.awaitFullWindow(Duration.ofSeconds(14));

        app = PublisherApp.start(Map.of(
                "prometheus.url", prometheus.baseUrl(),
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "publisher.metrics-file", catalog.toString(),
                "publisher.cycle-seconds", "2",
                "publisher.step", "2s",
                "publisher.settle-delay", "2s",
                "publisher.rate-range", "10s"));
        // 24 metrics + 2 derived packet-loss entries, for every pod with a label_vim_id, at least once
        records = kafka.readAll(TOPIC, false, 26 * PODS, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopTheApplication() {
        if (app != null) {
            app.close();
        }
    }

    private static JsonNode parse(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + record.value(), e);
        }
    }

    private static int podIndex(String containerId) {
        return Integer.parseInt(containerId.substring("vim-".length()));
    }

    @Test
    void everyMetricArrivesForEveryPodWithTheKnownRateOrAverage() {
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = parse(record);
            String metric = message.get("metric_type").asText();
            if (metric.endsWith("_packet_loss_percentage")) {
                continue;
            }
            String containerId = message.get("container_id").asText();
            int pod = podIndex(containerId);
            double expected = SyntheticCluster.isCounter(metric)
                    ? SyntheticCluster.ratePerSecond(metric, pod)
                    : SyntheticCluster.gaugeValue(metric, pod);
            for (JsonNode sample : message.get("data")) {
                double actual = Double.parseDouble(sample.get("value").asText());
                assertEquals(
                        expected,
                        actual,
                        Math.abs(expected) * 1e-6 + 1e-9,
                        metric + " of " + containerId + " at "
                                + sample.get("timestamp").asText());
            }
            seen.add(containerId + " " + metric);
        }
        for (int pod = 0; pod < PODS; pod++) {
            for (String metric : SyntheticCluster.METRICS) {
                assertTrue(seen.contains("vim-" + pod + " " + metric), "no message for " + metric + " of pod " + pod);
            }
        }
    }

    @Test
    void messagesHaveTheDocumentedShapeAndAreKeyedByContainer() {
        assertFalse(records.isEmpty());
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = parse(record);
            assertEquals(record.key(), message.get("container_id").asText());
            assertTrue(record.key().matches("vim-\\d+"), "only pods with label_vim_id: " + record.key());
            String metric = message.get("metric_type").asText();
            String type = message.get("type").asText();
            assertTrue(type.equals("counter") || type.equals("gauge"), type);
            assertTrue(message.get("data").size() >= 1);
            for (JsonNode sample : message.get("data")) {
                assertEquals(metric, sample.get("name").asText());
                assertEquals(type, sample.get("type").asText());
                assertTrue(
                        sample.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"),
                        sample.get("timestamp").asText());
                assertTrue(sample.has("unit"));
            }
            assertEquals(List.of("container_id", "metric_type", "type", "data"), fieldNames(message));
        }
    }

    @Test
    void unitsAndTypesComeFromTheCatalog() {
        Map<String, String> unitOf = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = parse(record);
            unitOf.put(
                    message.get("metric_type").asText() + "/"
                            + message.get("type").asText(),
                    message.get("data").get(0).get("unit").asText());
        }
        assertEquals("iops", unitOf.get("container_fs_io_current/gauge"));
        assertEquals("", unitOf.get("container_fs_inodes_free/gauge"));
        assertEquals("seconds", unitOf.get("container_cpu_system_seconds_total/counter"));
        assertEquals("packets", unitOf.get("container_network_receive_packets_total/counter"));
        assertEquals("%", unitOf.get("container_network_receive_packet_loss_percentage/counter"));
    }

    @Test
    void packetLossPercentagesAreDerivedPerContainer() {
        Map<String, Double> latest = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = parse(record);
            String metric = message.get("metric_type").asText();
            if (metric.endsWith("_packet_loss_percentage")) {
                JsonNode value = message.get("data").get(0).get("value");
                assertTrue(value.isNumber(), "a derived value is a number");
                latest.put(record.key() + " " + metric, value.asDouble());
            }
        }
        for (int pod = 0; pod < PODS; pod++) {
            assertEquals(
                    SyntheticCluster.dropPercent(false, pod),
                    latest.get("vim-" + pod + " container_network_receive_packet_loss_percentage"),
                    1e-6);
            assertEquals(
                    SyntheticCluster.dropPercent(true, pod),
                    latest.get("vim-" + pod + " container_network_transmit_packet_loss_percentage"),
                    1e-6);
        }
        assertEquals(
                0.0,
                latest.get(
                        "vim-" + SyntheticCluster.ZERO_TX_POD + " container_network_transmit_packet_loss_percentage"));
    }

    @Test
    void aMetricAddedToTheCatalogIsPublishedWithoutARestart() throws IOException {
        Files.writeString(
                catalog, "  - {name: " + EXTRA_METRIC + ", type: gauge, unit: things}\n", StandardOpenOption.APPEND);
        // the catalog is re-read at the next cycle; wait until that cycle's messages are in, whatever else arrives
        Set<String> containers = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (containers.size() < PODS && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : kafka.readAll(TOPIC, false, Duration.ofSeconds(1))) {
                JsonNode message = parse(record);
                if (message.get("metric_type").asText().equals(EXTRA_METRIC)) {
                    int pod = podIndex(record.key());
                    assertEquals(
                            SyntheticCluster.gaugeValue(EXTRA_METRIC, pod),
                            Double.parseDouble(
                                    message.get("data").get(0).get("value").asText()),
                            1e-6);
                    assertEquals(
                            "things", message.get("data").get(0).get("unit").asText());
                    containers.add(record.key());
                }
            }
        }
        assertEquals(PODS, containers.size(), "the new metric arrived for every pod");
    }

    @Test
    void healthIsReadyAndOwnMetricsAreExposed() {
        assertEquals(
                200,
                app.management("/observe/health/ready").statusCode(),
                app.management("/observe/health/ready").body());
        String metrics = app.management("/observe/metrics").body();
        assertTrue(metrics.contains("publisher_messages_published_total{metric=\"container_memory_swap\""), metrics);
        assertTrue(metrics.contains("publisher_cycle_duration_seconds_count"), metrics);
        assertTrue(metrics.contains("publisher_last_successful_cycle_timestamp_seconds"), metrics);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
