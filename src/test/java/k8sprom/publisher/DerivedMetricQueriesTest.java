package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import k8sprom.testsupport.PrometheusServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped packet-loss entries, evaluated by Prometheus' own PromQL engine ({@code promtool test rules}) on
 * counters whose rates are known: the result must be the original service's formula applied to those rates, 0 where
 * the packets rate is 0, and nothing for a pod that lacks either input.
 */
class DerivedMetricQueriesTest {

    private static final String INTERVAL = "15s";
    private static final int INTERVAL_SECONDS = 15;

    @TempDir
    Path dir;

    /** One pod's packet counters: per-second rates per interface, null for a series that does not exist. */
    record Pod(String name, String podLabel, Map<String, double[]> interfaces) {
        /** {dropped rate, packets rate} of one interface. */
        static Map<String, double[]> one(Double dropped, Double packets) {
            Map<String, double[]> map = new LinkedHashMap<>();
            map.put("eth0", new double[] {dropped == null ? Double.NaN : dropped, packets == null ? Double.NaN : packets
            });
            return map;
        }
    }

    private static final List<Pod> PODS = List.of(
            new Pod("lossy", "pod", Pod.one(1.0, 10.0)),
            new Pod("idle", "pod", Pod.one(0.0, 0.0)),
            new Pod("drops-without-packets", "pod", Pod.one(2.0, 0.0)),
            new Pod("no-drops", "pod", Pod.one(0.0, 5.0)),
            new Pod("no-drop-series", "pod", Pod.one(null, 5.0)),
            new Pod("no-packet-series", "pod", Pod.one(3.0, null)),
            new Pod("legacy-labels", "pod_name", Pod.one(3.0, 20.0)),
            new Pod("two-interfaces", "pod", Map.of("eth0", new double[] {2.0, 10.0}, "eth1", new double[] {0.0, 30.0
            })));

    @Test
    void receivePacketLossIsDroppedRateTimes100OverPacketsRatePerPod() throws Exception {
        assertDerived("receive");
    }

    @Test
    void transmitPacketLossIsDroppedRateTimes100OverPacketsRatePerPod() throws Exception {
        assertDerived("transmit");
    }

    private void assertDerived(String direction) throws Exception {
        MetricCatalog catalog = new MetricCatalog();
        catalog.setFile("routes/metrics.yaml");
        catalog.setRateRange("1m");
        String derived = "container_network_" + direction + "_packet_loss_percentage";
        MetricCatalog.RenderedMetric entry = catalog.metrics().stream()
                .filter(m -> m.definition().name().equals(derived))
                .findFirst()
                .orElseThrow();
        assertEquals(MetricDefinition.ValueFormat.NUMBER, entry.definition().value());
        assertEquals("%", entry.definition().unit());
        assertEquals("counter", entry.definition().type());

        StringBuilder series = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (Pod pod : PODS) {
            series.append(input(
                    "kube_pod_labels{pod=\"" + pod.name() + "\",label_ow_action=\"act\",label_vim_id=\"vim-"
                            + pod.name() + "\"}",
                    "1+0x40"));
            double dropped = 0;
            double packets = 0;
            boolean hasDropped = false;
            boolean hasPackets = false;
            for (Map.Entry<String, double[]> nic : pod.interfaces().entrySet()) {
                String labels = "{namespace=\"default\"," + pod.podLabel() + "=\"" + pod.name() + "\",interface=\""
                        + nic.getKey() + "\"}";
                if (!Double.isNaN(nic.getValue()[0])) {
                    series.append(input(
                            "container_network_" + direction + "_packets_dropped_total" + labels,
                            counter(nic.getValue()[0])));
                    dropped += nic.getValue()[0];
                    hasDropped = true;
                }
                if (!Double.isNaN(nic.getValue()[1])) {
                    series.append(input(
                            "container_network_" + direction + "_packets_total" + labels, counter(nic.getValue()[1])));
                    packets += nic.getValue()[1];
                    hasPackets = true;
                }
            }
            if (hasDropped && hasPackets) {
                // the original service's formula, on the two rates it would have published
                double percentage = packets == 0 ? 0 : dropped * 100 / packets;
                expected.append("          - labels: '{pod=\"")
                        .append(pod.name())
                        .append("\",label_ow_action=\"act\",label_vim_id=\"vim-")
                        .append(pod.name())
                        .append("\"}'\n            value: ")
                        .append(percentage)
                        .append('\n');
            }
        }
        String test = "rule_files: []\n"
                + "evaluation_interval: " + INTERVAL + "\n"
                + "tests:\n"
                + "  - interval: " + INTERVAL + "\n"
                + "    input_series:\n" + series
                + "    promql_expr_test:\n"
                + "      - expr: '" + entry.promql().replace("'", "''") + "'\n"
                + "        eval_time: 5m\n"
                + "        exp_samples:\n" + expected;
        Path file = dir.resolve("derived-" + direction + ".yaml");
        Files.writeString(file, test);

        Process promtool = new ProcessBuilder(PrometheusServer.promtool().toString(), "test", "rules", file.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        promtool.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, promtool.exitValue(), "promtool test rules on\n" + test + "\nsaid:\n" + output);
    }

    private static String input(String series, String values) {
        return "      - series: '" + series + "'\n        values: '" + values + "'\n";
    }

    /** A counter growing by a whole number every interval, so that its rate is exactly the given value. */
    private static String counter(double perSecond) {
        long perInterval = Math.round(perSecond * INTERVAL_SECONDS);
        return "0+" + perInterval + "x40";
    }
}
