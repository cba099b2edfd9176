package k8sprom.contiv;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds netplugin mode's families: one per OVS statistic, one sample per endpoint interface. DEFAULT names are
 * counters; COMPATIBLE keeps the original's bare statistic names, typed "unknown" since the original declared no type
 * and a counter would gain a _total suffix.
 */
final class NetpluginMetrics {

    private final Naming naming;
    private final String cacheNote;

    NetpluginMetrics(Naming naming, Duration metadataTtl) {
        this.naming = naming;
        this.cacheNote = CacheNote.of(metadataTtl);
    }

    List<MetricSnapshot> snapshots(List<EndpointTraffic> traffic) {
        Map<String, String> statisticOfMetric = new TreeMap<>();
        Map<String, Map<Labels, Long>> samplesOfMetric = new TreeMap<>();
        for (EndpointTraffic endpointTraffic : traffic) {
            Labels labels = labels(endpointTraffic);
            endpointTraffic.statistics().forEach((statistic, value) -> {
                String metric = naming.statisticMetric(statistic);
                statisticOfMetric.putIfAbsent(metric, statistic);
                // Two keys that only differ in characters a metric name cannot hold land on one name: first wins.
                samplesOfMetric.computeIfAbsent(metric, name -> new LinkedHashMap<>()).putIfAbsent(labels, value);
            });
        }
        List<MetricSnapshot> families = new ArrayList<>();
        samplesOfMetric.forEach((metric, samples) ->
                families.add(family(metric, help(statisticOfMetric.get(metric)), samples)));
        return families;
    }

    private MetricSnapshot family(String metric, String help, Map<Labels, Long> samples) {
        if (naming == Naming.COMPATIBLE) {
            UnknownSnapshot.Builder family = UnknownSnapshot.builder().name(metric).help(help);
            samples.forEach((labels, value) ->
                    family.dataPoint(UnknownDataPointSnapshot.builder().labels(labels).value(value).build()));
            return family.build();
        }
        CounterSnapshot.Builder family = CounterSnapshot.builder().name(metric).help(help);
        samples.forEach((labels, value) -> {
            // OVSDB integers are signed; a negative one is no counter value and is left out.
            if (value >= 0) {
                family.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(value).build());
            }
        });
        return family.build();
    }

    private String help(String containerStatistic) {
        return "OVS interface statistic " + containerStatistic + " of a Contiv endpoint, from the container's side"
                + " (OVS reports it as " + ContainerStatistics.reverse(containerStatistic) + "). " + cacheNote;
    }

    private Labels labels(EndpointTraffic traffic) {
        Endpoint endpoint = traffic.endpoint();
        Labels labels = Labels.of(
                Naming.TENANT, endpoint.tenant(),
                Naming.NETWORK, endpoint.network(),
                Naming.HOST, endpoint.host(),
                naming.containerLabel(), endpoint.containerName(),
                Naming.INTERFACE, traffic.interfaceName());
        // Like the original, the endpoint group label is there only for endpoints that have a service name.
        return endpoint.endpointGroup() == null ? labels : labels.add(naming.endpointGroupLabel(),
                endpoint.endpointGroup());
    }
}
