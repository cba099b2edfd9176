package k8sprom.contiv;

/**
 * A container endpoint as Netmaster describes it; endpointGroup is null when the endpoint has no service name.
 */
record Endpoint(
        String endpointId, String tenant, String network, String host, String containerName, String endpointGroup) {}
