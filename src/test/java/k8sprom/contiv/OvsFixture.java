package k8sprom.contiv;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import k8sprom.testsupport.OvsdbServer;

/**
 * The OVS side of the test network, matching the Netmaster fixtures: four endpoint interfaces on node1, and
 * interfaces that belong to no endpoint (the bridge's own, an ID that only contains an endpoint's ID, and an
 * endpoint's ID under another external_ids key).
 */
public final class OvsFixture {

    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    /**
     * OVS at scale, matching {@link NetmasterSimulator#startWithEndpoints}: in one transaction an interface vport-i per
     * endpoint (external_ids:endpoint-id, statistics), a port for each, one bridge
     * holding them, linked from the root row. Sent over the OVSDB JSON-RPC connection, as it is far too large for
     * ovsdb-client's command line.
     */
    public static void populateEndpoints(OvsdbServer ovs, int endpoints, String[] statisticKeys) throws IOException {
        ArrayNode params = MAPPER.createArrayNode();
        params.add("Open_vSwitch");
        ArrayNode ports = MAPPER.createArrayNode();
        for (int i = 0; i < endpoints; i++) {
            ObjectNode row = MAPPER.createObjectNode();
            row.put("name", "vport" + i);
            row.put("type", "internal");
            row.set("external_ids", map(Map.of("endpoint-id", "ep-" + i)));
            Map<String, Long> statistics = new LinkedHashMap<>();
            for (int s = 0; s < statisticKeys.length; s++) {
                statistics.put(statisticKeys[s], (long) (i + 1) * (s + 1) * 1000L);
            }
            row.set("statistics", map(statistics));
            params.add(insert("Interface", row, "i" + i));
            ObjectNode port = MAPPER.createObjectNode();
            port.put("name", "vport" + i);
            port.set("interfaces", MAPPER.createArrayNode().add("named-uuid").add("i" + i));
            params.add(insert("Port", port, "p" + i));
            ports.add(MAPPER.createArrayNode().add("named-uuid").add("p" + i));
        }
        ObjectNode bridge = MAPPER.createObjectNode();
        bridge.put("name", "contivVxlanBridge");
        bridge.set("ports", MAPPER.createArrayNode().add("set").add(ports));
        params.add(insert("Bridge", bridge, "br"));
        ObjectNode mutate = MAPPER.createObjectNode();
        mutate.put("op", "mutate");
        mutate.put("table", "Open_vSwitch");
        mutate.putArray("where");
        mutate.putArray("mutations")
                .add(MAPPER.createArrayNode()
                        .add("bridges")
                        .add("insert")
                        .add(MAPPER.createArrayNode()
                                .add("set")
                                .add(MAPPER.createArrayNode()
                                        .add(MAPPER.createArrayNode()
                                                .add("named-uuid")
                                                .add("br")))));
        params.add(mutate);

        ObjectNode request = MAPPER.createObjectNode();
        request.put("method", "transact");
        request.set("params", params);
        request.put("id", 1);
        try (Socket socket = new Socket("127.0.0.1", ovs.port())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(MAPPER.writeValueAsBytes(request));
            out.flush();
            InputStream in = socket.getInputStream();
            try (JsonParser parser = MAPPER.getFactory().createParser(in)) {
                while (true) {
                    JsonNode message = MAPPER.readTree(parser);
                    if (message == null) {
                        throw new IOException("ovsdb-server closed the connection");
                    }
                    if (message.path("id").asInt(-1) == 1) {
                        for (JsonNode result : message.path("result")) {
                            if (result.has("error")) {
                                throw new IOException("OVSDB refused the endpoints: " + result);
                            }
                        }
                        if (!message.path("error").isNull()
                                && !message.path("error").isMissingNode()) {
                            throw new IOException("OVSDB refused the endpoints: " + message.path("error"));
                        }
                        return;
                    }
                }
            }
        }
    }

    private static ObjectNode insert(String table, ObjectNode row, String uuidName) {
        ObjectNode op = MAPPER.createObjectNode();
        op.put("op", "insert");
        op.put("table", table);
        op.set("row", row);
        op.put("uuid-name", uuidName);
        return op;
    }

    private static ArrayNode map(Map<String, ?> entries) {
        ArrayNode pairs = MAPPER.createArrayNode();
        entries.forEach((key, value) -> {
            ArrayNode pair = MAPPER.createArrayNode().add(key);
            if (value instanceof Long number) {
                pair.add(number);
            } else {
                pair.add(String.valueOf(value));
            }
            pairs.add(pair);
        });
        return MAPPER.createArrayNode().add("map").add(pairs);
    }

    private static Map<String, Long> ordered(Object... keysAndValues) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (Long) keysAndValues[i + 1]);
        }
        return map;
    }
}
