package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The exporter's copy of OVS's Interface table (name, external_ids, statistics by row UUID), built from a monitor's
 * initial rows and kept current by its updates. Rows are immutable: an update replaces only the rows it names, so a
 * churn of statistics allocates in proportion to the rows that changed. Every change takes a new version number,
 * unique across replicas, which is what cached expositions are keyed by.
 */
final class InterfaceReplica {

    private static final AtomicLong VERSIONS = new AtomicLong();

    private final Map<String, OvsInterface> rows;
    private long version = VERSIONS.incrementAndGet();
    private Rows lastRead;

    /** The rows at one version. */
    record Rows(long version, List<OvsInterface> interfaces) {}

    // Private with a factory: Camel JBang instantiates every compiled class with a non-private no-arg constructor.
    private InterfaceReplica(Map<String, OvsInterface> rows) {
        this.rows = new HashMap<>(rows);
    }

    static InterfaceReplica empty() {
        return new InterfaceReplica(Map.of());
    }

    /** A replica to continue from when a monitor_cond_since finds the last transaction it saw. */
    synchronized InterfaceReplica copy() {
        return new InterfaceReplica(rows);
    }

    /**
     * Applies one table-updates2 object (monitor_cond's and monitor_cond_since's initial reply, update2 and update3):
     * per row UUID one of initial, insert, modify (changed columns only) or delete. All or nothing: an update that
     * cannot be applied leaves the replica as it was, so a monitor_cond_since that continues from it after the resync
     * never applies a map diff twice (a diff given twice removes the keys it changed).
     */
    synchronized void applyUpdates2(JsonNode tableUpdates) {
        JsonNode table = tableUpdates.path("Interface");
        if (table.isMissingNode() || table.isEmpty()) {
            return;
        }
        Map<String, OvsInterface> changed = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String uuid = entry.getKey();
            JsonNode update = entry.getValue();
            if (update.has("initial")) {
                changed.put(uuid, OvsInterface.fromRow(update.get("initial")));
            } else if (update.has("insert")) {
                changed.put(uuid, OvsInterface.fromRow(update.get("insert")));
            } else if (update.has("modify")) {
                OvsInterface row = rows.get(uuid);
                if (row == null) {
                    throw new SourceException("OVSDB monitor modified Interface row " + uuid
                            + ", which the replica does not hold; resynchronising");
                }
                changed.put(uuid, row.modifiedBy(update.get("modify")));
            } else if (update.has("delete")) {
                changed.put(uuid, null);
            } else {
                throw new SourceException("OVSDB monitor sent an Interface row update without initial, insert, modify"
                        + " or delete: " + update);
            }
        }
        commit(changed);
    }

    /** Applies one table-updates object of the original monitor: "new" is the whole row, no "new" a deletion. */
    synchronized void applyUpdates(JsonNode tableUpdates) {
        JsonNode table = tableUpdates.path("Interface");
        if (table.isMissingNode() || table.isEmpty()) {
            return;
        }
        Map<String, OvsInterface> changed = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode newRow = entry.getValue().get("new");
            changed.put(entry.getKey(), newRow == null ? null : OvsInterface.fromRow(newRow));
        }
        commit(changed);
    }

    // A null row is a deletion.
    private void commit(Map<String, OvsInterface> changed) {
        changed.forEach((uuid, row) -> {
            if (row == null) {
                rows.remove(uuid);
            } else {
                rows.put(uuid, row);
            }
        });
        version = VERSIONS.incrementAndGet();
    }

    /** The rows as they are now; the list is shared by every reader of the same version. */
    synchronized Rows rows() {
        if (lastRead == null || lastRead.version() != version) {
            lastRead = new Rows(version, List.copyOf(rows.values()));
        }
        return lastRead;
    }

    synchronized long version() {
        return version;
    }

    synchronized int size() {
        return rows.size();
    }
}
