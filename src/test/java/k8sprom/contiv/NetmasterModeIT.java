package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import k8sprom.testsupport.PrometheusServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EXPORTER_MODE=netmaster end to end with a static Netmaster URL, which skips etcd: counts of Netmaster's objects,
 * and no OVS statistics.
 */
class NetmasterModeIT {

    static NetmasterSimulator netmaster;
    static ExporterApp app;

    @BeforeAll
    static void start() throws Exception {
        netmaster = NetmasterSimulator.start();
        app = ExporterApp.start(Map.of(
                "contiv.mode",
                "netmaster",
                "contiv.netmaster-url",
                netmaster.baseUri().toString()));
    }

    @AfterAll
    static void stop() {
        app.close();
        netmaster.close();
    }

    @Test
    void countsTenantsAndNetworksPerTenant() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertEquals(3, metrics.get("contiv_tenants"));
        assertEquals(2, metrics.get("contiv_networks{tenant=\"default\"}"));
        assertEquals(2, metrics.get("contiv_networks{tenant=\"blue\"}"));
        assertEquals(0, metrics.get("contiv_networks{tenant=\"green\"}"));
    }

    @Test
    void countsEndpointGroupsPerNetworkIncludingInfra() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertEquals(2, metrics.get("contiv_endpoint_groups{network=\"web-net\",tenant=\"default\"}"));
        assertEquals(1, metrics.get("contiv_endpoint_groups{network=\"blue-net\",tenant=\"blue\"}"));
        assertEquals(0, metrics.get("contiv_endpoint_groups{network=\"empty-net\",tenant=\"blue\"}"));
        assertEquals(0, metrics.get("contiv_endpoint_groups{network=\"contivh1\",tenant=\"default\"}"));
    }

    @Test
    void countsPoliciesAndNetprofilesPerEndpointGroup() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertEquals(2, metrics.get("contiv_policies{endpoint_group=\"web\",network=\"web-net\",tenant=\"default\"}"));
        assertEquals(1, metrics.get("contiv_policies{endpoint_group=\"db\",network=\"web-net\",tenant=\"default\"}"));
        assertEquals(
                0, metrics.get("contiv_policies{endpoint_group=\"frontend\",network=\"blue-net\",tenant=\"blue\"}"));
        assertEquals(
                1, metrics.get("contiv_netprofiles{endpoint_group=\"web\",network=\"web-net\",tenant=\"default\"}"));
        assertEquals(
                0, metrics.get("contiv_netprofiles{endpoint_group=\"db\",network=\"web-net\",tenant=\"default\"}"));
        assertEquals(
                1,
                metrics.get(
                        "contiv_netprofiles{endpoint_group=\"frontend\",network=\"blue-net\"," + "tenant=\"blue\"}"),
                "profile only in links.NetProfile");
    }

    @Test
    void reportsNetmasterUpAndNeitherEtcdNorOvsdb() throws Exception {
        Exposed metrics = Exposed.parse(app.scrape().body());

        assertEquals(1, metrics.get("contiv_up{source=\"netmaster\"}"));
        assertTrue(metrics.value("contiv_up{source=\"etcd\"}").isEmpty());
        assertTrue(metrics.value("contiv_up{source=\"ovsdb\"}").isEmpty());
        assertFalse(metrics.anySeriesContains("contiv_endpoint_receive"));
    }

    @Test
    void saysInHelpHowLongNetmasterMetadataIsCached() throws Exception {
        String body = app.scrape().body();

        assertTrue(
                body.contains("# HELP contiv_tenants Number of tenants in Contiv Netmaster. Netmaster metadata is"
                        + " cached for up to 10 s."),
                body);
    }

    @Test
    void writesOnlyWhatPromtoolAccepts() throws Exception {
        assertEquals("", PrometheusServer.checkMetrics(app.scrape().body()));
    }
}
