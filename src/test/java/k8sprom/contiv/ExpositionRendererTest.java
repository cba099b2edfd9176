package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExpositionRendererTest {

    private static final MetricSnapshots FAMILIES = MetricSnapshots.of(GaugeSnapshot.builder()
            .name("contiv_tenants")
            .help("Number of tenants.")
            .dataPoint(GaugeDataPointSnapshot.builder().value(3).build())
            .build());

    private final ExpositionRenderer renderer = new ExpositionRenderer();

    @Test
    void writesTheClassicTextFormatWithoutAcceptHeader() throws Exception {
        Exposition exposition = renderer.render(FAMILIES, null);

        assertEquals("text/plain; version=0.0.4; charset=utf-8", exposition.contentType());
        assertEquals(
                "# HELP contiv_tenants Number of tenants.\n# TYPE contiv_tenants gauge\ncontiv_tenants 3.0\n",
                new String(exposition.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void writesOpenMetricsWhenPrometheusAsksForIt() throws Exception {
        Exposition exposition = renderer.render(
                FAMILIES,
                "application/openmetrics-text;version=1.0.0,"
                        + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");

        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", exposition.contentType());
        assertTrue(new String(exposition.bytes(), StandardCharsets.UTF_8).endsWith("# EOF\n"));
    }

    @Test
    void writesProtobufWhenAskedForIt() throws Exception {
        Exposition exposition = renderer.render(
                FAMILIES, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");

        assertTrue(exposition.contentType().startsWith("application/vnd.google.protobuf"), exposition.contentType());
    }
}
