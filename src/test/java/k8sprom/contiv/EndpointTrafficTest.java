package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointTrafficTest {

    private static final Endpoint WEB_1 = new Endpoint("ep-web-1", "default", "web-net", "node1", "web-1", "web");
    private static final Endpoint BATCH = new Endpoint("ep-batch", "default", "web-net", "node1", "batch", null);

    @Test
    void pairsInterfacesWithTheEndpointOfTheirExactEndpointId() {
        List<EndpointTraffic> traffic = EndpointTraffic.join(
                List.of(WEB_1, BATCH),
                List.of(
                        new OvsInterface("vport1", Map.of("endpoint-id", "ep-web-1"), Map.of("rx_bytes", 5L)),
                        new OvsInterface("vport2", Map.of("endpoint-id", "ep-batch"), Map.of("tx_bytes", 6L))));

        assertEquals(
                List.of(
                        new EndpointTraffic(WEB_1, "vport1", Map.of("tx_bytes", 5L)),
                        new EndpointTraffic(BATCH, "vport2", Map.of("rx_bytes", 6L))),
                traffic);
    }

    @Test
    void ignoresIdsThatOnlyContainAnEndpointIdOrSitUnderAnotherKey() {
        List<EndpointTraffic> traffic = EndpointTraffic.join(
                List.of(WEB_1),
                List.of(
                        new OvsInterface("vport5", Map.of("endpoint-id", "ep-web-10"), Map.of()),
                        new OvsInterface("vport6", Map.of("iface-id", "ep-web-1"), Map.of()),
                        new OvsInterface("br0", Map.of(), Map.of())));

        assertEquals(List.of(), traffic);
    }

    @Test
    void endpointsWithoutLocalInterfaceProduceNothing() {
        assertEquals(List.of(), EndpointTraffic.join(List.of(WEB_1, BATCH), List.of()));
    }
}
