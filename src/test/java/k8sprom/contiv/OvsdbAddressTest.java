package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OvsdbAddressTest {

    @Test
    void readsTcpHostAndPort() {
        assertEquals(new OvsdbAddress("127.0.0.1", 6640, null), OvsdbAddress.parse("tcp:127.0.0.1:6640"));
    }

    @Test
    void readsBracketedIpv6() {
        OvsdbAddress address = OvsdbAddress.parse("tcp:[::1]:6640");

        assertEquals(new OvsdbAddress("::1", 6640, null), address);
        assertEquals("tcp:[::1]:6640", address.toString());
    }

    @Test
    void readsUnixSocketWithOrWithoutPrefix() {
        Path socket = Path.of("/var/run/openvswitch/db.sock");

        assertEquals(new OvsdbAddress(null, 0, socket), OvsdbAddress.parse("unix:/var/run/openvswitch/db.sock"));
        assertEquals(new OvsdbAddress(null, 0, socket), OvsdbAddress.parse("/var/run/openvswitch/db.sock"));
        assertEquals(
                "unix:/var/run/openvswitch/db.sock",
                OvsdbAddress.parse("/var/run/openvswitch/db.sock").toString());
    }

    @Test
    void readsSslHostAndPort() {
        OvsdbAddress address = OvsdbAddress.parse("ssl:10.0.0.5:6640");

        assertEquals(new OvsdbAddress("10.0.0.5", 6640, null, true), address);
        assertEquals("ssl:10.0.0.5:6640", address.toString());
    }

    @Test
    void refusesWhatOvsWouldNotAccept() {
        for (String bad : new String[] {"tcp:127.0.0.1", "tcp:127.0.0.1:port", "", "ssl:127.0.0.1"}) {
            IllegalArgumentException failure =
                    assertThrows(IllegalArgumentException.class, () -> OvsdbAddress.parse(bad), bad);
            assertTrue(failure.getMessage().startsWith("CONTIV_OVSDB must be"), failure.getMessage());
        }
    }
}
