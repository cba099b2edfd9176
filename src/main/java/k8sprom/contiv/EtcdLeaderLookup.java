package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;

/**
 * Finds the Netmaster leader through etcd v2, where Netmaster holds its leader lock.
 */
final class EtcdLeaderLookup {

    static final String LEADER_KEY = "/v2/keys/contiv.io/lock/netmaster/leader";
    private static final int NETMASTER_DEFAULT_PORT = 9999;

    private final URI leaderKeyUri;
    private final JsonHttp http;
    private final String netmasterScheme;

    EtcdLeaderLookup(String contivEtcd, JsonHttp http) {
        this(contivEtcd, http, "http");
    }

    /** netmasterScheme: "https" when Netmaster is reached over TLS; etcd's value holds only host:port. */
    EtcdLeaderLookup(String contivEtcd, JsonHttp http, String netmasterScheme) {
        this.leaderKeyUri = etcdBaseUri(contivEtcd).resolve(LEADER_KEY);
        this.http = http;
        this.netmasterScheme = netmasterScheme;
    }

    /**
     * The etcd endpoint for CONTIV_ETCD. Contiv writes its cluster store as etcd://host:port; like the original
     * exporter, keep what follows "//" and speak HTTP to it. http:// and https:// are taken as they are.
     */
    static URI etcdBaseUri(String contivEtcd) {
        String value = contivEtcd.strip();
        int slashes = value.indexOf("//");
        String scheme = value.startsWith("https://") ? "https" : "http";
        String authority = (slashes >= 0 ? value.substring(slashes + 2) : value).replaceAll("/+$", "");
        if (authority.isEmpty() || authority.contains("/")) {
            throw new IllegalArgumentException(
                    "CONTIV_ETCD must look like etcd://host:port or http://host:port; got '" + contivEtcd + "'");
        }
        URI uri = URI.create(scheme + "://" + authority);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("CONTIV_ETCD has no usable host: '" + contivEtcd + "'");
        }
        return uri;
    }

    /** Netmaster's base URL, e.g. http://10.0.0.1:9999, from the leader key's value "host:port". */
    URI netmasterUri() {
        JsonNode answer = SourceException.await(http.get("etcd", leaderKeyUri));
        String leader = answer.path("node").path("value").asText("").strip();
        if (leader.isEmpty()) {
            throw new SourceException("etcd GET " + leaderKeyUri + " has no node.value holding the Netmaster leader");
        }
        URI uri;
        try {
            uri = URI.create("http://" + leader);
        } catch (IllegalArgumentException e) {
            throw new SourceException("etcd names the Netmaster leader '" + leader + "', which is not host:port");
        }
        if (uri.getHost() == null || !uri.getRawPath().isEmpty()) {
            throw new SourceException("etcd names the Netmaster leader '" + leader + "', which is not host:port");
        }
        String withPort = uri.getPort() < 0 ? leader + ":" + NETMASTER_DEFAULT_PORT : leader;
        return URI.create(netmasterScheme + "://" + withPort);
    }

    URI leaderKeyUri() {
        return leaderKeyUri;
    }
}
