package k8sprom.contiv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import k8sprom.testsupport.EtcdServer;
import k8sprom.testsupport.LogCapture;
import k8sprom.testsupport.OvsdbServer;
import k8sprom.testsupport.SharedEtcd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the exporter does when a source misbehaves: the scrape still answers 200 in time with what it could gather,
 * the source's contiv_up is 0, and the log says what went wrong in one line, without a stack trace.
 */
@ExtendWith(SharedEtcd.class)
class BadInputIT {

    private static final String LEADER_KEY = "contiv.io/lock/netmaster/leader";
    private static final String WEB_1_RECEIVED = "contiv_endpoint_receive_bytes_total{container_name=\"web-1\","
            + "endpoint_group=\"web\",host=\"node1\",interface=\"vport1\",network=\"web-net\",tenant=\"default\"}";
    private static final Duration LOG_WAIT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    // Its own ovsdb-server, not SharedOvsdb's: two tests stop and restart it.
    static OvsdbServer ovs;
    static EtcdServer etcd;
    static NetmasterSimulator netmaster;
    static LogCapture log;
    static ExporterApp app;

    @BeforeAll
    static void start(EtcdServer sharedEtcd) throws Exception {
        ovs = OvsdbServer.start(work.resolve("ovs"));
        OvsFixture.populate(ovs);
        etcd = sharedEtcd;
        netmaster = NetmasterSimulator.start();
        etcd.put(LEADER_KEY, netmaster.hostPort());
        log = LogCapture.start();
        app = ExporterApp.start(Map.of(
                "contiv.mode", "netplugin",
                "contiv.etcd", etcd.clientUrl(),
                "contiv.ovsdb", ovs.tcpTarget(),
                "contiv.call-timeout-ms", "500",
                "contiv.metadata-cache-seconds", "0"));
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
        log.close();
        netmaster.close();
        ovs.close();
    }

    @BeforeEach
    void healthySources() throws Exception {
        netmaster.reset();
        etcd.put(LEADER_KEY, netmaster.hostPort());
        log.clear();
    }

    @AfterEach
    void noStackTraceWasLogged() {
        assertFalse(log.anyStackTrace(), log.lines().toString());
    }

    @Test
    void netmasterAnsweringAnErrorStatusTurnsItsUpToZero() throws Exception {
        netmaster.answer(NetmasterSimulator.NETWORKS, 500, "{\"error\":\"state store unavailable\"}");

        Exposed metrics = scrapeThatStillSucceeds();

        assertEquals(0, metrics.get("contiv_up{source=\"netmaster\"}"));
        assertEquals(1, metrics.get("contiv_up{source=\"etcd\"}"));
        assertEquals(1, metrics.get("contiv_up{source=\"ovsdb\"}"));
        log.await(
                LOG_WAIT,
                "Netmaster GET " + netmaster.baseUri() + "/api/v1/networks/ answered HTTP 500",
                "state store unavailable");
    }

    @Test
    void netmasterAnsweringInvalidJsonTurnsItsUpToZero() throws Exception {
        netmaster.answer(NetmasterSimulator.NETWORKS, 200, "[{\"key\": \"default:web-net\",");

        Exposed metrics = scrapeThatStillSucceeds();

        assertEquals(0, metrics.get("contiv_up{source=\"netmaster\"}"));
        log.await(LOG_WAIT, "/api/v1/networks/ answered invalid JSON");
    }

    @Test
    void oneNetworkFailingKeepsTheEndpointsOfTheOthers() throws Exception {
        netmaster.answer(NetmasterSimulator.INSPECT + "blue:blue-net/", 503, "");

        Exposed metrics = scrapeThatStillSucceeds();

        assertEquals(2000, metrics.get(WEB_1_RECEIVED));
        assertFalse(metrics.anySeriesContains("front-1"));
        assertEquals(0, metrics.get("contiv_up{source=\"netmaster\"}"));
        log.await(LOG_WAIT, "/api/v1/inspect/networks/blue:blue-net/ answered HTTP 503");
    }

    @Test
    void networkWithoutKeyIsSkippedAndNamedInTheLog() throws Exception {
        ArrayNode networks = (ArrayNode) JSON.readTree(NetmasterSimulator.resource("networks.json"));
        ((ObjectNode) networks.get(2)).remove("key");
        netmaster.answer(NetmasterSimulator.NETWORKS, 200, networks.toString());

        Exposed metrics = scrapeThatStillSucceeds();

        assertEquals(2000, metrics.get(WEB_1_RECEIVED));
        assertEquals(0, metrics.get("contiv_up{source=\"netmaster\"}"));
        log.await(LOG_WAIT, "Netmaster network list entry 2 has no key; skipped");
    }

