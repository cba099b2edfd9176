package k8sprom.publisher;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.micrometer.MicrometerConstants;

/**
 * The publisher's own metrics, registered in Camel's Micrometer registry so they appear on /observe/metrics next to
 * Camel's route metrics. The registry is looked up on first use, because Camel creates it after the beans.
 */
public class PublisherMetrics implements CamelContextAware {

    private final AtomicLong lastSuccessfulCycleSeconds = new AtomicLong();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private CamelContext context;
    private MeterRegistry registry;
    private Timer cycleDuration;

    public void cycleFinished(Duration duration, boolean successful, long finishedEpochSeconds) {
        registry();
        cycleDuration.record(duration.toNanos(), TimeUnit.NANOSECONDS);
        if (successful) {
            lastSuccessfulCycleSeconds.set(finishedEpochSeconds);
        }
    }

    public void published(String metric, int messages) {
        counter("publisher.messages.published", "Messages acknowledged by Kafka", "metric", metric)
                .increment(messages);
    }

    public void queryFailed(String metric, String reason) {
        counter(
                        "publisher.query.errors",
                        "Prometheus queries that failed, by reason",
                        "metric",
                        metric,
                        "reason",
                        reason)
                .increment();
    }

    public void warningsAccepted(String metric) {
        counter(
                        "publisher.query.warnings.accepted",
                        "Answers with warnings published because warnings are accepted",
                        "metric",
                        metric)
                .increment();
    }

    public void cycleFailed() {
        counter("publisher.cycle.errors", "Cycles that failed as a whole, e.g. positions unreadable")
                .increment();
    }

    public void publishFailed(String metric) {
        counter("publisher.publish.errors", "Batches Kafka did not acknowledge", "metric", metric)
                .increment();
    }

    public void skipped(String metric, String reason, long count) {
        if (count > 0) {
            counter(
                            "publisher.skipped",
                            "Series, samples or steps left out, by reason",
                            "metric",
                            metric,
                            "reason",
                            reason)
                    .increment(count);
        }
    }

    /** The shards of the catalog, and how many of them this instance owns. */
    public void shardGauges(int shards, AtomicInteger owned) {
        Gauge.builder("publisher.shards", () -> shards)
                .description("Shards of the metric catalog (partitions of the positions topic)")
                .register(registry());
        Gauge.builder("publisher.shards.owned", owned, AtomicInteger::get)
                .description("Shards this instance owns by the group's last assignment")
                .register(registry());
        // shown from the start at 0, so that alerts on their increase work from the first change
        rebalances();
        fencings();
    }

    /** The group changed this instance's shards (some assigned, revoked or lost). */
    public void rebalanced() {
        rebalances().increment();
    }

    private Counter rebalances() {
        return counter("publisher.rebalances", "Changes of the shards this instance owns");
    }

    private Counter fencings() {
        return counter("publisher.fencings", "Shard producers fenced by another producer of the same transactional id");
    }

    /** A shard's producer was fenced: another producer holds its transactional id now. */
    public void fenced() {
        fencings().increment();
    }

    /** A gauge per shard reading a live value, e.g. the age of its oldest position. */
    public <T> void shardGauge(String name, String description, int shard, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value)
                .description(description)
                .tag("shard", String.valueOf(shard))
                .register(registry());
    }

    /** A gauge per metric reading a live value, e.g. the age of its position. */
    public <T> void gauge(String name, String description, String metric, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value)
                .description(description)
                .tag("metric", metric)
                .register(registry());
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(
                name + String.join("|", tags),
                key -> Counter.builder(name).description(description).tags(tags).register(registry()));
    }

    synchronized MeterRegistry registry() {
        if (registry == null) {
            MeterRegistry found = context == null
                    ? null
                    : context.getRegistry()
                            .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
            registry = found != null ? found : new SimpleMeterRegistry();
            cycleDuration = Timer.builder("publisher.cycle.duration")
                    .description("Time from the timer firing to the last Kafka acknowledgement of a cycle")
                    .register(registry);
            Gauge.builder(
                            "publisher.last.successful.cycle.timestamp.seconds",
                            lastSuccessfulCycleSeconds,
                            AtomicLong::get)
                    .description("Unix time at which the last cycle without any failure finished")
                    .register(registry);
        }
        return registry;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}
