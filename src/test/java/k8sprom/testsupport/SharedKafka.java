package k8sprom.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real Kafka broker per test run, started when a test class first asks for it (a {@link KafkaBroker} parameter
 * with {@code @ExtendWith(SharedKafka.class)}, or through {@link SharedStack}) and stopped when the run ends.
 *
 * <p>Classes share it by naming their topics with a prefix of their own; the application derives its positions topic,
 * transactional id and group id from its topic, so distinct topics keep those apart as well. The extension holds every
 * class to that: a class that writes a record to a topic which already existed when it started (an earlier class's)
 * fails, instead of reading or resuming another class's data without anyone noticing.
 */
public final class SharedKafka implements ParameterResolver, BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace CLASS = ExtensionContext.Namespace.create(SharedKafka.class);

    /** The broker and its directory, closed by JUnit when the run's root context closes. */
    private record Shared(KafkaBroker broker, Path dir) implements ExtensionContext.Store.CloseableResource {

        @Override
        public void close() {
            broker.close();
            deleteTree(dir);
        }
    }

    /** Log end offsets when a class started. */
    private record EndsAtStart(Map<TopicPartition, Long> offsets) {}

    /** The shared broker, started on first use. */
    public static KafkaBroker broker(ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Shared.class, key -> start(), Shared.class)
                .broker();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        KafkaBroker broker = startedBroker(context);
        // Not started yet: nothing on it can belong to an earlier class.
        Map<TopicPartition, Long> ends = broker == null ? Map.of() : endOffsets(broker);
        context.getStore(CLASS).put(EndsAtStart.class, new EndsAtStart(ends));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        KafkaBroker broker = startedBroker(context);
        EndsAtStart atStart = context.getStore(CLASS).get(EndsAtStart.class, EndsAtStart.class);
        if (broker == null || atStart == null || atStart.offsets().isEmpty()) {
            return;
        }
        if (!broker.isRunning()) {
            throw new AssertionError(context.getRequiredTestClass().getSimpleName()
                    + " left the shared Kafka broker stopped; the classes after it need it");
        }
        List<String> foreign = topicsWrittenSince(broker, atStart.offsets());
        if (!foreign.isEmpty()) {
            throw new AssertionError(context.getRequiredTestClass().getSimpleName()
                    + " wrote records to topics that an earlier test class created on the shared broker: " + foreign
                    + "; give every class topics of its own");
        }
    }

    private static KafkaBroker startedBroker(ExtensionContext context) {
        Shared shared =
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).get(Shared.class, Shared.class);
        return shared == null ? null : shared.broker();
    }

    private static Shared start() {
        try {
            Path dir = Files.createTempDirectory("shared-kafka");
            return new Shared(KafkaBroker.start(dir), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(KafkaBroker broker) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(broker)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.listTopics(Duration.ofSeconds(30)).forEach((topic, infos) -> {
                if (!topic.startsWith("__")) {
                    infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
                }
            });
            return new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
        }
    }

    /**
     * Topics among {@code before} that received a data record since. Aborting a transaction that an earlier class
     * left open (the coordinator does so on its timeout) only appends control records, which a consumer never
     * returns, so they do not count.
     */
    private static List<String> topicsWrittenSince(KafkaBroker broker, Map<TopicPartition, Long> before) {
        TreeSet<String> written = new TreeSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(broker)) {
            Map<TopicPartition, Long> now = consumer.endOffsets(before.keySet(), Duration.ofSeconds(30));
            List<TopicPartition> grown = before.keySet().stream()
                    .filter(p -> now.getOrDefault(p, 0L) > before.get(p))
                    .toList();
            if (grown.isEmpty()) {
                return List.of();
            }
            consumer.assign(grown);
            grown.forEach(p -> consumer.seek(p, before.get(p)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (grown.stream().anyMatch(p -> consumer.position(p) < now.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> written.add(record.topic()));
            }
        }
        return List.copyOf(written);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(KafkaBroker broker) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // Aborted records were written all the same.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return new KafkaConsumer<>(props);
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e);
        }
    }
}
