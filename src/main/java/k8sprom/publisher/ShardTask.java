package k8sprom.publisher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard while this instance owns it: its transactional producer ({@code transactional.id = <base>-<shard>}) and
 * the positions of its metrics, read after that producer's {@code initTransactions()}.
 *
 * <p>The order is Kafka Connect's for exactly-once source tasks: {@code initTransactions()} first (it fences the
 * previous owner and completes or aborts whatever it left open), then the shard's positions are read to the end with
 * read_committed, then windows are published. Positions never outlive their producer: whenever the producer goes
 * (a failure, a commit whose outcome is unknown, fencing, revocation) the positions go with it, and the next producer
 * reads them again. A window is published only if the position it was planned from is still the shard's position,
 * so a window planned before the shard changed hands can neither repeat nor skip a step.
 *
 * <p>Group commit: windows of this shard that arrive while another one is sent or committed (the lock is fair, so
 * they queue in order) join one transaction, which one of them commits for all. A window whose transaction failed
 * because of another window's record is sent again in a transaction of its own.
 *
 * <p>After {@code ProducerFencedException} the shard stays fenced: another producer owns the id now. Only a new
 * confirmation by the consumer group (a fresh task) may take it again.
 */
public class ShardTask {

    private static final Logger LOG = LoggerFactory.getLogger(ShardTask.class);

    /** Told when the shard was fenced, so that the instance can ask the group whether it still owns the shard. */
    public interface FencingListener {
        void fenced(int shard);
    }

    private enum State {
        NEW,
        READY,
        FENCED,
        CLOSED
    }

    private final int shard;
    private final Supplier<Producer<String, String>> producers;
    private final Supplier<Map<String, Instant>> positionsReader;
    private final String topic;
    private final String positionsTopic;
    private final FencingListener fencingListener;
    private final int commitAttempts;

    /** Fair, so that windows waiting while one is sent or committed join the next transaction in arrival order. */
    private final ReentrantLock lock = new ReentrantLock(true);

    private volatile State state = State.NEW;
    private Producer<String, String> producer;
    private Transaction open;
    /** The shard's committed positions, read after the current producer's init; null whenever there is no producer. */
    private volatile Map<String, Instant> positions;

    /**
     * @param producers       creates the shard's transactional producer, not yet initialised
     * @param positionsReader reads the shard's positions to the end with read_committed
     * @param commitAttempts  how often a commit that timed out is tried before its outcome is left to the next init
     */
    public ShardTask(
            int shard,
            Supplier<Producer<String, String>> producers,
            Supplier<Map<String, Instant>> positionsReader,
            String topic,
            String positionsTopic,
            FencingListener fencingListener,
            int commitAttempts) {
        this.shard = shard;
        this.producers = producers;
        this.positionsReader = positionsReader;
        this.topic = topic;
        this.positionsTopic = positionsTopic;
        this.fencingListener = fencingListener;
        this.commitAttempts = Math.max(1, commitAttempts);
    }

    public int shard() {
        return shard;
    }

    /** Takes the shard: init the producer, then read the positions. Does nothing when already ready. */
    public void start() {
        lock.lock();
        try {
            ensureReady();
        } finally {
            lock.unlock();
        }
    }

    /** True while the shard has an initialised producer and positions read after its init. */
    public boolean ready() {
        return state == State.READY;
    }

    public boolean fenced() {
        return state == State.FENCED;
    }

    /** The metric's committed position; empty before its first window, and whenever the shard is not ready. */
    public Optional<Instant> position(String metric) {
        Map<String, Instant> current = positions;
        return current == null ? Optional.empty() : Optional.ofNullable(current.get(metric));
    }

    /**
     * Publishes a window and the metric's new position in one transaction (shared with the windows queued with it),
     * and returns once it has committed.
     *
     * @param plannedFrom the position the window was planned from (empty: the metric had none); if the shard's
     *                    position is another one now, nothing is sent and {@link StaleWindowException} is thrown
     * @param newPosition the window's last step
     */
    public void publish(
            List<OutboundMessage> messages, String metric, Optional<Instant> plannedFrom, Instant newPosition) {
        try {
            publishOnce(messages, metric, plannedFrom, newPosition);
        } catch (OtherWindowFailed e) {
            publishOnce(messages, metric, plannedFrom, newPosition);
        }
    }

