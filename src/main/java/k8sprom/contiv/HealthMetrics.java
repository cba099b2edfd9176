package k8sprom.contiv;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Map;

/**
 * Builds the exporter's own families, the same in both namings: whether each source could be read, and how long
 * the collection took.
 */
final class HealthMetrics {

    static final String UP = "contiv_up";
    static final String SCRAPE_DURATION = "contiv_scrape_duration_seconds";

    private HealthMetrics() {}

    static List<MetricSnapshot> snapshots(Map<String, Boolean> upBySource, double scrapeSeconds) {
        GaugeSnapshot.Builder up = GaugeSnapshot.builder()
                .name(UP)
                .help("1 if the exporter's latest read of the source (etcd, netmaster, ovsdb) succeeded completely,"
                        + " 0 if not, and the exporter's log says why. etcd and Netmaster are read when the"
                        + " Netmaster metadata cache is refilled; ovsdb is 1 while the exporter's live replica of the"
                        + " Interface table is connected and answered this scrape's freshness check.");
        upBySource.forEach((source, isUp) -> up.dataPoint(GaugeDataPointSnapshot.builder()
                .labels(Labels.of("source", source))
                .value(isUp ? 1 : 0)
                .build()));
        GaugeSnapshot duration = GaugeSnapshot.builder()
                .name(SCRAPE_DURATION)
                .unit(Unit.SECONDS)
                .help("Time the exporter spent building the metric families served now from the OVSDB replica and"
                        + " the Netmaster metadata. They are built again only when either changed; reading etcd,"
                        + " Netmaster and OVSDB is not included.")
                .dataPoint(GaugeDataPointSnapshot.builder().value(scrapeSeconds).build())
                .build();
        return List.of(up.build(), duration);
    }
}
