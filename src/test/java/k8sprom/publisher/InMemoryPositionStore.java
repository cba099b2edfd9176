package k8sprom.publisher;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Positions in memory, for tests of the planner: {@link #published} plays the publisher moving a position. */
class InMemoryPositionStore implements PositionStore {

    private final Map<String, Instant> positions = new ConcurrentHashMap<>();

    @Override
    public Optional<Instant> lastPublished(String metric) {
        return Optional.ofNullable(positions.get(metric));
    }

    public void published(String metric, Instant lastStep) {
        positions.merge(metric, lastStep, (old, candidate) -> candidate.isAfter(old) ? candidate : old);
    }
}
