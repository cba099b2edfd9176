package k8sprom.publisher;

import java.time.Instant;
import java.util.Optional;

/**
 * Where each metric's position can be read: the last step whose window was published. Only the publisher moves a
 * position, in the transaction that publishes the window.
 */
public interface PositionStore {

    Optional<Instant> lastPublished(String metric);

    /**
     * The metric's committed position wherever it is published, also by another instance; may read it from its store.
     * Only for rare look-ups (a new metric starting after others), never on a hot path.
     */
    default Optional<Instant> lastPublishedAnywhere(String metric) {
        return lastPublished(metric);
    }
}
