package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OvsInterfaceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void decodesOvsdbMapsOfExternalIdsAndStatistics() throws Exception {
        List<OvsInterface> rows = OvsInterface.fromSelectResult(
                JSON.readTree("[{\"rows\":["
                        + "{\"name\":\"vport1\",\"external_ids\":[\"map\",[[\"endpoint-id\",\"ep-1\"],[\"vm-id\",\"x\"]]],"
                        + "\"statistics\":[\"map\",[[\"rx_bytes\",12345678901],[\"tx_bytes\",2]]]},"
                        + "{\"name\":\"br0\",\"external_ids\":[\"map\",[]],\"statistics\":[\"map\",[]]}]}]"),
                "OVSDB x");

        assertEquals(
                List.of(
                        new OvsInterface(
                                "vport1",
                                Map.of("endpoint-id", "ep-1", "vm-id", "x"),
                                Map.of("rx_bytes", 12345678901L, "tx_bytes", 2L)),
                        new OvsInterface("br0", Map.of(), Map.of())),
                rows);
        assertEquals("ep-1", rows.get(0).endpointId());
        assertNull(rows.get(1).endpointId());
    }

    @Test
    void operationErrorIsReportedWithTheServersWords() throws Exception {
        SourceException failure = assertThrows(
                SourceException.class,
                () -> OvsInterface.fromSelectResult(
                        JSON.readTree("[{\"error\":\"unknown table\",\"details\":\"No table named Interface.\"}]"),
                        "OVSDB x"));

        assertEquals(
                "OVSDB x refused the Interface select: unknown table No table named Interface.", failure.getMessage());
    }

    @Test
    void resultWithoutRowsIsReported() throws Exception {
        SourceException failure = assertThrows(
                SourceException.class, () -> OvsInterface.fromSelectResult(JSON.readTree("[{}]"), "OVSDB x"));

        assertTrue(failure.getMessage().startsWith("OVSDB x answered the Interface select without rows"));
    }
}
