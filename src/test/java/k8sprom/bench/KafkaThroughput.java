package k8sprom.bench;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import k8sprom.publisher.OutboundMessage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka's own producer throughput on this machine for a cycle's messages: a plain KafkaProducer with the publisher's
 * settings (acks=all, idempotent, linger.ms=20, batch.size=262144, lz4, String serializers) sends them all and
 * flushes. The transactional variant sends them the way the publisher does: one transaction per metric window.
 */
final class KafkaThroughput {

    private KafkaThroughput() {}

    record Result(double seconds, int messages, long valueBytes) {
        double messagesPerSecond() {
            return messages / seconds;
        }
    }

    static Properties producerSettings(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262144);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }

    /** Every message of every window, then one flush; the clock runs from the first send to the flush's return. */
    static Result plain(String bootstrapServers, String topic, List<List<OutboundMessage>> windows) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerSettings(bootstrapServers))) {
            producer.partitionsFor(topic); // metadata and connection before the clock starts
            long began = System.nanoTime();
            Future<?> last = null;
            int count = 0;
            long bytes = 0;
            for (List<OutboundMessage> window : windows) {
                for (OutboundMessage message : window) {
                    last = producer.send(new ProducerRecord<>(topic, message.containerId(), message.json()));
                    count++;
                    bytes += message.json().length();
                }
            }
            producer.flush();
            if (last != null) {
                last.get();
            }
            return new Result((System.nanoTime() - began) / 1e9, count, bytes);
        }
    }

    /** One transaction per window, each flushed and committed before the next, as KafkaWindowPublisher does. */
    static Result transactional(
            String bootstrapServers, String topic, List<List<OutboundMessage>> windows, String transactionalId)
            throws Exception {
        Properties props = producerSettings(bootstrapServers);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.partitionsFor(topic);
            long began = System.nanoTime();
            int count = 0;
            long bytes = 0;
            for (List<OutboundMessage> window : windows) {
                producer.beginTransaction();
                for (OutboundMessage message : window) {
                    producer.send(new ProducerRecord<>(topic, message.containerId(), message.json()));
                    count++;
                    bytes += message.json().length();
                }
                producer.commitTransaction();
            }
            return new Result((System.nanoTime() - began) / 1e9, count, bytes);
        }
    }
}
