package k8sprom.contiv;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import k8sprom.contiv.NetmasterCounts.Count;

/**
 * Builds netmaster mode's families: gauges counting Netmaster's tenants, networks, endpoint groups, policies and net
 * profiles, in the chosen naming.
 */
final class NetmasterMetrics {

    private final Naming naming;
    private final String cacheNote;

    NetmasterMetrics(Naming naming, Duration metadataTtl) {
        this.naming = naming;
        this.cacheNote = CacheNote.of(metadataTtl);
    }

    List<MetricSnapshot> snapshots(NetmasterCounts counts) {
        return List.of(
                gauge(
                        naming.tenantsMetric(),
                        "Number of tenants in Contiv Netmaster.",
                        Map.of(Labels.EMPTY, counts.tenants())),
                gauge(naming.networksMetric(), "Number of networks of each Contiv tenant.", samples(counts.networks())),
                gauge(
                        naming.endpointGroupsMetric(),
                        "Number of endpoint groups on each Contiv network.",
                        samples(counts.endpointGroups())),
                gauge(
                        naming.policiesMetric(),
                        "Number of policies attached to each Contiv endpoint group.",
                        samples(counts.policies())),
                gauge(
                        naming.netprofilesMetric(),
                        "Number of net profiles (0 or 1) attached to each Contiv endpoint group.",
                        samples(counts.netprofiles())));
    }

    private MetricSnapshot gauge(String metric, String help, Map<Labels, Integer> samples) {
        GaugeSnapshot.Builder family = GaugeSnapshot.builder().name(metric).help(help + " " + cacheNote);
        samples.forEach((labels, value) -> family.dataPoint(
                GaugeDataPointSnapshot.builder().labels(labels).value(value).build()));
        return family.build();
    }

    private Map<Labels, Integer> samples(List<Count> counts) {
        Map<Labels, Integer> samples = new LinkedHashMap<>();
        for (Count count : counts) {
            // Netmaster keys objects by name, so a repeated name is a duplicate listing: keep the first.
            samples.putIfAbsent(labels(count), count.value());
        }
        return samples;
    }

    private Labels labels(Count count) {
        Labels labels = Labels.of(Naming.TENANT, count.tenant());
        if (count.network() != null) {
            labels = labels.add(Naming.NETWORK, count.network());
        }
        if (count.endpointGroup() != null) {
            labels = labels.add(naming.endpointGroupLabel(), count.endpointGroup());
        }
        return labels;
    }
}
