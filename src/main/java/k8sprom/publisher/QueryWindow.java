package k8sprom.publisher;

import java.time.Duration;
import java.time.Instant;

/**
 * The evaluation timestamps of one query_range call: start, start + step, ... up to end, both ends inclusive
 * (that is how Prometheus evaluates them).
 */
public record QueryWindow(Instant start, Instant end, Duration step) {

    public QueryWindow {
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("window ends before it starts: " + start + " > " + end);
        }
        if (step.isZero() || step.isNegative()) {
            throw new IllegalArgumentException("step must be positive: " + step);
        }
    }

    /** Number of evaluation timestamps in the window. */
    public long steps() {
        return Duration.between(start, end).toMillis() / step.toMillis() + 1;
    }
}
