package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The statistics table's answer against client_java's: through rounds of churn (statistics changing, keys and
 * interfaces coming and going, renames, negative values, labels that need escaping, endpoints changing), the lines
 * assembled incrementally must be byte for byte what client_java's writer produces from the families built in full
 * the way the exporter built them before (NetpluginMetrics from the join), in both text formats, plain and gzipped.
 */
class LineExpositionTest {

    private static final String OPENMETRICS = "application/openmetrics-text;version=1.0.0";
    private static final String[] STATISTICS = {
        "rx_bytes",
        "tx_bytes",
        "rx_packets",
        "tx_packets",
        "rx_dropped",
        "tx_dropped",
        "rx_errors",
        "tx_errors",
        "rx_crc_err",
        "collisions"
    };
    private static final ExecutorService HELPER = Executors.newSingleThreadExecutor();

    private final ExpositionRenderer renderer = new ExpositionRenderer();
    private final Random random = new Random(12);

    @AfterAll
    static void stopHelper() {
        HELPER.shutdownNow();
    }

    @ParameterizedTest
    @EnumSource(Naming.class)
    void incrementalLinesEqualClientJavaThroughChurn(Naming naming) throws Exception {
        NetpluginMetrics metrics = new NetpluginMetrics(naming, Duration.ofSeconds(10));
        StatisticsTable table = new StatisticsTable(naming, metrics);
        LineExposition.CompressedFamilies compressed = new LineExposition.CompressedFamilies();
        List<Endpoint> endpoints = endpoints(300);
        // Like the replica: rows by UUID in a HashMap, read as a list of its values.
        Map<String, OvsInterface> rows = new HashMap<>();
        for (int i = 0; i < 320; i++) {
            rows.put("uuid-" + i, row("vport" + i, "ep-" + i, statistics(i)));
        }
        int compared = 0;
        for (int round = 0; round < 60; round++) {
            churn(rows, round);
            if (round % 15 == 7) {
                endpoints = new ArrayList<>(endpoints);
                endpoints.set(
                        random.nextInt(endpoints.size()),
                        new Endpoint(
                                "ep-" + random.nextInt(300),
                                "blue",
                                "net-x",
                                "node2",
                                "renamed-" + round,
                                round % 2 == 0 ? null : "g\"" + round));
                endpoints.remove(random.nextInt(endpoints.size()));
            }
            List<OvsInterface> interfaces = List.copyOf(rows.values());
            List<MetricSnapshot> own = HealthMetrics.snapshots(Map.of("netmaster", true, "ovsdb", true), 0.25);

            StatisticsTable.View view = table.update(endpoints, interfaces);

            assertNotNull(view, "round " + round);
            List<MetricSnapshot> full = new ArrayList<>(metrics.snapshots(EndpointTraffic.join(endpoints, interfaces)));
            full.addAll(own);
            MetricSnapshots expected = new MetricSnapshots(full);
            LineExposition lines = new LineExposition(own, view, metrics, compressed);
            for (String accept : new String[] {null, OPENMETRICS}) {
                ExpositionFormatWriter writer = renderer.writerFor(accept);
                String clientJava = clientJava(writer, expected);
                assertEquals(
                        clientJava, text(lines.plain(writer, () -> false).bytes()), "round " + round + ", " + accept);
                Exposition zipped = lines.gzip(writer, HELPER, () -> false);
                assertEquals("gzip", zipped.contentEncoding());
                assertEquals(
                        clientJava,
                        text(new GZIPInputStream(new ByteArrayInputStream(zipped.bytes())).readAllBytes()),
                        "round " + round + ", " + accept + ", gzip");
                compared++;
            }
        }
        assertEquals(120, compared);
        // in the rounds where only the byte counters move, the other families' members were served again
        assertTrue(compressed.reused() > 0, "no gzip member was reused");
    }

    @Test
    void aWritingIsGivenUpOnceANewerStateIsServed() {
        NetpluginMetrics metrics = new NetpluginMetrics(Naming.DEFAULT, Duration.ofSeconds(10));
        StatisticsTable.View view = new StatisticsTable(Naming.DEFAULT, metrics)
                .update(
                        endpoints(10),
                        List.of(row("vport1", "ep-1", statistics(1)), row("vport2", "ep-2", statistics(2))));
        LineExposition lines = new LineExposition(HealthMetrics.snapshots(Map.of("ovsdb", true), 0.1), view, metrics);
        ExpositionFormatWriter writer = renderer.writerFor(OPENMETRICS);

        assertThrows(LineExposition.Superseded.class, () -> lines.plain(writer, () -> true));
        assertThrows(LineExposition.Superseded.class, () -> lines.gzip(writer, HELPER, () -> true));
    }

    @Test
    void twoInterfacesWithTheSameLabelsAreLeftToTheFullBuild() {
        NetpluginMetrics metrics = new NetpluginMetrics(Naming.DEFAULT, Duration.ofSeconds(10));
        StatisticsTable table = new StatisticsTable(Naming.DEFAULT, metrics);
        List<Endpoint> endpoints =
                List.of(new Endpoint("ep-1", "t", "n", "h", "c", null), new Endpoint("ep-2", "t", "n", "h", "c", null));

        assertNull(table.update(
                endpoints,
                List.of(row("vport1", "ep-1", Map.of("rx_bytes", 1L)), row("vport1", "ep-2", Map.of("rx_bytes", 2L)))));
        assertNotNull(table.update(
                endpoints,
                List.of(row("vport1", "ep-1", Map.of("rx_bytes", 1L)), row("vport2", "ep-2", Map.of("rx_bytes", 2L)))));
    }

