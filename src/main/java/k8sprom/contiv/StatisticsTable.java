package k8sprom.contiv;

import io.prometheus.metrics.model.snapshots.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The netplugin statistics as sample lines, kept per OVS interface row and updated in proportion to what changed:
 * replica rows are immutable, so a row that is the same object as at the last update keeps its lines, and only new or
 * changed rows are joined with their endpoint and written again (all of them when the Netmaster endpoints change).
 * A line is what client_java's text writers print for that data point; {@link LineExposition} checks it against them
 * at every rendering. Used by one thread at a time (the collector's lock).
 */
final class StatisticsTable {

    /** One endpoint interface: its labels, their text, and per metric the rest of its line (" value\n"). */
    record Series(Labels labels, byte[] labelsText, Map<String, byte[]> values, Set<String> statistics) {

        /** The rest of the line for a metric: null when the interface has no such statistic. */
        byte[] value(String metric) {
            return values.get(metric);
        }
    }

    /** The statistics at one replica version: the series sorted as client_java sorts data points, by labels. */
    record View(List<Series> sorted, SortedMap<String, String> statisticOfMetric) {}

    // Marks a row without an endpoint here, so it is not looked up again until it changes.
    private static final Series NOT_JOINED = new Series(Labels.EMPTY, new byte[0], Map.of(), Set.of());
    // A counter's negative value: the metric is taken (a colliding key does not replace it) but no line is written.
    static final byte[] LEFT_OUT = new byte[0];
    // Distinct statistic key sets seen; beyond this many (keys churning) the interning starts over.
    private static final int MAX_KEY_SETS = 1024;
    private static final int MAX_KEYS = 4096;

    private final Naming naming;
    private final NetpluginMetrics metrics;
    private final Map<String, String> metricOfStatistic = new HashMap<>();
    private final Map<String, String> reversedKeys = new HashMap<>();
    private final Map<Set<String>, Set<String>> keySets = new HashMap<>();

    private List<Endpoint> endpoints;
    private Map<String, Endpoint> endpointById = Map.of();
    private Map<OvsInterface, Series> seriesOfRow = new IdentityHashMap<>();
    // The joined series in row order at the last update, and where each went in label order.
    private Series[] lastInRowOrder;
    private int[] lastRanks;

    StatisticsTable(Naming naming, NetpluginMetrics metrics) {
        this.naming = naming;
        this.metrics = metrics;
    }

    /**
     * The statistics of these rows with these endpoints, or null when only client_java's full build gives the right
     * answer: two endpoint interfaces with the same labels, or two statistic keys that become the same metric name
     * (the first one in the interfaces' order wins there, which the full build decides).
     */
    View update(List<Endpoint> currentEndpoints, List<OvsInterface> rows) {
        if (!currentEndpoints.equals(endpoints)) {
            endpoints = currentEndpoints;
            endpointById = new HashMap<>();
            for (Endpoint endpoint : currentEndpoints) {
                endpointById.putIfAbsent(endpoint.endpointId(), endpoint);
            }
            seriesOfRow = new IdentityHashMap<>();
            lastInRowOrder = null;
        }
        Map<OvsInterface, Series> next = new IdentityHashMap<>(rows.size() * 2);
        List<Series> joined = new ArrayList<>(rows.size());
        for (OvsInterface row : rows) {
            Series series = seriesOfRow.get(row);
            if (series == null) {
                series = series(row);
            }
            next.put(row, series);
            if (series != NOT_JOINED) {
                joined.add(series);
            }
        }
        seriesOfRow = next;
        Series[] inRowOrder = joined.toArray(new Series[0]);
        List<Series> sorted = sortedByLabels(inRowOrder);
        if (sorted == null) {
            lastInRowOrder = null;
            return null;
        }
        SortedMap<String, String> statisticOfMetric = statisticOfMetric(inRowOrder);
        return statisticOfMetric == null ? null : new View(sorted, statisticOfMetric);
    }

    private Series series(OvsInterface row) {
        String endpointId = row.endpointId();
        Endpoint endpoint = endpointId == null ? null : endpointById.get(endpointId);
        if (endpoint == null) {
            return NOT_JOINED;
        }
        Map<String, Long> statistics = ContainerStatistics.fromSwitchSide(row.statistics(), reversedKeys);
        Labels labels = metrics.labels(new EndpointTraffic(endpoint, row.name(), statistics));
        Map<String, byte[]> values = new HashMap<>(statistics.size() * 2);
        // In the keys' order, as NetpluginMetrics: of two keys that become one metric name, the first wins.
        statistics.forEach((statistic, value) -> values.putIfAbsent(
                metricOf(statistic), naming == Naming.COMPATIBLE || value >= 0 ? valueText(value) : LEFT_OUT));
        return new Series(labels, labelsText(labels), values, interned(statistics.keySet()));
    }

    private String metricOf(String statistic) {
        if (metricOfStatistic.size() > MAX_KEYS) {
            // a datapath inventing keys without end must not grow these without end
            metricOfStatistic.clear();
            reversedKeys.clear();
        }
        return metricOfStatistic.computeIfAbsent(statistic, naming::statisticMetric);
    }

    // Most interfaces carry the same keys: sharing one set lets the metric list be found from the distinct sets only.
    private Set<String> interned(Set<String> statistics) {
        if (keySets.size() > MAX_KEY_SETS) {
            keySets.clear();
        }
        return keySets.computeIfAbsent(Set.copyOf(statistics), set -> set);
    }

    // Labels only change with a row's name or external_ids or with the endpoints, so the last order usually holds.
    private List<Series> sortedByLabels(Series[] inRowOrder) {
        int[] ranks = sameLabelsAsLastTime(inRowOrder) ? lastRanks : ranks(inRowOrder);
        if (ranks == null) {
            return null;
        }
        Series[] sorted = new Series[inRowOrder.length];
        for (int i = 0; i < inRowOrder.length; i++) {
            sorted[ranks[i]] = inRowOrder[i];
        }
        lastInRowOrder = inRowOrder;
        lastRanks = ranks;
        return Collections.unmodifiableList(Arrays.asList(sorted));
    }

    private boolean sameLabelsAsLastTime(Series[] inRowOrder) {
        if (lastInRowOrder == null || lastInRowOrder.length != inRowOrder.length) {
            return false;
        }
        for (int i = 0; i < inRowOrder.length; i++) {
            if (lastInRowOrder[i] != inRowOrder[i]
                    && !lastInRowOrder[i].labels().equals(inRowOrder[i].labels())) {
                return false;
            }
        }
        return true;
    }

    // Each series' place in label order; null if two have the same labels.
    private static int[] ranks(Series[] inRowOrder) {
        Integer[] order = new Integer[inRowOrder.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> inRowOrder[a].labels().compareTo(inRowOrder[b].labels()));
        int[] ranks = new int[order.length];
        for (int rank = 0; rank < order.length; rank++) {
            if (rank > 0 && inRowOrder[order[rank]].labels().equals(inRowOrder[order[rank - 1]].labels())) {
                return null;
            }
            ranks[order[rank]] = rank;
        }
        return ranks;
    }

    // Every metric with the one statistic it comes from; null if two statistics share a metric name.
    private SortedMap<String, String> statisticOfMetric(Series[] series) {
        Set<Set<String>> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Series one : series) {
            distinct.add(one.statistics());
        }
        SortedMap<String, String> statisticOfMetric = new TreeMap<>();
        for (Set<String> statistics : distinct) {
            for (String statistic : statistics) {
                String earlier = statisticOfMetric.putIfAbsent(metricOf(statistic), statistic);
                if (earlier != null && !earlier.equals(statistic)) {
                    return null;
                }
            }
        }
        return statisticOfMetric;
    }

    // client_java writes a sample's value with Double.toString.
    private static byte[] valueText(long value) {
        return (" " + Double.toString(value) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    // As client_java's text writers print labels: {name="value",...}, escaping backslash, quote and newline.
    static byte[] labelsText(Labels labels) {
        StringBuilder text = new StringBuilder(160).append('{');
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(labels.getPrometheusName(i)).append("=\"");
            String value = labels.getValue(i);
            for (int c = 0; c < value.length(); c++) {
                char ch = value.charAt(c);
                switch (ch) {
                    case '\\' -> text.append("\\\\");
                    case '"' -> text.append("\\\"");
                    case '\n' -> text.append("\\n");
                    default -> text.append(ch);
                }
            }
            text.append('"');
        }
        return text.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }
}
