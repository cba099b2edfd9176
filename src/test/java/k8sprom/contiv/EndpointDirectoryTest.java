package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointDirectoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void listsDataNetworksButNotInfraOnes() throws Exception {
        List<String> problems = new ArrayList<>();

        assertEquals(
                List.of("default:web-net", "blue:blue-net", "blue:empty-net"),
                EndpointDirectory.dataNetworkKeys(fixture("networks.json"), problems));
        assertEquals(List.of(), problems);
    }

    @Test
    void readsEndpointsWithTenantAndNetworkFromConfig() throws Exception {
        List<String> problems = new ArrayList<>();

        List<Endpoint> endpoints =
                EndpointDirectory.endpointsOf("default:web-net", inspection("default:web-net"), problems);

        assertEquals(
                List.of(
                        new Endpoint("ep-web-1", "default", "web-net", "node1", "web-1", "web"),
                        new Endpoint("ep-db-1", "default", "web-net", "node1", "db-1", "db"),
                        new Endpoint("ep-batch-7", "default", "web-net", "node1", "batch-7", null)),
                endpoints);
        assertEquals(List.of(), problems);
    }

    @Test
    void networkWithoutEndpointListHasNoEndpointsAndNoProblem() throws Exception {
        List<String> problems = new ArrayList<>();

        assertEquals(
                List.of(), EndpointDirectory.endpointsOf("blue:empty-net", inspection("blue:empty-net"), problems));
        assertEquals(List.of(), problems);
    }

    @Test
    void missingRequiredFieldsAreProblemsAndTheRestIsKept() throws Exception {
        ObjectNode inspection = (ObjectNode) inspection("default:web-net");
        ((ObjectNode) inspection.get("Oper").get("endpoints").get(0)).remove("endpointID");
        List<String> problems = new ArrayList<>();

        List<Endpoint> endpoints = EndpointDirectory.endpointsOf("default:web-net", inspection, problems);

        assertEquals(2, endpoints.size());
        assertEquals(
                List.of("Netmaster inspect of network default:web-net: endpoint 0 has no endpointID; skipped"),
                problems);
    }

    @Test
    void inspectionWithoutConfigIsAProblem() throws Exception {
        List<String> problems = new ArrayList<>();

        assertEquals(List.of(), EndpointDirectory.endpointsOf("x:y", JSON.readTree("{\"Oper\":{}}"), problems));
        assertEquals(
                List.of("Netmaster inspect of network x:y has no Config.tenantName or Config.networkName;"
                        + " its endpoints are skipped"),
                problems);
    }

    @Test
    void networkListThatIsNoListIsAProblem() throws Exception {
        List<String> problems = new ArrayList<>();

        assertEquals(List.of(), EndpointDirectory.dataNetworkKeys(JSON.readTree("{\"error\":\"x\"}"), problems));
        assertEquals(List.of("Netmaster network list is not a JSON array"), problems);
    }

    private static JsonNode inspection(String key) throws Exception {
        return fixture("inspections.json").get(key);
    }

    private static JsonNode fixture(String name) throws Exception {
        return JSON.readTree(NetmasterSimulator.resource(name));
    }
}
