package k8sprom.publisher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.JarProcess;
import k8sprom.testsupport.KafkaBroker;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SyntheticCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A first run on one machine (./demo.sh): a synthetic 5-pod cluster, a real Prometheus scraping it, an embedded
 * single-node Kafka broker, and the publisher jar pointed at both; prints every message it publishes.
 * Runs for DEMO_SECONDS (default 60) and stops everything it started.
 */
public final class DemoStack {

    private DemoStack() {}

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(System.getenv().getOrDefault("DEMO_SECONDS", "60"));
        Path work = Files.createDirectories(Path.of("target", "demo"));
        try (SyntheticCluster cluster = SyntheticCluster.start(5, SyntheticCluster.LabelStyle.MODERN);
                PrometheusServer prometheus = PrometheusServer.start(
                        work.resolve("prometheus-" + System.nanoTime()), Duration.ofSeconds(2), cluster.target());
                KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka-" + System.nanoTime()))) {
            int managementPort = FreePort.find();
            System.out.println("Prometheus " + prometheus.baseUrl() + " scrapes a synthetic cluster at "
                    + cluster.target() + "; Kafka at " + kafka.bootstrapServers());
            prometheus.awaitFullWindow(Duration.ofSeconds(20));
            Path log = work.resolve("publisher.log");
            try (JarProcess publisher = JarProcess.start(
                    Map.of(
                            "PROMETHEUS_URL", prometheus.baseUrl(),
                            "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                            "SCHEDULER_SECONDS", "5",
                            "PROMETHEUS_POLLING_STEP", "5s",
                            "PUBLISHER_SETTLE_DELAY", "4s",
                            "PUBLISHER_RATE_RANGE", "20s",
                            "MANAGEMENT_PORT", String.valueOf(managementPort)),
                    log)) {
                System.out.println("Publisher started (log: " + log + "); health at http://127.0.0.1:" + managementPort
                        + "/observe/health, metrics at /observe/metrics");
                printMessages(kafka.bootstrapServers(), Duration.ofSeconds(seconds));
            }
        }
    }

    private static void printMessages(String bootstrapServers, Duration duration) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "demo");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        long deadline = System.nanoTime() + duration.toNanos();
        long count = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of("nfvi.ncsrd.kubernetes"));
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    count++;
                    System.out.println(record.key() + " " + record.value());
                }
            }
        }
        System.out.println(count + " messages received on nfvi.ncsrd.kubernetes");
    }
}
