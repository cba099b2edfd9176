package k8sprom.publisher;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the positions topic exists, compacted, with one partition per shard.
 *
 * <ul>
 *   <li>Missing: created with the configured number of partitions.</li>
 *   <li>One partition (every earlier release created it so) while more shards are configured: grown in place to the
 *       configured count, after fencing the earlier release's transactional id (which aborts a transaction it may
 *       have left open). Its positions stay in partition 0, where {@link PositionsReader} finds them.</li>
 *   <li>Any other count: start-up stops with a message; shrinking or re-hashing positions is not done silently.</li>
 * </ul>
 */
final class PositionsTopic {

    private static final Logger LOG = LoggerFactory.getLogger(PositionsTopic.class);

    private PositionsTopic() {}

    /**
     * @param fenceLegacyProducer inits a producer with the earlier release's single transactional id, then closes it
     */
    static void ensure(Admin admin, String topic, int shards, Duration timeout, Runnable fenceLegacyProducer) {
        Optional<Integer> existing = partitions(admin, topic, timeout);
        if (existing.isEmpty()) {
            try {
                NewTopic compacted = new NewTopic(topic, Optional.of(shards), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                await(admin.createTopics(List.of(compacted)).all(), timeout, "creating the positions topic " + topic);
                LOG.info("Created the compacted positions topic {} with {} partitions (shards)", topic, shards);
                return;
            } catch (TopicExistsException e) {
                existing = partitions(admin, topic, timeout); // another replica was quicker
            }
        }
        int count = existing.orElseThrow(
                () -> new IllegalStateException("the positions topic " + topic + " neither exists nor can be created"));
        if (count == shards) {
            return;
        }
        if (count == 1) {
            LOG.warn(
                    "Upgrading the positions topic {} from 1 partition (an earlier release) to {} shards: fencing "
                            + "the earlier release's transactional id, then adding partitions; its positions stay in "
                            + "partition 0 and are kept (docs/replicas.md, upgrade)",
                    topic,
                    shards);
            fenceLegacyProducer.run();
            try {
                await(
                        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(shards)))
                                .all(),
                        timeout,
                        "adding partitions to the positions topic " + topic);
            } catch (InvalidPartitionsException e) {
                // another replica grew it meanwhile; the count is checked below
            }
            count = partitions(admin, topic, timeout).orElse(0);
            if (count == shards) {
                return;
            }
        }
        throw new IllegalStateException("the positions topic " + topic + " has " + count + " partitions but "
                + shards + " shards are configured (KAFKA_POSITIONS_PARTITIONS): set KAFKA_POSITIONS_PARTITIONS="
                + count + ", or see docs/replicas.md (\"Changing the number of shards\")");
    }

    private static Optional<Integer> partitions(Admin admin, String topic, Duration timeout) {
        try {
            return Optional.of(await(
                            admin.describeTopics(List.of(topic)).allTopicNames(),
                            timeout,
                            "describing the positions topic " + topic)
                    .get(topic)
                    .partitions()
                    .size());
        } catch (UnknownTopicOrPartitionException e) {
            return Optional.empty();
        }
    }

    /** Waits for an admin call; Kafka's own errors are rethrown as they are, so callers can tell them apart. */
    private static <T> T await(KafkaFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause
                    && (cause instanceof TopicExistsException
                            || cause instanceof InvalidPartitionsException
                            || cause instanceof UnknownTopicOrPartitionException)) {
                throw cause;
            }
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + timeout + " while " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }
}
