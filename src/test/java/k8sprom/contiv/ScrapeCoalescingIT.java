package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import k8sprom.testsupport.OvsdbServer;
import k8sprom.testsupport.SharedOvsdb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How much work scrapes cause: concurrent scrapes share one collection, and Netmaster metadata is cached for the
 * configured time while OVS statistics are read at every scrape.
 */
@ExtendWith(SharedOvsdb.class)
class ScrapeCoalescingIT {

    private static final String BATCH_7_RECEIVED = "contiv_endpoint_receive_bytes_total{container_name=\"batch-7\","
            + "host=\"node1\",interface=\"vport3\",network=\"web-net\",tenant=\"default\"}";

    static OvsdbServer ovs;
    static NetmasterSimulator netmaster;

    @BeforeAll
    static void start(OvsdbServer sharedOvs) throws Exception {
        ovs = sharedOvs;
        OvsFixture.populate(ovs);
        netmaster = NetmasterSimulator.start();
    }

    @AfterAll
    static void stop() throws Exception {
        netmaster.close();
    }

    @Test
    void concurrentScrapesShareOneCollection() throws Exception {
        netmaster.reset();
        netmaster.delayAnswers(Duration.ofMillis(400));
        try (ExporterApp app = startApp("0")) {
            List<CompletableFuture<HttpResponse<String>>> scrapes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                scrapes.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return app.scrape();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<HttpResponse<String>> scrape : scrapes) {
                assertEquals(200, scrape.get().statusCode());
            }

            assertEquals(1, networkListRequests(), "one collection for six scrapes: " + netmaster.requests());
        }
    }

    @Test
    void cachesNetmasterMetadataButReadsOvsStatisticsAtEveryScrape() throws Exception {
        netmaster.reset();
        try (ExporterApp app = startApp("60")) {
            assertEquals(60, Exposed.parse(app.scrape().body()).get(BATCH_7_RECEIVED));
            ovs.setStatistics("vport3", Map.of("rx_bytes", 50L, "tx_bytes", 61L));

            assertEquals(61, Exposed.parse(app.scrape().body()).get(BATCH_7_RECEIVED));
            assertEquals(1, networkListRequests(), "metadata read once for two scrapes");
        } finally {
            OvsFixture.writeStatistics(ovs);
        }
    }

    @Test
    void readsNetmasterAgainAfterAFailedReadDespiteTheCache() throws Exception {
        netmaster.reset();
        netmaster.answer(NetmasterSimulator.NETWORKS, 500, "");
        try (ExporterApp app = startApp("60")) {
            assertEquals(0, Exposed.parse(app.scrape().body()).get("contiv_up{source=\"netmaster\"}"));
            netmaster.reset();

            assertEquals(1, Exposed.parse(app.scrape().body()).get("contiv_up{source=\"netmaster\"}"));
        }
    }

    private static ExporterApp startApp(String metadataCacheSeconds) throws Exception {
        return ExporterApp.start(Map.of(
                "contiv.mode",
                "netplugin",
                "contiv.netmaster-url",
                netmaster.baseUri().toString(),
                "contiv.ovsdb",
                ovs.tcpTarget(),
                "contiv.metadata-cache-seconds",
                metadataCacheSeconds));
    }

    private static long networkListRequests() {
        return netmaster.requests().stream()
                .filter(NetmasterSimulator.NETWORKS::equals)
                .count();
    }
}
