package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Lists the endpoints of Netmaster's data networks, which label the OVS statistics in netplugin mode. The networks
 * are inspected concurrently.
 */
final class EndpointDirectory {

    private EndpointDirectory() {}

    /** Fails as a whole only when the network list cannot be read; a network that fails is a problem of its own. */
    static Partial<List<Endpoint>> list(NetmasterApi netmaster) {
        JsonNode networks = SourceException.await(netmaster.networks());
        List<String> problems = new ArrayList<>();
        Map<String, CompletableFuture<JsonNode>> inspections = new LinkedHashMap<>();
        for (String key : dataNetworkKeys(networks, problems)) {
            inspections.put(key, netmaster.inspectNetwork(key));
        }
        List<Endpoint> endpoints = new ArrayList<>();
        inspections.forEach((key, inspection) -> {
            try {
                endpoints.addAll(endpointsOf(key, SourceException.await(inspection), problems));
            } catch (SourceException e) {
                problems.add(e.getMessage());
            }
        });
        return new Partial<>(endpoints, problems);
    }

    /** The keys of all networks but the infra ones, which carry no container endpoints. */
    static List<String> dataNetworkKeys(JsonNode networks, List<String> problems) {
        if (!networks.isArray()) {
            problems.add("Netmaster network list is not a JSON array");
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < networks.size(); i++) {
            JsonNode network = networks.get(i);
            String key = Json.text(network, "key");
            if (key == null) {
                problems.add("Netmaster network list entry " + i + " has no key; skipped");
            } else if (!"infra".equals(Json.text(network, "nwType"))) {
                keys.add(key);
            }
        }
        return keys;
    }

    static List<Endpoint> endpointsOf(String networkKey, JsonNode inspection, List<String> problems) {
        JsonNode config = inspection.path("Config");
        String tenant = Json.text(config, "tenantName");
        String network = Json.text(config, "networkName");
        if (tenant == null || network == null) {
            problems.add("Netmaster inspect of network " + networkKey
                    + " has no Config.tenantName or Config.networkName; its endpoints are skipped");
            return List.of();
        }
        JsonNode entries = inspection.path("Oper").path("endpoints");
        if (entries.isMissingNode() || entries.isNull()) {
            // Netmaster leaves the list out when a network has no endpoints.
            return List.of();
        }
        if (!entries.isArray()) {
            problems.add("Netmaster inspect of network " + networkKey + " has an Oper.endpoints that is not a list");
            return List.of();
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String endpointId = Json.text(entry, "endpointID");
            if (endpointId == null) {
                problems.add("Netmaster inspect of network " + networkKey + ": endpoint " + i
                        + " has no endpointID; skipped");
                continue;
            }
            endpoints.add(new Endpoint(
                    endpointId,
                    tenant,
                    network,
                    Json.textOr(entry, "homingHost", ""),
                    Json.textOr(entry, "containerName", ""),
                    Json.text(entry, "serviceName")));
        }
        return endpoints;
    }
}
