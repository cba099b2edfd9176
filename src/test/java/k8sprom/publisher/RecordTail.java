package k8sprom.publisher;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows the samples topic with read_committed while a test runs and notes when each record became visible, so that
 * a test can tell how long after a kill a shard's metric was committed again.
 */
final class RecordTail implements AutoCloseable {

    /** A committed record: its metric, the producer's send time, and when this consumer saw it. */
    record Seen(String metric, Instant sent, Instant visible) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    RecordTail(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        thread = new Thread(
                () -> {
                    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
                        List<TopicPartition> partitions = List.of();
                        while (running && partitions.isEmpty()) {
                            partitions = Optional.ofNullable(consumer.listTopics(Duration.ofSeconds(2))
                                            .get(topic))
                                    .orElse(List.of())
                                    .stream()
                                    .map(p -> new TopicPartition(topic, p.partition()))
                                    .collect(Collectors.toList());
                            sleep();
                        }
                        consumer.assign(partitions);
                        consumer.seekToBeginning(partitions);
                        while (running) {
                            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                                seen.add(new Seen(
                                        SampleLedger.metricOf(record.value()),
                                        Instant.ofEpochMilli(record.timestamp()),
                                        Instant.now()));
                            }
                        }
                    }
                },
                "record-tail-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** When the first record of the metric sent after {@code after} became visible to read_committed consumers. */
    Optional<Instant> firstVisibleSentAfter(String metric, Instant after) {
        return seen.stream()
                .filter(s -> s.metric().equals(metric) && s.sent().isAfter(after))
                .map(Seen::visible)
                .min(Instant::compareTo);
    }

    /** When the first committed record of the metric was sent. */
    Optional<Instant> firstSent(String metric) {
        return seen.stream()
                .filter(s -> s.metric().equals(metric))
                .map(Seen::sent)
                .min(Instant::compareTo);
    }

    /** The longest time between two records of the metric becoming visible, within [from, to]. */
    Duration longestPause(String metric, Instant from, Instant to) {
        List<Instant> times = seen.stream()
                .filter(s -> s.metric().equals(metric))
                .map(Seen::visible)
                .filter(t -> !t.isBefore(from) && !t.isAfter(to))
                .sorted()
                .toList();
        Duration longest = Duration.ZERO;
        Instant previous = from;
        for (Instant time : times) {
            longest = max(longest, Duration.between(previous, time));
            previous = time;
        }
        return max(longest, Duration.between(previous, to));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
