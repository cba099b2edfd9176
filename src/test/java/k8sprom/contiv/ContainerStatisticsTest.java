package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerStatisticsTest {

    @Test
    void swapsReceiveAndTransmitBecauseTheSwitchPortFacesTheContainer() {
        assertEquals(
                Map.of("tx_bytes", 1000L, "rx_bytes", 2000L, "tx_crc_err", 4L),
                ContainerStatistics.fromSwitchSide(Map.of("rx_bytes", 1000L, "tx_bytes", 2000L, "rx_crc_err", 4L)));
    }

    @Test
    void passesOtherKeysThroughUnchanged() {
        assertEquals(
                Map.of("collisions", 0L, "ovs_rx_qos_drops", 7L),
                ContainerStatistics.fromSwitchSide(Map.of("collisions", 0L, "ovs_rx_qos_drops", 7L)));
    }

    @Test
    void reversesOnlyThePrefix() {
        assertEquals("rx_tx_misc", ContainerStatistics.reverse("tx_tx_misc"));
        assertEquals("rxbytes", ContainerStatistics.reverse("rxbytes"));
    }
}
