package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.CompletableFuture;

/**
 * The Netmaster REST calls the exporter makes, against one Netmaster address.
 */
final class NetmasterApi {

    private static final String SOURCE = "Netmaster";

    private final URI base;
    private final JsonHttp http;

    NetmasterApi(URI base, JsonHttp http) {
        this.base = base;
        this.http = http;
    }

    CompletableFuture<JsonNode> networks() {
        return get("/api/v1/networks/");
    }

    CompletableFuture<JsonNode> inspectNetwork(String networkKey) {
        return get("/api/v1/inspect/networks/" + networkKey + "/");
    }

    CompletableFuture<JsonNode> tenants() {
        return get("/api/v1/tenants/");
    }

    CompletableFuture<JsonNode> endpointGroups() {
        return get("/api/v1/endpointGroups/");
    }

    private CompletableFuture<JsonNode> get(String path) {
        URI uri;
        try {
            // Keeps a path prefix of the configured URL (a proxy in front of Netmaster) and quotes odd characters.
            String prefix = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
            uri = new URI(base.getScheme(), base.getRawAuthority(), prefix + path, null, null);
        } catch (URISyntaxException e) {
            return CompletableFuture.failedFuture(
                    new SourceException(SOURCE + " path " + path + " cannot be put in a URL: " + e.getMessage()));
        }
        return http.get(SOURCE, uri);
    }
}
