package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One row of OVS's Interface table: its name, external_ids and statistics (the switch's point of view).
 */
record OvsInterface(String name, Map<String, String> externalIds, Map<String, Long> statistics) {

    static final String ENDPOINT_ID = "endpoint-id";

    OvsInterface {
        externalIds = Map.copyOf(externalIds);
        statistics = Map.copyOf(statistics);
    }

    String endpointId() {
        return externalIds.get(ENDPOINT_ID);
    }

    /** Reads the rows of a transact whose only operation is a select on Interface. */
    static List<OvsInterface> fromSelectResult(JsonNode result, String source) {
        JsonNode operation = result.path(0);
        if (operation.has("error")) {
            throw new SourceException(source + " refused the Interface select: " + operation.path("error").asText()
                    + " " + operation.path("details").asText(""));
        }
        JsonNode rows = operation.path("rows");
        if (!rows.isArray()) {
            throw new SourceException(source + " answered the Interface select without rows: " + result);
        }
        List<OvsInterface> interfaces = new ArrayList<>();
        for (JsonNode row : rows) {
            interfaces.add(new OvsInterface(row.path("name").asText(""),
                    map(row.path("external_ids"), JsonNode::asText),
                    map(row.path("statistics"), JsonNode::asLong)));
        }
        return interfaces;
    }

    // RFC 7047 writes a map as ["map", [[key, value], ...]]; anything else means the column is empty.
    private static <V> Map<String, V> map(JsonNode column, Function<JsonNode, V> value) {
        Map<String, V> map = new LinkedHashMap<>();
        if (column.isArray() && "map".equals(column.path(0).asText()) && column.path(1).isArray()) {
            for (JsonNode pair : column.path(1)) {
                map.put(pair.path(0).asText(), value.apply(pair.path(1)));
            }
        }
        return map;
    }
}
