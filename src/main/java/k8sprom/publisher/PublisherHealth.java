package k8sprom.publisher;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of the publisher. A standby (a member of the publishers' group that owns no shard) is ready, so that a
 * rolling update can proceed. An owner is ready once a cycle has reached Prometheus and Kafka for every metric, not ready while
 * cycles fail (either unreachable), while a metric's position lags more than the allowed lag (catching up), or while
 * no cycle has finished for three periods (stuck).
 * Liveness is not affected: an outage is waited out, not solved by a restart.
 */
public class PublisherHealth extends AbstractHealthCheck {

    private Duration period = Duration.ofSeconds(20);
    private volatile Instant lastFinished;
    private volatile int lastFailures = -1;
    private volatile boolean catchingUp;
    private volatile Duration worstLag = Duration.ZERO;
    private Duration maxReadyLag = Duration.ofMinutes(5);
    private boolean publisherEnabled = true;
    private KafkaWindowPublisher kafka;

    public PublisherHealth() {
        super("publisher", "publisher");
    }

    /**
     * False in an exporter-only process: readiness then does not wait for publishing cycles. (A disabled Camel health
     * check would report UNKNOWN, which makes the whole readiness DOWN.)
     */
    public void setPublisherEnabled(boolean publisherEnabled) {
        this.publisherEnabled = publisherEnabled;
    }

    public void setPeriod(Duration period) {
        this.period = period;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    /** Where group membership and owned shards are read. */
    public void setKafka(KafkaWindowPublisher kafka) {
        this.kafka = kafka;
    }

    public void setMaxReadyLag(Duration maxReadyLag) {
        this.maxReadyLag = maxReadyLag;
    }

    public void cycleFinished(PublishCycle cycle, Duration worstLag) {
        this.worstLag = worstLag;
        lastFinished = Instant.now();
        lastFailures = cycle.failures();
        catchingUp = cycle.catchingUp();
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (!publisherEnabled) {
            builder.detail("publisher_enabled", false)
                    .message("the publisher is disabled (PUBLISHER_ENABLED=false)")
                    .up();
            return;
        }
        Instant finished = lastFinished;
        builder.detail("catching_up", catchingUp);
        if (kafka != null) {
            Set<Integer> owned = kafka.ownedShards();
            builder.detail("owned_shards", owned.toString());
            builder.detail("shards", kafka.shardCount());
            if (!kafka.joined()) {
                builder.message("not (yet) a member of the publishers' group (Kafka unreachable?)")
                        .down();
                return;
            }
            if (owned.isEmpty()) {
                builder.message("standby: a member of the publishers' group owning no shard")
                        .up();
                return;
            }
        }
        if (finished == null) {
            builder.message("no publishing cycle has finished yet").down();
            return;
        }
        builder.detail("last_cycle_finished", finished.toString());
        builder.detail("last_cycle_failures", lastFailures);
        builder.detail("worst_position_age_seconds", worstLag.toSeconds());
        if (lastFailures > 0) {
            builder.message("the last cycle failed for " + lastFailures + " metrics (Prometheus or Kafka unreachable?)")
                    .down();
        } else if (worstLag.compareTo(maxReadyLag) > 0) {
            builder.message("a metric's position is " + worstLag.toSeconds() + " s behind, more than "
                            + maxReadyLag.toSeconds() + " s")
                    .down();
        } else if (Duration.between(finished, Instant.now()).compareTo(period.multipliedBy(3)) > 0) {
            builder.message("no cycle finished in the last three periods").down();
        } else {
            builder.up();
        }
    }
}
