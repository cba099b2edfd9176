package k8sprom.publisher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The transactional core of one shard against kafka-clients' MockProducer: what happens to the producer and the
 * positions on a commit timeout, on fencing, when an abort fails, and when one window of a group commit fails.
 * "Kafka" here is what the mock producers committed: the positions reader reads them back, as the real reader reads
 * the positions topic with read_committed.
 */
class ShardTaskTest {

    private static final String TOPIC = "samples";
    private static final String POSITIONS = "samples.positions";
    private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

    /** Every producer the task created, in order; and how often it read the positions. */
    private final List<ScriptedProducer> producers = new ArrayList<>();

    private final AtomicInteger positionReads = new AtomicInteger();
    private final AtomicInteger fencings = new AtomicInteger();
    private ScriptedProducer next = new ScriptedProducer();

    private ShardTask task() {
        return new ShardTask(
                3,
                () -> {
                    ScriptedProducer created = next;
                    producers.add(created);
                    next = new ScriptedProducer();
                    return created;
                },
                this::committedPositions,
                TOPIC,
                POSITIONS,
                shard -> fencings.incrementAndGet(),
                3);
    }

    /** The positions every producer committed, last one per metric: what read_committed would read. */
    private Map<String, Instant> committedPositions() {
        positionReads.incrementAndGet();
        Map<String, Instant> positions = new HashMap<>();
        for (ScriptedProducer producer : producers) {
            for (ProducerRecord<String, String> record : producer.history()) {
                if (record.topic().equals(POSITIONS)) {
                    positions.put(record.key(), PositionRecord.read(record.value()));
                }
            }
        }
        return positions;
    }

    /** Samples committed to the samples topic, over every producer: a sample key appearing twice is a duplicate. */
    private List<String> committedSamples() {
        List<String> samples = new ArrayList<>();
        for (ScriptedProducer producer : producers) {
            for (ProducerRecord<String, String> record : producer.history()) {
                if (record.topic().equals(TOPIC)) {
                    samples.add(record.value());
                }
            }
        }
        return samples;
    }

    private static List<OutboundMessage> window(String metric, Instant end) {
        return List.of(new OutboundMessage("c1", metric + "@" + end));
    }

    @Test
    void initComesBeforeReadingPositionsAndPositionsAreCheckedBeforeSending() {
        ShardTask task = task();
        assertFalse(task.ready());
        task.start();
        assertTrue(producers.get(0).transactionInitialized());
        assertEquals(1, positionReads.get());

        task.publish(window("m", T0), "m", Optional.empty(), T0);
        assertEquals(Optional.of(T0), task.position("m"));
        assertEquals(Optional.of(T0), Optional.ofNullable(committedPositions().get("m")));
        // the position record goes to the shard's own partition
        assertEquals(
                3,
                producers.get(0).history().stream()
                        .filter(r -> r.topic().equals(POSITIONS))
                        .findFirst()
                        .orElseThrow()
                        .partition());

        // a window planned from an older position (before T0 was committed) is refused, and nothing is sent
        assertThrows(
                StaleWindowException.class,
                () -> task.publish(window("m", T0.plusSeconds(20)), "m", Optional.empty(), T0.plusSeconds(20)));
        assertEquals(List.of("m@" + T0), committedSamples());
    }

    @Test
    void aCommitThatTimesOutIsRetriedNotAbortedAndCommittedOnce() {
        ShardTask task = task();
        task.start();
        next = null;
        producers.get(0).commitTimeouts.set(2); // two timeouts, then the commit goes through

        task.publish(window("m", T0), "m", Optional.empty(), T0);

        assertEquals(1, producers.size(), "the same producer retried its commit");
        assertFalse(producers.get(0).transactionAborted());
        assertEquals(List.of("m@" + T0), committedSamples());
        assertEquals(Optional.of(T0), task.position("m"));
    }

    @Test
    void aCommitWhoseOutcomeStaysUnknownDropsProducerAndPositionsAndTheNextInitRereadsThem() {
        ShardTask task = task();
        task.start();
        ScriptedProducer first = producers.get(0);
        // the commit reaches Kafka, but its answer never arrives: every attempt times out after committing
        first.commitTimeouts.set(100);
        first.commitDespiteTimeout = true;

        KafkaException unknown =
                assertThrows(KafkaException.class, () -> task.publish(window("m", T0), "m", Optional.empty(), T0));
        assertTrue(unknown.getMessage().contains("outcome is unknown"), unknown.getMessage());
        assertTrue(first.closed());
        assertFalse(task.ready());
        assertEquals(Optional.empty(), task.position("m"), "positions go with the producer");

        // the cycle tries the same window again (its planner never saw it succeed): the next producer is
        // initialised, the positions are read again, and they show that the window did commit: it is refused
        assertThrows(StaleWindowException.class, () -> task.publish(window("m", T0), "m", Optional.empty(), T0));
        assertEquals(2, producers.size());
        assertTrue(producers.get(1).transactionInitialized());
        assertEquals(2, positionReads.get());
        assertEquals(List.of("m@" + T0), committedSamples(), "published exactly once");
        assertEquals(Optional.of(T0), task.position("m"));
    }

