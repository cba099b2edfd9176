package k8sprom.contiv;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the metric families from the OVSDB replica and Netmaster's metadata, once per change of either, and serves
 * their renderings to scrapes. A scrape first makes the replica as fresh as OVSDB (the monitor's echo barrier) and
 * takes the metadata from its short cache; only if one of them differs from what the served families were built from
 * are they built again. A source that fails only turns its contiv_up to 0.
 */
final class ContivCollector {

    private static final Logger LOG = LoggerFactory.getLogger(ContivCollector.class);

    private final ExporterMode mode;
    private final NetmasterMetadataSource netmaster;
    private final MetadataCache<NetmasterMetadata> metadataCache;
    private final SingleFlight<NetmasterMetadata> metadataReads = new SingleFlight<>();
    private final OvsdbMonitor ovsdb;
    private final ExpositionRenderer renderer = new ExpositionRenderer();
    private final NetpluginMetrics netpluginMetrics;
    private final NetmasterMetrics netmasterMetrics;
    // Building ahead of scrapes only pays while someone scrapes: variants not asked for this long are not prepared.
    private static final long ASKED_RECENTLY_NANOS = Duration.ofMinutes(2).toNanos();

    // The formats scrapers asked for, and when they last did: rendered ahead of them when the replica changes.
    private final Map<ServedFamilies.Variant, Asked> asked = new ConcurrentHashMap<>();
    private final StatisticsTable statistics;
    private final LineExposition.CompressedFamilies compressedFamilies = new LineExposition.CompressedFamilies();
    private final Executor helper;
    private final AtomicBoolean refreshingMetadata = new AtomicBoolean();
    private volatile ServedFamilies served;

    /**
     * ovsdb is null unless the mode includes netplugin; helper reads Netmaster ahead of the cache's end and compresses
     * half of each gzip answer.
     */
    ContivCollector(
            ExporterMode mode,
            Naming naming,
            Duration metadataTtl,
            NetmasterMetadataSource netmaster,
            OvsdbMonitor ovsdb,
            Executor helper) {
        this.mode = mode;
        this.netmaster = netmaster;
        this.metadataCache = new MetadataCache<>(metadataTtl, NetmasterMetadata::allUp, System::nanoTime);
        this.ovsdb = ovsdb;
        this.netpluginMetrics = new NetpluginMetrics(naming, metadataTtl);
        this.netmasterMetrics = new NetmasterMetrics(naming, metadataTtl);
        this.statistics = new StatisticsTable(naming, netpluginMetrics);
        this.helper = helper;
    }

    ExpositionFormatWriter writerFor(String accept) {
        return renderer.writerFor(accept);
    }

    /** One scrape's answer in the given format. */
    Exposition scrape(ExpositionFormatWriter writer, boolean gzip) {
        asked.put(new ServedFamilies.Variant(writer.getContentType(), gzip), new Asked(writer, System.nanoTime()));
        ServedFamilies families = collect();
        while (true) {
            try {
                return families.render(writer, gzip);
            } catch (LineExposition.Superseded newer) {
                // what is served now is newer than this scrape's barrier: it reflects every commit before it too
                families = served;
            }
        }
    }

    /** The families for a scrape: as fresh as OVSDB at this moment, metadata from the cache or Netmaster. */
    ServedFamilies collect() {
        // Concurrent scrapes share one metadata read; each still passes its own OVSDB barrier.
        NetmasterMetadata metadata = metadataReads.run(() -> metadataCache.get(netmaster::fetch));
        refreshMetadataAhead();
        InterfaceReplica.Rows rows = null;
        if (mode.netplugin()) {
            try {
                rows = ovsdb.freshRows();
            } catch (SourceException e) {
                // the monitor logs each disconnection once; this would repeat it at every scrape
                LOG.debug("OVSDB statistics not served: {}", e.getMessage());
            }
        }
        return familiesFor(metadata, rows);
    }

    /**
     * Reads Netmaster again in the background once the cached metadata is half its time old, so that scrapes coming
     * often enough never wait for that read (at 5,000 endpoints tens of milliseconds); the metadata served is still
     * never older than the cache time.
     */
    private void refreshMetadataAhead() {
        if (metadataCache.halfWayThrough() && refreshingMetadata.compareAndSet(false, true)) {
            try {
                helper.execute(() -> {
                    try {
                        metadataCache.refresh(netmaster::fetch);
                    } catch (RuntimeException e) {
                        LOG.debug("Reading Netmaster ahead of the cache's end failed; the next scrape reads it", e);
                    } finally {
                        refreshingMetadata.set(false);
                    }
                });
            } catch (RejectedExecutionException closing) {
                refreshingMetadata.set(false);
            }
        }
    }

    /**
     * After the replica changed: builds the families and renders the formats scrapers use ahead of the next scrape,
     * from the metadata already in the cache, so that scrape usually finds them ready.
     */
    void prepare() {
        long now = System.nanoTime();
        asked.values().removeIf(variant -> now - variant.at() > ASKED_RECENTLY_NANOS);
        NetmasterMetadata metadata = metadataCache.peek();
        if (metadata == null || asked.isEmpty()) {
            // nobody scraped lately: nothing to be ready for
            return;
        }
        ServedFamilies families = familiesFor(metadata, mode.netplugin() ? ovsdb.currentRows() : null);
        asked.forEach((variant, recent) -> {
            // Once a newer change has been built, writing this one would only compete with that one's scrapes.
            try {
                if (families == served) {
                    families.render(recent.writer(), variant.gzip());
                }
            } catch (LineExposition.Superseded newer) {
                // the next prepare writes the newer state
            }
        });
    }

    private record Asked(ExpositionFormatWriter writer, long at) {}

    private synchronized ServedFamilies familiesFor(NetmasterMetadata metadata, InterfaceReplica.Rows rows) {
        if (rows != null
                && served != null
                && served.inputs().metadata().equals(metadata)
                && served.inputs().replicaVersion() >= rows.version()) {
            // Built from this replica state or a later one (a scrape's barrier may return while a build of what
            // came after it runs): that answer reflects every commit before the scrape too.
            return served;
        }
        InterfaceReplica.Rows latest = rows == null ? null : ovsdb.currentRows();
        if (latest != null && latest.version() > rows.version()) {
            // build what is there now: a scrape that comes next finds it done
            rows = latest;
        }
        ServedFamilies.Inputs inputs = new ServedFamilies.Inputs(metadata, rows == null ? -1 : rows.version());
        if (served != null && served.inputs().equals(inputs)) {
            return served;
        }
        ServedFamilies older = served;
        served = build(inputs, metadata, rows);
        if (older != null) {
            older.supersede();
        }
        return served;
    }

    /**
     * Statistics go into the table, which writes lines only for the rows that changed; only when the table cannot
     * reproduce client_java's answer are all families built here (see StatisticsTable.update).
     */
    private ServedFamilies build(ServedFamilies.Inputs inputs, NetmasterMetadata metadata, InterfaceReplica.Rows rows) {
        long start = System.nanoTime();
        Map<String, Boolean> up = new TreeMap<>(metadata.up());
        StatisticsTable.View view = null;
        List<MetricSnapshot> statisticsFamilies = List.of();
        if (mode.netplugin()) {
            up.put("ovsdb", rows != null);
            // While OVSDB is away the statistics are left out, so no counter stays frozen at an old value.
            if (rows != null) {
                view = statistics.update(metadata.endpoints(), rows.interfaces());
                if (view == null) {
                    statisticsFamilies = statisticsFamilies(metadata, rows);
                }
            }
        }
        List<MetricSnapshot> own = new ArrayList<>();
        if (mode.netmaster() && metadata.counts() != null) {
            own.addAll(netmasterMetrics.snapshots(metadata.counts()));
        }
        own.addAll(HealthMetrics.snapshots(up, (System.nanoTime() - start) / 1e9));
        if (view == null) {
            return new ServedFamilies(inputs, all(statisticsFamilies, own), renderer);
        }
        return new ServedFamilies(
                inputs,
                () -> all(statisticsFamilies(metadata, rows), own),
                new LineExposition(own, view, netpluginMetrics, compressedFamilies),
                renderer,
                helper);
    }

    private List<MetricSnapshot> statisticsFamilies(NetmasterMetadata metadata, InterfaceReplica.Rows rows) {
        return netpluginMetrics.snapshots(EndpointTraffic.join(metadata.endpoints(), rows.interfaces()));
    }

    private static MetricSnapshots all(List<MetricSnapshot> statisticsFamilies, List<MetricSnapshot> own) {
        List<MetricSnapshot> families = new ArrayList<>(statisticsFamilies);
        families.addAll(own);
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
                LOG.warn(
                        "Metric family {} appears twice; the OVS statistic of that name is left out",
                        family.getMetadata().getPrometheusName());
            }
        }
        return unique;
    }
}