    private void publishOnce(
            List<OutboundMessage> messages, String metric, Optional<Instant> plannedFrom, Instant newPosition) {
        Window window = new Window();
        Transaction transaction;
        lock.lock();
        try {
            ensureReady();
            Optional<Instant> current = currentPosition(metric);
            if (!current.equals(plannedFrom)) {
                throw new StaleWindowException("shard " + shard + ": metric " + metric
                        + " was planned from position "
                        + plannedFrom.map(Instant::toString).orElse("(none)")
                        + " but its position is "
                        + current.map(Instant::toString).orElse("(none)") + " now");
            }
            try {
                if (open == null) {
                    producer.beginTransaction();
                    open = new Transaction(producer);
                }
                transaction = open;
                transaction.windows.add(window);
                for (OutboundMessage message : messages) {
                    window.sent.add(producer.send(new ProducerRecord<>(topic, message.containerId(), message.json())));
                }
                // the explicit partition keeps every position in its shard whatever partitioner is configured
                window.sent.add(producer.send(
                        new ProducerRecord<>(positionsTopic, shard, metric, PositionRecord.write(newPosition))));
                transaction.positions.put(metric, newPosition);
            } catch (RuntimeException e) {
                window.failure = e;
                if (open != null) {
                    fail(open, e);
                } else {
                    dropProducer(e);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
        commit(transaction, window);
    }

    /** The position a new window must start after: the open transaction's, else the committed one. */
    private Optional<Instant> currentPosition(String metric) {
        if (open != null && open.positions.containsKey(metric)) {
            return Optional.of(open.positions.get(metric));
        }
        return position(metric);
    }

    /** Commits the transaction unless a window that joined it already did; reports this window's outcome. */
    private void commit(Transaction transaction, Window window) {
        lock.lock();
        try {
            if (!transaction.finished) {
                if (open == transaction) {
                    open = null;
                }
                try {
                    // one wait per transaction, not per message; a failed send is reported with its own cause
                    transaction.producer.flush();
                    for (Window member : transaction.windows) {
                        for (Future<?> result : member.sent) {
                            try {
                                result.get();
                            } catch (ExecutionException e) {
                                member.failure = new KafkaException(
                                        "Kafka refused a record: "
                                                + e.getCause().getMessage(),
                                        e.getCause());
                                throw member.failure;
                            }
                        }
                    }
                    commitRetryingTimeouts(transaction.producer);
                    transaction.finished = true;
                    Map<String, Instant> committed = positions;
                    if (committed != null) {
                        committed.putAll(transaction.positions);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail(transaction, new KafkaException("interrupted while publishing", e));
                } catch (RuntimeException e) {
                    fail(transaction, e);
                }
            }
            if (transaction.failure != null) {
                boolean someoneElsesRecord = window.failure == null
                        && transaction.windows.stream().anyMatch(member -> member != window && member.failure != null);
                boolean stillOwned = state == State.NEW || state == State.READY;
                if (someoneElsesRecord && stillOwned) {
                    throw new OtherWindowFailed();
                }
                throw transaction.failure;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A commit that timed out may still complete: it is tried again on the same producer (Kafka's producer allows
     * exactly that). If it still has no answer, its outcome is left to the next {@code initTransactions()}, which
     * completes or aborts it, and the positions are read again after it.
     */
    private void commitRetryingTimeouts(Producer<String, String> transactional) {
        for (int attempt = 1; ; attempt++) {
            try {
                transactional.commitTransaction();
                return;
            } catch (TimeoutException e) {
                if (attempt >= commitAttempts) {
                    throw new KafkaException(
                            "shard " + shard + ": the commit's outcome is unknown after " + attempt
                                    + " attempts; the positions will be read again after the next initTransactions()",
                            e);
                }
                LOG.warn(
                        "Shard {}: commitTransaction timed out (attempt {} of {}), trying again: {}",
                        shard,
                        attempt,
                        commitAttempts,
                        e.getMessage());
            }
        }
    }

    /** The transaction failed: its windows report the failure, and the producer goes with its positions. */
    private void fail(Transaction transaction, RuntimeException failure) {
        transaction.finished = true;
        transaction.failure = failure;
        if (open == transaction) {
            open = null;
        }
        if (transaction.producer == producer) {
            dropProducer(failure);
        }
    }

    /**
     * After a failure the producer's state is unknown: abort what can be aborted (so read_committed consumers are not
     * held up), close it, and forget the positions: the next producer reads them again after its init. A fenced
     * producer is not re-initialised: the shard stays fenced until the group confirms it again.
     */
    private void dropProducer(RuntimeException failure) {
        boolean fencedNow = isFencing(failure);
        Producer<String, String> failed = producer;
        producer = null;
        positions = null;
        if (open != null) {
            open.finished = true;
            open.failure = failure;
            open = null;
        }
        if (failed != null) {
            if (!fencedNow) {
                try {
                    failed.abortTransaction();
                } catch (RuntimeException ignored) {
                    // e.g. after a commit timeout Kafka refuses an abort; the next init resolves the transaction
                }
            }
            failed.close(Duration.ZERO);
        }
        if (fencedNow) {
            state = State.FENCED;
            LOG.warn(
                    "Shard {}: fenced, another producer holds its transactional id now; its work stops: {}",
                    shard,
                    failure.getMessage());
            fencingListener.fenced(shard);
        } else if (state == State.READY) {
            state = State.NEW;
            LOG.warn(
                    "Shard {}: transaction failed, producer closed; positions will be read again after the next "
                            + "initTransactions(): {}",
                    shard,
                    failure.getMessage());
        }
    }

    /** Init first, then read the positions: positions read before the last init are never trusted. */
    private void ensureReady() {
        switch (state) {
            case READY:
                return;
            case FENCED:
                throw new ShardUnavailableException("shard " + shard + " is fenced by another producer");
            case CLOSED:
                throw new ShardUnavailableException("shard " + shard + " is no longer owned by this instance");
            default:
                break;
        }
        Producer<String, String> created = producers.get();
        Map<String, Instant> read;
        try {
            created.initTransactions();
            read = positionsReader.get();
        } catch (RuntimeException e) {
            created.close(Duration.ZERO);
            throw e;
        }
        producer = created;
        positions = new ConcurrentHashMap<>(read);
        state = State.READY;
        LOG.info("Shard {}: producer initialised, {} positions read", shard, read.size());
    }

    /**
     * The shard was revoked or lost: stop its work, close its producer, drop its positions. A transaction left open
     * is aborted by the next owner's init; windows waiting for it fail here.
     */
    public void close(Duration wait) {
        lock.lock();
        try {
            state = State.CLOSED;
            if (open != null) {
                open.finished = true;
                open.failure = new ShardUnavailableException("shard " + shard + " was revoked before its commit");
                open = null;
            }
            positions = null;
            if (producer != null) {
                producer.close(wait);
                producer = null;
            }
        } finally {
            lock.unlock();
        }
    }

    static boolean isFencing(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
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
}
