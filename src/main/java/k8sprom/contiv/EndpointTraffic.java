package k8sprom.contiv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An endpoint with the statistics of its OVS interface, already seen from the container.
 */
record EndpointTraffic(Endpoint endpoint, String interfaceName, Map<String, Long> statistics) {

    /**
     * Pairs each interface with the endpoint whose ID equals its external_ids endpoint-id. The original matched the ID
     * anywhere in the external_ids text, which could pair an interface with the wrong endpoint; interfaces with no
     * matching endpoint (bridges, other tenants' ports, other hosts' endpoints) are left out.
     */
    static List<EndpointTraffic> join(List<Endpoint> endpoints, List<OvsInterface> interfaces) {
        Map<String, Endpoint> byId = new HashMap<>();
        for (Endpoint endpoint : endpoints) {
            byId.putIfAbsent(endpoint.endpointId(), endpoint);
        }
        List<EndpointTraffic> traffic = new ArrayList<>();
        Map<String, String> reversedKeys = new HashMap<>();
        for (OvsInterface ovsInterface : interfaces) {
            String endpointId = ovsInterface.endpointId();
            Endpoint endpoint = endpointId == null ? null : byId.get(endpointId);
            if (endpoint != null) {
                traffic.add(new EndpointTraffic(
                        endpoint,
                        ovsInterface.name(),
                        ContainerStatistics.fromSwitchSide(ovsInterface.statistics(), reversedKeys)));
            }
        }
        return traffic;
    }
}
