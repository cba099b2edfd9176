package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NamingTest {

    @Test
    void defaultNamingTurnsDirectionsIntoWordsUnderTheContivPrefix() {
        assertEquals("contiv_endpoint_receive_bytes", Naming.DEFAULT.statisticMetric("rx_bytes"));
        assertEquals("contiv_endpoint_transmit_packets", Naming.DEFAULT.statisticMetric("tx_packets"));
        assertEquals("contiv_endpoint_collisions", Naming.DEFAULT.statisticMetric("collisions"));
    }

    @Test
    void compatibleNamingKeepsTheStatisticKey() {
        assertEquals("rx_bytes", Naming.COMPATIBLE.statisticMetric("rx_bytes"));
        assertEquals("tx_crc_err", Naming.COMPATIBLE.statisticMetric("tx_crc_err"));
    }

    @Test
    void oddDatapathKeysBecomeValidMetricNames() {
        assertEquals("contiv_endpoint_receive_q0_packets", Naming.DEFAULT.statisticMetric("rx_q0.packets"));
        assertEquals("_1_to_64_packets", Naming.COMPATIBLE.statisticMetric("1_to_64_packets"));
        assertEquals(
                "contiv_endpoint_receive",
                Naming.DEFAULT.statisticMetric("rx_total"),
                "client_java appends _total itself");
    }

    @Test
    void labelsAreSnakeCaseByDefaultAndCamelCaseWhenCompatible() {
        assertEquals("container_name", Naming.DEFAULT.containerLabel());
        assertEquals("endpoint_group", Naming.DEFAULT.endpointGroupLabel());
        assertEquals("containerName", Naming.COMPATIBLE.containerLabel());
        assertEquals("endpointGroup", Naming.COMPATIBLE.endpointGroupLabel());
    }

    @Test
    void countsKeepTheOriginalNamesOnlyWhenCompatible() {
        assertEquals("count_of_endpointGroups", Naming.COMPATIBLE.endpointGroupsMetric());
        assertEquals("count_of_netprofiles", Naming.COMPATIBLE.netprofilesMetric());
        assertEquals("contiv_endpoint_groups", Naming.DEFAULT.endpointGroupsMetric());
        assertEquals("contiv_tenants", Naming.DEFAULT.tenantsMetric());
    }

    @Test
    void parsesTheSettingAndRefusesUnknownNamings() {
        assertEquals(Naming.DEFAULT, Naming.parse(""));
        assertEquals(Naming.DEFAULT, Naming.parse("default"));
        assertEquals(Naming.COMPATIBLE, Naming.parse("Compatible"));
        assertEquals(
                "EXPORTER_NAMING must be default or compatible; got 'ruby'",
                assertThrows(IllegalArgumentException.class, () -> Naming.parse("ruby"))
                        .getMessage());
    }
}
