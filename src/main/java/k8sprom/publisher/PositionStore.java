package k8sprom.publisher;

import java.time.Instant;
import java.util.Optional;

/**
 * Where each metric query's position lives: the last step timestamp whose window was published.
 */
public interface PositionStore {

    Optional<Instant> lastPublished(String metric);

    void published(String metric, Instant lastStep);

    /**
     * The metric's committed position wherever it is published, also by another instance; may read it from its store.
     * Only for rare look-ups (a new metric starting after others), never on a hot path.
     */
    default Optional<Instant> lastPublishedAnywhere(String metric) {
        return lastPublished(metric);
    }
}
