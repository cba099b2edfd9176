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
import java.time.Instant;
import k8sprom.testsupport.SyntheticCluster.LabelStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stop()/restart() keep port and TSDB and return once scraping has resumed, as the publisher's tests rely on. */
class PrometheusServerRestartIT {

    @TempDir
    Path workDir;

    @Test
    void restartKeepsPortAndData() {
        String gauge = "container_memory_usage_bytes{namespace=\"default\",pod=\"pod-0\"}";
        try (SyntheticCluster cluster = SyntheticCluster.start(1, LabelStyle.MODERN);
                // A config of our own, as another test would write for a custom target.
                PrometheusServer prometheus = PrometheusServer.startWithConfig(
                        workDir, PrometheusServer.scrapeConfig(Duration.ofMillis(500), cluster.target()))) {
            prometheus.awaitNonEmpty(gauge, Duration.ofSeconds(10));
            Instant beforeStop = Instant.now();
            int port = prometheus.port();

            prometheus.stop();
            assertFalse(prometheus.isRunning());
            assertThrows(IOException.class, () -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                }
            });

            Instant beforeRestart = Instant.now();
            prometheus.restart();
            assertTrue(prometheus.isRunning());
            assertEquals(port, prometheus.port());
            // A sample from before the stop, so it came from the data directory.
            assertEquals(
                    SyntheticCluster.gaugeValue("container_memory_usage_bytes", 0),
                    prometheus.queryValue(gauge, beforeStop));
            assertScrapedSince(prometheus, gauge, beforeRestart);
        }
    }

    /**
     * {@link PrometheusServer#start} waits for targets that are up, a query of its own: after a restart it must wait
     * for the new process' first scrape too, or a rate window that {@link PrometheusServer#awaitFullWindow} calls
     * complete still reaches into the outage.
     */
    @Test
    void restartOfAServerStartedForItsTargetsReturnsAfterItsFirstNewScrape() {
        String gauge = "container_memory_usage_bytes{namespace=\"default\",pod=\"pod-0\"}";
        try (SyntheticCluster cluster = SyntheticCluster.start(1, LabelStyle.MODERN);
                PrometheusServer prometheus =
                        PrometheusServer.start(workDir, Duration.ofMillis(500), cluster.target())) {
            prometheus.stop();
            Instant beforeRestart = Instant.now();
            prometheus.restart();
            assertScrapedSince(prometheus, gauge, beforeRestart);
        }
    }

    private static void assertScrapedSince(PrometheusServer prometheus, String series, Instant beforeRestart) {
        assertFalse(prometheus.scrapingSince().isBefore(beforeRestart));
        double newest = prometheus.queryValue("timestamp(" + series + ")");
        assertTrue(
                newest * 1000 >= beforeRestart.toEpochMilli(),
                "newest sample at " + newest + " s, restarted at " + beforeRestart
                        + ": not scraped by the new process");
    }
}
