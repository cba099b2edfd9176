package k8sprom.publisher;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each metric's next query window from its position, so that windows neither overlap nor leave gaps.
 *
 * <p>Windows are aligned to the step: every timestamp is a multiple of the step since the epoch. A window starts one
 * step after the metric's last published step and ends at the latest step boundary that is at least the settle delay
 * old (scrapes arrive late). It holds at most {@code maxStepsPerQuery} steps (Prometheus refuses more than 11,000
 * points per series) and about {@code maxSamplesPerQuery} samples over all series (memory, and Prometheus' query
 * timeout); a metric further behind catches up chunk by chunk, oldest first. Data older than {@code maxLookback} is
 * skipped with a warning.
 */
public class WindowPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(WindowPlanner.class);

    private PositionStore positions;
    private Clock clock = Clock.systemUTC();
    private Duration step = Duration.ofSeconds(20);
    private Duration settleDelay = Duration.ofSeconds(10);
    private Duration maxLookback = Duration.ofHours(6);
    private Duration startFrom = Duration.ZERO;
    private int maxStepsPerQuery = 11_000;
    private long maxSamplesPerQuery = 100_000;
    /** Series per metric seen in its last response: with the sample budget, it bounds the next chunk's steps. */
    private final Map<String, Integer> seriesCounts = new ConcurrentHashMap<>();
    /** Per metric: whether its last planned window left settled data for later (it is catching up). */
    private final Map<String, Boolean> catchingUp = new ConcurrentHashMap<>();
    /** Until a metric's series count is known, a chunk holds at most this many steps. */
    private static final int FIRST_CHUNK_STEPS = 10;

    /** A window to query, or empty when the metric has published everything that is settled. */
    public Optional<PlannedWindow> next(String metric) {
        return next(metric, List.of());
    }

    /**
     * As {@link #next(String)}; a metric without a position of its own starts like any new metric
     * ({@code startFrom}), but never at or before the newest position of the metrics it continues after: an earlier
     * release published it together with them, up to their positions.
     */
    public Optional<PlannedWindow> next(String metric, List<String> continuesAfter) {
        Instant newest = floorToStep(clock.instant().minus(settleDelay));
        Optional<Instant> position = positions.lastPublished(metric);
        Instant start = position.map(p -> p.plus(step)).orElseGet(() -> firstStart(newest, continuesAfter));
        long skippedSteps = 0;
        Instant oldestAllowed = floorToStep(newest.minus(maxLookback));
        if (start.isBefore(oldestAllowed)) {
            skippedSteps = Duration.between(start, oldestAllowed).toMillis() / step.toMillis();
            LOG.warn(
                    "Metric {} is {} behind, more than the maximum look-back {}: skipping {} steps from {} to {}",
                    metric,
                    Duration.between(start, newest),
                    maxLookback,
                    skippedSteps,
                    start,
                    oldestAllowed);
            start = oldestAllowed;
        }
        if (start.isAfter(newest)) {
            catchingUp.put(metric, false);
            return Optional.empty();
        }
        Instant chunkEnd = start.plus(step.multipliedBy(stepsPerChunk(metric) - 1L));
        Instant end = chunkEnd.isBefore(newest) ? chunkEnd : newest;
        catchingUp.put(metric, end.isBefore(newest));
        return Optional.of(
                new PlannedWindow(new QueryWindow(start, end, step), skippedSteps, end.isBefore(newest), position));
    }

    private Instant firstStart(Instant newest, List<String> continuesAfter) {
        Instant start = floorToStep(newest.minus(startFrom));
        for (String earlier : continuesAfter) {
            // the earlier metrics may belong to shards other instances own
            Optional<Instant> published = positions.lastPublishedAnywhere(earlier);
            if (published.isPresent() && !published.get().isBefore(start)) {
                start = published.get().plus(step);
            }
        }
        return start;
    }

    /** The number of series the metric's last window held: with the sample budget, it sizes the next chunk. */
    public void recordSeries(String metric, int seriesCount) {
        seriesCounts.put(metric, seriesCount);
    }

    /** As many steps as keep one response within the sample budget, and within Prometheus' 11,000 points. */
    private long stepsPerChunk(String metric) {
        Integer series = seriesCounts.get(metric);
        long byBudget = series == null ? FIRST_CHUNK_STEPS : maxSamplesPerQuery / Math.max(1, series);
        return Math.max(1, Math.min(maxStepsPerQuery, byBudget));
    }

    /** True while the metric's last planned window left settled data for a later one. */
    public boolean catchingUp(String metric) {
        return Boolean.TRUE.equals(catchingUp.get(metric));
    }

    /** Time from the metric's last published step to now; empty before its first publication. */
    public Optional<Duration> lag(String metric) {
        return positions.lastPublished(metric).map(p -> Duration.between(p, clock.instant()));
    }

    private Instant floorToStep(Instant instant) {
        long stepMillis = step.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), stepMillis) * stepMillis);
    }

    /**
     * @param window       the window to query
     * @param skippedSteps steps given up because they are older than the maximum look-back
     * @param catchingUp   true when more settled data waits after this window
     * @param plannedFrom  the position the window was planned from (empty: the metric had none); the window may be
     *                     published only while this is still the metric's position
     */
    public record PlannedWindow(
            QueryWindow window, long skippedSteps, boolean catchingUp, Optional<Instant> plannedFrom) {}

    public void setPositions(PositionStore positions) {
        this.positions = positions;
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** The query step, in Prometheus' notation: "20", "20s", "1m". */
    public void setStep(String step) {
        this.step = PrometheusDuration.parse(step);
    }

    public void setSettleDelay(Duration settleDelay) {
        this.settleDelay = settleDelay;
    }

    public void setMaxLookback(Duration maxLookback) {
        this.maxLookback = maxLookback;
    }

    public void setStartFrom(Duration startFrom) {
        this.startFrom = startFrom;
    }

    public void setMaxSamplesPerQuery(long maxSamplesPerQuery) {
        this.maxSamplesPerQuery = maxSamplesPerQuery;
    }

    public void setMaxStepsPerQuery(int maxStepsPerQuery) {
        if (maxStepsPerQuery < 1 || maxStepsPerQuery > 11_000) {
            throw new IllegalArgumentException("maxStepsPerQuery must be between 1 and 11000: " + maxStepsPerQuery);
        }
        this.maxStepsPerQuery = maxStepsPerQuery;
    }
}
