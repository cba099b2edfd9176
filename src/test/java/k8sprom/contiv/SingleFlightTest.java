package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

    private final SingleFlight<Integer> flight = new SingleFlight<>();
    private final AtomicInteger runs = new AtomicInteger();

    @Test
    void callersArrivingDuringARunGetThatRunsResult() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> flight.run(() -> {
            started.countDown();
            await(release);
            return runs.incrementAndGet();
        }));
        started.await(5, TimeUnit.SECONDS);
        List<CompletableFuture<Integer>> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            others.add(CompletableFuture.supplyAsync(() -> flight.run(runs::incrementAndGet)));
        }
        Thread.sleep(100);
        release.countDown();

        assertEquals(1, first.get(5, TimeUnit.SECONDS));
        for (CompletableFuture<Integer> other : others) {
            assertEquals(1, other.get(5, TimeUnit.SECONDS));
        }
        assertEquals(1, runs.get());
    }

    @Test
    void callsAfterARunHasEndedStartANewOne() {
        assertEquals(1, flight.run(runs::incrementAndGet));
        assertEquals(2, flight.run(runs::incrementAndGet));
    }

    @Test
    void aFailingRunFailsItsCallersAndLeavesNoTrace() {
        IllegalStateException failure = assertThrows(
                IllegalStateException.class,
                () -> flight.run(() -> {
                    throw new IllegalStateException("boom");
                }));

        assertEquals("boom", failure.getMessage());
        assertEquals(1, flight.run(runs::incrementAndGet));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
