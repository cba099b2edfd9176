package k8sprom.publisher;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one shard's positions to the end of its partition with read_committed, with a consumer of its own that joins
 * no group (assign, not subscribe).
 *
 * <p>Upgrade from the single-partition positions topic of earlier releases: that topic is grown in place
 * ({@link PositionsTopic}), so positions written before the upgrade stay in partition 0 whatever their shard. A shard
 * therefore also reads partition 0 and takes from it the positions of its own metrics that its partition does not
 * have yet; once a metric has published after the upgrade, its own partition's record wins.
 */
final class PositionsReader {

    private static final Logger LOG = LoggerFactory.getLogger(PositionsReader.class);
    private static final int LEGACY_PARTITION = 0;

    private final Supplier<Properties> consumerProperties;
    private final String topic;
    private final int shards;
    private final Duration timeout;

    PositionsReader(Supplier<Properties> consumerProperties, String topic, int shards, Duration timeout) {
        this.consumerProperties = consumerProperties;
        this.topic = topic;
        this.shards = shards;
        this.timeout = timeout;
    }

    Map<String, Instant> read(int shard) {
        Properties props = consumerProperties.get();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            Map<String, Instant> legacy =
                    shard == LEGACY_PARTITION ? Map.of() : readPartition(consumer, LEGACY_PARTITION, shard);
            Map<String, Instant> own = readPartition(consumer, shard, shard);
            Map<String, Instant> positions = new HashMap<>(legacy);
            positions.putAll(own);
            if (!legacy.isEmpty()) {
                LOG.info(
                        "Shard {}: {} positions from the single-partition topic of an earlier release, {} of them "
                                + "not yet replaced",
                        shard,
                        legacy.size(),
                        legacy.keySet().stream()
                                .filter(metric -> !own.containsKey(metric))
                                .count());
            }
            return positions;
        }
    }

    /** The partition's committed positions of the shard's metrics, last record per metric. */
    private Map<String, Instant> readPartition(KafkaConsumer<String, String> consumer, int partition, int shard) {
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        // with read_committed this is the last stable offset: nothing committed lies beyond it
        long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Instant> positions = new HashMap<>();
        while (consumer.position(tp, timeout) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read partition " + partition + " of the positions topic "
                        + topic + " to its end within " + timeout);
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.key() == null || Shards.of(record.key(), shards) != shard) {
                    continue;
                }
                if (record.value() == null) {
                    positions.remove(record.key());
                } else {
                    positions.put(record.key(), PositionRecord.read(record.value()));
                }
            }
        }
        return positions;
    }
}
