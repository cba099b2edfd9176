package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The replica's reading of table-updates2 (monitor_cond, monitor_cond_since) and table-updates (monitor). */
class InterfaceReplicaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void initialRowsLeaveColumnsAtTheirDefaultOut() throws Exception {
        InterfaceReplica replica = InterfaceReplica.empty();
        replica.applyUpdates2(JSON.readTree("""
                {"Interface": {
                  "u1": {"initial": {"name": "vport1", "external_ids": ["map", [["endpoint-id", "ep-1"]]],
                                     "statistics": ["map", [["rx_bytes", 10], ["tx_bytes", 20]]]}},
                  "u2": {"initial": {"name": "br0"}}}}"""));

        assertEquals(
                Map.of(
                        "vport1",
                                new OvsInterface(
                                        "vport1",
                                        Map.of("endpoint-id", "ep-1"),
                                        Map.of("rx_bytes", 10L, "tx_bytes", 20L)),
                        "br0", new OvsInterface("br0", Map.of(), Map.of())),
                byName(replica));
    }

    @Test
    void aModifyChangesOnlyTheGivenColumnsAndItsMapDiffAddsChangesAndRemovesKeys() throws Exception {
        InterfaceReplica replica = InterfaceReplica.empty();
        replica.applyUpdates2(JSON.readTree("""
                {"Interface": {"u1": {"insert": {"name": "vport1", "external_ids": ["map", [["endpoint-id", "ep-1"]]],
                  "statistics": ["map", [["rx_bytes", 10], ["tx_bytes", 20], ["collisions", 0]]]}}}}"""));
        long before = replica.version();

        // tx_bytes changes, collisions is given with its current value (removed), rx_packets is new
        replica.applyUpdates2(JSON.readTree("""
                {"Interface": {"u1": {"modify": {
                  "statistics": ["map", [["tx_bytes", 25], ["collisions", 0], ["rx_packets", 3]]]}}}}"""));

        assertEquals(
                new OvsInterface(
                        "vport1",
                        Map.of("endpoint-id", "ep-1"),
                        Map.of("rx_bytes", 10L, "tx_bytes", 25L, "rx_packets", 3L)),
                byName(replica).get("vport1"));
        assertNotEquals(before, replica.version());
    }

    @Test
    void aDeleteRemovesTheRow() throws Exception {
        InterfaceReplica replica = InterfaceReplica.empty();
        replica.applyUpdates2(JSON.readTree("{\"Interface\": {\"u1\": {\"insert\": {\"name\": \"a\"}},"
                + " \"u2\": {\"insert\": {\"name\": \"b\"}}}}"));

        replica.applyUpdates2(JSON.readTree("{\"Interface\": {\"u1\": {\"delete\": null}}}"));

        assertEquals(Set.of("b"), byName(replica).keySet());
    }

    @Test
    void theOriginalMonitorsUpdatesCarryWholeRows() throws Exception {
        InterfaceReplica replica = InterfaceReplica.empty();
        replica.applyUpdates(JSON.readTree("""
                {"Interface": {"u1": {"new": {"name": "a", "external_ids": ["map", []],
                  "statistics": ["map", [["rx_bytes", 1], ["tx_bytes", 2]]]}},
                  "u2": {"new": {"name": "b", "external_ids": ["map", []], "statistics": ["map", []]}}}}"""));

        replica.applyUpdates(JSON.readTree("""
                {"Interface": {"u1": {"old": {"statistics": ["map", [["rx_bytes", 1], ["tx_bytes", 2]]]},
                  "new": {"name": "a", "external_ids": ["map", []], "statistics": ["map", [["rx_bytes", 5]]]}},
                  "u2": {"old": {"name": "b"}}}}"""));

        assertEquals(Map.of("a", new OvsInterface("a", Map.of(), Map.of("rx_bytes", 5L))), byName(replica));
    }

    @Test
    void aModifyOfARowTheReplicaDoesNotHoldIsAnError() throws Exception {
        InterfaceReplica replica = InterfaceReplica.empty();

        SourceException failure = assertThrows(
                SourceException.class,
                () -> replica.applyUpdates2(
                        JSON.readTree("{\"Interface\": {\"u9\": {\"modify\": {\"name\": \"x\"}}}}")));
        assertEquals(
                "OVSDB monitor modified Interface row u9, which the replica does not hold; resynchronising",
                failure.getMessage());
    }

    @Test
    void anUpdateThatCannotBeAppliedLeavesTheReplicaAsItWas() throws Exception {
        InterfaceReplica replica = InterfaceReplica.empty();
        replica.applyUpdates2(JSON.readTree("""
                {"Interface": {"u1": {"insert": {"name": "a", "statistics": ["map", [["rx_bytes", 1]]]}},
                               "u2": {"insert": {"name": "b"}}}}"""));
        InterfaceReplica.Rows before = replica.rows();

        // u1 and u2 could be applied, u9 cannot: none of the three may be
        assertThrows(SourceException.class, () -> replica.applyUpdates2(JSON.readTree("""
                {"Interface": {"u1": {"modify": {"statistics": ["map", [["rx_bytes", 2]]]}},
                               "u2": {"delete": null},
                               "u9": {"modify": {"name": "x"}}}}""")));

        assertSame(before, replica.rows(), "the version did not change");
        assertEquals(
                Map.of(
                        "a", new OvsInterface("a", Map.of(), Map.of("rx_bytes", 1L)),
                        "b", new OvsInterface("b", Map.of(), Map.of())),
                byName(replica));
    }

    @Test
    void readersOfOneVersionShareOneList() throws Exception {
        InterfaceReplica replica = InterfaceReplica.empty();
        replica.applyUpdates2(JSON.readTree("{\"Interface\": {\"u1\": {\"insert\": {\"name\": \"a\"}}}}"));

        assertSame(replica.rows(), replica.rows());
    }

    private static Map<String, OvsInterface> byName(InterfaceReplica replica) {
        return replica.rows().interfaces().stream().collect(Collectors.toMap(OvsInterface::name, row -> row));
    }
}
