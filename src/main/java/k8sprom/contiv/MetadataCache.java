package k8sprom.contiv;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Keeps slowly changing metadata for a short time so that frequent scrapes do not reload it every time. Only values
 * the predicate accepts are kept, so a failed read is retried at the next scrape. A read that finds what is kept
 * keeps the same instance, so callers that compare it with what they built from (at every scrape) find it identical
 * at once instead of comparing thousands of endpoints.
 */
final class MetadataCache<T> {

    private final long ttlNanos;
    private final Predicate<T> keep;
    private final LongSupplier nanoClock;
    private T value;
    private long loadedAt;

    MetadataCache(Duration ttl, Predicate<T> keep, LongSupplier nanoClock) {
        this.ttlNanos = ttl.toNanos();
        this.keep = keep;
        this.nanoClock = nanoClock;
    }

    /** The last value kept, however old; null if none. */
    synchronized T peek() {
        return value;
    }

    /** Whether the kept value is past half its time: worth reading again before a caller has to wait for that. */
    synchronized boolean halfWayThrough() {
        return value != null && ttlNanos > 0 && nanoClock.getAsLong() - loadedAt >= ttlNanos / 2;
    }

    /**
     * Loads a new value without holding up {@link #get} meanwhile (it serves the kept one). A value the predicate
     * refuses drops the kept one, so the next get loads again and its caller sees the problem.
     */
    T refresh(Supplier<T> loader) {
        long startedAt = nanoClock.getAsLong();
        T loaded = loader.get();
        synchronized (this) {
            return keepOrDrop(loaded, startedAt);
        }
    }

    synchronized T get(Supplier<T> loader) {
        long now = nanoClock.getAsLong();
        if (value != null && now - loadedAt < ttlNanos) {
            return value;
        }
        return keepOrDrop(loader.get(), now);
    }

    private T keepOrDrop(T loaded, long readAt) {
        if (!keep.test(loaded)) {
            value = null;
            return loaded;
        }
        if (!loaded.equals(value)) {
            value = loaded;
        }
        loadedAt = readAt;
        return value;
    }
}
