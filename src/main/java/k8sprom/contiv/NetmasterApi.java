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
        try {
            return http.get(SOURCE, uri(path));
        } catch (SourceException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The URL for an API path; keeps a path prefix of the configured URL (a proxy in front of Netmaster). */
    URI uri(String path) {
        String prefix = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        try {
            // This constructor quotes what a URL cannot hold, such as spaces in a network name.
            return new URI(base.getScheme(), base.getRawAuthority(), prefix + path, null, null);
        } catch (URISyntaxException e) {
            throw new SourceException(SOURCE + " path " + path + " cannot be put in a URL: " + e.getMessage());
        }
    }
}