    @Test
    void inspectionWithoutTenantNameIsSkippedAndNamedInTheLog() throws Exception {
        ObjectNode inspection = (ObjectNode)
                JSON.readTree(NetmasterSimulator.resource("inspections.json")).get("default:web-net");
        ((ObjectNode) inspection.get("Config")).remove("tenantName");
        netmaster.answer(NetmasterSimulator.INSPECT + "default:web-net/", 200, inspection.toString());

        Exposed metrics = scrapeThatStillSucceeds();

        assertFalse(metrics.anySeriesContains("web-1"));
        assertTrue(metrics.anySeriesContains("front-1"));
        log.await(LOG_WAIT, "Netmaster inspect of network default:web-net has no Config.tenantName");
    }

    @Test
    void endpointWithoutIdIsSkippedAndNamedInTheLog() throws Exception {
        ObjectNode inspection = (ObjectNode)
                JSON.readTree(NetmasterSimulator.resource("inspections.json")).get("default:web-net");
        ((ObjectNode) inspection.get("Oper").get("endpoints").get(1)).remove("endpointID");
        netmaster.answer(NetmasterSimulator.INSPECT + "default:web-net/", 200, inspection.toString());

        Exposed metrics = scrapeThatStillSucceeds();

        assertEquals(2000, metrics.get(WEB_1_RECEIVED));
        assertFalse(metrics.anySeriesContains("db-1"));
        log.await(LOG_WAIT, "Netmaster inspect of network default:web-net: endpoint 1 has no endpointID; skipped");
    }

    @Test
    void slowNetmasterIsCutOffByTheCallTimeout() throws Exception {
        netmaster.delayAnswers(Duration.ofMillis(1500));

        long start = System.nanoTime();
        Exposed metrics = scrapeThatStillSucceeds();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(0, metrics.get("contiv_up{source=\"netmaster\"}"));
        assertEquals(1, metrics.get("contiv_up{source=\"ovsdb\"}"));
        assertTrue(took.compareTo(Duration.ofMillis(1400)) < 0, "took " + took);
        log.await(LOG_WAIT, "/api/v1/networks/ failed: no answer within 500 ms");
    }

    @Test
    void etcdWithoutTheLeaderKeyTurnsEtcdAndNetmasterUpToZero() throws Exception {
        etcd.delete(LEADER_KEY);

        Exposed metrics = scrapeThatStillSucceeds();

        assertEquals(0, metrics.get("contiv_up{source=\"etcd\"}"));
        assertEquals(0, metrics.get("contiv_up{source=\"netmaster\"}"));
        assertEquals(1, metrics.get("contiv_up{source=\"ovsdb\"}"));
        assertFalse(metrics.anySeriesContains("contiv_endpoint_"));
        log.await(
                LOG_WAIT,
                "etcd GET " + etcd.clientUrl() + "/v2/keys/contiv.io/lock/netmaster/leader answered HTTP 404",
                "Key not found",
                "Netmaster cannot be found");
    }

    @Test
    void leaderValueThatIsNoAddressIsNamedInTheLog() throws Exception {
        etcd.put(LEADER_KEY, "netmaster-1/leader");

        Exposed metrics = scrapeThatStillSucceeds();

        assertEquals(0, metrics.get("contiv_up{source=\"etcd\"}"));
        log.await(LOG_WAIT, "etcd names the Netmaster leader 'netmaster-1/leader', which is not host:port");
    }

    @Test
    void ovsdbGoingAwayTurnsItsUpToZeroUntilItIsBack() throws Exception {
        ovs.stop();
        try {
            Exposed metrics = scrapeThatStillSucceeds();

            assertEquals(0, metrics.get("contiv_up{source=\"ovsdb\"}"));
            assertEquals(1, metrics.get("contiv_up{source=\"netmaster\"}"));
            assertFalse(metrics.anySeriesContains("contiv_endpoint_"));
            log.await(LOG_WAIT, "OVSDB " + ovs.tcpTarget());
        } finally {
            restartOvsdbAndAwaitReconnection();
        }
    }

    @Test
    void refusedOvsdbConnectionIsExplainedWithTheAddress() throws Exception {
        ovs.stop();
        try {
            scrapeThatStillSucceeds();
            scrapeThatStillSucceeds();

            log.await(LOG_WAIT, "OVSDB " + ovs.tcpTarget() + " monitor down: cannot connect (Connection refused)");
        } finally {
            restartOvsdbAndAwaitReconnection();
        }
    }

    // The exporter's monitor waits out its backoff before it connects again, so the next test must not start earlier.
    private void restartOvsdbAndAwaitReconnection() throws Exception {
        ovs.restart();
        // statistics is an ephemeral column: a restarted server has forgotten it until someone writes it again.
        OvsFixture.writeStatistics(ovs);
        double ovsdbUp = await("reconnected after the restart")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> scrapeThatStillSucceeds().get("contiv_up{source=\"ovsdb\"}"), up -> up != 0);
        assertEquals(1, ovsdbUp, "reconnected after the restart");
    }

    private Exposed scrapeThatStillSucceeds() throws Exception {
        HttpResponse<String> response = app.scrape();
        assertEquals(200, response.statusCode(), response.body());
        assertFalse(response.body().contains("Exception"), response.body());
        return Exposed.parse(response.body());
    }
}
