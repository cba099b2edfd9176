package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class HealthMetricsTest {

    @Test
    void reportsEachSourceAsOneOrZeroAndTheDurationInSeconds() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false)
                .write(
                        out,
                        new MetricSnapshots(HealthMetrics.snapshots(
                                new TreeMap<>(Map.of("etcd", true, "netmaster", false, "ovsdb", true)), 0.25)));
        String text = out.toString();

        assertTrue(
                text.contains("contiv_up{source=\"etcd\"} 1.0\ncontiv_up{source=\"netmaster\"} 0.0\n"
                        + "contiv_up{source=\"ovsdb\"} 1.0\n"),
                text);
        assertTrue(
                text.contains("# TYPE contiv_scrape_duration_seconds gauge\ncontiv_scrape_duration_seconds 0.25\n"),
                text);
    }
}
