package k8sprom.contiv;

import java.util.List;

/**
 * Netmaster's object counts for netmaster mode: networks per tenant, endpoint groups per network, and policies and
 * net profiles per endpoint group.
 */
record NetmasterCounts(
        int tenants, List<Count> networks, List<Count> endpointGroups, List<Count> policies, List<Count> netprofiles) {

    /** One count and where it applies; the levels finer than the count's own are null. */
    record Count(String tenant, String network, String endpointGroup, int value) {}
}
