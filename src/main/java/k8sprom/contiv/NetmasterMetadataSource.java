package k8sprom.contiv;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches Netmaster's metadata: finds Netmaster (a fixed URL, or the leader named in etcd), then reads what the mode
 * needs. Failures are logged here, once per fetch, and reported as up = false.
 */
final class NetmasterMetadataSource {

    private static final Logger LOG = LoggerFactory.getLogger(NetmasterMetadataSource.class);

    private final ExporterMode mode;
    private final URI staticUrl;
    private final EtcdLeaderLookup etcd;
    private final JsonHttp http;
    private final Executor executor;

    /** Exactly one of staticUrl and etcd is non-null. */
    NetmasterMetadataSource(ExporterMode mode, URI staticUrl, EtcdLeaderLookup etcd, JsonHttp http, Executor executor) {
        this.mode = mode;
        this.staticUrl = staticUrl;
        this.etcd = etcd;
        this.http = http;
        this.executor = executor;
    }

    NetmasterMetadata fetch() {
        Map<String, Boolean> up = new HashMap<>();
        URI netmaster = staticUrl;
        if (netmaster == null) {
            try {
                netmaster = etcd.netmasterUri();
                up.put("etcd", true);
            } catch (SourceException e) {
                LOG.warn("{}; Netmaster cannot be found", e.getMessage());
                up.put("etcd", false);
                up.put("netmaster", false);
                return new NetmasterMetadata(List.of(), null, up);
            }
        }
        NetmasterApi api = new NetmasterApi(netmaster, http);
        // Both halves wait on their own HTTP calls; in combined mode they overlap.
        CompletableFuture<Partial<List<Endpoint>>> endpoints =
                mode.netplugin() ? read(() -> EndpointDirectory.list(api)) : CompletableFuture.completedFuture(null);
        CompletableFuture<Partial<NetmasterCounts>> counts =
                mode.netmaster() ? read(() -> NetmasterInventory.count(api)) : CompletableFuture.completedFuture(null);

        List<String> problems = new ArrayList<>();
        Partial<List<Endpoint>> endpointList = outcome(endpoints, problems);
        Partial<NetmasterCounts> countList = outcome(counts, problems);
        problems.forEach(LOG::warn);
        up.put("netmaster", problems.isEmpty());
        return new NetmasterMetadata(
                endpointList == null ? List.of() : endpointList.value(),
                countList == null ? null : countList.value(),
                up);
    }

    private <T> CompletableFuture<Partial<T>> read(Supplier<Partial<T>> reader) {
        return CompletableFuture.supplyAsync(reader, executor);
    }

    private static <T> Partial<T> outcome(CompletableFuture<Partial<T>> reading, List<String> problems) {
        try {
            Partial<T> partial = SourceException.await(reading);
            if (partial != null) {
                problems.addAll(partial.problems());
            }
            return partial;
        } catch (SourceException e) {
            problems.add(e.getMessage());
            return null;
        }
    }
}
