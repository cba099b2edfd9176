package k8sprom.publisher;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each metric window and the metric's new position in one Kafka transaction, so that every sample reaches
 * read_committed consumers exactly once, with any number of identical replicas.
 *
 * <p>The metrics are sharded by the partitions of the positions topic ({@link Shards}). Every replica is a member of
 * one consumer group on that topic ({@link ShardMembership}); the partitions the group assigns to it are the shards
 * it owns, and each owned shard has a transactional producer of its own ({@link ShardTask}), whose
 * {@code initTransactions()} fences any previous owner. A standby owns nothing and takes over when an owner leaves
 * or stops heart-beating.
 *
 * <p>camel-kafka's own transactions commit when an exchange's unit of work ends and close the producer for good on
 * the first broker error; a publisher that must outlive Kafka outages needs to abort, recreate the producer and
 * retry by itself, so this class drives the Kafka clients directly. Their connection and security settings are still
 * the camel-kafka component's (camel.component.kafka.*), so there is one place to configure Kafka.
 */
public class KafkaWindowPublisher
        implements PositionStore,
                CamelContextAware,
                AutoCloseable,
                ShardMembership.Listener,
                ShardTask.FencingListener {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaWindowPublisher.class);
    /** Commit attempts after timeouts before the commit's outcome is left to the next initTransactions(). */
    private static final int COMMIT_ATTEMPTS = 3;

    private CamelContext context;
    private PublisherMetrics metrics = new PublisherMetrics();
    private String topic;
    private String positionsTopic;
    private String transactionalId;
    private int shards = 6;
    private String groupId;
    private String groupInstanceId = "";
    private int sessionTimeoutMs = 10_000;
    private int heartbeatIntervalMs = 3_000;

    /** The shards this instance owns, by the group's last word. Changed only on the membership thread. */
    private final Map<Integer, ShardTask> owned = new ConcurrentHashMap<>();

    private final AtomicInteger ownedCount = new AtomicInteger();
    private ShardMembership membership;
    private volatile boolean closed;
    private boolean standbyAnnounced;

    /**
     * Once per cycle, before planning: joins the group on the first call, then takes every owned shard that is not
     * ready yet (init its producer, read its positions). Returns one line per shard that could not be taken.
     */
    public List<String> prepareOwnedShards() {
        start();
        return owned.values().stream()
                .sorted((a, b) -> Integer.compare(a.shard(), b.shard()))
                .map(task -> {
                    try {
                        task.start();
                        return null;
                    } catch (ShardUnavailableException e) {
                        return null; // revoked or fenced meanwhile: not this instance's work now
                    } catch (RuntimeException e) {
                        return "shard " + task.shard() + ": " + e.getMessage();
                    }
                })
                .filter(failure -> failure != null)
                .toList();
    }

    private synchronized void start() {
        if (membership != null || closed) {
            return;
        }
        if (groupId == null || groupId.isBlank()) {
            groupId = transactionalId;
        }
        Admin admin = Admin.create(adminProperties());
        try {
            PositionsTopic.ensure(admin, positionsTopic, shards, kafkaTimeout(), this::fenceLegacyProducer);
        } finally {
            // do not wait for calls still pending against an unreachable broker
            admin.close(Duration.ZERO);
        }
        metrics.shardGauges(shards, ownedCount);
        ShardMembership joining = new ShardMembership(membershipProperties(), positionsTopic, this);
        joining.start();
        membership = joining;
        LOG.info(
                "Joining the publisher group {} on {} ({} shards, session timeout {} ms{})",
                groupId,
                positionsTopic,
                shards,
                sessionTimeoutMs,
                groupInstanceId.isBlank() ? "" : ", static member " + groupInstanceId);
    }

    /** True when the metric's shard is owned and ready: only then is the metric planned and published here. */
    public boolean owns(String metric) {
        ShardTask task = owned.get(shardOf(metric));
        return task != null && task.ready();
    }

    public int shardOf(String metric) {
        return Shards.of(metric, shards);
    }

    public int shardCount() {
        return shards;
    }

    /** The shards this instance owns by the group's last assignment (ready or not). */
    public Set<Integer> ownedShards() {
        return new TreeSet<>(owned.keySet());
    }

    /** True once this instance is a member of the group (an owner or a standby). */
    public boolean joined() {
        ShardMembership current = membership;
        return current != null && current.joined();
    }

    /** The committed position, read after the shard's last init; empty for metrics of shards not owned here. */
    @Override
    public Optional<Instant> lastPublished(String metric) {
        ShardTask task = owned.get(shardOf(metric));
        return task == null ? Optional.empty() : task.position(metric);
    }

    /** Of a shard owned here, the cached position; of another, the committed one, read from its partition now. */
    @Override
    public Optional<Instant> lastPublishedAnywhere(String metric) {
        int shard = shardOf(metric);
        ShardTask task = owned.get(shard);
        if (task != null && task.ready()) {
            return task.position(metric);
        }
        return Optional.ofNullable(reader().read(shard).get(metric));
    }

    /**
     * Sends the window's messages and the metric's new position in one transaction of the metric's shard, provided the
     * position the window was planned from is still the shard's position.
     *
     * @throws ShardUnavailableException the shard is not (or no longer) owned here
     * @throws StaleWindowException      the shard's position moved since the window was planned
     */
    public void publish(
            List<OutboundMessage> messages, String metric, Optional<Instant> plannedFrom, Instant newPosition) {
        task(shardOf(metric)).publish(messages, metric, plannedFrom, newPosition);
    }

    private ShardTask task(int shard) {
        ShardTask task = owned.get(shard);
        if (task == null) {
            throw new ShardUnavailableException("shard " + shard + " is not owned by this instance");
        }
        return task;
    }

    @Override
    public void assigned(Set<Integer> added, Set<Integer> now) {
        for (int shard : added) {
            ShardTask previous = owned.put(shard, newTask(shard));
            if (previous != null) {
                previous.close(Duration.ZERO);
            }
        }
        // the group confirmed the assignment after a fencing: a fenced shard still ours may be taken again
        for (int shard : now) {
            ShardTask task = owned.get(shard);
            if (task != null && task.fenced()) {
                owned.put(shard, newTask(shard));
                LOG.info(
                        "Shard {}: the group confirmed this instance as its owner after a fencing; taking it again",
                        shard);
            }
        }
        if (!added.isEmpty()) {
            assignmentChanged("assigned " + added);
        } else if (!standbyAnnounced && owned.isEmpty()) {
            standbyAnnounced = true;
            LOG.info(
                    "Joined the publisher group {} as a standby: the {} shards are owned by other instances",
                    groupId,
                    shards);
        }
    }

    @Override
    public void revoked(Set<Integer> shards) {
        for (int shard : shards) {
            ShardTask task = owned.remove(shard);
            if (task != null) {
                task.close(Duration.ofSeconds(5));
            }
        }
        assignmentChanged("revoked " + shards);
    }

    @Override
    public void lost(Set<Integer> shards) {
        for (int shard : shards) {
            ShardTask task = owned.remove(shard);
            if (task != null) {
                task.close(Duration.ZERO);
            }
        }
        assignmentChanged("lost " + shards + " (this instance was out of the group)");
    }

    private void assignmentChanged(String change) {
        ownedCount.set(owned.size());
        metrics.rebalanced();
        LOG.info(
                "Shard assignment changed ({}): this instance owns {} of {} shards: {}",
                change,
                owned.size(),
                shards,
                ownedShards());
    }

    @Override
    public void fenced(int shard) {
        metrics.fenced();
        ShardMembership current = membership;
        if (current != null) {
            current.requestRebalance();
        }
    }

    private ShardTask newTask(int shard) {
        PositionsReader reader = reader();
        return new ShardTask(
                shard,
                () -> producer(transactionalId + "-" + shard),
                () -> reader.read(shard),
                topic,
                positionsTopic,
                this,
                COMMIT_ATTEMPTS);
    }

    private PositionsReader reader() {
        return new PositionsReader(this::consumerProperties, positionsTopic, shards, kafkaTimeout());
    }

    /**
     * Every earlier release used one transactional id, the base itself: init it once so that a transaction it left
     * open is aborted now (read_committed readers would wait for it), and a forgotten old instance is fenced.
     */
    private void fenceLegacyProducer() {
        try (Producer<String, String> legacy = producer(transactionalId)) {
            legacy.initTransactions();
        }
    }

    private Producer<String, String> producer(String id) {
        Properties props = kafka().createProducerProperties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().getBrokers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props);
    }

    private Properties consumerProperties() {
        Properties props = kafka().createConsumerProperties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().getBrokers());
        return props;
    }

    private Properties membershipProperties() {
        Properties props = consumerProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        if (groupInstanceId.isBlank()) {
            props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        } else {
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
        }
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, heartbeatIntervalMs);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private Properties adminProperties() {
        Properties props = new Properties();
        props.putAll(kafka().createProducerProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().getBrokers());
        int timeout = (int) kafkaTimeout().toMillis();
        props.put("default.api.timeout.ms", timeout);
        props.put("request.timeout.ms", timeout);
        return props;
    }

    /** How long to wait for Kafka when reading positions: as long as a send may block (max.block.ms). */
    private Duration kafkaTimeout() {
        Integer maxBlockMs = kafka().getMaxBlockMs();
        return Duration.ofMillis(maxBlockMs != null ? maxBlockMs : 10_000);
    }

    private KafkaConfiguration kafka() {
        return context.getComponent("kafka", KafkaComponent.class).getConfiguration();
    }

    /** Leaves the group first (its shards are handed over at once), then closes what is left. */
    @Override
    public void close() {
        ShardMembership current;
        synchronized (this) {
            closed = true;
            current = membership;
        }
        if (current != null) {
            current.close();
        }
        for (ShardTask task : owned.values()) {
            task.close(Duration.ofSeconds(5));
        }
        owned.clear();
    }

    public void setMetrics(PublisherMetrics metrics) {
        this.metrics = metrics;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public void setPositionsTopic(String positionsTopic) {
        this.positionsTopic = positionsTopic;
    }

    /** The base of the transactional ids: shard n uses {@code <base>-<n>}. */
    public void setTransactionalId(String transactionalId) {
        this.transactionalId = transactionalId;
    }

    /** The number of shards: the partitions of the positions topic. */
    public void setShards(int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("the number of shards must be at least 1: " + shards);
        }
        this.shards = shards;
    }

    /** The consumer group of the replicas; empty: the transactional id base. */
    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    /** Static membership (e.g. the pod name); empty: dynamic membership. Never shared by two running instances. */
    public void setGroupInstanceId(String groupInstanceId) {
        this.groupInstanceId = groupInstanceId == null ? "" : groupInstanceId;
    }

    public void setSessionTimeoutMs(int sessionTimeoutMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    public void setHeartbeatIntervalMs(int heartbeatIntervalMs) {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
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
