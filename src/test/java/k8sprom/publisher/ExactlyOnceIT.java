package k8sprom.publisher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.JarProcess;
import k8sprom.testsupport.KafkaBroker;
import k8sprom.testsupport.LogCapture;
import k8sprom.testsupport.PrometheusProxy;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SharedStack;
import org.apache.camel.builder.AdviceWith;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every sample is published exactly once, whatever happens to the publisher, Kafka, Prometheus or the timer.
 *
 * <p>The expectation comes from the test's own clock and from Prometheus, never from what Kafka holds: for every
 * catalog entry (the derived packet-loss entries included) and every series Prometheus answers, every step from the
 * first step after the test started to the last step settled when the test decided to stop must be in Kafka exactly
 * once, read with read_committed, with Prometheus' value. A second record for the same (metric, container,
 * timestamp) is a duplicate whatever its value.
 */
@ExtendWith(SharedStack.class)
class ExactlyOnceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PODS = SharedStack.PODS;
    private static final Duration SETTLE = Duration.ofSeconds(2);
    /**
     * Where a metric without a position starts, for the jar that is killed and restarted: far enough back that the
     * first step after the test started is published even when no incarnation commits a position for a minute. The
     * kills, the outages and slow start-ups on a loaded machine can take that long, and a start point is computed
     * again at every start until one commits (30 s once left the first steps out, though nothing was lost or repeated
     * after the first commit).
     */
    private static final String START_FROM = "180s";

    private static final String RATE_RANGE = "10s";
    private static final String[] METRICS = {
        "{name: container_memory_usage_bytes, type: gauge, unit: bytes}",
        "{name: container_cpu_usage_seconds_total, type: counter, unit: seconds, function: rate}",
        TestCatalog.shippedEntry("container_network_receive_packet_loss_percentage", RATE_RANGE)
    };

    @TempDir
    Path dir;

    static PrometheusServer prometheus;
    static KafkaBroker kafka;

    /** What the comparison found; printed into the test log so the figures can be reported. */
    record Comparison(
            int samplesInKafka,
            int samplesExpected,
            int gaps,
            int duplicates,
            int outOfOrder,
            int wrongValues,
            int metricsCompared,
            SortedMap<String, Integer> gapsPerTimestamp) {}

    @BeforeAll
    static void shareTheStack(SharedStack.Stack stack) {
        prometheus = stack.prometheus();
        kafka = stack.kafka();
    }

    /** The stack is shared with other test classes: whatever a scenario stopped runs again after it, even if it failed. */
    @AfterEach
    void restartWhatTheScenarioStopped() {
        if (!kafka.isRunning()) {
            kafka.restart();
        }
        if (!prometheus.isRunning()) {
            prometheus.restart();
        }
    }

    /** The settings of a scenario, as environment variables; each scenario has its own topics and transactional id. */
    private static Map<String, String> environment(String topic, String prometheusUrl, Path catalog) {
        Map<String, String> env = new HashMap<>();
        env.put("PROMETHEUS_URL", prometheusUrl);
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAFKA_KUBERNETES_TOPIC", topic);
        env.put("SCHEDULER_SECONDS", "1");
        env.put("PROMETHEUS_POLLING_STEP", "1s");
        env.put("PUBLISHER_SETTLE_DELAY", SETTLE.toSeconds() + "s");
        env.put("PUBLISHER_RATE_RANGE", RATE_RANGE);
        env.put("PUBLISHER_START_FROM", START_FROM);
        env.put("PUBLISHER_METRICS_FILE", catalog.toString());
        env.put("PUBLISHER_FIRST_CYCLE_DELAY", "0");
        env.put("KAFKA_MAX_BLOCK_MS", "2000");
        env.put("MANAGEMENT_PORT", String.valueOf(FreePort.find()));
        return env;
    }

    /** The same settings as application properties, for the application run inside the test JVM. */
    private static Map<String, String> properties(String topic, String prometheusUrl, Path catalog) {
        return Map.of(
                "prometheus.url",
                prometheusUrl,
                "kafka.bootstrap-servers",
                kafka.bootstrapServers(),
                "kafka.topic",
                topic,
                "publisher.metrics-file",
                catalog.toString(),
                "publisher.cycle-seconds",
                "1",
                "publisher.step",
                "1s",
                "publisher.settle-delay",
                SETTLE.toSeconds() + "s",
                "publisher.rate-range",
                RATE_RANGE,
                "publisher.start-from",
                // reaches back over the start-up (in this JVM: quick), so that the first step after the test started
                // is published too
                "30s");
    }

    @Test
    void killsOutagesAndDowntimeLoseNothingAndDuplicateNothingOverAllMessageKinds() throws Exception {
        Path catalog = TestCatalog.shipped(dir);
        String topic = "eo.kills";
        Map<String, String> env = environment(topic, prometheus.baseUrl(), catalog);
        Random random = new Random(7);
        Path log = dir.resolve("publisher.log");
        Instant started = Instant.now();
        // when each fault happened, for the failure message: gaps are reported per timestamp
        List<String> timeline = new ArrayList<>();

        // normal cycles, whose timing jitters with start-up, GC and the load of this machine
        JarProcess publisher = JarProcess.start(env, log);
        Thread.sleep(6000);

        // SIGKILL at random moments, restarted after a random pause
        for (int kill = 0; kill < 3; kill++) {
            Thread.sleep(1500 + random.nextInt(3000));
            publisher.kill();
            timeline.add("kill " + Instant.now());
            Thread.sleep(500 + random.nextInt(2500));
            publisher = JarProcess.start(env, log);
        }

        // Kafka down for several cycles
        Thread.sleep(3000);
        kafka.stop();
        timeline.add("kafka stop " + Instant.now());
        Thread.sleep(5000);
        kafka.restart();
        timeline.add("kafka up " + Instant.now());

        // Prometheus down for several cycles: queries fail, positions wait
        Thread.sleep(3000);
        prometheus.stop();
        timeline.add("prom stop " + Instant.now());
        Thread.sleep(5000);
        prometheus.restart();
        timeline.add("prom up " + Instant.now());

        // the publisher down for a while: Prometheus keeps the data, the publisher catches up
        Thread.sleep(4000);
        publisher.kill();
        timeline.add("publisher down " + Instant.now());
        Thread.sleep(12_000);
        publisher = JarProcess.start(env, log);
        timeline.add("publisher up " + Instant.now());
        Instant until = lastSettledStep(Instant.now());
        awaitPublishedThrough(topic, catalog, until);
        publisher.stop();

        Comparison comparison = compare(topic, catalog, Duration.ofSeconds(1), firstStepAfter(started), until);
        assertExactlyOnce(
                "kills, Kafka and Prometheus outages, downtime",
                comparison,
                26,
                started,
                until,
                "faults at: " + timeline + "\n" + (comparison.gaps() > 0 ? transactions(topic) + "\n" : "")
                        + publisher.logTail(80));
    }

    @Test
    void aDerivedMetricWhoseInputIsRefusedForSeveralCyclesHasNoHoleAfterwards() throws Exception {
        Path catalog = TestCatalog.shipped(dir);
        String topic = "eo.refused-input";
        String input = "container_network_receive_packets_total";
        Instant started = Instant.now();
        try (PrometheusProxy proxy = PrometheusProxy.start(prometheus.baseUrl());
                PublisherApp app = PublisherApp.start(properties(topic, proxy.baseUrl(), catalog))) {
            awaitPublishedThrough(topic, catalog, lastSettledStep(Instant.now()));

            // the input's queries, and so the derived receive packet loss' (which reads the input), answer 503
            proxy.refuseQueriesContaining(input, 503);
            Instant refusedFrom = Instant.now();
            // two queries, each tried three times, per cycle: at least five cycles
            await().atMost(Duration.ofSeconds(60)).until(() -> proxy.refused() >= 2 * 3 * 5);
            Duration refusedFor = Duration.between(refusedFrom, Instant.now());
            proxy.forwardAll();

            Instant until = lastSettledStep(Instant.now());
            awaitPublishedThrough(topic, catalog, until);
            app.close();

            Comparison comparison = compare(topic, catalog, Duration.ofSeconds(1), firstStepAfter(started), until);
            assertExactlyOnce(
                    proxy.refused() + " refused queries over " + refusedFor.toMillis() + " ms",
                    comparison,
                    26,
                    started,
                    until,
                    "");
        }
    }

    @Test
    void partialAnswersAreNeverPublishedAndTheirWindowsArePublishedCompleteOnceTheBackendRecovers() throws Exception {
        Path catalog = TestCatalog.write(dir, METRICS);
        String topic = "eo.partial";
        String tenant = "tenant-7f3a9c-secret";
        String token = "gateway-51d2e-secret";
        Path tokenFile = dir.resolve("gateway-token");
        Files.writeString(tokenFile, token + "\n");
        Map<String, String> settings = new HashMap<>();
        Instant started = Instant.now();
        Instant until;
        try (LogCapture logs = LogCapture.everything();
                PrometheusProxy proxy = PrometheusProxy.start(prometheus.baseUrl())) {
            // a Mimir-like gateway: a tenant and a token of its own, 403 without them
            proxy.requireHeader("X-Scope-OrgID", tenant);
            proxy.requireHeader("X-Gateway-Token", token);
            settings.putAll(properties(topic, proxy.baseUrl(), catalog));
            settings.put("prometheus.tenant", tenant);
            settings.put("prometheus.header-files", "X-Gateway-Token=" + tokenFile);
            try (PublisherApp app = PublisherApp.start(settings)) {
                awaitPublishedThrough(topic, catalog, lastSettledStep(Instant.now()));

                // a store is down: answers say success, carry warnings, and lack the series of vim-1
                proxy.answerPartially("vim-1");
                await().atMost(Duration.ofSeconds(60)).until(() -> proxy.partialAnswers() >= 3 * METRICS.length);
                Map<String, Instant> published = newestSamples(topic);
                Map<String, String> positions = latestValues(topic + ".positions");
                await().atMost(Duration.ofSeconds(60)).until(() -> proxy.partialAnswers() >= 6 * METRICS.length);
                assertEquals(published, newestSamples(topic), "nothing of a partial answer is published");
                assertEquals(positions, latestValues(topic + ".positions"), "no position moves past a partial answer");
                assertTrue(
                        app.management("/observe/metrics").body().contains("reason=\"partial_response\""),
                        "partial answers are counted as query errors");

                proxy.answerCompletely();
                until = lastSettledStep(Instant.now());
                awaitPublishedThrough(topic, catalog, until);
            }
            assertEquals(0, proxy.forbidden(), "every query carried the tenant and the gateway token");
            assertEquals(Set.of("x-scope-orgid", "x-gateway-token"), proxy.requiredHeadersSeen());
            logs.await(Duration.ZERO, "partial_response", "store 127.0.0.1:10901 unreachable");
            for (LogCapture.Line line : logs.lines()) {
                assertFalse(
                        line.message().contains(tenant) || line.message().contains(token),
                        "a header value was logged: " + line.message());
            }
        }
        Comparison comparison = compare(topic, catalog, Duration.ofSeconds(1), firstStepAfter(started), until);
        assertExactlyOnce(
                "partial answers for several cycles, then complete ones",
                comparison,
                METRICS.length,
                started,
                until,
                "");
    }

    @Test
    void manyCyclesOfARandomlyJitteredTimerPublishEveryStepOnce() throws Exception {
        Path catalog = TestCatalog.write(dir, METRICS);
        String topic = "eo.jitter";
        Random random = new Random(11);
        AtomicInteger cycles = new AtomicInteger();
        Instant started = Instant.now();
        Instant until;
        try (PublisherApp app = PublisherApp.start(properties(topic, prometheus.baseUrl(), catalog))) {
            // every cycle starts 0 to 1.5 s late, at random: windows of 0, 1, 2 or more steps
            AdviceWith.adviceWith(
                    app.context(),
                    "publish-cycle",
                    route -> route.weaveAddFirst().process(exchange -> {
                        cycles.incrementAndGet();
                        Thread.sleep(random.nextInt(1500));
                    }));
            await().atMost(Duration.ofSeconds(120)).until(() -> cycles.get() >= 30);
            until = lastSettledStep(Instant.now());
            awaitPublishedThrough(topic, catalog, until);
        }
        Comparison comparison = compare(topic, catalog, Duration.ofSeconds(1), firstStepAfter(started), until);
        assertExactlyOnce(cycles.get() + " jittered cycles", comparison, 3, started, until, "");
    }

    @Test
    void aLookBackLongerThanElevenThousandStepsIsChunkedCompleteAndInOrder() throws Exception {
        Path catalog = TestCatalog.write(dir, METRICS);
        String topic = "eo.chunks";
        // 12,500 steps of 5 ms are checked: more than Prometheus answers in one query_range (11,000 points per
        // series); the publisher reaches back 70 s (14,000 steps), over the checked range and its own start-up
        Duration step = Duration.ofMillis(5);
        prometheus.awaitFullWindow(Duration.ofSeconds(10 + 73));
        Map<String, String> settings = new HashMap<>(properties(topic, prometheus.baseUrl(), catalog));
        settings.put("publisher.cycle-seconds", "5");
        settings.put("publisher.step", "5ms");
        settings.put("publisher.start-from", "70s");
        settings.put("publisher.max-samples-per-query", "30000");
        Instant started = Instant.now();
        Instant until;
        try (PublisherApp app = PublisherApp.start(settings)) {
            until = floor(started.minus(SETTLE), step);
            awaitPublishedThrough(topic, catalog, until);
        }
        Instant from = until.minus(step.multipliedBy(12_499));
        Comparison comparison = compare(topic, catalog, step, from, until);
        assertExactlyOnce("look-back over 11,000 steps", comparison, 3, from, until, "");
        assertTrue(comparison.samplesExpected() >= PODS * 3 * 12_000, comparison.toString());
    }

    /**
     * Prints the figures (they are reported in the docs) and requires no gap, duplicate, disorder or wrong value, with
     * samples for every step of the range for nearly every (series, step): a scenario must produce what it claims.
     */
    private static void assertExactlyOnce(
            String scenario, Comparison comparison, int metrics, Instant from, Instant until, String context) {
        System.out.println("Exactly-once check (" + scenario + "): " + comparison);
        String message = scenario + ": " + comparison + (context.isEmpty() ? "" : "\n" + context);
        long steps = Duration.between(from, until).toMillis() / 1000;
        assertEquals(metrics, comparison.metricsCompared(), message);
        assertTrue(
                comparison.samplesExpected() >= Math.min(steps * PODS * metrics * 8 / 10, 12_000L * PODS),
                "too few samples for " + steps + " steps: " + message);
        assertEquals(0, comparison.gaps(), message);
        assertEquals(0, comparison.duplicates(), message);
        assertEquals(0, comparison.outOfOrder(), message);
        assertEquals(0, comparison.wrongValues(), message);
    }

    private static Instant lastSettledStep(Instant now) {
        return floor(now.minus(SETTLE), Duration.ofSeconds(1));
    }

    private static Instant firstStepAfter(Instant instant) {
        Instant floor = floor(instant, Duration.ofSeconds(1));
        return floor.equals(instant) ? floor : floor.plusSeconds(1);
    }

    private static Instant floor(Instant instant, Duration step) {
        long millis = step.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), millis) * millis);
    }

    /** Waits until every catalog entry has a committed sample at or after {@code step}: then the publisher may stop. */
    private static void awaitPublishedThrough(String topic, Path catalog, Instant step) {
        MetricCatalog metrics = catalog(catalog);
        int entries = metrics.metrics().size();
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    Map<String, Instant> newest = newestSamples(topic);
                    return newest.size() == entries && newest.values().stream().noneMatch(t -> t.isBefore(step));
                });
    }

    /** The newest sample timestamp of each metric that the topic holds (read_committed). */
    private static Map<String, Instant> newestSamples(String topic) throws IOException {
        Map<String, Instant> newest = new HashMap<>();
        for (ConsumerRecord<String, String> record : kafka.readAll(topic, true, Duration.ofMillis(500))) {
            JsonNode message = JSON.readTree(record.value());
            for (JsonNode sample : message.get("data")) {
                newest.merge(
                        message.get("metric_type").asText(),
                        Instant.parse(sample.get("timestamp").asText()),
                        (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        return newest;
    }

    /** The latest value per key of a (compacted) topic, read_committed. */
    private static Map<String, String> latestValues(String topic) {
        Map<String, String> latest = new HashMap<>();
        kafka.readAll(topic, true, Duration.ofMillis(500)).forEach(record -> latest.put(record.key(), record.value()));
        return latest;
    }

    private static MetricCatalog catalog(Path file) {
        MetricCatalog metrics = new MetricCatalog();
        metrics.setFile(file.toString());
        metrics.setRateRange(RATE_RANGE);
        return metrics;
    }

    /**
     * Compares, per catalog entry, what the topic holds (read_committed) with what Prometheus answers to the entry's
     * own PromQL for every step of [from, until].
     */
    private static Comparison compare(String topic, Path catalog, Duration step, Instant from, Instant until)
            throws IOException {
        List<ConsumerRecord<String, String>> records = kafka.readAll(topic, true, Duration.ofSeconds(3));
        // "metric container timestamp" -> every value published for it
        Map<String, List<JsonNode>> published = new HashMap<>();
        Map<String, String> lastTimestamp = new HashMap<>();
        int inKafka = 0;
        int outOfOrder = 0;
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = JSON.readTree(record.value());
            String series = message.get("metric_type").asText() + " " + record.key();
            for (JsonNode sample : message.get("data")) {
                inKafka++;
                String timestamp = sample.get("timestamp").asText();
                if (timestamp.compareTo(lastTimestamp.getOrDefault(series, "")) <= 0) {
                    outOfOrder++;
                }
                lastTimestamp.put(series, timestamp);
                published
                        .computeIfAbsent(series + " " + timestamp, k -> new ArrayList<>())
                        .add(sample.get("value"));
            }
        }
        int duplicates = published.values().stream()
                .mapToInt(values -> values.size() - 1)
                .sum();
        int expected = 0;
        int gaps = 0;
        int wrongValues = 0;
        int compared = 0;
        // when the gaps are tells which event of the scenario they follow
        SortedMap<String, Integer> gapsPerTimestamp = new TreeMap<>();
        for (MetricCatalog.RenderedMetric metric : catalog(catalog).metrics()) {
            compared++;
            boolean numbers = metric.definition().value() == MetricDefinition.ValueFormat.NUMBER;
            // the comparison itself must respect Prometheus' 11,000 points per series
            for (Instant chunk = from; !chunk.isAfter(until); chunk = chunk.plus(step.multipliedBy(10_000))) {
                Instant to = chunk.plus(step.multipliedBy(9_999));
                JsonNode answer = prometheus.queryRange(metric.promql(), chunk, to.isAfter(until) ? until : to, step);
                for (JsonNode series : answer.get("result")) {
                    String container = series.get("metric").path("label_vim_id").asText();
                    if (container.isEmpty()) {
                        continue; // a pod without label_vim_id: the publisher skips it by design
                    }
                    for (JsonNode value : series.get("values")) {
                        expected++;
                        String timestamp = Sample.format(
                                Sample.instantOf(new BigDecimal(value.get(0).asText())));
                        List<JsonNode> got =
                                published.get(metric.definition().name() + " " + container + " " + timestamp);
                        if (got == null) {
                            gaps++;
                            gapsPerTimestamp.merge(timestamp, 1, Integer::sum);
                        } else if (!sameValue(got.get(0), value.get(1).asText(), numbers)) {
                            wrongValues++;
                        }
                    }
                }
            }
        }
        return new Comparison(inKafka, expected, gaps, duplicates, outOfOrder, wrongValues, compared, gapsPerTimestamp);
    }

    /**
     * What read_committed readers are held up by, for a failure message: per partition of the topic and of its
     * positions topic the high watermark and the last stable offset where they differ, and the open transactions.
     */
    private static String transactions(String topic) {
        StringBuilder report = new StringBuilder("Kafka: ");
        try (Admin admin = kafka.admin()) {
            for (String name : List.of(topic, topic + ".positions")) {
                int partitions = kafka.partitionCount(name);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < partitions; p++) {
                    latest.put(new TopicPartition(name, p), OffsetSpec.latest());
                }
                var uncommitted = admin.listOffsets(latest).all().get();
                var committed = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all()
                        .get();
                latest.keySet().forEach(tp -> {
                    long end = uncommitted.get(tp).offset();
                    long stable = committed.get(tp).offset();
                    if (end != stable) {
                        report.append(tp)
                                .append(" end ")
                                .append(end)
                                .append(" stable ")
                                .append(stable)
                                .append("; ");
                    }
                });
            }
            for (TransactionListing listing : admin.listTransactions().all().get()) {
                if (listing.state() != TransactionState.COMPLETE_COMMIT
                        && listing.state() != TransactionState.COMPLETE_ABORT
                        && listing.state() != TransactionState.EMPTY) {
                    report.append(listing.transactionalId())
                            .append(' ')
                            .append(listing.state())
                            .append(' ')
                            .append(admin.describeTransactions(List.of(listing.transactionalId()))
                                    .all()
                                    .get()
                                    .get(listing.transactionalId()));
                    report.append("; ");
                }
            }
        } catch (Exception e) {
            report.append("could not be described: ").append(e);
        }
        return report.toString();
    }

    private static boolean sameValue(JsonNode published, String prometheusText, boolean numbers) {
        if (numbers) {
            return published.isNumber() && published.doubleValue() == Double.parseDouble(prometheusText);
        }
        return published.isTextual() && published.asText().equals(prometheusText);
    }
}
