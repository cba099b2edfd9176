package k8sprom.publisher;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's membership in the publishers' consumer group on the positions topic: the partitions the group
 * assigns to it are the shards it owns. Group membership is the lease; nothing of our own coordinates the replicas.
 *
 * <p>The consumer polls on a thread of its own, so a slow Prometheus never makes it miss the poll deadline. It reads
 * nothing (its partitions are paused as soon as they are assigned): it is there to hold the lease.
 */
final class ShardMembership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShardMembership.class);

    /** Called on the membership thread, inside the consumer's poll. */
    interface Listener {
        /** After every rebalance: the shards added to this instance (maybe none) and all it owns now. */
        void assigned(Set<Integer> added, Set<Integer> owned);

        /** Shards handed over in an orderly way (a rebalance, or this instance leaving the group). */
        void revoked(Set<Integer> shards);

        /** Shards this instance lost without a handover (it was thrown out of the group): others may own them now. */
        void lost(Set<Integer> shards);
    }

    private final Properties consumerProperties;
    private final String topic;
    private final Listener listener;
    private final AtomicBoolean rebalanceRequested = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile boolean joined;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    ShardMembership(Properties consumerProperties, String topic, Listener listener) {
        this.consumerProperties = consumerProperties;
        this.topic = topic;
        this.listener = listener;
    }

    void start() {
        thread = new Thread(this::run, "publisher-shard-membership");
        thread.setDaemon(true);
        thread.start();
    }

    /** True once the group has given this instance an assignment (possibly empty: a standby), until it is lost. */
    boolean joined() {
        return joined;
    }

    /** Asks the group to confirm the assignment, e.g. after a shard was fenced. */
    void requestRebalance() {
        rebalanceRequested.set(true);
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> created = new KafkaConsumer<>(consumerProperties)) {
            consumer = created;
            created.subscribe(List.of(topic), new Rebalances(created));
            while (running) {
                try {
                    if (rebalanceRequested.getAndSet(false)) {
                        created.enforceRebalance("a shard was fenced: confirming ownership");
                    }
                    created.poll(Duration.ofMillis(500));
                } catch (WakeupException e) {
                    // close() woke us up
                } catch (RuntimeException e) {
                    LOG.warn("Publisher group membership on {}: {}; polling again", topic, e.toString());
                    sleep(1000);
                }
            }
            // closing revokes the owned shards and leaves the group, so that others take over at once
        } catch (RuntimeException e) {
            LOG.error("Publisher group membership on {} ended: {}", topic, e.toString(), e);
        } finally {
            joined = false;
        }
    }

    private final class Rebalances implements ConsumerRebalanceListener {

        private final KafkaConsumer<byte[], byte[]> consumer;

        Rebalances(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            consumer.pause(partitions);
            joined = true;
            listener.assigned(shards(partitions), shards(consumer.assignment()));
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                listener.revoked(shards(partitions));
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            joined = false;
            if (!partitions.isEmpty()) {
                listener.lost(shards(partitions));
            }
        }
    }

    private static Set<Integer> shards(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Leaves the group (handing the shards over at once) and ends the thread. */
    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
