package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import k8sprom.contiv.NetmasterCounts.Count;
import org.junit.jupiter.api.Test;

class NetmasterMetricsTest {

    private static final NetmasterCounts COUNTS = new NetmasterCounts(
            2,
            List.of(new Count("default", null, null, 2)),
            List.of(new Count("default", "web-net", null, 1)),
            List.of(new Count("default", "web-net", "web", 3), new Count("default", "web-net", "web", 9)),
            List.of(new Count("default", "web-net", "web", 1)));

    @Test
    void defaultNamingWritesGaugesWithSnakeCaseLabels() throws Exception {
        String text = render(Naming.DEFAULT);

        assertTrue(text.contains("# TYPE contiv_tenants gauge\ncontiv_tenants 2.0\n"), text);
        assertTrue(text.contains("contiv_networks{tenant=\"default\"} 2.0\n"), text);
        assertTrue(text.contains("contiv_endpoint_groups{network=\"web-net\",tenant=\"default\"} 1.0\n"), text);
        assertTrue(
                text.contains("contiv_policies{endpoint_group=\"web\",network=\"web-net\",tenant=\"default\"} 3.0\n"),
                text);
        assertTrue(
                text.contains("contiv_netprofiles{endpoint_group=\"web\",network=\"web-net\",tenant=\"default\"} 1.0"),
                text);
    }

    @Test
    void compatibleNamingUsesTheOriginalNamesAndLabels() throws Exception {
        String text = render(Naming.COMPATIBLE);

        assertTrue(text.contains("count_of_tenants 2.0\n"), text);
        assertTrue(text.contains("count_of_networks{tenant=\"default\"} 2.0\n"), text);
        assertTrue(text.contains("count_of_endpointGroups{network=\"web-net\",tenant=\"default\"} 1.0\n"), text);
        assertTrue(
                text.contains("count_of_policies{endpointGroup=\"web\",network=\"web-net\",tenant=\"default\"} 3.0"),
                text);
        assertTrue(
                text.contains("count_of_netprofiles{endpointGroup=\"web\",network=\"web-net\",tenant=\"default\"}"),
                text);
    }

    @Test
    void keepsTheFirstOfObjectsListedTwice() throws Exception {
        assertTrue(!render(Naming.DEFAULT).contains(" 9.0"));
    }

    @Test
    void helpSaysHowLongMetadataIsCached() throws Exception {
        assertTrue(render(Naming.DEFAULT)
                .contains("# HELP contiv_tenants Number of tenants in Contiv Netmaster."
                        + " Netmaster metadata is cached for up to 15 s.\n"));
    }

    private static String render(Naming naming) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false)
                .write(
                        out,
                        new MetricSnapshots(new NetmasterMetrics(naming, Duration.ofSeconds(15)).snapshots(COUNTS)));
        return out.toString();
    }
}
