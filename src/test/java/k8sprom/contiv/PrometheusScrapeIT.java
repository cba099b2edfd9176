package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import k8sprom.testsupport.EtcdServer;
import k8sprom.testsupport.OvsdbServer;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SharedEtcd;
import k8sprom.testsupport.SharedOvsdb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes the exporter (netplugin mode, real ovsdb-server and etcd, simulated Netmaster), and the
 * series are read back through Prometheus' query API.
 */
@ExtendWith({SharedOvsdb.class, SharedEtcd.class})
class PrometheusScrapeIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path work;

    static OvsdbServer ovs;
    static EtcdServer etcd;
    static NetmasterSimulator netmaster;
    static ExporterApp app;
    static PrometheusServer prometheus;

    @BeforeAll
    static void start(OvsdbServer sharedOvs, EtcdServer sharedEtcd) throws Exception {
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
                "5"));
        prometheus =
                PrometheusServer.start(work.resolve("prometheus"), Duration.ofSeconds(1), "127.0.0.1:" + app.port());
    }

    @AfterAll
    static void stop() throws Exception {
        prometheus.close();
        app.close();
        netmaster.close();
    }

    @Test
    void prometheusAcceptsTheExpositionAndStoresTheEndpointSeries() {
        String web1 = "{container_name=\"web-1\",endpoint_group=\"web\",host=\"node1\",interface=\"vport1\","
                + "network=\"web-net\",tenant=\"default\"}";
        prometheus.awaitNonEmpty("contiv_endpoint_receive_bytes_total" + web1, WAIT);

        assertEquals(1, prometheus.queryValue("up{job=\"cluster\"}"));
        assertEquals(2000, prometheus.queryValue("contiv_endpoint_receive_bytes_total" + web1));
        assertEquals(1000, prometheus.queryValue("contiv_endpoint_transmit_bytes_total" + web1));
        assertEquals(4, prometheus.queryValue("count(count by (interface) (contiv_endpoint_receive_bytes_total))"));
    }

    @Test
    void everySourceIsUpInPrometheus() {
        prometheus.awaitNonEmpty("contiv_up{source=\"ovsdb\"}", WAIT);

        assertEquals(3, prometheus.queryValue("sum(contiv_up)"));
        JsonNode durations = prometheus.query("contiv_scrape_duration_seconds").get("result");
        assertEquals(1, durations.size());
    }

    @Test
    void newOvsStatisticsReachPrometheusAtTheNextScrape() throws Exception {
        String batch7 = "contiv_endpoint_receive_bytes_total{container_name=\"batch-7\"}";
        prometheus.awaitNonEmpty(batch7, WAIT);
        ovs.setStatistics("vport3", Map.of("rx_bytes", 50L, "tx_bytes", 6000L));
        try {
            prometheus.awaitNonEmpty(batch7 + " == 6000", WAIT);
        } finally {
            OvsFixture.writeStatistics(ovs);
        }
    }
}
