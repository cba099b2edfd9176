package k8sprom.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import k8sprom.testsupport.SyntheticCluster.LabelStyle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The synthetic cluster scraped by a real Prometheus gives back exactly the values the tests are
 * told to expect. Both label styles share one Prometheus: their series differ by label names and
 * by the {@code instance} label, and sharing saves one Prometheus start-up and one rate window.
 */
class SyntheticClusterPrometheusIT {

    private static final int PODS = 5;
    private static final String WINDOW = "[10s]";

    @TempDir
    static Path workDir;

    private static final Map<LabelStyle, SyntheticCluster> clusters = new EnumMap<>(LabelStyle.class);
    private static PrometheusServer prometheus;

    @BeforeAll
    static void startClusterAndPrometheus() {
        for (LabelStyle style : LabelStyle.values()) {
            clusters.put(style, SyntheticCluster.start(PODS, style));
        }
        prometheus = PrometheusServer.start(
                workDir,
                Duration.ofSeconds(1),
                clusters.get(LabelStyle.LEGACY).target(),
                clusters.get(LabelStyle.MODERN).target());
        // rate() over a window that reaches back before the first scrape would be extrapolated
        // less than the full window, so wait until the window lies after it.
        prometheus.awaitFullWindow(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stopAll() {
        if (prometheus != null) {
            prometheus.close();
        }
        clusters.values().forEach(SyntheticCluster::close);
    }

    @ParameterizedTest
    @EnumSource(LabelStyle.class)
    void rateOfCpuUsageIsTheKnownRate(LabelStyle style) {
        double actual = prometheus.queryValue("rate(container_cpu_usage_seconds_total{namespace=\"default\","
                + style.podLabel() + "=\"pod-2\"}" + WINDOW + ")");
        double expected = SyntheticCluster.ratePerSecond("container_cpu_usage_seconds_total", 2);
        assertEquals(expected, actual, expected * 1e-6);
    }

    @ParameterizedTest
    @EnumSource(LabelStyle.class)
    void everyCounterOfEveryPodHasItsKnownRate(LabelStyle style) {
        for (String metric : SyntheticCluster.METRICS) {
            if (!SyntheticCluster.isCounter(metric)) {
                continue;
            }
            JsonNode result = prometheus
                    .query("rate(" + metric + "{namespace=\"default\"," + style.podLabel() + "=~\".+\"}" + WINDOW + ")")
                    .get("result");
            // pods + pod-novim; the kube-system series must not match the namespace filter
            assertEquals(PODS + 1, result.size(), metric + ": " + result);
            for (JsonNode series : result) {
                int pod = podIndex(series.get("metric").get(style.podLabel()).asText());
                double expected = SyntheticCluster.ratePerSecond(metric, pod);
                double actual = series.get("value").get(1).asDouble();
                assertEquals(expected, actual, Math.max(expected * 1e-6, 1e-9), metric + " pod " + pod);
                assertEquals(
                        SyntheticCluster.CONTAINER,
                        series.get("metric").get(style.containerLabel()).asText());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(LabelStyle.class)
    void gaugesAreConstant(LabelStyle style) {
        for (String metric : SyntheticCluster.METRICS) {
            if (SyntheticCluster.isCounter(metric)) {
                continue;
            }
            double actual = prometheus.queryValue("avg_over_time(" + metric + "{namespace=\"default\","
                    + style.podLabel() + "=\"pod-2\"}" + WINDOW + ")");
            assertEquals(SyntheticCluster.gaugeValue(metric, 2), actual, 0.0, metric);
        }
    }

    @Test
    void dropPercentagesAndTheSilentPod() {
        String rx = "100 * rate(container_network_receive_packets_dropped_total{namespace=\"default\",pod=\"pod-2\"}"
                + WINDOW + ") / rate(container_network_receive_packets_total{namespace=\"default\",pod=\"pod-2\"}"
                + WINDOW + ")";
        assertEquals(18.75, SyntheticCluster.dropPercent(false, 2));
        assertEquals(18.75, prometheus.queryValue(rx), 1e-6);

        String tx = "100 * rate(container_network_transmit_packets_dropped_total{namespace=\"default\",pod=\"pod-3\"}"
                + WINDOW + ") / rate(container_network_transmit_packets_total{namespace=\"default\",pod=\"pod-3\"}"
                + WINDOW + ")";
        assertEquals(9.375, SyntheticCluster.dropPercent(true, 3));
        assertEquals(9.375, prometheus.queryValue(tx), 1e-6);

        String silent = "pod-" + SyntheticCluster.ZERO_TX_POD;
        assertEquals(
                0.0,
                prometheus.queryValue("rate(container_network_transmit_packets_total{namespace=\"default\",pod=\""
                        + silent + "\"}" + WINDOW + ")"));
        assertEquals(0.0, SyntheticCluster.dropPercent(true, SyntheticCluster.ZERO_TX_POD));
    }

    @Test
    void kubePodLabels() {
        String instance = clusters.get(LabelStyle.MODERN).target();
        JsonNode result = prometheus
                .query("kube_pod_labels{namespace=\"default\",instance=\"" + instance + "\"}")
                .get("result");
        assertEquals(PODS + 1, result.size(), result.toString());
        Set<String> seen = new HashSet<>();
        for (JsonNode series : result) {
            JsonNode labels = series.get("metric");
            String pod = labels.get("pod").asText();
            seen.add(pod);
            if (pod.equals(SyntheticCluster.podWithoutVimId())) {
                assertFalse(labels.has("label_vim_id"), labels.toString());
                assertTrue(labels.has("label_ow_action"), labels.toString());
            } else {
                int i = podIndex(pod);
                assertEquals("vim-" + i, labels.get("label_vim_id").asText());
                assertEquals("action-" + (i % 3), labels.get("label_ow_action").asText());
            }
        }
        assertTrue(seen.contains(SyntheticCluster.podWithoutVimId()));
        assertEquals(
                1.0,
                prometheus.queryValue(
                        "count(kube_pod_labels{namespace=\"kube-system\",instance=\"" + instance + "\"})"));
        assertEquals(
                1.0,
                prometheus.queryValue("count(container_memory_usage_bytes{namespace=\"kube-system\",instance=\""
                        + instance + "\"})"));
    }

    @Test
    void promtoolAcceptsTheExposition() {
        String output =
                PrometheusServer.checkMetrics(clusters.get(LabelStyle.LEGACY).exposition());
        // Only the lint about cAdvisor's own gauge names ending in _total, no parse error.
        for (String line : output.lines().toList()) {
            assertTrue(line.contains("non-counter metrics should not have \"_total\" suffix"), output);
        }
        // ...and the check does report broken input.
        assertTrue(PrometheusServer.checkMetrics("foo{ 1\n").contains("error"));
    }

    @Test
    void addedMetricIsServed() {
        try (SyntheticCluster cluster = SyntheticCluster.start(2, LabelStyle.MODERN)) {
            cluster.addMetric("container_extra_test_gauge", false);
            double expected = SyntheticCluster.gaugeValue("container_extra_test_gauge", 1);
            assertEquals((SyntheticCluster.METRICS.size() + 1) * 1_000_000.0 + 1, expected);
            assertTrue(cluster.exposition().contains("# TYPE container_extra_test_gauge gauge\n"));
            assertTrue(cluster.exposition().contains("pod=\"pod-1\"} " + expected + " "));
        }
    }

    /** The benchmark's size: 24 metrics x 10,000 pods in one scrape, streamed. */
    @Test
    void servesTenThousandPods() throws Exception {
        int pods = 10_000;
        try (SyntheticCluster big = SyntheticCluster.start(pods, LabelStyle.MODERN)) {
            HttpClient http = HttpClient.newHttpClient();
            for (int attempt = 0; attempt < 2; attempt++) { // the second one runs on a warm JIT
                long start = System.nanoTime();
                HttpResponse<java.io.InputStream> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://" + big.target() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                long samples = 0;
                long bytes = 0;
                try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        bytes += line.length() + 1;
                        if (!line.startsWith("#")) {
                            samples++;
                        }
                    }
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.printf(
                        "10k-pod scrape #%d: %d samples, %.1f MB in %d ms%n", attempt, samples, bytes / 1e6, millis);
                // every pod, pod-novim and system-pod for each metric, plus their kube_pod_labels
                assertEquals((long) (SyntheticCluster.METRICS.size() + 1) * (pods + 2), samples);
                assertTrue(millis < 20_000, "scrape took " + millis + " ms");
            }
        }
    }

    private static int podIndex(String pod) {
        return pod.equals(SyntheticCluster.podWithoutVimId()) ? PODS : Integer.parseInt(pod.substring("pod-".length()));
    }
}
