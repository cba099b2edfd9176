package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import k8sprom.testsupport.KafkaBroker;
import k8sprom.testsupport.LogCapture;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SharedKafka;
import k8sprom.testsupport.SyntheticCluster;
import k8sprom.testsupport.TlsReverseProxy;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus reached as in a real cluster: over HTTPS with a private CA, under a path prefix, with basic auth or a
 * bearer token; the secrets never appear in the log. Prometheus is this class's own (a cluster with the legacy pod
 * labels behind it); the broker is the run's shared one, with topics named {@code access.*}.
 */
@ExtendWith(SharedKafka.class)
class PrometheusAccessIT {

    private static final String PASSWORD = "pr0m-s3cret-pw";
    private static final String TOKEN = "eyJ-t0ken-value";
    private static final String PREFIX = "/prometheus";

    @TempDir
    static Path dir;

    static SyntheticCluster cluster;
    static PrometheusServer prometheus;
    static KafkaBroker kafka;
    static TlsReverseProxy proxy;

    @BeforeAll
    static void start(KafkaBroker sharedKafka) {
        cluster = SyntheticCluster.start(2, SyntheticCluster.LabelStyle.LEGACY);
        prometheus = PrometheusServer.start(dir.resolve("prometheus"), Duration.ofSeconds(1), cluster.target());
        kafka = sharedKafka;
        String basic =
                "Basic " + Base64.getEncoder().encodeToString(("scraper:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        proxy = TlsReverseProxy.start(dir, prometheus.baseUrl(), PREFIX, Set.of(basic, "Bearer " + TOKEN));
        prometheus.awaitFullWindow(Duration.ofSeconds(12));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        prometheus.close();
        cluster.close();
    }

    private List<ConsumerRecord<String, String>> publishWith(Map<String, String> access, String topic) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "prometheus.url",
                proxy.baseUrl(PREFIX),
                "prometheus.truststore",
                proxy.trustStore().toString(),
                "prometheus.truststore-password",
                proxy.trustStorePassword(),
                "kafka.bootstrap-servers",
                kafka.bootstrapServers(),
                "kafka.topic",
                topic,
                "publisher.cycle-seconds",
                "1",
                "publisher.step",
                "1s",
                "publisher.settle-delay",
                "2s",
                "publisher.rate-range",
                "10s"));
        settings.putAll(access);
        try (PublisherApp app = PublisherApp.start(settings)) {
            return kafka.readAll(topic, true, 26 * 2, Duration.ofSeconds(30));
        }
    }

    @Test
    void basicAuthOverHttpsWithAPathPrefixAndLegacyPodLabels() {
        try (LogCapture log = LogCapture.everything()) {
            List<ConsumerRecord<String, String>> records = publishWith(
                    Map.of("prometheus.username", "scraper", "prometheus.password", PASSWORD), "access.basic");

            assertTrue(records.size() >= 26 * 2, "every metric and derived message for both pods: " + records.size());
            assertTrue(records.stream().anyMatch(r -> r.value().contains("\"metric_type\":\"container_memory_swap\"")));
            assertFalse(
                    log.lines().stream().anyMatch(line -> line.message().contains(PASSWORD)),
                    "the password is never logged");
        }
        assertFalse(proxy.statuses().isEmpty());
        assertEquals(Set.of(200), Set.copyOf(proxy.statuses()), "every query was let through and answered");
    }

    @Test
    void bearerTokenOverHttps() {
        try (LogCapture log = LogCapture.everything()) {
            List<ConsumerRecord<String, String>> records =
                    publishWith(Map.of("prometheus.auth-token", TOKEN), "access.bearer");

            assertTrue(records.size() >= 26 * 2, "messages arrived: " + records.size());
            assertFalse(
                    log.lines().stream().anyMatch(line -> line.message().contains(TOKEN)), "the token is never logged");
        }
    }

    @Test
    void withoutCredentialsTheQueriesFailAndNothingIsPublished() {
        try (LogCapture log = LogCapture.everything();
                PublisherApp app = PublisherApp.start(Map.of(
                        "prometheus.url",
                        proxy.baseUrl(PREFIX),
                        "prometheus.truststore",
                        proxy.trustStore().toString(),
                        "prometheus.truststore-password",
                        proxy.trustStorePassword(),
                        "kafka.bootstrap-servers",
                        kafka.bootstrapServers(),
                        "kafka.topic",
                        "access.refused",
                        "publisher.cycle-seconds",
                        "1",
                        "publisher.step",
                        "1s",
                        "publisher.settle-delay",
                        "2s"))) {
            log.await(Duration.ofSeconds(20), "query_range", "failed (http_401)");
            assertTrue(
                    kafka.readAll("access.refused", true, Duration.ofSeconds(2)).isEmpty());
            assertEquals(503, app.management("/observe/health/ready").statusCode());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
