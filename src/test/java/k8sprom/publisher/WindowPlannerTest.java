package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WindowPlannerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:07Z");

    private static WindowPlanner planner(Instant now) {
        WindowPlanner planner = new WindowPlanner();
        planner.setClock(Clock.fixed(now, ZoneOffset.UTC));
        planner.setStep("20s");
        planner.setSettleDelay(Duration.ofSeconds(10));
        planner.setPositions(new InMemoryPositionStore());
        return planner;
    }

    @Test
    void firstWindowIsTheLatestSettledStepAlignedToTheStep() {
        QueryWindow window = planner(NOW).next("m").orElseThrow().window();

        // now - settle = 11:59:57, floored to a 20 s boundary
        assertEquals(Instant.parse("2026-01-01T11:59:40Z"), window.start());
        assertEquals(window.start(), window.end());
        assertEquals(1, window.steps());
    }

    @Test
    void startFromReachesBackOnFirstStart() {
        WindowPlanner planner = planner(NOW);
        planner.setStartFrom(Duration.ofMinutes(1));

        QueryWindow window = planner.next("m").orElseThrow().window();
        assertEquals(Instant.parse("2026-01-01T11:58:40Z"), window.start());
        assertEquals(4, window.steps());
    }

    @Test
    void aNewEntryThatContinuesAfterOthersStartsAfterTheirNewestPositionEvenWithStartFrom() {
        InMemoryPositionStore positions = new InMemoryPositionStore();
        positions.published("dropped", Instant.parse("2026-01-01T11:59:20Z"));
        positions.published("packets", Instant.parse("2026-01-01T11:59:40Z"));
        WindowPlanner planner = planner(NOW);
        planner.setPositions(positions);
        planner.setStartFrom(Duration.ofMinutes(5));

        // the earlier release published the derived entry up to 11:59:40 together with its inputs
        assertTrue(planner.next("loss", List.of("dropped", "packets")).isEmpty());
        // an entry continuing after nothing known starts like any new metric
        assertEquals(
                Instant.parse("2026-01-01T11:54:40Z"),
                planner.next("other", List.of("unknown")).orElseThrow().window().start());

        WindowPlanner later = planner(NOW.plusSeconds(20));
        later.setPositions(positions);
        QueryWindow window =
                later.next("loss", List.of("dropped", "packets")).orElseThrow().window();
        assertEquals(Instant.parse("2026-01-01T12:00:00Z"), window.start());
        assertEquals(window.start(), window.end());
    }

    @Test
    void nextWindowStartsOneStepAfterThePositionAndIsEmptyWhenNothingNewSettled() {
        InMemoryPositionStore positions = new InMemoryPositionStore();
        WindowPlanner planner = planner(NOW);
        planner.setPositions(positions);
        publish(planner, positions, "m", planner.next("m").orElseThrow().window(), 5);

        assertTrue(planner.next("m").isEmpty());

        WindowPlanner later = planner(NOW.plusSeconds(45));
        later.setPositions(positions);
        QueryWindow window = later.next("m").orElseThrow().window();
        assertEquals(Instant.parse("2026-01-01T12:00:00Z"), window.start());
        assertEquals(Instant.parse("2026-01-01T12:00:40Z"), window.end());
    }

    @Test
    void jitteredCyclesCoverEveryStepExactlyOnce() {
        InMemoryPositionStore positions = new InMemoryPositionStore();
        Random random = new Random(42);
        Set<Instant> seen = new HashSet<>();
        Instant now = NOW;
        Instant first = null;
        Instant last = null;
        for (int cycle = 0; cycle < 500; cycle++) {
            now = now.plusMillis(20_000 + random.nextInt(30_000) - 15_000);
            WindowPlanner planner = planner(now);
            planner.setPositions(positions);
            var planned = planner.next("m");
            if (planned.isEmpty()) {
                continue;
            }
            QueryWindow window = planned.get().window();
            for (Instant t = window.start(); !t.isAfter(window.end()); t = t.plus(window.step())) {
                assertTrue(seen.add(t), "step " + t + " published twice");
            }
            first = first == null ? window.start() : first;
            last = window.end();
            publish(planner, positions, "m", window, 5);
        }
        long expected = Duration.between(first, last).toSeconds() / 20 + 1;
        assertEquals(expected, seen.size(), "no gaps between the first and last step");
    }

    @Test
    void longOutagesAreChunkedOldestFirstWithinTheSampleBudget() {
        InMemoryPositionStore positions = new InMemoryPositionStore();
        positions.published("m", Instant.parse("2025-12-25T10:00:00Z"));
        WindowPlanner planner = planner(NOW);
        planner.setPositions(positions);
        planner.setMaxSamplesPerQuery(100_000);
        planner.setMaxLookback(Duration.ofDays(30));

        WindowPlanner.PlannedWindow first = planner.next("m").orElseThrow();
        assertEquals(Instant.parse("2025-12-25T10:00:20Z"), first.window().start());
        assertEquals(10, first.window().steps(), "a cautious first chunk while the series count is unknown");
        assertTrue(first.catchingUp());
        assertTrue(planner.catchingUp("m"), "the planner owns the catching-up state the gauge reads");
        publish(planner, positions, "m", first.window(), 1_000);

        WindowPlanner.PlannedWindow second = planner.next("m").orElseThrow();
        assertEquals(first.window().end().plusSeconds(20), second.window().start());
        assertEquals(100, second.window().steps(), "100,000 samples / 1,000 series");
        publish(planner, positions, "m", second.window(), 2);

        assertEquals(11_000, planner.next("m").orElseThrow().window().steps(), "never over Prometheus' limit");
    }

    @Test
    void dataOlderThanTheMaximumLookBackIsSkippedAndReported() {
        InMemoryPositionStore positions = new InMemoryPositionStore();
        positions.published("m", Instant.parse("2026-01-01T00:00:00Z"));
        WindowPlanner planner = planner(NOW);
        planner.setPositions(positions);
        planner.setMaxLookback(Duration.ofHours(1));

        WindowPlanner.PlannedWindow planned = planner.next("m").orElseThrow();
        assertEquals(Instant.parse("2026-01-01T10:59:40Z"), planned.window().start());
        assertTrue(planned.catchingUp());
        // from 00:00:20 up to (not including) 10:59:40, one step every 20 s
        assertEquals((10 * 3600 + 59 * 60 + 20) / 20, planned.skippedSteps());
    }

    /** What the publisher does after a window's transaction: the position moves, the series count is recorded. */
    private static void publish(
            WindowPlanner planner, InMemoryPositionStore positions, String metric, QueryWindow window, int series) {
        positions.published(metric, window.end());
        planner.recordSeries(metric, series);
    }
}
