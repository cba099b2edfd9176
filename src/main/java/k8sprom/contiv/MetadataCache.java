package k8sprom.contiv;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Keeps slowly changing metadata for a short time so that frequent scrapes do not reload it every time. Only values
 * the predicate accepts are kept, so a failed read is retried at the next scrape.
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

    synchronized T get(Supplier<T> loader) {
        long now = nanoClock.getAsLong();
        if (value != null && now - loadedAt < ttlNanos) {
            return value;
        }
        T loaded = loader.get();
        if (keep.test(loaded)) {
            value = loaded;
            loadedAt = now;
        } else {
            value = null;
        }
        return loaded;
    }
}
