package k8sprom.publisher;

import java.time.Instant;
import java.util.Optional;

/**
 * What one split branch of a cycle asks Prometheus: a metric of the catalog, its rendered PromQL, and its window,
 * with the position the window was planned from (empty: the metric had none), which publishing checks.
 */
public record MetricQuery(MetricDefinition metric, String promql, QueryWindow window, Optional<Instant> plannedFrom) {

    public String name() {
        return metric.name();
    }
}
