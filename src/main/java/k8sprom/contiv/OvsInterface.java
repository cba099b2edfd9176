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
            throw new SourceException(source + " refused the Interface select: "
                    + operation.path("error").asText() + " "
                    + operation.path("details").asText(""));
        }
        JsonNode rows = operation.path("rows");
        if (!rows.isArray()) {
            throw new SourceException(source + " answered the Interface select without rows: " + result);
        }
        List<OvsInterface> interfaces = new ArrayList<>();
        for (JsonNode row : rows) {
            interfaces.add(new OvsInterface(
                    row.path("name").asText(""),
                    map(row.path("external_ids"), JsonNode::asText),
                    map(row.path("statistics"), JsonNode::asLong)));
        }
        return interfaces;
    }

    /** The interface as a monitor's "initial", "insert" or full "new" row: a column left out is at its default. */
    static OvsInterface fromRow(JsonNode row) {
        return new OvsInterface(
                row.path("name").asText(""),
                map(row.path("external_ids"), JsonNode::asText),
                map(row.path("statistics"), JsonNode::asLong));
    }

    /**
     * The interface after a monitor's "modify" (update2/update3): only changed columns are given; a map column's diff
     * adds a missing key, changes a key given with another value and removes a key given with its current value.
     */
    OvsInterface modifiedBy(JsonNode diff) {
        JsonNode newName = diff.get("name");
        return new OvsInterface(
                newName == null ? name : newName.asText(""),
                applyDiff(externalIds, diff.get("external_ids"), JsonNode::asText),
                applyDiff(statistics, diff.get("statistics"), JsonNode::asLong));
    }

    private static <V> Map<String, V> applyDiff(Map<String, V> current, JsonNode diff, Function<JsonNode, V> value) {
        if (diff == null) {
            return current;
        }
        Map<String, V> changed = new LinkedHashMap<>(current);
        map(diff, value).forEach((key, given) -> {
            if (given.equals(changed.get(key))) {
                changed.remove(key);
            } else {
                changed.put(key, given);
            }
        });
        return changed;
    }

    // RFC 7047 writes a map as ["map", [[key, value], ...]]; anything else means the column is empty.
    private static <V> Map<String, V> map(JsonNode column, Function<JsonNode, V> value) {
        Map<String, V> map = new LinkedHashMap<>();
        if (column.isArray()
                && "map".equals(column.path(0).asText())
                && column.path(1).isArray()) {
            for (JsonNode pair : column.path(1)) {
                map.put(pair.path(0).asText(), value.apply(pair.path(1)));
            }
        }
        return map;
    }
}
