package k8sprom.publisher;

import java.time.Instant;
import java.util.Optional;

/**
 * Where each metric query's position lives: the last step timestamp whose window was published.
 */
public interface PositionStore {

    Optional<Instant> lastPublished(String metric);

    void published(String metric, Instant lastStep);
}
