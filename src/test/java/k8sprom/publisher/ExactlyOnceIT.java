package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.KafkaBroker;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SyntheticCluster;
import org.apache.camel.builder.AdviceWith;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every step timestamp Prometheus can answer is published exactly once, whatever happens to the publisher, Kafka or
 * the timer. Each test reads the topic with read_committed and compares, per (container, metric, timestamp), what
 * Kafka holds with what Prometheus answers for the same range.
 */
class ExactlyOnceIT {

    private static final String TOPIC = "nfvi.ncsrd.kubernetes";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] METRICS = {
        "{name: container_memory_usage_bytes, type: gauge, unit: bytes}",
        "{name: container_cpu_usage_seconds_total, type: counter, unit: seconds, function: rate}"};

    @TempDir
    Path dir;

    /** What the comparison found; printed into the test log so the figures can be reported. */
    record Comparison(int samplesInKafka, int samplesInPrometheus, int gaps, int duplicates, int outOfOrder,
                      int wrongValues) {
    }

    @Test
    void killsOutagesAndDowntimeLoseNothingAndDuplicateNothing() throws Exception {
        Path catalog = TestCatalog.write(dir, METRICS);
        Random random = new Random(7);
        try (SyntheticCluster cluster = SyntheticCluster.start(3, SyntheticCluster.LabelStyle.MODERN);
             PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"), Duration.ofSeconds(1),
                     cluster.target());
             KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"))) {
            prometheus.awaitFullWindow(Duration.ofSeconds(10));
            Map<String, String> env = Map.of(
                    "PROMETHEUS_URL", prometheus.baseUrl(),
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "SCHEDULER_SECONDS", "1",
                    "PROMETHEUS_POLLING_STEP", "1s",
                    "PUBLISHER_SETTLE_DELAY", "2s",
                    "PUBLISHER_RATE_RANGE", "10s",
                    "PUBLISHER_METRICS_FILE", catalog.toString(),
                    "PUBLISHER_FIRST_CYCLE_DELAY", "0",
                    "KAFKA_MAX_BLOCK_MS", "2000",
                    "MANAGEMENT_PORT", String.valueOf(FreePort.find()));
            Path log = dir.resolve("publisher.log");

            // normal cycles, whose timing jitters with start-up, GC and the load of this machine
            PublisherProcess publisher = PublisherProcess.start(env, log);
            Thread.sleep(6000);

            // SIGKILL at random moments, restarted after a random pause
            for (int kill = 0; kill < 3; kill++) {
                Thread.sleep(1500 + random.nextInt(3000));
                publisher.kill();
                Thread.sleep(500 + random.nextInt(2500));
                publisher = PublisherProcess.start(env, log);
            }

            // Kafka down for several cycles
            Thread.sleep(3000);
            kafka.stop();
            Thread.sleep(5000);
            kafka.restart();

            // Prometheus down for several cycles: queries fail, positions wait
            Thread.sleep(3000);
            prometheus.stop();
            Thread.sleep(5000);
            prometheus.restart();

            // the publisher down for a while: Prometheus keeps the data, the publisher catches up
            Thread.sleep(4000);
            publisher.kill();
            Thread.sleep(12_000);
            publisher = PublisherProcess.start(env, log);
            Thread.sleep(12_000);
            publisher.stop();

            List<ConsumerRecord<String, String>> records = kafka.readAll(TOPIC, true, Duration.ofSeconds(3));
            Comparison comparison = compare(records, prometheus, catalog, Duration.ofSeconds(1));
            assertExactlyOnce("kills, Kafka and Prometheus outages, downtime", comparison, 100,
                    publisher.logTail(80));
        }
    }

    @Test
    void manyCyclesOfARandomlyJitteredTimerPublishEveryStepOnce() throws Exception {
        Path catalog = TestCatalog.write(dir, METRICS);
        Random random = new Random(11);
        try (SyntheticCluster cluster = SyntheticCluster.start(3, SyntheticCluster.LabelStyle.MODERN);
             PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"), Duration.ofSeconds(1),
                     cluster.target());
             KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"))) {
            prometheus.awaitFullWindow(Duration.ofSeconds(10));
            AtomicInteger cycles = new AtomicInteger();
            try (PublisherApp app = PublisherApp.start(Map.of(
                    "prometheus.url", prometheus.baseUrl(),
                    "kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "publisher.metrics-file", catalog.toString(),
                    "publisher.cycle-seconds", "1",
                    "publisher.step", "1s",
                    "publisher.settle-delay", "2s",
                    "publisher.rate-range", "10s"))) {
                // every cycle starts 0 to 1.5 s late, at random: windows of 0, 1, 2 or more steps
                AdviceWith.adviceWith(app.context(), "publish-cycle", route -> route.weaveAddFirst()
                        .process(exchange -> {
                            cycles.incrementAndGet();
                            Thread.sleep(random.nextInt(1500));
                        }));
                Thread.sleep(45_000);
            }
            List<ConsumerRecord<String, String>> records = kafka.readAll(TOPIC, true, Duration.ofSeconds(3));
            Comparison comparison = compare(records, prometheus, catalog, Duration.ofSeconds(1));
            assertExactlyOnce(cycles.get() + " jittered cycles", comparison, 150, "");
            assertTrue(cycles.get() >= 20, "cycles: " + cycles.get());
        }
    }

    @Test
    void aLookBackLongerThanElevenThousandStepsIsChunkedCompleteAndInOrder() throws Exception {
        Path catalog = TestCatalog.write(dir, METRICS);
        try (SyntheticCluster cluster = SyntheticCluster.start(2, SyntheticCluster.LabelStyle.MODERN);
             PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"), Duration.ofSeconds(1),
                     cluster.target());
             KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"))) {
            // 12,500 steps of 5 ms: more than Prometheus answers in one query_range (11,000 points per series)
            Duration step = Duration.ofMillis(5);
            prometheus.awaitFullWindow(Duration.ofSeconds(10 + 63));
            try (PublisherApp app = PublisherApp.start(Map.of(
                    "prometheus.url", prometheus.baseUrl(),
                    "kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "publisher.metrics-file", catalog.toString(),
                    "publisher.cycle-seconds", "5",
                    "publisher.step", "5ms",
                    "publisher.settle-delay", "2s",
                    "publisher.rate-range", "10s",
                    "publisher.start-from", "62500ms",
                    "publisher.max-samples-per-query", "30000"))) {
                List<ConsumerRecord<String, String>> records =
                        kafka.readAll(TOPIC, true, 2 * 2 + 2, Duration.ofSeconds(60));
                Thread.sleep(3000);
                records = kafka.readAll(TOPIC, true, Duration.ofSeconds(2));
                Comparison comparison = compare(records, prometheus, catalog, step);
                assertExactlyOnce("look-back over 11,000 steps", comparison, 2 * 2 * 12_500 - 1, "");
            }
        }
    }

    /** Prints the figures (they are reported in README) and requires no gap, duplicate, disorder or wrong value. */
    private static void assertExactlyOnce(String scenario, Comparison comparison, int moreSamplesThan, String context) {
        System.out.println("Exactly-once check (" + scenario + "): " + comparison);
        String message = comparison + (context.isEmpty() ? "" : "\n" + context);
        assertTrue(comparison.samplesInKafka() > moreSamplesThan, message);
        assertEquals(0, comparison.gaps(), message);
        assertEquals(0, comparison.duplicates(), message);
        assertEquals(0, comparison.outOfOrder(), message);
        assertEquals(0, comparison.wrongValues(), message);
    }

    /**
     * Per metric, asks Prometheus for the range Kafka covers (first to last published step) with the same PromQL and
     * step, and compares sample by sample.
     */
    static Comparison compare(List<ConsumerRecord<String, String>> records, PrometheusServer prometheus, Path catalog,
                              Duration step) throws IOException {
        // metric -> container -> timestamps and values in Kafka order
        Map<String, Map<String, List<String[]>>> published = new TreeMap<>();
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = JSON.readTree(record.value());
            String metric = message.get("metric_type").asText();
            if (metric.endsWith("_packet_loss_percentage")) {
                continue;
            }
            for (JsonNode sample : message.get("data")) {
                published.computeIfAbsent(metric, m -> new TreeMap<>())
                        .computeIfAbsent(record.key(), c -> new ArrayList<>())
                        .add(new String[] {sample.get("timestamp").asText(), sample.get("value").asText()});
            }
        }
        MetricCatalog metrics = new MetricCatalog();
        metrics.setFile(catalog.toString());
        metrics.setRateRange("10s");
        int inKafka = 0;
        int inPrometheus = 0;
        int gaps = 0;
        int duplicates = 0;
        int outOfOrder = 0;
        int wrongValues = 0;
        for (MetricCatalog.RenderedMetric metric : metrics.metrics()) {
            Map<String, List<String[]>> byContainer = published.getOrDefault(metric.definition().name(), Map.of());
            Instant first = null;
            Instant last = null;
            Map<String, Map<String, Integer>> seen = new HashMap<>();
            for (Map.Entry<String, List<String[]>> entry : byContainer.entrySet()) {
                String previous = "";
                for (String[] sample : entry.getValue()) {
                    inKafka++;
                    Instant at = Instant.parse(sample[0]);
                    first = first == null || at.isBefore(first) ? at : first;
                    last = last == null || at.isAfter(last) ? at : last;
                    if (sample[0].compareTo(previous) <= 0) {
                        outOfOrder++;
                    }
                    previous = sample[0];
                    seen.computeIfAbsent(entry.getKey(), c -> new HashMap<>()).merge(sample[0] + "=" + sample[1], 1,
                            Integer::sum);
                }
            }
            if (first == null) {
                continue;
            }
            // the comparison itself must respect Prometheus' 11,000 points per series
            List<JsonNode> expected = new ArrayList<>();
            for (Instant from = first; !from.isAfter(last); from = from.plus(step.multipliedBy(10_000))) {
                Instant to = from.plus(step.multipliedBy(9_999));
                expected.addAll(prometheus.queryRange(metric.promql(), from, to.isAfter(last) ? last : to, step)
                        .get("result").findParents("values"));
            }
            for (JsonNode series : expected) {
                String container = series.get("metric").path("label_vim_id").asText();
                if (container.isEmpty()) {
                    continue; // a pod without label_vim_id: the publisher skips it by design
                }
                Map<String, Integer> got = seen.getOrDefault(container, Map.of());
                for (JsonNode value : series.get("values")) {
                    inPrometheus++;
                    String timestamp = Sample.format(Sample.instantOf(new BigDecimal(value.get(0).asText())));
                    Integer count = got.get(timestamp + "=" + value.get(1).asText());
                    if (count == null) {
                        boolean atAll = got.keySet().stream().anyMatch(k -> k.startsWith(timestamp + "="));
                        if (atAll) {
                            wrongValues++;
                        } else {
                            gaps++;
                        }
                    } else if (count > 1) {
                        duplicates += count - 1;
                    }
                }
            }
        }
        return new Comparison(inKafka, inPrometheus, gaps, duplicates, outOfOrder, wrongValues);
    }
}
