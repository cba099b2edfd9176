package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class ServedFamiliesTest {

    private static final MetricSnapshots FAMILIES = MetricSnapshots.of(GaugeSnapshot.builder()
            .name("contiv_tenants")
            .help("Number of tenants.")
            .dataPoint(GaugeDataPointSnapshot.builder().value(3).build())
            .build());
    private static final String TEXT =
            "# HELP contiv_tenants Number of tenants.\n# TYPE contiv_tenants gauge\n" + "contiv_tenants 3.0\n";

    private final ExpositionRenderer renderer = new ExpositionRenderer();
    private final ServedFamilies served = new ServedFamilies(
            new ServedFamilies.Inputs(new NetmasterMetadata(List.of(), null, Map.of()), 1), FAMILIES, renderer);

    @Test
    void eachVariantIsWrittenOnceAndThenServedAsTheSameBytes() {
        ExpositionFormatWriter text = renderer.writerFor(null);

        Exposition first = served.render(text, false);

        assertSame(first, served.render(text, false));
        assertEquals(TEXT, new String(first.bytes(), StandardCharsets.UTF_8));
        assertNull(first.contentEncoding());
    }

    @Test
    void theGzipVariantUnzipsToThePlainOne() throws Exception {
        ExpositionFormatWriter text = renderer.writerFor(null);

        Exposition zipped = served.render(text, true);

        assertEquals("gzip", zipped.contentEncoding());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", zipped.contentType());
        assertArrayEquals(
                TEXT.getBytes(StandardCharsets.UTF_8),
                new GZIPInputStream(new ByteArrayInputStream(zipped.bytes())).readAllBytes());
    }

    @Test
    void statisticsLinesAreServedAsClientJavaWritesThemUntilSuperseded() throws Exception {
        NetpluginMetrics metrics = new NetpluginMetrics(Naming.DEFAULT, java.time.Duration.ofSeconds(10));
        List<Endpoint> endpoints = List.of(new Endpoint("ep-1", "default", "web", "node1", "web-1", null));
        List<OvsInterface> rows = List.of(new OvsInterface(
                "vport1", Map.of(OvsInterface.ENDPOINT_ID, "ep-1"), Map.of("tx_bytes", 2000L, "rx_bytes", 1000L)));
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> own =
                HealthMetrics.snapshots(Map.of("ovsdb", true), 0.5);
        StatisticsTable.View view = new StatisticsTable(Naming.DEFAULT, metrics).update(endpoints, rows);
        ServedFamilies lines = new ServedFamilies(
                new ServedFamilies.Inputs(new NetmasterMetadata(endpoints, null, Map.of()), 2),
                () -> {
                    throw new AssertionError("the full families are not needed for the text formats");
                },
                new LineExposition(own, view, metrics),
                renderer,
                Runnable::run);
        ExpositionFormatWriter openMetrics = renderer.writerFor("application/openmetrics-text;version=1.0.0");
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> all =
                new java.util.ArrayList<>(metrics.snapshots(EndpointTraffic.join(endpoints, rows)));
        all.addAll(own);

        Exposition zipped = lines.render(openMetrics, true);

        assertArrayEquals(
                renderer.render(new MetricSnapshots(all), openMetrics, false).bytes(),
                new GZIPInputStream(new ByteArrayInputStream(zipped.bytes())).readAllBytes());
        lines.supersede();
        assertSame(zipped, lines.render(openMetrics, true));
        assertThrows(LineExposition.Superseded.class, () -> lines.render(openMetrics, false));
    }
}
