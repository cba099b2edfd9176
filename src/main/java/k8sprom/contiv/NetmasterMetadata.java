package k8sprom.contiv;

import java.util.List;
import java.util.Map;

/**
 * What Netmaster told one fetch: the endpoints (netplugin mode), the counts (netmaster mode, null when they could not
 * be read) and, per source used on the way ("etcd", "netmaster"), whether it answered fully.
 */
record NetmasterMetadata(List<Endpoint> endpoints, NetmasterCounts counts, Map<String, Boolean> up) {

    NetmasterMetadata {
        endpoints = List.copyOf(endpoints);
        up = Map.copyOf(up);
    }

    boolean allUp() {
        return !up.containsValue(false);
    }
}
