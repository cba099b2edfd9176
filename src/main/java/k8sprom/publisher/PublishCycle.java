package k8sprom.publisher;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * State shared by the split branches of one timer cycle: whether anything failed (a cycle with failures does not
 * count as successful) and whether a metric is still behind.
 */
public class PublishCycle {

    private final long startedNanos = System.nanoTime();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger windowsBehind = new AtomicInteger();
    private int rounds;

    public void failed() {
        failures.incrementAndGet();
    }

    public int failures() {
        return failures.get();
    }

    public void behind() {
        windowsBehind.incrementAndGet();
    }

    /** True when at least one metric has settled data left after this cycle's window (it is catching up). */
    public boolean catchingUp() {
        return windowsBehind.get() > 0;
    }

    /**
     * Called before each round of queries: the first round always runs; another one only while a metric is behind
     * (catching up after downtime), nothing failed, and the round limit is not reached.
     */
    public boolean nextRound(int maxRounds) {
        boolean again = rounds == 0 || (catchingUp() && failures() == 0 && rounds < maxRounds);
        rounds++;
        windowsBehind.set(0);
        return again;
    }

    public long elapsedNanos() {
        return System.nanoTime() - startedNanos;
    }
}
