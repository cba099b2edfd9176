package k8sprom.contiv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
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
            awaitRelease(release);
            return runs.incrementAndGet();
        }));
        started.await(5, TimeUnit.SECONDS);
        List<Thread> callers = new CopyOnWriteArrayList<>();
        Executor threadPerCaller = task -> {
            Thread caller = new Thread(task, "caller-" + callers.size());
            callers.add(caller);
            caller.start();
        };
        List<CompletableFuture<Integer>> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            others.add(CompletableFuture.supplyAsync(() -> flight.run(runs::incrementAndGet), threadPerCaller));
        }
        // Only a caller that has joined the run parks (WAITING); one that started a run of its own ends at once, and
        // the assertions below tell it apart.
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> callers.stream()
                        .allMatch(caller -> caller.getState() == Thread.State.WAITING
                                || caller.getState() == Thread.State.TERMINATED));
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

    private static void awaitRelease(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
