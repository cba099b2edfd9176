package k8sprom.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka 3.9.1 in KRaft mode (one process acting as broker and controller),
 * running inside the test JVM on free loopback ports, with its log directory under a data dir.
 *
 * <p>Configured for what the publisher needs on one node: transactions, compacted topics,
 * consumer groups without the initial rebalance delay. {@link #stop()} and {@link #restart()} keep
 * ports and data, for tests of a Kafka outage.
 *
 * <p>It lives in the test JVM's threads, so it ends with that JVM at the latest; still call
 * {@link #close()} so the next test gets its ports and files back.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final int NODE_ID = 1;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private final Properties config;
    private KafkaRaftServer server;

    private KafkaBroker(Path dataDir) {
        this.logDir = dataDir.toAbsolutePath().resolve("kafka-logs");
        this.port = FreePort.find();
        this.controllerPort = FreePort.find();
        this.config = brokerConfig();
    }

    /** Formats a fresh log directory under {@code dataDir} (unless already formatted) and starts. */
    public static KafkaBroker start(Path dataDir) {
        KafkaBroker broker = new KafkaBroker(dataDir);
        broker.format();
        broker.startServer();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logDir() {
        return logDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Shuts the broker down cleanly; clients see connection refused until {@link #restart()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    /** Starts again on the same port with the same data (stops first if running). */
    public synchronized void restart() {
        stop();
        startServer();
    }

    @Override
    public void close() {
        stop();
    }

    /** Creates a topic with replication factor 1; {@code compacted} sets cleanup.policy=compact. */
    public void createTopic(String name, int partitions, boolean compacted) {
        Map<String, String> configs = new HashMap<>();
        if (compacted) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        createTopic(name, partitions, configs);
    }

    public void createTopic(String name, int partitions, Map<String, String> topicConfigs) {
        try (Admin admin = admin()) {
            await(admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(topicConfigs)))
                    .all());
        }
    }

    /** Names of the non-internal topics. */
    public List<String> topics() {
        try (Admin admin = admin()) {
            return List.copyOf(await(admin.listTopics().names()));
        }
    }

    /** The topic's effective configuration (defaults included), e.g. {@code cleanup.policy}. */
    public Map<String, String> topicConfig(String topic) {
        try (Admin admin = admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config =
                    await(admin.describeConfigs(List.of(resource)).all()).get(resource);
            return config.entries().stream()
                    .filter(e -> e.value() != null)
                    .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
        }
    }

    public int partitionCount(String topic) {
        try (Admin admin = admin()) {
            TopicDescription description =
                    await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
            return description.partitions().size();
        }
    }

    /** A new Admin client for this broker; the caller closes it. */
    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        return Admin.create(props);
    }

    /**
     * Reads {@code topic} from the beginning with a fresh, group-less consumer until at least
     * {@code expectedAtLeast} records have arrived or {@code timeout} passed, then keeps reading for
     * one more second so that extra records (duplicates) show up too. Returns everything read, in
     * partition order.
     */
    public List<ConsumerRecord<String, String>> readAll(
            String topic, boolean readCommitted, int expectedAtLeast, Duration timeout) {
        return read(topic, readCommitted, expectedAtLeast, timeout, Duration.ofSeconds(1));
    }

    /**
     * Reads {@code topic} from the beginning until no record has arrived for {@code quiet}. A topic
     * that does not exist (yet) gives an empty list after {@code quiet}.
     */
    public List<ConsumerRecord<String, String>> readAll(String topic, boolean readCommitted, Duration quiet) {
        return read(topic, readCommitted, 0, Duration.ZERO, quiet);
    }

    private List<ConsumerRecord<String, String>> read(
            String topic, boolean readCommitted, int expectedAtLeast, Duration timeout, Duration quiet) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Reading must not create the topic: a test may check who creates it and how.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);

        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            // assign() rather than subscribe(): no group, no rebalance, no committed offsets.
            List<TopicPartition> partitions =
                    awaitPartitions(consumer, topic, Math.max(deadline, start + quiet.toNanos()));
            if (partitions.isEmpty()) {
                return records;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (records.size() < expectedAtLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            long quietUntil = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < quietUntil) {
                int before = records.size();
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                if (expectedAtLeast == 0 && records.size() > before) {
                    quietUntil = System.nanoTime() + quiet.toNanos(); // not quiet yet
                }
            }
        }
        return records;
    }

    private static List<TopicPartition> awaitPartitions(KafkaConsumer<?, ?> consumer, String topic, long deadline) {
        while (true) {
            List<PartitionInfo> infos =
                    consumer.listTopics(Duration.ofSeconds(5)).get(topic);
            if (infos != null && !infos.isEmpty()) {
                return infos.stream()
                        .map(i -> new TopicPartition(i.topic(), i.partition()))
                        .collect(Collectors.toList());
            }
            if (System.nanoTime() >= deadline) {
                return List.of();
            }
            sleep(100);
        }
    }

    private Properties brokerConfig() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());

        // One node: every internal topic must make do with one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // Internal topics default to 50 partitions each; one is plenty here and starts much faster.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");

        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "3");
        p.put("auto.create.topics.enable", "true");

        // Compaction must work, but the default 128 MiB dedupe buffer is pointless for tests.
        p.put("log.cleaner.enable", "true");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        return p;
    }

    private void format() {
        try {
            Files.createDirectories(logDir);
            if (Files.exists(logDir.resolve("meta.properties"))) {
                return;
            }
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot format " + logDir, e);
        }
    }

    private synchronized void startServer() {
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        try {
            // Returns once the broker is registered with the controller and unfenced.
            s.startup();
        } catch (RuntimeException | Error e) {
            s.shutdown();
            s.awaitShutdown();
            throw e;
        }
        server = s;
        awaitServing();
    }

    /** Belt and braces: a client can really talk to the broker before tests start using it. */
    private void awaitServing() {
        try (Admin admin = admin()) {
            await(admin.describeCluster().nodes());
        }
    }

    private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka admin call timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
