package k8sprom.contiv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import k8sprom.testsupport.OvsdbServer;
import k8sprom.testsupport.SharedOvsdb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live replica against a real ovsdb-server: it equals a select made on the same connection after the barrier,
 * through churn, a server that lacks the newer monitor methods (a proxy answers "unknown method" for them), cut
 * connections and a restart with a changed database.
 */
@ExtendWith(SharedOvsdb.class)
class OvsdbMonitorIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration LIVE = Duration.ofSeconds(20);
    private static final String[] KEYS = {
        "rx_bytes",
        "tx_bytes",
        "rx_packets",
        "tx_packets",
        "rx_dropped",
        "tx_dropped",
        "collisions",
        "ovs_tx_failure_drops"
    };
    private static final int CHURN_INTERFACES = 20;

    @TempDir
    static Path work;

    static OvsdbServer ovs;
    static OvsdbWrites writes;
    private final Random random = new Random(42);

    @BeforeAll
    static void start(OvsdbServer sharedOvs) throws Exception {
        ovs = sharedOvs;
        OvsFixture.populate(ovs);
        List<String> args = new ArrayList<>();
        for (int i = 0; i < CHURN_INTERFACES; i++) {
            args.addAll(List.of(
                    "--",
                    "add-port",
                    "contivVxlanBridge",
                    "churn" + i,
                    "--",
                    "set",
                    "Interface",
                    "churn" + i,
                    "type=internal",
                    "external_ids:endpoint-id=ep-churn-" + i));
        }
        ovs.vsctl(args.subList(1, args.size()).toArray(String[]::new));
        writes = new OvsdbWrites(ovs.tcpTarget());
    }

    @AfterAll
    static void stop() throws Exception {
        writes.close();
    }

    @Test
    void replicaEqualsASelectOnTheSameConnectionAfterEveryRoundOfChurn() throws Exception {
        AtomicInteger changes = new AtomicInteger();
        try (OvsdbMonitor monitor = live(ovs.tcpTarget(), changes)) {
            assertEquals(OvsdbMonitor.Method.MONITOR_COND_SINCE, monitor.method());
            int mismatches = 0;
            for (int round = 0; round < 60; round++) {
                churn();
                if (round % 15 == 7) {
                    ovs.vsctl(
                            "add-port",
                            "contivVlanBridge",
                            "transient" + round,
                            "--",
                            "set",
                            "Interface",
                            "transient" + round,
                            "type=internal",
                            "external_ids:endpoint-id=ep-t" + round);
                } else if (round % 15 == 12) {
                    ovs.vsctl("del-port", "transient" + (round - 5));
                }
                mismatches += mismatches(monitor);
            }

            assertEquals(0, mismatches, "rows that differ between the replica and a select, over 60 rounds");
            assertTrue(changes.get() >= 60, "the replica reported " + changes.get() + " changes for 60 commits");
        }
    }

    @Test
    void aCommitMadeElsewhereIsInTheReplicaRightAfterTheBarrier() throws Exception {
        try (OvsdbMonitor monitor = live(ovs.tcpTarget(), new AtomicInteger())) {
            for (long value = 1; value <= 50; value++) {
                writes.setStatistics(Map.of("churn3", Map.of("rx_bytes", value, "tx_bytes", 2 * value)));

                assertEquals(
                        Map.of("rx_bytes", value, "tx_bytes", 2 * value),
                        byName(monitor.freshRows()).get("churn3").statistics(),
                        "after write " + value);
            }
        }
    }

    @Test
    void interfacesAppearAndDisappearWithTheirPorts() throws Exception {
        try (OvsdbMonitor monitor = live(ovs.tcpTarget(), new AtomicInteger())) {
            ovs.addInterface("contivVxlanBridge", "vport-new", Map.of("endpoint-id", "ep-new"));
            assertEquals(
                    Map.of("endpoint-id", "ep-new"),
                    byName(monitor.freshRows()).get("vport-new").externalIds());

            ovs.vsctl("del-port", "vport-new");
            assertFalse(byName(monitor.freshRows()).containsKey("vport-new"));
        }
    }

    @Test
    void fallsBackToMonitorCondWhenTheServerDoesNotKnowMonitorCondSince() throws Exception {
        try (OvsdbProxy proxy = OvsdbProxy.start(ovs.port(), Set.of("monitor_cond_since"));
                OvsdbMonitor monitor = live(proxy.tcpTarget(), new AtomicInteger())) {
            assertEquals(OvsdbMonitor.Method.MONITOR_COND, monitor.method());
            assertEquals(0, churnedMismatches(monitor, 20));
        }
    }

    @Test
    void fallsBackToTheOriginalMonitorWhenTheServerKnowsNeitherConditionalOne() throws Exception {
        try (OvsdbProxy proxy = OvsdbProxy.start(ovs.port(), Set.of("monitor_cond_since", "monitor_cond"));
                OvsdbMonitor monitor = live(proxy.tcpTarget(), new AtomicInteger())) {
            assertEquals(OvsdbMonitor.Method.MONITOR, monitor.method());
            assertEquals(0, churnedMismatches(monitor, 20));
        }
    }

    @Test
    void resynchronisesAfterTheConnectionIsCutInTheMiddleOfUpdates() throws Exception {
        AtomicBoolean churning = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            while (churning.get()) {
                churn();
            }
        });
        AtomicInteger changes = new AtomicInteger();
        try (OvsdbProxy proxy = OvsdbProxy.start(ovs.port(), Set.of());
                OvsdbMonitor monitor = live(proxy.tcpTarget(), changes)) {
            writer.start();
            for (int cut = 1; cut <= 3; cut++) {
                // Updates must be flowing on this session when it is cut, so the cut lands between them.
                int before = changes.get();
                await().atMost(LIVE).until(() -> changes.get() >= before + 3);
                proxy.cutAll();
                int sessions = cut + 1;
                await().atMost(LIVE).until(() -> monitor.isLive() && monitor.sessionsStarted() >= sessions);
            }
            churning.set(false);
            writer.join();

            assertEquals(0, mismatches(monitor));
            assertEquals(4, monitor.sessionsStarted());
        } finally {
            churning.set(false);
            writer.join();
        }
    }

    @Test
    void aServerThatStopsAnsweringFailsTheBarrierAndIsLeftAfterAnUnansweredProbe() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        try (OvsdbProxy proxy = OvsdbProxy.start(ovs.port(), Set.of());
                OvsdbMonitor monitor = live(proxy.tcpTarget(), timeout, Duration.ofMillis(500), new AtomicInteger())) {
            proxy.silence();

            long start = System.nanoTime();
            SourceException barrier = assertThrows(SourceException.class, monitor::freshRows);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(
                    waited.compareTo(timeout.multipliedBy(3)) < 0,
                    "the barrier gives up after the call timeout, waited " + waited + ": " + barrier.getMessage());
            await().atMost(LIVE).until(() -> !monitor.isLive());
            assertTrue(
                    monitor.downBecause().contains("echo probe failed"),
                    "left for another reason: " + monitor.downBecause());
            assertThrows(SourceException.class, monitor::freshRows);

            proxy.speak();
            // the attempt made while silent waits for an answer that was dropped; a network that comes back resets it
            proxy.cutAll();
            await().atMost(LIVE).until(() -> monitor.isLive() && monitor.sessionsStarted() >= 2);
            churn();
            assertEquals(0, mismatches(monitor));
        }
    }

    @Test
    void continuesFromTheLastTransactionOfAClusteredDatabaseWithWhatChangedMeanwhile() throws Exception {
        // A server of its own: only a clustered database keeps the history monitor_cond_since continues from.
        try (OvsdbServer clustered = OvsdbServer.startClustered(work.resolve("clustered"));
                OvsdbWrites clusteredWrites = new OvsdbWrites(clustered.tcpTarget());
                OvsdbProxy proxy = OvsdbProxy.start(clustered.port(), Set.of())) {
            // ovsdb-server keeps no more history than the database holds atoms: a table of some size, small changes
            OvsFixture.populateEndpoints(clustered, 100, KEYS);
            for (String name : List.of("stays", "changes", "goes")) {
                clustered.addInterface("contivVxlanBridge", name, Map.of("endpoint-id", "ep-" + name));
            }
            clusteredWrites.setStatistics(Map.of(
                    "stays", Map.of("rx_bytes", 1L, "tx_bytes", 2L),
                    "changes", Map.of("rx_bytes", 3L, "tx_bytes", 4L, "collisions", 5L)));
            try (OvsdbMonitor monitor = live(proxy.tcpTarget(), new AtomicInteger())) {
                assertEquals(OvsdbMonitor.Method.MONITOR_COND_SINCE, monitor.method());
                assertEquals(0, mismatches(monitor));

                proxy.refuse();
                proxy.cutAll();
                await().atMost(LIVE).until(() -> !monitor.isLive());
                // while the exporter is away: a key changes, one goes, one comes; an interface goes, one comes
                clusteredWrites.setStatistics(
                        Map.of("changes", Map.of("rx_bytes", 30L, "tx_bytes", 4L, "rx_packets", 6L)));
                clustered.vsctl("del-port", "contivVxlanBridge", "goes");
                clustered.addInterface("contivVxlanBridge", "new", Map.of("endpoint-id", "ep-new"));
                proxy.admit();
                await().atMost(LIVE).until(monitor::isLive);

                assertEquals(1, monitor.sessionsContinued(), "the second session continued from the first");
                Map<String, OvsInterface> rows = byName(monitor.freshRows());
                assertEquals(
                        Map.of("rx_bytes", 30L, "tx_bytes", 4L, "rx_packets", 6L),
                        rows.get("changes").statistics());
                assertEquals(
                        Map.of("rx_bytes", 1L, "tx_bytes", 2L),
                        rows.get("stays").statistics());
                assertFalse(rows.containsKey("goes"), "deleted interface survived: " + rows.keySet());
                assertTrue(rows.containsKey("new"), "added interface missing: " + rows.keySet());
                assertEquals(0, mismatches(monitor));
            }
        }
    }

    @Test
    void aRestartedServerWithAChangedDatabaseReplacesTheWholeReplica() throws Exception {
        // A server of its own: SharedOvsdb's must not be stopped, and this one is, with its file changed meanwhile.
        try (OvsdbServer own = OvsdbServer.start(work.resolve("restarted"))) {
            own.addInterface("contivVxlanBridge", "stays", Map.of("endpoint-id", "ep-stays"));
            own.addInterface("contivVlanBridge", "goes", Map.of("endpoint-id", "ep-goes"));
            String goesPort;
            try (OvsdbWrites ownWrites = new OvsdbWrites(own.tcpTarget())) {
                ownWrites.setStatistics(Map.of("stays", Map.of("rx_bytes", 5L), "goes", Map.of("rx_bytes", 6L)));
                goesPort = portUuid(own, "goes");
            }
            try (OvsdbMonitor monitor = live(own.tcpTarget(), new AtomicInteger())) {
                assertEquals(
                        Map.of("rx_bytes", 5L),
                        byName(monitor.freshRows()).get("stays").statistics());

                own.stop();
                await().atMost(LIVE).until(() -> !monitor.isLive());
                assertThrows(SourceException.class, monitor::freshRows);
                // The port (and with it its interface) is taken out of its bridge while the server is down.
                own.offlineTransact("[\"Open_vSwitch\",{\"op\":\"mutate\",\"table\":\"Bridge\",\"where\":[[\"name\","
                        + "\"==\",\"contivVlanBridge\"]],\"mutations\":[[\"ports\",\"delete\",[\"uuid\",\"" + goesPort
                        + "\"]]]}]");
                own.restart();
                await().atMost(LIVE).until(monitor::isLive);

                Map<String, OvsInterface> rows = byName(monitor.freshRows());
                assertFalse(rows.containsKey("goes"), "deleted interface survived: " + rows.keySet());
                // statistics are not kept across a restart, so none may be left from before it
                assertEquals(Map.of(), rows.get("stays").statistics());
                assertEquals(2, monitor.sessionsStarted());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private static OvsdbMonitor live(String target, AtomicInteger changes) {
        return live(target, TIMEOUT, Duration.ofSeconds(5), changes);
    }

    private static OvsdbMonitor live(String target, Duration timeout, Duration probeInterval, AtomicInteger changes) {
        OvsdbMonitor monitor = new OvsdbMonitor(
                OvsdbAddress.parse(target),
                null,
                timeout,
                Duration.ofMillis(50),
                Duration.ofMillis(400),
                probeInterval,
                changes::incrementAndGet);
        monitor.start();
        await().atMost(LIVE).until(monitor::isLive);
        return monitor;
    }

    /** New statistics for a random half of the churn interfaces, with keys coming and going. */
    private void churn() {
        Map<String, Map<String, Long>> statistics = new LinkedHashMap<>();
        for (int i = 0; i < CHURN_INTERFACES; i++) {
            if (random.nextBoolean()) {
                Map<String, Long> values = new TreeMap<>();
                for (String key : KEYS) {
                    if (random.nextInt(4) > 0) {
                        values.put(key, (long) random.nextInt(1_000_000));
                    }
                }
                statistics.put("churn" + i, values);
            }
        }
        if (!statistics.isEmpty()) {
            writes.setStatistics(statistics);
        }
    }

    private int churnedMismatches(OvsdbMonitor monitor, int rounds) {
        int mismatches = 0;
        for (int round = 0; round < rounds; round++) {
            churn();
            mismatches += mismatches(monitor);
        }
        return mismatches;
    }

    /** Rows that differ between the replica after the barrier and a select on the monitor's connection. */
    private static int mismatches(OvsdbMonitor monitor) {
        Map<String, OvsInterface> replica = byName(monitor.freshRows());
        Map<String, OvsInterface> selected = OvsdbWrites.selectOn(monitor);
        int differing = 0;
        for (String name : selected.keySet()) {
            if (!selected.get(name).equals(replica.get(name))) {
                differing++;
            }
        }
        for (String name : replica.keySet()) {
            if (!selected.containsKey(name)) {
                differing++;
            }
        }
        return differing;
    }

    private static Map<String, OvsInterface> byName(InterfaceReplica.Rows rows) {
        return OvsdbWrites.byName(rows.interfaces());
    }

    private static String portUuid(OvsdbServer server, String name) throws Exception {
        JsonNode answer = OvsdbWrites.JSON.readTree(server.transact("[\"Open_vSwitch\",{\"op\":\"select\","
                + "\"table\":\"Port\",\"where\":[[\"name\",\"==\",\"" + name + "\"]],\"columns\":[\"_uuid\"]}]"));
        return answer.path(0).path("rows").path(0).path("_uuid").path(1).asText();
    }
}
