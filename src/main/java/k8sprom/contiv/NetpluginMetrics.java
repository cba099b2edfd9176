package k8sprom.contiv;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
        // client_java sorts every family's data points by their labels; handing them over already in that order makes
        // its sort one linear pass instead of a full sort per family. The sort is stable, so among endpoints with the
        // same labels the first one still wins below.
        List<Labelled> labelled = new ArrayList<>(traffic.size());
        for (int i = 0; i < traffic.size(); i++) {
            labelled.add(new Labelled(labels(traffic.get(i)), traffic.get(i).statistics(), i));
        }
        labelled.sort(Comparator.comparing(Labelled::labels));
        Map<String, String> metricOfStatistic = new HashMap<>();
        // The HELP of a metric names the statistic that reached it first in the interfaces' own order.
        Map<String, Labelled> firstOfMetric = new HashMap<>();
        Map<String, String> statisticOfMetric = new HashMap<>();
        Map<String, Map<Labels, Long>> samplesOfMetric = new TreeMap<>();
        for (Labelled endpoint : labelled) {
            endpoint.statistics().forEach((statistic, value) -> {
                String metric = metricOfStatistic.computeIfAbsent(statistic, naming::statisticMetric);
                Labelled first = firstOfMetric.get(metric);
                if (first == null || endpoint.order() < first.order()) {
                    firstOfMetric.put(metric, endpoint);
                    statisticOfMetric.put(metric, statistic);
                }
                // Two keys that only differ in characters a metric name cannot hold land on one name: first wins.
                samplesOfMetric
                        .computeIfAbsent(metric, name -> new LinkedHashMap<>())
                        .putIfAbsent(endpoint.labels(), value);
            });
        }
        List<MetricSnapshot> families = new ArrayList<>();
        samplesOfMetric.forEach(
                (metric, samples) -> families.add(family(metric, help(statisticOfMetric.get(metric)), samples)));
        return families;
    }

    private record Labelled(Labels labels, Map<String, Long> statistics, int order) {}

    MetricSnapshot family(String metric, String help, Map<Labels, Long> samples) {
        if (naming == Naming.COMPATIBLE) {
            UnknownSnapshot.Builder family =
                    UnknownSnapshot.builder().name(metric).help(help);
            samples.forEach((labels, value) -> family.dataPoint(UnknownDataPointSnapshot.builder()
                    .labels(labels)
                    .value(value)
                    .build()));
            return family.build();
        }
        CounterSnapshot.Builder family = CounterSnapshot.builder().name(metric).help(help);
        samples.forEach((labels, value) -> {
            // OVSDB integers are signed; a negative one is no counter value and is left out.
            if (value >= 0) {
                family.dataPoint(CounterDataPointSnapshot.builder()
                        .labels(labels)
                        .value(value)
                        .build());
            }
        });
        return family.build();
    }

    String help(String containerStatistic) {
        return "OVS interface statistic " + containerStatistic + " of a Contiv endpoint, from the container's side"
                + " (OVS reports it as " + ContainerStatistics.reverse(containerStatistic)
                + "). The value is OVSDB's at the"
                + " scrape (a live replica, synchronised with OVSDB before each answer); the labels come from"
                + " Netmaster. " + cacheNote;
    }

    Labels labels(EndpointTraffic traffic) {
        Endpoint endpoint = traffic.endpoint();
        Labels labels = Labels.of(
                Naming.TENANT,
                endpoint.tenant(),
                Naming.NETWORK,
                endpoint.network(),
                Naming.HOST,
                endpoint.host(),
                naming.containerLabel(),
                endpoint.containerName(),
                Naming.INTERFACE,
                traffic.interfaceName());
        // Like the original, the endpoint group label is there only for endpoints that have a service name.
        return endpoint.endpointGroup() == null
                ? labels
                : labels.add(naming.endpointGroupLabel(), endpoint.endpointGroup());
    }
}
