package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import k8sprom.testsupport.CamelJBangProcess;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.KafkaBroker;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SharedStack;
import k8sprom.testsupport.SyntheticCluster;
import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The same files under Camel JBang: {@code camel run routes/*.camel.yaml src/main/java/k8sprom/publisher/*.java src/main/java/k8sprom/contiv/*.java
 * application.properties} in a JVM of its own (camel-jbang-core 4.17.0, through CamelJBangMain), against a real
 * Prometheus scraping a synthetic cluster and a real Kafka broker, the run's shared ones. Settings are given the way a
 * user gives them: the environment variables that application.properties reads, and one {@code --property}.
 */
@ExtendWith(SharedStack.class)
class CamelJBangRunIT {

    private static final int PODS = SharedStack.PODS;
    private static final String TOPIC = "jbang.kubernetes";
    private static final Duration RATE_RANGE = Duration.ofSeconds(10);
    /** Camel JBang compiles the beans at start: that alone took 55 s once with other builds on the machine. */
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    private static final String RX_LOSS = "container_network_receive_packet_loss_percentage";
    private static final String TX_LOSS = "container_network_transmit_packet_loss_percentage";
    private static final ObjectMapper JSON = new ObjectMapper();

    static SyntheticCluster cluster;
    static PrometheusServer prometheus;
    static KafkaBroker kafka;
    static CamelJBangProcess camel;
    static int managementPort;
    /**
     * Rates of samples from here on cover scraped time only, so they are exact. Taken when this class starts: another
     * class may have restarted the shared Prometheus shortly before, and a rate window reaching into that gap is not.
     */
    static Instant exactFrom;

    static List<ConsumerRecord<String, String>> records;

    @RegisterExtension
    static final TestWatcher PRINT_CAMEL_OUTPUT_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            printCamelOutput();
        }
    };

    @BeforeAll
    static void runTheRepositoryFilesWithCamelJBang(SharedStack.Stack stack) {
        try {
            cluster = stack.cluster();
            prometheus = stack.prometheus();
            kafka = stack.kafka();
            exactFrom = prometheus.scrapingSince().plus(RATE_RANGE).plusSeconds(1);
            managementPort = FreePort.find();

            List<String> arguments = new ArrayList<>(List.of("run"));
            arguments.addAll(files("routes", ".camel.yaml"));
            arguments.addAll(files("src/main/java/k8sprom/publisher", ".java"));
            arguments.addAll(files("src/main/java/k8sprom/contiv", ".java"));
            arguments.add("application.properties");
            arguments.add("--property=camel.management.port=" + managementPort);
            arguments.add("--logging-color=false");
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("PROMETHEUS_URL", prometheus.baseUrl());
            environment.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            environment.put("KAFKA_KUBERNETES_TOPIC", TOPIC);
            environment.put("SCHEDULER_SECONDS", "2");
            environment.put("PROMETHEUS_POLLING_STEP", "2s");
            environment.put("PUBLISHER_SETTLE_DELAY", "2s");
            environment.put("PUBLISHER_RATE_RANGE", RATE_RANGE.toSeconds() + "s");
            environment.put("PUBLISHER_FIRST_CYCLE_DELAY", "0");
            // The output stays in the build directory, next to the classpath file, for a look after the build.
            Path log = CamelJBangProcess.classpathFile().resolveSibling("camel-jbang-run.log");
            camel = CamelJBangProcess.start(Path.of("").toAbsolutePath(), arguments, environment, log);
            records = readUntilEveryMetricHasExactSamples();
        } catch (RuntimeException | Error e) {
            printCamelOutput();
            throw e;
        }
    }

    @AfterAll
    static void stopCamel() {
        if (camel != null) {
            camel.close();
        }
    }

    /** The files of a directory with the given ending, relative and sorted, as the shell expands {@code dir/*end}. */
    private static List<String> files(String directory, String ending) {
        try (Stream<Path> paths = Files.list(Path.of(directory))) {
            List<String> found = paths.map(Path::toString)
                    .filter(p -> p.endsWith(ending))
                    .sorted()
                    .toList();
            assertFalse(found.isEmpty(), "no " + directory + "/*" + ending);
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<ConsumerRecord<String, String>> readUntilEveryMetricHasExactSamples() {
        Instant deadline = Instant.now().plus(DEADLINE);
        List<ConsumerRecord<String, String>> read = List.of();
        while (true) {
            if (!camel.isAlive()) {
                fail("camel run ended early with exit code " + camel.exitValue());
            }
            Set<String> missing = missingExactMessages(read);
            if (missing.isEmpty()) {
                return read;
            }
            if (Instant.now().isAfter(deadline)) {
                fail("after " + DEADLINE + " (" + read.size() + " records) still no message with exact samples for "
                        + missing);
            }
            read = kafka.readAll(TOPIC, false, read.size() + 1, Duration.ofSeconds(5));
        }
    }

    /** "vim-N metric" for every pod and message kind that has no message with a sample in the exact range yet. */
    private static Set<String> missingExactMessages(List<ConsumerRecord<String, String>> read) {
        Set<String> missing = new HashSet<>();
        for (int pod = 0; pod < PODS; pod++) {
            for (String metric : SyntheticCluster.METRICS) {
                missing.add("vim-" + pod + " " + metric);
            }
            missing.add("vim-" + pod + " " + RX_LOSS);
            missing.add("vim-" + pod + " " + TX_LOSS);
        }
        for (ConsumerRecord<String, String> record : read) {
            JsonNode message = parse(record);
            for (JsonNode sample : message.get("data")) {
                if (!timestamp(sample).isBefore(exactFrom)) {
                    missing.remove(
                            record.key() + " " + message.get("metric_type").asText());
                }
            }
        }
        return missing;
    }

    private static JsonNode parse(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + record.value(), e);
        }
    }

    private static Instant timestamp(JsonNode sample) {
        return Instant.parse(sample.get("timestamp").asText());
    }

    private static int podIndex(String containerId) {
        return Integer.parseInt(containerId.substring("vim-".length()));
    }

    private static void printCamelOutput() {
        if (camel != null) {
            System.err.println("---- last lines of camel run (" + camel.log() + ") ----");
            System.err.println(camel.tail(150));
            System.err.println("---- end of camel run output ----");
        }
    }

    private static HttpResponse<String> management(String path) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void camelJBangCompiledTheJavaBeansItselfOnItsOwnClasspath() {
        List<String> classpath = CamelJBangProcess.classpath();
        for (String entry : classpath) {
            assertTrue(entry.endsWith(".jar") || entry.endsWith(".pom"), "only libraries, no build output: " + entry);
            assertFalse(entry.contains("k8s-prometheus-publisher"), entry);
        }
        String camelJBangJar = Path.of(CamelJBangMain.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath())
                .getFileName()
                .toString();
        assertTrue(
                classpath.stream().anyMatch(e -> e.endsWith("/" + camelJBangJar)),
                "the child runs the camel-jbang-core of the pom: " + camelJBangJar);
        String output = camel.output();
        assertTrue(output.contains("Apache Camel (JBang) 4.17.0"), "ran under Camel JBang");
        assertTrue(output.contains("Loaded 26 metrics from"), "the MetricCatalog bean read routes/metrics.yaml");
        assertFalse(output.contains("ClassNotFoundException"), "every bean class was compiled");
    }

    @Test
    void messagesCarryTheKnownRatesAndAveragesForEveryMetricAndPod() {
        int checked = 0;
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = parse(record);
            String metric = message.get("metric_type").asText();
            if (metric.endsWith("_packet_loss_percentage")) {
                continue;
            }
            int pod = podIndex(message.get("container_id").asText());
            boolean counter = SyntheticCluster.isCounter(metric);
            double expected =
                    counter ? SyntheticCluster.ratePerSecond(metric, pod) : SyntheticCluster.gaugeValue(metric, pod);
            for (JsonNode sample : message.get("data")) {
                // a rate over a window that reaches back before the first scrape is not exact; a gauge always is
                if (counter && timestamp(sample).isBefore(exactFrom)) {
                    continue;
                }
                double actual = Double.parseDouble(sample.get("value").asText());
                assertEquals(
                        expected,
                        actual,
                        Math.abs(expected) * 1e-6 + 1e-9,
                        metric + " of " + record.key() + " at "
                                + sample.get("timestamp").asText());
                checked++;
            }
        }
        assertTrue(checked >= PODS * SyntheticCluster.METRICS.size(), "checked " + checked + " samples");
    }

    @Test
    void messagesAreKeyedByContainerAndHaveTheDocumentedShape() {
        assertFalse(records.isEmpty());
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = parse(record);
            assertTrue(record.key().matches("vim-\\d+"), "only pods with label_vim_id: " + record.key());
            assertEquals(record.key(), message.get("container_id").asText());
            List<String> fields = new ArrayList<>();
            message.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("container_id", "metric_type", "type", "data"), fields);
            String metric = message.get("metric_type").asText();
            String type = message.get("type").asText();
            assertTrue(type.equals("counter") || type.equals("gauge"), type);
            for (JsonNode sample : message.get("data")) {
                assertEquals(metric, sample.get("name").asText());
                assertEquals(type, sample.get("type").asText());
                assertTrue(
                        sample.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"),
                        sample.toString());
                assertTrue(sample.has("unit"));
            }
        }
    }

    @Test
    void packetLossIsDerivedPerContainer() {
        Map<String, Instant> latestAt = new HashMap<>();
        Map<String, Double> latest = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = parse(record);
            String metric = message.get("metric_type").asText();
            if (!metric.endsWith("_packet_loss_percentage")) {
                continue;
            }
            JsonNode sample = message.get("data").get(0);
            assertEquals("%", sample.get("unit").asText());
            String key = record.key() + " " + metric;
            Instant at = timestamp(sample);
            if (!latestAt.containsKey(key) || at.isAfter(latestAt.get(key))) {
                latestAt.put(key, at);
                latest.put(key, sample.get("value").asDouble());
            }
        }
        for (int pod = 0; pod < PODS; pod++) {
            assertEquals(SyntheticCluster.dropPercent(false, pod), latest.get("vim-" + pod + " " + RX_LOSS), 1e-6);
            assertEquals(SyntheticCluster.dropPercent(true, pod), latest.get("vim-" + pod + " " + TX_LOSS), 1e-6);
        }
    }

    @Test
    void healthAndOwnMetricsAreServedOnTheManagementPortFromTheCommandLine() {
        HttpResponse<String> ready = management("/observe/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        String metrics = management("/observe/metrics").body();
        assertTrue(metrics.contains("publisher_messages_published_total{metric=\"container_memory_swap\""), metrics);
        assertTrue(metrics.contains("publisher_cycle_duration_seconds_count"), metrics);
    }
}
