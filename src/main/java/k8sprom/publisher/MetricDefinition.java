package k8sprom.publisher;

import java.util.List;

/**
 * One entry of the metric catalog (routes/metrics.yaml).
 *
 * @param name           the message's {@code metric_type}: the cAdvisor metric name, or the name of a metric the
 *                       entry's PromQL derives
 * @param type           "counter" or "gauge", copied into the message's {@code type}
 * @param unit           free text copied into every sample, may be empty
 * @param function       the PromQL range function applied over the rate range, e.g. rate or avg_over_time
 * @param query          a whole PromQL expression replacing the catalog's query template; null to use the template
 * @param value          how a sample's value is written: the string Prometheus returned, or a JSON number
 * @param continuesAfter metrics whose positions this entry starts after when it has no position of its own: an
 *                       earlier release published this entry's messages together with theirs
 */
public record MetricDefinition(
        String name,
        String type,
        String unit,
        String function,
        String query,
        ValueFormat value,
        List<String> continuesAfter) {

    /** How a sample's value appears in the message. */
    public enum ValueFormat {
        /** The text Prometheus returned, as a JSON string: exactly what the original service sent. */
        STRING,
        /** A JSON number, as the original service sent the values it computed itself (the packet-loss ratios). */
        NUMBER;

        static ValueFormat of(String setting, String metric) {
            if (setting == null || setting.equals("string")) {
                return STRING;
            }
            if (setting.equals("number")) {
                return NUMBER;
            }
            throw new IllegalArgumentException("metric " + metric + ": value must be string or number, not " + setting);
        }
    }

    public MetricDefinition {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a metric needs a name");
        }
        if (!"counter".equals(type) && !"gauge".equals(type)) {
            throw new IllegalArgumentException("metric " + name + ": type must be counter or gauge, not " + type);
        }
        unit = unit == null ? "" : unit;
        value = value == null ? ValueFormat.STRING : value;
        continuesAfter = continuesAfter == null ? List.of() : List.copyOf(continuesAfter);
    }

    /** An entry with the catalog's defaults: string values, nothing to continue after. */
    public MetricDefinition(String name, String type, String unit, String function, String query) {
        this(name, type, unit, function, query, ValueFormat.STRING, List.of());
    }
}
