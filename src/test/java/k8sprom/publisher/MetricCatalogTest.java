package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricCatalogTest {

    /** The shipped catalog, as users get it. */
    private static List<MetricCatalog.RenderedMetric> shipped() {
        MetricCatalog catalog = new MetricCatalog();
        catalog.setFile("routes/metrics.yaml");
        return catalog.metrics();
    }

    @Test
    void shippedCatalogListsTheOriginalMetricsInOrder() {
        List<String> names = shipped().stream().map(m -> m.definition().name()).toList();
        assertEquals(26, names.size());
        assertEquals("container_fs_inodes_free", names.get(0));
        assertEquals("container_spec_memory_reservation_limit_bytes", names.get(23));
        assertEquals(
                List.of(
                        "container_network_receive_packet_loss_percentage",
                        "container_network_transmit_packet_loss_percentage"),
                names.subList(24, 26));
    }

    @Test
    void onlyTheDerivedEntriesWriteNumbersAndContinueAfterTheirInputs() {
        for (MetricCatalog.RenderedMetric metric : shipped()) {
            MetricDefinition definition = metric.definition();
            boolean derived = definition.name().endsWith("_packet_loss_percentage");
            assertEquals(
                    derived ? MetricDefinition.ValueFormat.NUMBER : MetricDefinition.ValueFormat.STRING,
                    definition.value(),
                    definition.name());
            assertEquals(derived ? 2 : 0, definition.continuesAfter().size(), definition.name());
            // every query keeps the join that gives messages their container_id
            assertTrue(metric.promql().contains("group_right(label_ow_action, label_vim_id)"), metric.promql());
            assertFalse(metric.promql().contains("<"), "no placeholder left: " + metric.promql());
        }
    }

    @Test
    void anEntrySeriesReplacesTheDefaultSeriesInTheTemplate() throws IOException {
        MetricCatalog catalog = new MetricCatalog();
        catalog.setNamespace("ns");
        catalog.setRateRange("30s");
        List<MetricCatalog.RenderedMetric> metrics = catalog.parse("""
                query: 'join(<series>)'
                series: 'sum(<function>(<metric>{namespace="<namespace>"}[<range>]))'
                function: rate
                metrics:
                  - {name: plain, type: gauge}
                  - {name: ratio, type: gauge, unit: '%', value: number, series: 'a{namespace="<namespace>"} / b[<range>]'}
                """);

        assertEquals(
                "join(sum(rate(plain{namespace=\"ns\"}[30s])))", metrics.get(0).promql());
        assertEquals("join(a{namespace=\"ns\"} / b[30s])", metrics.get(1).promql());
        assertEquals(
                MetricDefinition.ValueFormat.NUMBER, metrics.get(1).definition().value());
    }

    @Test
    void aSeriesWithoutPlaceholderOrAnUnknownValueFormatIsRefusedWithTheMetricName() {
        MetricCatalog catalog = new MetricCatalog();
        IllegalArgumentException noPlaceholder = assertThrows(
                IllegalArgumentException.class,
                () -> catalog.parse("query: 'x(<metric>)'\nfunction: rate\nmetrics:\n"
                        + "  - {name: r, type: gauge, series: 'a / b'}\n"));
        assertTrue(
                noPlaceholder.getMessage().contains("metric r")
                        && noPlaceholder.getMessage().contains("<series>"),
                noPlaceholder.getMessage());
        IllegalArgumentException badValue = assertThrows(
                IllegalArgumentException.class,
                () -> catalog.parse("query: 'x(<metric>)'\nfunction: rate\nmetrics:\n"
                        + "  - {name: r, type: gauge, value: float}\n"));
        assertTrue(
                badValue.getMessage().contains("metric r: value must be string or number, not float"),
                badValue.getMessage());
    }

    @Test
    void shippedCatalogUsesRateForTheOriginalRateListAndSystemSeconds() {
        List<String> rated = shipped().stream()
                .filter(m -> m.promql().contains("(rate(" + m.definition().name() + "{"))
                .map(m -> m.definition().name())
                .toList();
        assertEquals(
                List.of(
                        "container_fs_writes_bytes_total",
                        "container_fs_reads_bytes_total",
                        "container_cpu_system_seconds_total",
                        "container_cpu_usage_seconds_total",
                        "container_cpu_cfs_throttled_seconds_total",
                        "container_network_receive_bytes_total",
                        "container_network_receive_errors_total",
                        "container_network_receive_packets_dropped_total",
                        "container_network_receive_packets_total",
                        "container_network_transmit_bytes_total",
                        "container_network_transmit_errors_total",
                        "container_network_transmit_packets_dropped_total",
                        "container_network_transmit_packets_total"),
                rated);
    }

    @Test
    void templateIsRenderedWithFunctionMetricNamespaceAndRange() {
        MetricCatalog catalog = new MetricCatalog();
        catalog.setFile("routes/metrics.yaml");
        catalog.setNamespace("tenant-a");
        catalog.setRateRange("2m");
        String promql = catalog.metrics().get(0).promql();

        assertEquals(
                "sum( max(kube_pod_labels{label_ow_action!=\"\"}) by (label_ow_action, pod, label_vim_id) "
                        + "* on(pod) group_right(label_ow_action, label_vim_id) label_replace( sum by (pod_name, pod) "
                        + "(avg_over_time(container_fs_inodes_free{namespace=\"tenant-a\"}[2m])), \"pod\", \"$1\", "
                        + "\"pod_name\", \"(.+)\" ) ) by (pod, label_ow_action, label_vim_id)",
                promql);
    }

    @Test
    void anEntryMayGiveAWholeQuery(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.yaml");
        Files.writeString(file, """
                function: avg_over_time
                metrics:
                  - {name: my_metric, type: gauge, unit: x, query: 'sum by (label_vim_id) (my_metric{a="b"})'}
                """);
        MetricCatalog catalog = new MetricCatalog();
        catalog.setFile(file.toString());

        assertEquals(
                "sum by (label_vim_id) (my_metric{a=\"b\"})",
                catalog.metrics().get(0).promql());
    }

    @Test
    void aBrokenEditKeepsTheLastGoodListAndAFixedOneIsPickedUp(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.yaml");
        Files.writeString(file, "query: 'x(<metric>)'\nfunction: rate\nmetrics:\n  - {name: a, type: gauge}\n");
        MetricCatalog catalog = new MetricCatalog();
        catalog.setFile(file.toString());
        assertEquals(1, catalog.metrics().size());

        Files.writeString(file, "metrics:\n  - {name: a, type: histogram}\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals("a", catalog.metrics().get(0).definition().name());

        Files.writeString(
                file,
                "query: 'x(<metric>)'\nfunction: rate\nmetrics:\n  - {name: a, type: gauge}\n"
                        + "  - {name: b, type: counter, unit: bytes}\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        assertEquals(2, catalog.metrics().size());
        assertEquals("x(b)", catalog.metrics().get(1).promql());
    }

    @Test
    void anUnreadableCatalogAtStartIsAClearError(@TempDir Path dir) {
        MetricCatalog catalog = new MetricCatalog();
        catalog.setFile(dir.resolve("missing.yaml").toString());
        IllegalStateException error = assertThrows(IllegalStateException.class, catalog::metrics);
        assertTrue(error.getMessage().contains("missing.yaml"));
    }

    @Test
    void duplicateNamesAndUnknownTypesAreRefused() {
        MetricCatalog catalog = new MetricCatalog();
        IllegalArgumentException twice = assertThrows(
                IllegalArgumentException.class,
                () -> catalog.parse("function: rate\nquery: q\nmetrics:\n  - {name: a, type: gauge}\n"
                        + "  - {name: a, type: gauge}\n"));
        assertEquals("metric a is listed twice", twice.getMessage());
        IllegalArgumentException summary = assertThrows(
                IllegalArgumentException.class,
                () -> catalog.parse("function: rate\nquery: q\nmetrics:\n  - {name: a, type: summary}\n"));
        assertEquals("metric a: type must be counter or gauge, not summary", summary.getMessage());
    }
}