    @Test
    void twoKeysNamedAlikeAreLeftToTheFullBuild() {
        NetpluginMetrics metrics = new NetpluginMetrics(Naming.DEFAULT, Duration.ofSeconds(10));
        StatisticsTable table = new StatisticsTable(Naming.DEFAULT, metrics);
        List<Endpoint> endpoints =
                List.of(new Endpoint("ep-1", "t", "n", "h", "c", null), new Endpoint("ep-2", "t", "n", "h", "d", null));

        assertNull(table.update(
                endpoints,
                List.of(
                        row("vport1", "ep-1", Map.of("collisions-x", 1L)),
                        row("vport2", "ep-2", Map.of("collisions_x", 2L)))));
    }

    @Test
    void aStatisticNamedLikeAnOwnFamilyIsLeftToTheFullBuild() throws Exception {
        NetpluginMetrics metrics = new NetpluginMetrics(Naming.COMPATIBLE, Duration.ofSeconds(10));
        StatisticsTable table = new StatisticsTable(Naming.COMPATIBLE, metrics);
        StatisticsTable.View view = table.update(
                List.of(new Endpoint("ep-1", "t", "n", "h", "c", null)),
                List.of(row("vport1", "ep-1", Map.of(HealthMetrics.UP, 1L, "rx_bytes", 5L))));
        List<MetricSnapshot> own = HealthMetrics.snapshots(Map.of("ovsdb", true), 0.1);

        assertNull(new LineExposition(own, view, metrics).plain(renderer.writerFor(OPENMETRICS), () -> false));
        assertTrue(LineExposition.writes(renderer.writerFor(OPENMETRICS)));
        assertTrue(!LineExposition.writes(renderer.writerFor(
                "application/vnd.google.protobuf;" + "proto=io.prometheus.client.MetricFamily;encoding=delimited")));
    }

    // A round of changes like ovs-vswitchd's and containers': values of about a fifth of the rows, now and then a
    // key or an interface more or less, a rename, a negative value.
    private void churn(Map<String, OvsInterface> rows, int round) {
        List<String> uuids = new ArrayList<>(rows.keySet());
        for (String uuid : uuids) {
            if (random.nextInt(5) == 0) {
                OvsInterface row = rows.get(uuid);
                Map<String, Long> statistics = new LinkedHashMap<>(row.statistics());
                // as ovs-vswitchd's rounds often are: only the traffic counters move, errors and drops stay
                boolean trafficOnly = round % 2 == 1;
                statistics.replaceAll((key, value) ->
                        trafficOnly && !key.endsWith("_bytes") ? value : value + random.nextInt(100_000));
                rows.put(uuid, new OvsInterface(row.name(), row.externalIds(), statistics));
            }
        }
        String some = uuids.get(random.nextInt(uuids.size()));
        OvsInterface row = rows.get(some);
        Map<String, Long> statistics = new LinkedHashMap<>(row.statistics());
        switch (round % 6) {
            case 0 -> statistics.put("rx_1_to_64_packets", (long) random.nextInt(1000));
            case 1 -> statistics.remove("collisions");
            case 2 -> statistics.put("tx_errors", -1L);
            case 3 -> rows.remove(some);
            case 4 ->
                rows.put(
                        "uuid-new-" + round, row("vport-new-" + round, "ep-" + random.nextInt(300), statistics(round)));
            default -> rows.put(some, new OvsInterface(row.name() + "-renamed", row.externalIds(), statistics));
        }
        if (round % 6 < 3) {
            rows.put(some, new OvsInterface(row.name(), row.externalIds(), statistics));
        }
    }

    private List<Endpoint> endpoints(int count) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String container = switch (i % 7) {
                case 0 -> "quote\"d-" + i;
                case 1 -> "back\\slash-" + i;
                case 2 -> "new\nline-" + i;
                case 3 -> "ünïcødé-" + i;
                default -> "container-" + i;
            };
            endpoints.add(new Endpoint(
                    "ep-" + i,
                    i % 2 == 0 ? "default" : "blue",
                    "net-" + (i % 10),
                    "node1",
                    container,
                    i % 3 == 0 ? null : "group-" + (i / 50)));
        }
        return endpoints;
    }

    private Map<String, Long> statistics(int seed) {
        Map<String, Long> statistics = new LinkedHashMap<>();
        for (String key : STATISTICS) {
            statistics.put(key, (long) random.nextInt(Integer.MAX_VALUE) * (seed % 4 == 0 ? 100_000L : 1L));
        }
        return statistics;
    }

    private static OvsInterface row(String name, String endpointId, Map<String, Long> statistics) {
        return new OvsInterface(name, Map.of(OvsInterface.ENDPOINT_ID, endpointId), statistics);
    }

    private static String clientJava(ExpositionFormatWriter writer, MetricSnapshots families) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, families);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
