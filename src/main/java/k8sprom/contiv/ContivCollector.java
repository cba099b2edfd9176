package k8sprom.contiv;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One collection: reads OVS statistics fresh while Netmaster metadata is fetched (or taken from the short cache),
 * joins the two and builds every metric family. A source that fails only turns its contiv_up to 0.
 */
final class ContivCollector {

    private static final Logger LOG = LoggerFactory.getLogger(ContivCollector.class);

    private final ExporterMode mode;
    private final NetmasterMetadataSource netmaster;
    private final MetadataCache<NetmasterMetadata> metadataCache;
    private final OvsdbClient ovsdb;
    private final Executor executor;
    private final NetpluginMetrics netpluginMetrics;
    private final NetmasterMetrics netmasterMetrics;

    /** ovsdb is null unless the mode includes netplugin. */
    ContivCollector(ExporterMode mode, Naming naming, Duration metadataTtl, NetmasterMetadataSource netmaster,
                    OvsdbClient ovsdb, Executor executor) {
        this.mode = mode;
        this.netmaster = netmaster;
        this.metadataCache = new MetadataCache<>(metadataTtl, NetmasterMetadata::allUp, System::nanoTime);
        this.ovsdb = ovsdb;
        this.executor = executor;
        this.netpluginMetrics = new NetpluginMetrics(naming, metadataTtl);
        this.netmasterMetrics = new NetmasterMetrics(naming, metadataTtl);
    }

    MetricSnapshots collect() {
        long start = System.nanoTime();
        CompletableFuture<List<OvsInterface>> interfaces = mode.netplugin()
                ? CompletableFuture.supplyAsync(ovsdb::interfaces, executor) : null;
        NetmasterMetadata metadata = metadataCache.get(netmaster::fetch);

        Map<String, Boolean> up = new TreeMap<>(metadata.up());
        List<MetricSnapshot> families = new ArrayList<>();
        if (mode.netplugin()) {
            try {
                List<OvsInterface> rows = SourceException.await(interfaces);
                up.put("ovsdb", true);
                families.addAll(netpluginMetrics.snapshots(EndpointTraffic.join(metadata.endpoints(), rows)));
            } catch (SourceException e) {
                LOG.warn(e.getMessage());
                up.put("ovsdb", false);
            }
        }
        if (mode.netmaster() && metadata.counts() != null) {
            families.addAll(netmasterMetrics.snapshots(metadata.counts()));
        }
        families.addAll(HealthMetrics.snapshots(up, (System.nanoTime() - start) / 1e9));
        return new MetricSnapshots(withoutRepeatedNames(families));
    }

    // A datapath statistic spelled like one of the exporter's own families must not break the whole exposition.
    private static List<MetricSnapshot> withoutRepeatedNames(List<MetricSnapshot> families) {
        Set<String> seen = new HashSet<>();
        List<MetricSnapshot> unique = new ArrayList<>();
        for (int i = families.size() - 1; i >= 0; i--) {
            MetricSnapshot family = families.get(i);
            if (seen.add(family.getMetadata().getPrometheusName())) {
                unique.add(0, family);
            } else {
                LOG.warn("Metric family {} appears twice; the OVS statistic of that name is left out",
                        family.getMetadata().getPrometheusName());
            }
        }
        return unique;
    }
}
