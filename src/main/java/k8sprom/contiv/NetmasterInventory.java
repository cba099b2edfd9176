package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import k8sprom.contiv.NetmasterCounts.Count;

/**
 * Counts Netmaster's tenants, networks, endpoint groups, policies and net profiles from its three list calls, which
 * run concurrently.
 */
final class NetmasterInventory {

    private NetmasterInventory() {}

    /** Fails as a whole when one of the lists cannot be read; entries lacking names are problems of their own. */
    static Partial<NetmasterCounts> count(NetmasterApi netmaster) {
        CompletableFuture<JsonNode> tenants = netmaster.tenants();
        CompletableFuture<JsonNode> networks = netmaster.networks();
        CompletableFuture<JsonNode> groups = netmaster.endpointGroups();
        List<String> problems = new ArrayList<>();
        NetmasterCounts counts = count(
                SourceException.await(tenants),
                SourceException.await(networks),
                SourceException.await(groups),
                problems);
        return new Partial<>(counts, problems);
    }

    static NetmasterCounts count(JsonNode tenants, JsonNode networks, JsonNode groups, List<String> problems) {
        List<Count> networksPerTenant = new ArrayList<>();
        for (JsonNode tenant : list("tenant", tenants, problems)) {
            String name = Json.text(tenant, "tenantName");
            if (name == null) {
                problems.add("Netmaster tenant without tenantName; its networks are not counted");
                continue;
            }
            networksPerTenant.add(new Count(
                    name, null, null, Json.size(tenant.path("link-sets").path("Networks"))));
        }

        List<Count> groupsPerNetwork = new ArrayList<>();
        for (JsonNode network : list("network", networks, problems)) {
            String tenant = Json.text(network, "tenantName");
            String name = Json.text(network, "networkName");
            if (tenant == null || name == null) {
                problems.add("Netmaster network " + Json.textOr(network, "key", "without key")
                        + " lacks tenantName or networkName; its endpoint groups are not counted");
                continue;
            }
            groupsPerNetwork.add(new Count(
                    tenant, name, null, Json.size(network.path("link-sets").path("EndpointGroups"))));
        }

        List<Count> policiesPerGroup = new ArrayList<>();
        List<Count> netprofilesPerGroup = new ArrayList<>();
        for (JsonNode group : list("endpoint group", groups, problems)) {
            String tenant = Json.text(group, "tenantName");
            String network = Json.text(group, "networkName");
            String name = Json.text(group, "groupName");
            if (tenant == null || network == null || name == null) {
                problems.add("Netmaster endpoint group " + Json.textOr(group, "key", "without key")
                        + " lacks tenantName, networkName or groupName; its policies are not counted");
                continue;
            }
            policiesPerGroup.add(new Count(
                    tenant, network, name, Json.size(group.path("link-sets").path("Policies"))));
            netprofilesPerGroup.add(new Count(tenant, network, name, hasNetprofile(group) ? 1 : 0));
        }
        return new NetmasterCounts(
                tenants.isArray() ? tenants.size() : 0,
                networksPerTenant,
                groupsPerNetwork,
                policiesPerGroup,
                netprofilesPerGroup);
    }

    // The profile lives in netProfile and links.NetProfile, not in link-sets, which is why the original never saw it.
    private static boolean hasNetprofile(JsonNode group) {
        return Json.text(group, "netProfile") != null
                || Json.text(group.path("links").path("NetProfile"), "key") != null;
    }

    private static Iterable<JsonNode> list(String what, JsonNode document, List<String> problems) {
        if (!document.isArray()) {
            problems.add("Netmaster " + what + " list is not a JSON array");
            return List.of();
        }
        return document;
    }
}
