package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import k8sprom.contiv.NetmasterCounts.Count;
import org.junit.jupiter.api.Test;

class NetmasterInventoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void countsEveryLevelFromTheLinkSets() throws Exception {
        List<String> problems = new ArrayList<>();

        NetmasterCounts counts = NetmasterInventory.count(
                fixture("tenants.json"), fixture("networks.json"), fixture("endpointGroups.json"), problems);

        assertEquals(3, counts.tenants());
        assertEquals(
                List.of(
                        new Count("default", null, null, 2),
                        new Count("blue", null, null, 2),
                        new Count("green", null, null, 0)),
                counts.networks());
        assertEquals(
                List.of(
                        new Count("default", "contivh1", null, 0),
                        new Count("default", "web-net", null, 2),
                        new Count("blue", "blue-net", null, 1),
                        new Count("blue", "empty-net", null, 0)),
                counts.endpointGroups());
        assertEquals(
                List.of(
                        new Count("default", "web-net", "web", 2),
                        new Count("default", "web-net", "db", 1),
                        new Count("blue", "blue-net", "frontend", 0)),
                counts.policies());
        assertEquals(List.of(), problems);
    }

    @Test
    void findsTheNetprofileInNetProfileOrInLinks() throws Exception {
        NetmasterCounts counts = NetmasterInventory.count(
                fixture("tenants.json"), fixture("networks.json"), fixture("endpointGroups.json"), new ArrayList<>());

        assertEquals(
                List.of(
                        new Count("default", "web-net", "web", 1),
                        new Count("default", "web-net", "db", 0),
                        new Count("blue", "blue-net", "frontend", 1)),
                counts.netprofiles());
    }

    @Test
    void objectsWithoutNamesAreProblemsAndLeftOut() throws Exception {
        ArrayNode groups = (ArrayNode) fixture("endpointGroups.json");
        ((ObjectNode) groups.get(1)).remove("groupName");
        ArrayNode tenants = (ArrayNode) fixture("tenants.json");
        ((ObjectNode) tenants.get(2)).remove("tenantName");
        List<String> problems = new ArrayList<>();

        NetmasterCounts counts = NetmasterInventory.count(tenants, fixture("networks.json"), groups, problems);

        assertEquals(3, counts.tenants(), "the tenant still exists");
        assertEquals(2, counts.networks().size());
        assertEquals(2, counts.policies().size());
        assertEquals(
                List.of(
                        "Netmaster tenant without tenantName; its networks are not counted",
                        "Netmaster endpoint group default:db lacks tenantName, networkName or groupName;"
                                + " its policies are not counted"),
                problems);
    }

    @Test
    void listThatIsNoListIsAProblem() throws Exception {
        List<String> problems = new ArrayList<>();

        NetmasterCounts counts = NetmasterInventory.count(
                JSON.readTree("{}"), fixture("networks.json"), fixture("endpointGroups.json"), problems);

        assertEquals(0, counts.tenants());
        assertEquals(List.of("Netmaster tenant list is not a JSON array"), problems);
    }

    private static JsonNode fixture(String name) throws Exception {
        return JSON.readTree(NetmasterSimulator.resource(name));
    }
}
