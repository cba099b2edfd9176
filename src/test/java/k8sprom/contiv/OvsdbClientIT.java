package k8sprom.contiv;

import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.OvsdbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading the Interface table from a real ovsdb-server with interfaces, external_ids and statistics written by the
 * test, over TCP and the unix socket, across a server restart, and against a port nobody listens on.
 */
class OvsdbClientIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration BACKOFF = Duration.ofMillis(200);

    @TempDir
    static Path work;
    static OvsdbServer ovs;

    @BeforeAll
    static void start() throws Exception {
        ovs = OvsdbServer.start(work.resolve("ovs"));
        OvsFixture.populate(ovs);
    }

    @AfterAll
    static void stop() throws Exception {
        ovs.close();
    }

    @Test
    void readsNameExternalIdsAndStatisticsOfEveryInterface() {
        try (OvsdbClient client = client(ovs.tcpTarget())) {
            Map<String, OvsInterface> byName = byName(client.interfaces());

            assertEquals(new OvsInterface("vport1", Map.of("endpoint-id", "ep-web-1"), OvsFixture.WEB_1_SWITCH_SIDE),
                    byName.get("vport1"));
            assertEquals(Map.of("iface-id", "ep-web-1", "attached-mac", "02:02:0a:01:01:09"),
                    byName.get("vport6").externalIds());
            assertEquals(Map.of(), byName.get("contivVlanBridge").externalIds());
            assertEquals(8, byName.size(), "six ports and the two bridges' own interfaces: " + byName.keySet());
        }
    }

    @Test
    void readsTheSameRowsOverTheUnixSocket() {
        try (OvsdbClient tcp = client(ovs.tcpTarget());
             OvsdbClient unix = client("unix:" + ovs.unixSocket());
             OvsdbClient barePath = client(ovs.unixSocket().toString())) {
            assertEquals(byName(tcp.interfaces()), byName(unix.interfaces()));
            assertEquals(byName(tcp.interfaces()), byName(barePath.interfaces()));
        }
    }

    @Test
    void seesStatisticsChangedSinceTheLastReadOnTheSameConnection() throws Exception {
        try (OvsdbClient client = client(ovs.tcpTarget())) {
            client.interfaces();
            ovs.setStatistics("vport3", Map.of("rx_bytes", 51L, "tx_bytes", 61L));
            try {
                assertEquals(Map.of("rx_bytes", 51L, "tx_bytes", 61L),
                        byName(client.interfaces()).get("vport3").statistics());
                assertEquals(1, client.connectionsOpened());
            } finally {
                OvsFixture.writeStatistics(ovs);
            }
        }
    }

    @Test
    void reconnectsWhenTheServerIsBack() throws Exception {
        try (OvsdbClient client = client(ovs.tcpTarget())) {
            client.interfaces();
            ovs.stop();
            try {
                SourceException failure = assertThrows(SourceException.class, client::interfaces);
                assertTrue(failure.getMessage().startsWith("OVSDB " + ovs.tcpTarget()), failure.getMessage());
            } finally {
                ovs.restart();
            }
            Thread.sleep(BACKOFF.toMillis());

            assertTrue(byName(client.interfaces()).containsKey("vport1"));
            assertEquals(2, client.connectionsOpened());
        } finally {
            OvsFixture.writeStatistics(ovs);
        }
    }

    @Test
    void waitsALongerBackoffAfterEachRefusedConnection() throws Exception {
        String nobody = "tcp:127.0.0.1:" + FreePort.find();
        try (OvsdbClient client = client(nobody)) {
            assertEquals("OVSDB " + nobody + " unreachable (Connection refused); next attempt in 200 ms",
                    assertThrows(SourceException.class, client::interfaces).getMessage());
            assertTrue(assertThrows(SourceException.class, client::interfaces).getMessage()
                    .matches("OVSDB .* unreachable \\(Connection refused\\); next attempt in 1?\\d?\\d ms"));

            Thread.sleep(BACKOFF.toMillis());

            assertEquals("OVSDB " + nobody + " unreachable (Connection refused); next attempt in 400 ms",
                    assertThrows(SourceException.class, client::interfaces).getMessage());
            assertEquals(0, client.connectionsOpened());
        }
    }

    private static OvsdbClient client(String address) {
        return new OvsdbClient(OvsdbAddress.parse(address), TIMEOUT, BACKOFF, Duration.ofSeconds(2));
    }

    private static Map<String, OvsInterface> byName(List<OvsInterface> interfaces) {
        return interfaces.stream().collect(Collectors.toMap(OvsInterface::name, i -> i));
    }
}
