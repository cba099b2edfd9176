package k8sprom.contiv;

import java.util.LinkedHashMap;
import java.util.Map;
import k8sprom.testsupport.OvsdbServer;

/**
 * The OVS side of the test network, matching the Netmaster fixtures: four endpoint interfaces on node1, and
 * interfaces that belong to no endpoint (the bridge's own, an ID that only contains an endpoint's ID, and an
 * endpoint's ID under another external_ids key).
 */
public final class OvsFixture {

    /** vport1's statistics as OVS reports them (the switch port's view). */
    static final Map<String, Long> WEB_1_SWITCH_SIDE = ordered(
            "rx_bytes",
            1000L,
            "tx_bytes",
            2000L,
            "rx_packets",
            10L,
            "tx_packets",
            20L,
            "rx_dropped",
            1L,
            "tx_dropped",
            2L,
            "rx_errors",
            0L,
            "tx_errors",
            3L,
            "rx_crc_err",
            4L,
            "collisions",
            0L,
            "ovs_tx_failure_drops",
            5L);

    private OvsFixture() {}

    public static void populate(OvsdbServer ovs) throws Exception {
        ovs.addInterface("contivVxlanBridge", "vport1", Map.of("endpoint-id", "ep-web-1"));
        ovs.addInterface("contivVxlanBridge", "vport2", Map.of("endpoint-id", "ep-db-1"));
        ovs.addInterface("contivVxlanBridge", "vport3", Map.of("endpoint-id", "ep-batch-7"));
        ovs.addInterface("contivVlanBridge", "vport4", Map.of("endpoint-id", "ep-front-1"));
        ovs.addInterface("contivVxlanBridge", "vport5", Map.of("endpoint-id", "ep-web-10"));
        ovs.addInterface(
                "contivVxlanBridge", "vport6", Map.of("iface-id", "ep-web-1", "attached-mac", "02:02:0a:01:01:09"));
        writeStatistics(ovs);
    }

    /** Writes every interface's statistics (again: the column is not kept across an ovsdb-server restart). */
    static void writeStatistics(OvsdbServer ovs) throws Exception {
        ovs.setStatistics("vport1", WEB_1_SWITCH_SIDE);
        ovs.setStatistics("vport2", ordered("rx_bytes", 300L, "tx_bytes", 400L, "rx_packets", 3L, "tx_packets", 4L));
        ovs.setStatistics("vport3", ordered("rx_bytes", 50L, "tx_bytes", 60L));
        ovs.setStatistics("vport4", ordered("rx_bytes", 7000L, "tx_bytes", 8000L));
        ovs.setStatistics("vport5", ordered("rx_bytes", 999L, "tx_bytes", 999L));
        ovs.setStatistics("vport6", ordered("rx_bytes", 888L, "tx_bytes", 888L));
        ovs.setStatistics("contivVxlanBridge", ordered("rx_bytes", 777L, "tx_bytes", 777L));
    }

    private static Map<String, Long> ordered(Object... keysAndValues) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (Long) keysAndValues[i + 1]);
        }
        return map;
    }
}
