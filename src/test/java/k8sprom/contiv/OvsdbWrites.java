package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The test's own JSON-RPC session with ovsdb-server: writes statistics the way ovs-vswitchd does (all changed
 * interfaces in one transaction) and reads the Interface table with a plain select, the expectation a replica is
 * compared with.
 */
final class OvsdbWrites implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final OvsdbConnection connection;

    OvsdbWrites(String target) throws IOException {
        connection = OvsdbConnection.open(OvsdbAddress.parse(target), TIMEOUT, JSON);
    }

    /** Replaces the statistics of each named interface, all in one transaction. */
    void setStatistics(Map<String, Map<String, Long>> statisticsByInterface) {
        ArrayNode params = JSON.createArrayNode().add("Open_vSwitch");
        statisticsByInterface.forEach((name, statistics) -> {
            ObjectNode update = params.addObject();
            update.put("op", "update");
            update.put("table", "Interface");
            update.putArray("where")
                    .add(JSON.createArrayNode().add("name").add("==").add(name));
            ArrayNode pairs = JSON.createArrayNode();
            statistics.forEach(
                    (key, value) -> pairs.add(JSON.createArrayNode().add(key).add(value)));
            update.putObject("row")
                    .set("statistics", JSON.createArrayNode().add("map").add(pairs));
        });
        check(connection.call("transact", params, TIMEOUT));
    }

    /** The Interface table as a select on this session sees it, by interface name. */
    Map<String, OvsInterface> select() {
        return byName(OvsInterface.fromSelectResult(connection.call("transact", selectParams(), TIMEOUT), "test"));
    }

    /** The same select, on the monitor's own connection. */
    static Map<String, OvsInterface> selectOn(OvsdbMonitor monitor) {
        return byName(OvsInterface.fromSelectResult(monitor.call("transact", selectParams()), "test"));
    }

    static Map<String, OvsInterface> byName(List<OvsInterface> interfaces) {
        Map<String, OvsInterface> byName = new TreeMap<>();
        interfaces.forEach(row -> byName.put(row.name(), row));
        return byName;
    }

    static JsonNode selectParams() {
        ObjectNode select = JSON.createObjectNode();
        select.put("op", "select");
        select.put("table", "Interface");
        select.putArray("where");
        select.putArray("columns").add("name").add("external_ids").add("statistics");
        return JSON.createArrayNode().add("Open_vSwitch").add(select);
    }

    private static void check(JsonNode result) {
        for (JsonNode operation : result) {
            if (operation.has("error")) {
                throw new IllegalStateException("transaction refused: " + result);
            }
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
