package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import k8sprom.testsupport.EtcdServer;
import k8sprom.testsupport.OvsdbServer;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SharedEtcd;
import k8sprom.testsupport.SharedOvsdb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * EXPORTER_MODE=netplugin end to end: the real app and route, a real ovsdb-server and etcd, and the simulated
 * Netmaster found through etcd's leader key.
 */
@ExtendWith({SharedOvsdb.class, SharedEtcd.class})
class NetpluginModeIT {

    private static final String WEB_1 = "container_name=\"web-1\",endpoint_group=\"web\",host=\"node1\","
            + "interface=\"vport1\",network=\"web-net\",tenant=\"default\"";

    static OvsdbServer ovs;
    static EtcdServer etcd;
    static NetmasterSimulator netmaster;
    static ExporterApp app;

    @BeforeAll
    static void startEverything(OvsdbServer sharedOvs, EtcdServer sharedEtcd) throws Exception {
        ovs = sharedOvs;
        OvsFixture.populate(ovs);
        etcd = sharedEtcd;
        netmaster = NetmasterSimulator.start();
        etcd.put("contiv.io/lock/netmaster/leader", netmaster.hostPort());
        app = ExporterApp.start(Map.of(
                "contiv.mode",
                "netplugin",
                "contiv.etcd",
                "etcd://" + etcd.clientUrl().substring("http://".length()),
                "contiv.ovsdb",
                ovs.tcpTarget(),
                "contiv.metadata-cache-seconds",
                "0"));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        app.close();
        netmaster.close();
    }

    @BeforeEach
    void freshNetmaster() {
        netmaster.reset();
    }

    @Test
    void exposesEachStatisticFromTheContainersSideWithNetmasterLabels() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        // OVS tx_* is what the container received, OVS rx_* what it sent.
        assertEquals(2000, metrics.get("contiv_endpoint_receive_bytes_total{" + WEB_1 + "}"));
        assertEquals(1000, metrics.get("contiv_endpoint_transmit_bytes_total{" + WEB_1 + "}"));
        assertEquals(20, metrics.get("contiv_endpoint_receive_packets_total{" + WEB_1 + "}"));
        assertEquals(10, metrics.get("contiv_endpoint_transmit_packets_total{" + WEB_1 + "}"));
        assertEquals(2, metrics.get("contiv_endpoint_receive_dropped_total{" + WEB_1 + "}"));
        assertEquals(1, metrics.get("contiv_endpoint_transmit_dropped_total{" + WEB_1 + "}"));
        assertEquals(3, metrics.get("contiv_endpoint_receive_errors_total{" + WEB_1 + "}"));
        assertEquals(0, metrics.get("contiv_endpoint_transmit_errors_total{" + WEB_1 + "}"));
        assertEquals(4, metrics.get("contiv_endpoint_transmit_crc_err_total{" + WEB_1 + "}"));
        assertEquals(0, metrics.get("contiv_endpoint_collisions_total{" + WEB_1 + "}"));
        assertEquals(5, metrics.get("contiv_endpoint_ovs_tx_failure_drops_total{" + WEB_1 + "}"));
        assertEquals(
                400,
                metrics.get("contiv_endpoint_receive_bytes_total{container_name=\"db-1\",endpoint_group=\"db\","
                        + "host=\"node1\",interface=\"vport2\",network=\"web-net\",tenant=\"default\"}"));
        assertEquals(
                8000,
                metrics.get(
                        "contiv_endpoint_receive_bytes_total{container_name=\"front-1\","
                                + "endpoint_group=\"frontend\",host=\"node1\",interface=\"vport4\",network=\"blue-net\",tenant=\"blue\"}"));
    }

    @Test
    void leavesTheEndpointGroupLabelOutForEndpointsWithoutService() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertEquals(
                60,
                metrics.get("contiv_endpoint_receive_bytes_total{container_name=\"batch-7\",host=\"node1\","
                        + "interface=\"vport3\",network=\"web-net\",tenant=\"default\"}"));
    }

    @Test
    void leavesOutInterfacesThatBelongToNoEndpointAndEndpointsWithoutInterface() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertFalse(metrics.anySeriesContains("vport5"), "endpoint-id only containing an endpoint's ID");
        assertFalse(metrics.anySeriesContains("vport6"), "endpoint's ID under another external_ids key");
        assertFalse(metrics.anySeriesContains("contivVxlanBridge"), "bridge interface");
        assertFalse(metrics.anySeriesContains("front-2"), "endpoint on another host");
    }

    @Test
    void reportsEachSourceUpAndHowLongTheScrapeTook() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertEquals(1, metrics.get("contiv_up{source=\"etcd\"}"));
        assertEquals(1, metrics.get("contiv_up{source=\"netmaster\"}"));
        assertEquals(1, metrics.get("contiv_up{source=\"ovsdb\"}"));
        double seconds = metrics.get("contiv_scrape_duration_seconds");
        assertTrue(seconds > 0 && seconds < 5, "duration " + seconds);
    }

    @Test
    void inspectsDataNetworksConcurrentlyAndNeverTheInfraNetwork() throws Exception {
        netmaster.delayAnswers(Duration.ofMillis(300));

        app.scrape();

        assertFalse(netmaster.requests().contains(NetmasterSimulator.INSPECT + "default:contivh1/"));
        assertTrue(netmaster.requests().contains(NetmasterSimulator.INSPECT + "blue:empty-net/"));
        assertEquals(3, netmaster.mostConcurrentRequests(), "the three data networks at once");
    }

    @Test
    void answersInTheClassicTextFormatUnlessOpenMetricsIsAsked() throws Exception {
        HttpResponse<String> classic = app.scrape();
        HttpResponse<String> openMetrics = app.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");

        assertEquals(200, classic.statusCode());
        assertEquals(
                "text/plain; version=0.0.4; charset=utf-8",
                classic.headers().firstValue("Content-Type").orElse(""));
        assertEquals(
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                openMetrics.headers().firstValue("Content-Type").orElse(""));
        assertTrue(openMetrics.body().endsWith("# EOF\n"));
    }

    @Test
    void writesOnlyWhatPromtoolAccepts() throws Exception {
        assertEquals("", PrometheusServer.checkMetrics(app.scrape().body()));
    }

    @Test
    void sendsNoRequestHeadersBack() throws Exception {
        HttpResponse<String> response = app.scrape("text/plain");

        assertTrue(response.headers().firstValue("Accept").isEmpty());
        assertTrue(
                response.headers().map().keySet().stream()
                        .noneMatch(name -> name.toLowerCase().startsWith("camel")),
                response.headers().map().toString());
    }
}