    @Test
    void aFencedShardStopsClosesItsProducerAndDoesNotReinitOnItsOwn() {
        ShardTask task = task();
        task.start();
        task.publish(window("m", T0), "m", Optional.empty(), T0);
        producers.get(0).fenceProducer();

        RuntimeException error = assertThrows(
                RuntimeException.class,
                () -> task.publish(window("m", T0.plusSeconds(20)), "m", Optional.of(T0), T0.plusSeconds(20)));
        assertTrue(ShardTask.isFencing(error), error.toString());
        assertTrue(task.fenced());
        assertEquals(1, fencings.get());
        assertTrue(producers.get(0).closed());
        assertEquals(Optional.empty(), task.position("m"));

        assertThrows(ShardUnavailableException.class, task::start);
        assertThrows(
                ShardUnavailableException.class,
                () -> task.publish(window("m", T0.plusSeconds(20)), "m", Optional.of(T0), T0.plusSeconds(20)));
        assertEquals(1, producers.size(), "no new producer: someone else owns the transactional id");
        assertEquals(List.of("m@" + T0), committedSamples());
    }

    @Test
    void whenTheAbortFailsTooTheProducerAndPositionsAreDroppedAndReadAgain() {
        ShardTask task = task();
        task.start();
        task.publish(window("m", T0), "m", Optional.empty(), T0);
        ScriptedProducer first = producers.get(0);
        first.failingValue = "m@" + T0.plusSeconds(20);
        first.abortTransactionException = new KafkaException("abort failed too");

        assertThrows(
                KafkaException.class,
                () -> task.publish(window("m", T0.plusSeconds(20)), "m", Optional.of(T0), T0.plusSeconds(20)));
        assertTrue(first.closed());
        assertFalse(task.ready());
        assertEquals(0, fencings.get());

        task.start();
        assertEquals(2, positionReads.get());
        assertEquals(Optional.of(T0), task.position("m"), "read again after the new producer's init");
        task.publish(window("m", T0.plusSeconds(20)), "m", Optional.of(T0), T0.plusSeconds(20));
        assertEquals(List.of("m@" + T0, "m@" + T0.plusSeconds(20)), committedSamples());
    }

    @Test
    void aFailedSendInAGroupCommitFailsOnlyItsOwnWindowTheOtherIsSentAgainAlone() throws Exception {
        ShardTask task = task();
        task.start();
        ScriptedProducer first = producers.get(0);
        first.failingValue = "bad@" + T0;
        CountDownLatch firstWindowSending = new CountDownLatch(1);
        CountDownLatch secondWindowQueued = new CountDownLatch(1);
        first.whileSending = value -> {
            if (value.startsWith("good")) {
                firstWindowSending.countDown();
                awaitLatch(secondWindowQueued);
            }
        };

        AtomicReference<Throwable> goodOutcome = new AtomicReference<>();
        Thread good = new Thread(() -> {
            try {
                task.publish(window("good", T0), "good", Optional.empty(), T0);
            } catch (Throwable e) {
                goodOutcome.set(e);
            }
        });
        good.start();
        awaitLatch(firstWindowSending);
        AtomicReference<Throwable> badOutcome = new AtomicReference<>();
        Thread bad = new Thread(() -> {
            try {
                task.publish(window("bad", T0), "bad", Optional.empty(), T0);
            } catch (Throwable e) {
                badOutcome.set(e);
            }
        });
        bad.start();
        // the second window waits for the lock the first one holds: it joins the same transaction
        await().atMost(Duration.ofSeconds(10)).until(() -> bad.getState() == Thread.State.WAITING);
        first.whileSending = value -> {};
        secondWindowQueued.countDown();
        good.join(10_000);
        bad.join(10_000);

        assertEquals(
                2,
                first.transactionWindows.stream().mapToInt(List::size).max().orElse(0),
                "both windows were in one transaction");
        assertTrue(first.transactionAborted());
        assertEquals(null, goodOutcome.get(), "the good window is sent again on its own");
        assertTrue(badOutcome.get() instanceof KafkaException, String.valueOf(badOutcome.get()));
        assertTrue(
                badOutcome.get().getMessage().contains("refused a record"),
                badOutcome.get().getMessage());
        assertEquals(List.of("good@" + T0), committedSamples());
        assertEquals(Optional.of(T0), task.position("good"));
        assertEquals(Optional.empty(), task.position("bad"));
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * MockProducer with scripted trouble: commits that time out (and may have committed nonetheless, as a real
     * commit whose answer is lost), a record Kafka refuses, a hook while a window is being sent.
     */
    private static final class ScriptedProducer extends MockProducer<String, String> {

        final AtomicInteger commitTimeouts = new AtomicInteger();
        volatile boolean commitDespiteTimeout;
        volatile String failingValue;
        volatile java.util.function.Consumer<String> whileSending = value -> {};
        final List<List<String>> transactionWindows = new ArrayList<>();
        private List<String> current = new ArrayList<>();

        ScriptedProducer() {
            super(true, new StringSerializer(), new StringSerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record) {
            if (record.topic().equals(TOPIC)) {
                current.add(record.value());
            }
            if (record.value().equals(failingValue)) {
                return CompletableFuture.failedFuture(new RecordTooLargeException("too large: " + record.value()));
            }
            Future<RecordMetadata> sent = super.send(record);
            whileSending.accept(record.value());
            return sent;
        }

        @Override
        public void beginTransaction() {
            super.beginTransaction();
            current = new ArrayList<>();
            transactionWindows.add(current);
        }

        @Override
        public void commitTransaction() {
            if (commitTimeouts.getAndDecrement() > 0) {
                if (commitDespiteTimeout && transactionInFlight()) {
                    super.commitTransaction();
                }
                throw new TimeoutException("Timeout expired after 10000ms while awaiting EndTxn(COMMIT)");
            }
            super.commitTransaction();
        }
    }
}
