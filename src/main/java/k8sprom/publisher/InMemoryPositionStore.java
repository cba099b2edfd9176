package k8sprom.publisher;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Positions that live as long as the process: a restart starts again from the configured starting point. */
public class InMemoryPositionStore implements PositionStore {

    private final Map<String, Instant> positions = new ConcurrentHashMap<>();

    @Override
    public Optional<Instant> lastPublished(String metric) {
        return Optional.ofNullable(positions.get(metric));
    }

    @Override
    public void published(String metric, Instant lastStep) {
        positions.merge(metric, lastStep, (old, candidate) -> candidate.isAfter(old) ? candidate : old);
    }
}
