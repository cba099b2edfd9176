package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ContivExporterTest {

    @Test
    void offModeStartsNothingAndRefusesToScrape() {
        ContivExporter exporter = new ContivExporter();
        exporter.setMode("");

        exporter.start();

        assertThrows(IllegalStateException.class, () -> exporter.scrape(null, null, null));
        exporter.close();
    }

    @Test
    void unknownModeStopsStartup() {
        ContivExporter exporter = new ContivExporter();
        exporter.setMode("netplugins");

        assertRefusedNaming("EXPORTER_MODE", exporter);
    }

    @Test
    void unknownNamingStopsStartupEvenWhenOff() {
        ContivExporter exporter = new ContivExporter();
        exporter.setNaming("prometheus");

        assertRefusedNaming("EXPORTER_NAMING", exporter);
    }

    @Test
    void enabledModeNeedsAWayToFindNetmaster() {
        ContivExporter exporter = new ContivExporter();
        exporter.setMode("netmaster");

        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, exporter::start);

        assertEquals(
                "EXPORTER_MODE=netmaster needs CONTIV_NETMASTER_URL or CONTIV_ETCD to find Netmaster",
                failure.getMessage());
    }

    @Test
    void netmasterUrlMustBeHttp() {
        ContivExporter exporter = new ContivExporter();
        exporter.setMode("netmaster");
        exporter.setNetmasterUrl("netmaster:9999");

        assertRefusedNaming("CONTIV_NETMASTER_URL", exporter);
    }

    @Test
    void ovsdbAddressIsCheckedOnlyWhenNetpluginModeUsesIt() {
        ContivExporter netmasterOnly = new ContivExporter();
        netmasterOnly.setMode("netmaster");
        netmasterOnly.setNetmasterUrl("http://netmaster:9999");
        netmasterOnly.setOvsdb("bogus");
        netmasterOnly.start();
        netmasterOnly.close();

        ContivExporter netplugin = new ContivExporter();
        netplugin.setMode("netplugin");
        netplugin.setNetmasterUrl("http://netmaster:9999");
        netplugin.setOvsdb("bogus");
        assertRefusedNaming("CONTIV_OVSDB", netplugin);
    }

    @Test
    void timeoutMustBePositive() {
        ContivExporter exporter = new ContivExporter();
        exporter.setMode("netmaster");
        exporter.setNetmasterUrl("http://netmaster:9999");
        exporter.setCallTimeoutMillis(0);

        assertRefusedNaming("EXPORTER_CALL_TIMEOUT_MS", exporter);
    }

    @Test
    void gzipIsSentOnlyWhenTheClientAcceptsIt() {
        assertTrue(ContivExporter.acceptsGzip("gzip"));
        assertTrue(ContivExporter.acceptsGzip("deflate, gzip;q=0.5"));
        assertFalse(ContivExporter.acceptsGzip("gzip;q=0"));
        assertFalse(ContivExporter.acceptsGzip("identity"));
        assertFalse(ContivExporter.acceptsGzip(null));
    }

    /** Start-up stops with a message that names the setting to fix. */
    private static void assertRefusedNaming(String setting, ContivExporter exporter) {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, exporter::start);
        assertTrue(failure.getMessage().contains(setting), failure.getMessage());
    }
}
