package k8sprom.contiv;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
