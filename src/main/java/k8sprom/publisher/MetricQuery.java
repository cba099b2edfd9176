package k8sprom.publisher;

/**
 * What one split branch of a cycle asks Prometheus: a metric of the catalog, its rendered PromQL, and its window.
 */
public record MetricQuery(MetricDefinition metric, String promql, QueryWindow window) {

    public String name() {
        return metric.name();
    }
}
