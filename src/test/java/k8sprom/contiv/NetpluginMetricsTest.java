package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NetpluginMetricsTest {

    private static final Endpoint WEB_1 = new Endpoint("ep-1", "default", "web-net", "node1", "web-1", "web");
    private static final Endpoint BATCH = new Endpoint("ep-2", "default", "web-net", "node1", "batch \"7\"", null);

    @Test
    void defaultNamingWritesCountersWithSnakeCaseLabels() throws Exception {
        String text = render(Naming.DEFAULT, List.of(new EndpointTraffic(WEB_1, "vport1", Map.of("rx_bytes", 2000L))));

        assertEquals("""
                # HELP contiv_endpoint_receive_bytes_total OVS interface statistic rx_bytes of a Contiv endpoint,\
                 from the container's side (OVS reports it as tx_bytes). The value is OVSDB's at the scrape (a live replica,\
                 synchronised with OVSDB before each answer); the labels come from Netmaster. Netmaster metadata is\
                 cached for up to 10 s.
                # TYPE contiv_endpoint_receive_bytes_total counter
                contiv_endpoint_receive_bytes_total{container_name="web-1",endpoint_group="web",host="node1",\
                interface="vport1",network="web-net",tenant="default"} 2000.0
                """, text);
    }

    @Test
    void compatibleNamingWritesTheBareKeyUntypedWithTheOriginalLabels() throws Exception {
        String text =
                render(Naming.COMPATIBLE, List.of(new EndpointTraffic(WEB_1, "vport1", Map.of("rx_bytes", 2000L))));

        assertTrue(text.contains("# TYPE rx_bytes untyped\n"), text);
        assertTrue(
                text.contains("rx_bytes{containerName=\"web-1\",endpointGroup=\"web\",host=\"node1\","
                        + "interface=\"vport1\",network=\"web-net\",tenant=\"default\"} 2000.0\n"),
                text);
    }

    @Test
    void endpointWithoutServiceHasNoEndpointGroupLabelAndItsLabelValuesAreEscaped() throws Exception {
        String text = render(Naming.DEFAULT, List.of(new EndpointTraffic(BATCH, "vport2", Map.of("tx_bytes", 1L))));

        assertTrue(
                text.contains("contiv_endpoint_transmit_bytes_total{container_name=\"batch \\\"7\\\"\",host=\"node1\","
                        + "interface=\"vport2\",network=\"web-net\",tenant=\"default\"} 1.0\n"),
                text);
    }

    @Test
    void writesOneFamilyPerStatisticWithASamplePerInterface() {
        List<EndpointTraffic> traffic = List.of(
                new EndpointTraffic(WEB_1, "vport1", new TreeMap<>(Map.of("rx_bytes", 1L, "tx_bytes", 2L))),
                new EndpointTraffic(BATCH, "vport2", Map.of("rx_bytes", 3L)));

        MetricSnapshots families =
                new MetricSnapshots(new NetpluginMetrics(Naming.DEFAULT, Duration.ZERO).snapshots(traffic));

        assertEquals(2, families.size());
        assertEquals(2, families.get(0).getDataPoints().size());
        assertTrue(families.get(0).getMetadata().getHelp().endsWith("Netmaster metadata is read at every scrape."));
    }

    @Test
    void leavesNegativeValuesOutOfCounters() throws Exception {
        String text = render(Naming.DEFAULT, List.of(new EndpointTraffic(WEB_1, "vport1", Map.of("rx_bytes", -1L))));

        assertTrue(!text.contains("} -1.0"), text);
    }

    private static String render(Naming naming, List<EndpointTraffic> traffic) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false)
                .write(
                        out,
                        new MetricSnapshots(new NetpluginMetrics(naming, Duration.ofSeconds(10)).snapshots(traffic)));
        return out.toString();
    }
}
