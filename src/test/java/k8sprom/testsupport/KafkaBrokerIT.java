package k8sprom.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-JVM broker is a real Kafka: transactions, compaction config, auto-creation, restart. */
class KafkaBrokerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path dataDir;

    private static KafkaBroker broker;

    @BeforeAll
    static void start() {
        long t0 = System.nanoTime();
        broker = KafkaBroker.start(dataDir);
        System.out.printf(
                "Kafka broker started in %d ms at %s%n",
                (System.nanoTime() - t0) / 1_000_000, broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void readCommittedSeesOnlyCommittedTransactionsAndDataSurvivesRestart() {
        String topic = "tx-test";
        broker.createTopic(topic, 3, true);
        assertEquals("compact", broker.topicConfig(topic).get("cleanup.policy"));

        try (KafkaProducer<String, String> producer = transactionalProducer("it-tx")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k1", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "k2", "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k3", "aborted"));
            producer.flush(); // really written to the log, then aborted
            producer.abortTransaction();
        }

        assertEquals(List.of("committed-1", "committed-2"), sortedValues(broker.readAll(topic, true, 2, TIMEOUT)));
        // The aborted record is in the log: read_uncommitted proves the filter above was real.
        assertEquals(
                List.of("aborted", "committed-1", "committed-2"),
                sortedValues(broker.readAll(topic, false, 3, TIMEOUT)));

        broker.stop();
        assertFalse(broker.isRunning());
        assertThrows(
                IOException.class,
                () -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", broker.port()), 1000);
                    }
                },
                "nothing should listen on the broker port while it is stopped");

        broker.restart();
        assertTrue(broker.isRunning());
        assertEquals(List.of("committed-1", "committed-2"), sortedValues(broker.readAll(topic, true, 2, TIMEOUT)));

        // Same transactional id after the restart: the coordinator state came back from disk too.
        try (KafkaProducer<String, String> producer = transactionalProducer("it-tx")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k4", "after-restart"));
            producer.commitTransaction();
        }
        assertEquals(
                List.of("after-restart", "committed-1", "committed-2"),
                sortedValues(broker.readAll(topic, true, 3, TIMEOUT)));
    }

    @Test
    void topicsAreAutoCreatedWithThreePartitionsButNotByReading() {
        assertTrue(
                broker.readAll("never-written", false, Duration.ofMillis(300)).isEmpty());
        assertFalse(broker.topics().contains("never-written"));

        Properties props = producerProps();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("auto-created", "k" + i, "v" + i));
            }
        }
        assertEquals(3, broker.partitionCount("auto-created"));
        assertEquals(
                10,
                broker.readAll("auto-created", false, Duration.ofMillis(500)).size());
        assertEquals(10, broker.readAll("auto-created", true, 10, TIMEOUT).size());
    }

    private static KafkaProducer<String, String> transactionalProducer(String transactionalId) {
        Properties props = producerProps();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return new KafkaProducer<>(props);
    }

    private static Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    private static List<String> sortedValues(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).sorted().collect(Collectors.toList());
    }
}
