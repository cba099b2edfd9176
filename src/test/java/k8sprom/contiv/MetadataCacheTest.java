package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetadataCacheTest {

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger loads = new AtomicInteger();

    @Test
    void servesTheKeptValueUntilItsTimeIsUp() {
        MetadataCache<String> cache = new MetadataCache<>(Duration.ofSeconds(10), value -> true, now::get);

        assertEquals("load 1", cache.get(this::load));
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertEquals("load 1", cache.get(this::load));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals("load 2", cache.get(this::load));
    }

    @Test
    void aRefreshAfterHalfTheTimeRestartsTheTimeFromWhenItStarted() {
        MetadataCache<String> cache = new MetadataCache<>(Duration.ofSeconds(10), value -> true, now::get);
        cache.get(this::load);
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertFalse(cache.halfWayThrough());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(cache.halfWayThrough());

        assertEquals("load 2", cache.refresh(() -> {
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            return load();
        }));

        assertFalse(cache.halfWayThrough());
        now.addAndGet(Duration.ofSeconds(8).toNanos());
        assertEquals("load 2", cache.get(this::load));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals("load 3", cache.get(this::load));
    }

    @Test
    void aReadThatFindsTheSameMetadataKeepsTheInstanceAlreadyServed() {
        MetadataCache<String> cache = new MetadataCache<>(Duration.ofSeconds(10), value -> true, now::get);
        String first = cache.get(() -> new String("same"));

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertSame(first, cache.refresh(() -> new String("same")));
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertSame(first, cache.get(() -> new String("same")));
        assertFalse(cache.halfWayThrough(), "the time restarts from the read that found it");

        now.addAndGet(Duration.ofSeconds(10).toNanos());
        String changed = cache.get(() -> new String("changed"));
        assertEquals("changed", changed);
        assertNotSame(first, changed);
        assertSame(changed, cache.peek());
    }

    @Test
    void aRefusedRefreshDropsTheKeptValueSoTheNextGetLoads() {
        MetadataCache<String> cache = new MetadataCache<>(Duration.ofSeconds(10), "load 1"::equals, now::get);
        cache.get(this::load);

        cache.refresh(this::load);

        assertFalse(cache.halfWayThrough());
        assertEquals("load 3", cache.get(this::load));
    }

    @Test
    void doesNotKeepValuesThePredicateRefuses() {
        MetadataCache<String> cache = new MetadataCache<>(Duration.ofSeconds(10), value -> false, now::get);

        assertEquals("load 1", cache.get(this::load));
        assertEquals("load 2", cache.get(this::load));
    }

    @Test
    void zeroTimeMeansEveryCallLoads() {
        MetadataCache<String> cache = new MetadataCache<>(Duration.ZERO, value -> true, now::get);

        cache.get(this::load);
        cache.get(this::load);

        assertEquals(2, loads.get());
    }

    private String load() {
        return "load " + loads.incrementAndGet();
    }
}
