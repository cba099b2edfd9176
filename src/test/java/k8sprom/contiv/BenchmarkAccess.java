package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The exporter's scrape path without its network sources, for the micro-benchmarks in k8sprom.bench: an OVSDB
 * select answer and Netmaster's endpoints for N endpoints, and the steps one scrape runs on them.
 */
public final class BenchmarkAccess {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The statistics ovs-vswitchd writes for a plain interface, as the benchmarks populate them. */
    public static final String[] STATISTICS = {
        "rx_bytes",
        "tx_bytes",
        "rx_packets",
        "tx_packets",
        "rx_dropped",
        "tx_dropped",
        "rx_errors",
        "tx_errors",
        "rx_crc_err",
        "rx_frame_err",
        "rx_over_err",
        "collisions"
    };

    private final List<Endpoint> endpoints = new ArrayList<>();
    private final byte[] selectAnswer;
    private final NetpluginMetrics metrics = new NetpluginMetrics(Naming.DEFAULT, Duration.ofSeconds(10));
    private final ExpositionRenderer renderer = new ExpositionRenderer();

    /** N endpoints in 10 networks of two tenants, each with one OVS interface carrying 12 statistics. */
    public BenchmarkAccess(int count) throws IOException {
        ArrayNode rows = JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            int network = i % 10;
            endpoints.add(new Endpoint(
                    "ep-" + i,
                    network % 2 == 0 ? "default" : "blue",
                    "net-" + network,
                    "node1",
                    "container-" + i,
                    "group-" + (i / 100)));
            ObjectNode row = rows.addObject();
            row.put("name", "vport" + i);
            row.set(
                    "external_ids",
                    JSON.createArrayNode()
                            .add("map")
                            .add(JSON.createArrayNode()
                                    .add(JSON.createArrayNode()
                                            .add("endpoint-id")
                                            .add("ep-" + i))));
            ArrayNode statistics = JSON.createArrayNode();
            for (int s = 0; s < STATISTICS.length; s++) {
                statistics.add(JSON.createArrayNode().add(STATISTICS[s]).add((long) (i + 1) * (s + 1) * 1000L));
            }
            row.set("statistics", JSON.createArrayNode().add("map").add(statistics));
        }
        ArrayNode result = JSON.createArrayNode();
        result.addObject().set("rows", rows);
        selectAnswer = JSON.writeValueAsBytes(result);
    }

    /** The OVSDB select answer's JSON text (the "result" of the transact). */
    public byte[] selectAnswer() {
        return selectAnswer;
    }

    /** Parses the select answer and reads its rows, as the OVSDB client does at every scrape. */
    public int parseInterfaces() throws IOException {
        return interfaces(JSON.readTree(selectAnswer)).size();
    }

    /** Joins endpoints and interfaces and builds every family, as one netplugin-mode scrape does. */
    public MetricSnapshots families() throws IOException {
        List<OvsInterface> interfaces = interfaces(JSON.readTree(selectAnswer));
        List<MetricSnapshot> families = new ArrayList<>(metrics.snapshots(EndpointTraffic.join(endpoints, interfaces)));
        Map<String, Boolean> up = new LinkedHashMap<>();
        up.put("netmaster", true);
        up.put("ovsdb", true);
        families.addAll(HealthMetrics.snapshots(up, 0.01));
        return new MetricSnapshots(families);
    }

    /** Renders families as the exporter answers Prometheus (OpenMetrics) or another scraper (text 0.0.4). */
    public byte[] render(MetricSnapshots families, String accept) throws IOException {
        return renderer.render(families, accept).bytes();
    }

    /**
     * The live replica's path after one round of OVSDB updates: the statistics of the first {@code changing} rows
     * change (all twelve, or only the byte counters as in most of ovs-vswitchd's rounds), the table takes the new
     * rows, and the gzipped OpenMetrics answer is assembled as the exporter builds it ahead of a scrape.
     */
    public final class ChangedRows {
        private final List<OvsInterface> rows;
        private final StatisticsTable table = new StatisticsTable(Naming.DEFAULT, metrics);
        private final LineExposition.CompressedFamilies compressed = new LineExposition.CompressedFamilies();
        private final List<MetricSnapshot> own =
                HealthMetrics.snapshots(Map.of("netmaster", true, "ovsdb", true), 0.01);
        private final int changing;
        private final boolean bytesOnly;
        private long round;

        public ChangedRows(int changing, boolean bytesOnly) throws IOException {
            this.rows = new ArrayList<>(interfaces(JSON.readTree(selectAnswer)));
            this.changing = changing;
            this.bytesOnly = bytesOnly;
            table.update(endpoints, rows);
        }

        /** One round: the changed rows, the table's update and the gzip answer's size. */
        public int gzipAfterARound(Executor helper) throws IOException {
            round++;
            for (int i = 0; i < changing; i++) {
                OvsInterface row = rows.get(i);
                Map<String, Long> statistics = new LinkedHashMap<>(row.statistics());
                statistics.replaceAll((key, value) -> bytesOnly && !key.endsWith("_bytes") ? value : value + round);
                rows.set(i, new OvsInterface(row.name(), row.externalIds(), statistics));
            }
            StatisticsTable.View view = table.update(endpoints, rows);
            return new LineExposition(own, view, metrics, compressed)
                    .gzip(renderer.writerFor("application/openmetrics-text;version=1.0.0"), helper, () -> false)
                    .length();
        }
    }

    private static List<OvsInterface> interfaces(JsonNode result) {
        return OvsInterface.fromSelectResult(result, "benchmark");
    }
}
