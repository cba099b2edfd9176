package k8sprom.publisher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each metric window and the metric's new position in one Kafka transaction, and keeps the positions in a
 * compacted topic, so that every sample reaches read_committed consumers exactly once, even across kill -9.
 *
 * <p>camel-kafka's own transactions commit when an exchange's unit of work ends and close the producer for good on
 * the first broker error; a publisher that must outlive Kafka outages needs to abort, recreate the producer and
 * retry by itself, so this class drives the Kafka producer directly. Its connection and security settings are still
 * the camel-kafka component's (camel.component.kafka.*), so there is one place to configure Kafka.
 */
public class KafkaWindowPublisher implements PositionStore, CamelContextAware, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaWindowPublisher.class);

    private CamelContext context;
    private String topic;
    private String positionsTopic;
    private String transactionalId;

    /** Fair, so that windows waiting while one is sent or committed join the next transaction in arrival order. */
    private final ReentrantLock lock = new ReentrantLock(true);
    private Producer<String, String> producer;
    private Transaction open;
    private volatile Map<String, Instant> positions;

    /**
     * Sends the messages and, when given, the metric's new position; both become visible together or not at all.
     *
     * <p>Group commit: the window's records go into the transaction that is open, and the call returns once that
     * transaction has committed. Windows that arrive while another window is being sent or committed (the lock is
     * fair, so they queue in order) join one transaction, which one of them commits for all. A window and its
     * position are always in the same transaction; only the number of windows per transaction changes, and with it
     * the cost of a commit (Kafka needs tens of milliseconds for each commit and the next transaction's start).
     * When a transaction fails because of another window's record, this window is sent again in a transaction of its
     * own, so one bad window never takes the others down with it.
     */
    public void publish(List<OutboundMessage> messages, String metric, Instant newPosition) {
        try {
            publishOnce(messages, metric, newPosition);
        } catch (OtherWindowFailed e) {
            publishOnce(messages, metric, newPosition);
        }
    }

    private void publishOnce(List<OutboundMessage> messages, String metric, Instant newPosition) {
        loadPositionsIfNeeded();
        Window window = new Window();
        Transaction transaction;
        lock.lock();
        try {
            Producer<String, String> transactional = producer();
            if (open == null) {
                transactional.beginTransaction();
                open = new Transaction(transactional);
            }
            transaction = open;
            transaction.windows.add(window);
            try {
                for (OutboundMessage message : messages) {
                    window.sent.add(transactional.send(new ProducerRecord<>(topic, message.containerId(), message.json())));
                }
                if (newPosition != null) {
                    window.sent.add(transactional.send(
                            new ProducerRecord<>(positionsTopic, metric, PositionRecord.write(newPosition))));
                    transaction.positions.merge(metric, newPosition,
                            (old, candidate) -> candidate.isAfter(old) ? candidate : old);
                }
            } catch (RuntimeException e) {
                window.failure = e;
                finish(transaction, e);
                throw e;
            }
        } finally {
            lock.unlock();
        }
        commit(transaction, window);
    }

    /** Commits the transaction unless a window that joined it already did; reports this window's outcome. */
    private void commit(Transaction transaction, Window window) {
        lock.lock();
        try {
            if (!transaction.finished) {
                open = null;
                try {
                    // one wait per transaction, not per message; a failed send is reported with its own cause
                    // (not only as the "error state" the commit would give)
                    transaction.producer.flush();
                    for (Window member : transaction.windows) {
                        for (Future<?> result : member.sent) {
                            try {
                                result.get();
                            } catch (ExecutionException e) {
                                member.failure = new KafkaException("Kafka refused a record: "
                                        + e.getCause().getMessage(), e.getCause());
                                throw member.failure;
                            }
                        }
                    }
                    transaction.producer.commitTransaction();
                    transaction.finished = true;
                    transaction.positions.forEach((metric, position) -> positions.merge(metric, position,
                            (old, candidate) -> candidate.isAfter(old) ? candidate : old));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    finish(transaction, new IllegalStateException("interrupted while publishing", e));
                } catch (RuntimeException e) {
                    finish(transaction, e);
                }
            }
            if (transaction.failure != null) {
                boolean someoneElsesRecord = window.failure == null && transaction.windows.stream()
                        .anyMatch(member -> member != window && member.failure != null);
                if (someoneElsesRecord) {
                    throw new OtherWindowFailed();
                }
                throw transaction.failure;
            }
        } finally {
            lock.unlock();
        }
    }

    /** After any failure the transaction's state is unknown: abort what can be aborted and start afresh next time. */
    private void finish(Transaction transaction, RuntimeException failure) {
        transaction.finished = true;
        transaction.failure = failure;
        if (open == transaction) {
            open = null;
        }
        discardProducer(transaction.producer);
    }

    /** The records one window sent, and the error of its own records, if any. */
    private static final class Window {
        final List<Future<?>> sent = new ArrayList<>();
        RuntimeException failure;
    }

    /** A Kafka transaction and the windows that joined it. Guarded by the lock. */
    private static final class Transaction {
        final Producer<String, String> producer;
        final List<Window> windows = new ArrayList<>();
        final Map<String, Instant> positions = new HashMap<>();
        boolean finished;
        RuntimeException failure;

        Transaction(Producer<String, String> producer) {
            this.producer = producer;
        }
    }

    /** The transaction failed because of a record of another window: send this window again, on its own. */
    private static final class OtherWindowFailed extends RuntimeException {
        OtherWindowFailed() {
            super(null, null, false, false);
        }
    }

    @Override
    public Optional<Instant> lastPublished(String metric) {
        loadPositionsIfNeeded();
        return Optional.ofNullable(positions.get(metric));
    }

    @Override
    public void published(String metric, Instant lastStep) {
        // the position is written inside publish()'s transaction; nothing is left to do afterwards
    }

    private void loadPositionsIfNeeded() {
        if (positions == null) {
            lock.lock();
            try {
                if (positions == null) {
                    positions = readPositions();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private Map<String, Instant> readPositions() {
        ensurePositionsTopic();
        Map<String, Instant> loaded = new ConcurrentHashMap<>();
        Properties props = kafka().createConsumerProperties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().getBrokers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Duration timeout = kafkaTimeout();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(positionsTopic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the positions topic " + positionsTopic
                            + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        loaded.put(record.key(), PositionRecord.read(record.value()));
                    }
                }
            }
        }
        LOG.info("Read {} metric positions from {}", loaded.size(), positionsTopic);
        return loaded;
    }

    private void ensurePositionsTopic() {
        Properties props = new Properties();
        props.putAll(kafka().createProducerProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().getBrokers());
        Duration timeout = kafkaTimeout();
        props.put("default.api.timeout.ms", (int) timeout.toMillis());
        props.put("request.timeout.ms", (int) timeout.toMillis());
        Admin admin = Admin.create(props);
        try {
            NewTopic compacted = new NewTopic(positionsTopic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(compacted)).all().get(timeout.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            LOG.info("Created the compacted positions topic {}", positionsTopic);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the positions topic " + positionsTopic + ": "
                        + e.getCause().getMessage(), e.getCause());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + timeout
                    + " while checking the positions topic " + positionsTopic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            // do not wait for calls still pending against an unreachable broker
            admin.close(Duration.ZERO);
        }
    }

    /** How long to wait for Kafka when reading positions: as long as a send may block (max.block.ms). */
    private Duration kafkaTimeout() {
        Integer maxBlockMs = kafka().getMaxBlockMs();
        return Duration.ofMillis(maxBlockMs != null ? maxBlockMs : 10_000);
    }

    private Producer<String, String> producer() {
        if (producer == null) {
            Properties props = kafka().createProducerProperties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().getBrokers());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            Producer<String, String> created = new KafkaProducer<>(props);
            try {
                // fences a previous instance with the same id and aborts whatever it left open (kill -9)
                created.initTransactions();
            } catch (RuntimeException e) {
                created.close(Duration.ZERO);
                throw e;
            }
            producer = created;
        }
        return producer;
    }

    private void discardProducer(Producer<String, String> failed) {
        try {
            failed.abortTransaction();
        } catch (RuntimeException ignored) {
            // the producer is closed below either way
        }
        failed.close(Duration.ZERO);
        if (producer == failed) {
            producer = null;
        }
    }

    private KafkaConfiguration kafka() {
        return context.getComponent("kafka", KafkaComponent.class).getConfiguration();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        } finally {
            lock.unlock();
        }
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public void setPositionsTopic(String positionsTopic) {
        this.positionsTopic = positionsTopic;
    }

    public void setTransactionalId(String transactionalId) {
        this.transactionalId = transactionalId;
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
