package k8sprom.publisher;

/**
 * One entry of the metric catalog (routes/metrics.yaml).
 *
 * @param name     the cAdvisor metric name, also the message's {@code metric_type}
 * @param type     "counter" or "gauge", copied into the message's {@code type}
 * @param unit     free text copied into every sample, may be empty
 * @param function the PromQL range function applied over the rate range, e.g. rate or avg_over_time
 * @param query    a whole PromQL expression replacing the catalog's query template; null to use the template
 */
public record MetricDefinition(String name, String type, String unit, String function, String query) {

    public MetricDefinition {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a metric needs a name");
        }
        if (!"counter".equals(type) && !"gauge".equals(type)) {
            throw new IllegalArgumentException("metric " + name + ": type must be counter or gauge, not " + type);
        }
        unit = unit == null ? "" : unit;
    }
}
