package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import k8sprom.testsupport.OvsdbServer;
import k8sprom.testsupport.SharedOvsdb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * EXPORTER_NAMING=compatible, run in the combined mode (netplugin,netmaster on one port) so that one app shows both
 * families under the original exporter's names and labels.
 */
@ExtendWith(SharedOvsdb.class)
class CompatibleNamingIT {

    private static final String WEB_1 = "containerName=\"web-1\",endpointGroup=\"web\",host=\"node1\","
            + "interface=\"vport1\",network=\"web-net\",tenant=\"default\"";

    static OvsdbServer ovs;
    static NetmasterSimulator netmaster;
    static ExporterApp app;

    @BeforeAll
    static void start(OvsdbServer sharedOvs) throws Exception {
        ovs = sharedOvs;
        OvsFixture.populate(ovs);
        netmaster = NetmasterSimulator.start();
        app = ExporterApp.start(Map.of(
                "contiv.mode",
                "netplugin,netmaster",
                "contiv.naming",
                "compatible",
                "contiv.netmaster-url",
                netmaster.baseUri().toString(),
                "contiv.ovsdb",
                "unix:" + ovs.unixSocket()));
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
        netmaster.close();
    }

    @Test
    void namesStatisticsByTheirReversedOvsKeyWithTheOriginalLabels() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertEquals(2000, metrics.get("rx_bytes{" + WEB_1 + "}"));
        assertEquals(1000, metrics.get("tx_bytes{" + WEB_1 + "}"));
        assertEquals(20, metrics.get("rx_packets{" + WEB_1 + "}"));
        assertEquals(4, metrics.get("tx_crc_err{" + WEB_1 + "}"));
        assertEquals(0, metrics.get("collisions{" + WEB_1 + "}"));
        assertEquals(5, metrics.get("ovs_tx_failure_drops{" + WEB_1 + "}"));
        assertEquals(
                60,
                metrics.get("rx_bytes{containerName=\"batch-7\",host=\"node1\",interface=\"vport3\","
                        + "network=\"web-net\",tenant=\"default\"}"));
    }

    @Test
    void namesCountsLikeTheOriginal() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertEquals(3, metrics.get("count_of_tenants"));
        assertEquals(2, metrics.get("count_of_networks{tenant=\"default\"}"));
        assertEquals(2, metrics.get("count_of_endpointGroups{network=\"web-net\",tenant=\"default\"}"));
        assertEquals(2, metrics.get("count_of_policies{endpointGroup=\"web\",network=\"web-net\",tenant=\"default\"}"));
        assertEquals(
                1,
                metrics.get(
                        "count_of_netprofiles{endpointGroup=\"frontend\",network=\"blue-net\"," + "tenant=\"blue\"}"));
    }

    @Test
    void servesBothFamiliesAndTheExportersOwnOnOnePort() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertEquals(1, metrics.get("contiv_up{source=\"netmaster\"}"));
        assertEquals(1, metrics.get("contiv_up{source=\"ovsdb\"}"));
        assertTrue(metrics.value("contiv_scrape_duration_seconds").isPresent());
        assertFalse(metrics.anySeriesContains("contiv_endpoint_receive"));
        assertFalse(metrics.anySeriesContains("_total"));
    }

    @Test
    void declaresStatisticsUntypedAndCountsAsGauges() throws Exception {
        String body = app.scrape().body();

        assertTrue(body.contains("# TYPE rx_bytes untyped\n"), body);
        assertTrue(body.contains("# TYPE count_of_tenants gauge\n"), body);
    }
}
