package k8sprom.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.OvsdbServer;

/**
 * The Contiv exporter's /metrics latency with many endpoints: a real ovsdb-server holding one OVS interface per
 * endpoint (with statistics), a stand-in Netmaster (JDK HTTP server) listing the same endpoints in its networks, and
 * the jar started with EXPORTER_MODE=netplugin and the Dockerfile's JVM options. After 20 warm-up scrapes, 20
 * sequential scrapes are timed from request to last byte, with Prometheus' Accept header (OpenMetrics).
 */
final class ExporterBenchmark {

    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    static final int NETWORKS = 10;
    static final int WARMUP = 20;
    static final int SCRAPES = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] STATISTICS = {"rx_bytes", "tx_bytes", "rx_packets", "tx_packets", "rx_dropped",
        "tx_dropped", "rx_errors", "tx_errors", "rx_crc_err", "rx_frame_err", "rx_over_err", "collisions"};

    /** One exporter setting: latencies of the timed scrapes and the size of an answer. */
    record Setting(String name, List<Double> millis, int bytes, int samples, double peakRssMb) {
    }

    record Result(int endpoints, List<Setting> settings) {

        String describe() {
            StringBuilder text = new StringBuilder();
            for (Setting s : settings) {
                text.append(String.format(Locale.ROOT, "Exporter, %,d endpoints, %s: /metrics median %.1f ms, p99 %.1f ms"
                                + " (min %.1f, max %.1f), %,d bytes, %,d samples, peak RSS %.0f MB%n", endpoints,
                        s.name(), Stats.median(s.millis()), Stats.percentile(s.millis(), 99), Stats.min(s.millis()),
                        Stats.max(s.millis()), s.bytes(), s.samples(), s.peakRssMb()));
            }
            return text.toString();
        }

        String markdown() {
            StringBuilder md = new StringBuilder();
            md.append(String.format(Locale.ROOT, "Contiv exporter (EXPORTER_MODE=netplugin, real ovsdb-server, "
                    + "stand-in Netmaster), %,d endpoints in %d networks, %d sequential scrapes after %d warm-up "
                    + "ones:%n%n", endpoints, NETWORKS, SCRAPES, WARMUP));
            md.append("| setting | /metrics median | p99 | min-max | answer | peak RSS | target |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            for (Setting s : settings) {
                double median = Stats.median(s.millis());
                md.append(String.format(Locale.ROOT, "| %s | %s | %.1f ms | %.1f-%.1f ms | %,d samples, %.1f MB "
                                + "| %.0f MB | median <= 50 ms |%n", s.name(),
                        String.format(Locale.ROOT, "**%.1f ms** (%s)", median, median <= 50 ? "met" : "missed"),
                        Stats.percentile(s.millis(), 99), Stats.min(s.millis()), Stats.max(s.millis()),
                        s.samples(), s.bytes() / 1e6, s.peakRssMb()));
            }
            return md.toString();
        }
    }

    private ExporterBenchmark() {
    }

    static Result run(Path work, int endpoints, List<String> jvm) throws Exception {
        Files.createDirectories(work);
        System.out.printf(Locale.ROOT, "%n== Contiv exporter, %,d endpoints%n", endpoints);
        List<Setting> settings = new ArrayList<>();
        try (OvsdbServer ovs = OvsdbServer.start(work.resolve("ovs"));
             FakeNetmaster netmaster = FakeNetmaster.start(endpoints)) {
            populateOvs(ovs, endpoints);
            settings.add(measure(work, "metadata fetched at every scrape (cache 0 s; what a scrape interval above"
                    + " the 10 s cache sees)", "0", ovs, netmaster, jvm));
            settings.add(measure(work, "metadata cached (default 10 s cache, scrapes back to back)", "10", ovs,
                    netmaster, jvm));
        }
        return new Result(endpoints, settings);
    }

    private static Setting measure(Path work, String name, String cacheSeconds, OvsdbServer ovs,
                                   FakeNetmaster netmaster, List<String> jvm) throws Exception {
        int port = FreePort.find();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PUBLISHER_ENABLED", "false");
        env.put("EXPORTER_MODE", "netplugin");
        env.put("EXPORTER_NETPLUGIN_PORT", String.valueOf(port));
        env.put("CONTIV_NETMASTER_URL", netmaster.url());
        env.put("CONTIV_OVSDB", ovs.tcpTarget());
        env.put("EXPORTER_METADATA_CACHE_SECONDS", cacheSeconds);
        env.put("MANAGEMENT_PORT", String.valueOf(FreePort.find()));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Accept", PROMETHEUS_ACCEPT).timeout(Duration.ofSeconds(30)).build();
        try (PublisherJar exporter = PublisherJar.start(jvm, env, work.resolve("exporter-cache" + cacheSeconds
                + ".log"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    if (http.send(scrape, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (!exporter.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the exporter did not answer; see " + exporter.log());
                }
                Thread.sleep(100);
            }
            byte[] body = new byte[0];
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < WARMUP + SCRAPES; i++) {
                long t0 = System.nanoTime();
                HttpResponse<byte[]> response = http.send(scrape, HttpResponse.BodyHandlers.ofByteArray());
                double ms = (System.nanoTime() - t0) / 1e6;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("/metrics answered " + response.statusCode());
                }
                body = response.body();
                if (i >= WARMUP) {
                    millis.add(ms);
                }
            }
            String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
            int samples = (int) text.lines().filter(l -> l.startsWith("contiv_endpoint_")).count();
            if (!text.contains("contiv_up{source=\"netmaster\"} 1") || !text.contains("contiv_up{source=\"ovsdb\"} 1")) {
                throw new IllegalStateException("a source was down during the exporter benchmark; see "
                        + exporter.log());
            }
            double rss = ProcStat.statusKb(exporter.pid(), "VmHWM") / 1024.0;
            Setting setting = new Setting(name, millis, body.length, samples, rss);
            System.out.printf(Locale.ROOT, "   %s: median %.1f ms, p99 %.1f ms, %,d samples%n", name,
                    Stats.median(millis), Stats.percentile(millis, 99), samples);
            return setting;
        }
    }

    // ------------------------------------------------------------------------------------------------ OVSDB

    /**
     * One transaction: an interface per endpoint (external_ids:endpoint-id, statistics), a port for each, one bridge
     * holding them, linked from the root row. Sent over the OVSDB JSON-RPC connection, as it is far too large for
     * ovsdb-client's command line.
     */
    static void populateOvs(OvsdbServer ovs, int endpoints) throws IOException {
        ArrayNode params = JSON.createArrayNode();
        params.add("Open_vSwitch");
        ArrayNode ports = JSON.createArrayNode();
        for (int i = 0; i < endpoints; i++) {
            ObjectNode row = JSON.createObjectNode();
            row.put("name", "vport" + i);
            row.put("type", "internal");
            row.set("external_ids", map(Map.of("endpoint-id", "ep-" + i)));
            Map<String, Long> statistics = new LinkedHashMap<>();
            for (int s = 0; s < STATISTICS.length; s++) {
                statistics.put(STATISTICS[s], (long) (i + 1) * (s + 1) * 1000L);
            }
            row.set("statistics", map(statistics));
            params.add(insert("Interface", row, "i" + i));
            ObjectNode port = JSON.createObjectNode();
            port.put("name", "vport" + i);
            port.set("interfaces", JSON.createArrayNode().add("named-uuid").add("i" + i));
            params.add(insert("Port", port, "p" + i));
            ports.add(JSON.createArrayNode().add("named-uuid").add("p" + i));
        }
        ObjectNode bridge = JSON.createObjectNode();
        bridge.put("name", "contivVxlanBridge");
        bridge.set("ports", JSON.createArrayNode().add("set").add(ports));
        params.add(insert("Bridge", bridge, "br"));
        ObjectNode mutate = JSON.createObjectNode();
        mutate.put("op", "mutate");
        mutate.put("table", "Open_vSwitch");
        mutate.putArray("where");
        mutate.putArray("mutations").add(JSON.createArrayNode().add("bridges").add("insert")
                .add(JSON.createArrayNode().add("set").add(JSON.createArrayNode()
                        .add(JSON.createArrayNode().add("named-uuid").add("br")))));
        params.add(mutate);

        ObjectNode request = JSON.createObjectNode();
        request.put("method", "transact");
        request.set("params", params);
        request.put("id", 1);
        try (Socket socket = new Socket("127.0.0.1", ovs.port())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(JSON.writeValueAsBytes(request));
            out.flush();
            InputStream in = socket.getInputStream();
            try (JsonParser parser = JSON.getFactory().createParser(in)) {
                while (true) {
                    JsonNode message = JSON.readTree(parser);
                    if (message == null) {
                        throw new IOException("ovsdb-server closed the connection");
                    }
                    if (message.path("id").asInt(-1) == 1) {
                        for (JsonNode result : message.path("result")) {
                            if (result.has("error")) {
                                throw new IOException("OVSDB refused the endpoints: " + result);
                            }
                        }
                        if (!message.path("error").isNull() && !message.path("error").isMissingNode()) {
                            throw new IOException("OVSDB refused the endpoints: " + message.path("error"));
                        }
                        return;
                    }
                }
            }
        }
    }

    private static ObjectNode insert(String table, ObjectNode row, String uuidName) {
        ObjectNode op = JSON.createObjectNode();
        op.put("op", "insert");
        op.put("table", table);
        op.set("row", row);
        op.put("uuid-name", uuidName);
        return op;
    }

    private static ArrayNode map(Map<String, ?> entries) {
        ArrayNode pairs = JSON.createArrayNode();
        entries.forEach((key, value) -> {
            ArrayNode pair = JSON.createArrayNode().add(key);
            if (value instanceof Long number) {
                pair.add(number);
            } else {
                pair.add(String.valueOf(value));
            }
            pairs.add(pair);
        });
        return JSON.createArrayNode().add("map").add(pairs);
    }

    // ------------------------------------------------------------------------------------------------ Netmaster

    /**
     * Netmaster's REST answers for the endpoints: NETWORKS data networks (plus an infra one) over two tenants, each
     * inspection listing its share of the endpoints on node1, one endpoint group per 100 endpoints.
     */
    static final class FakeNetmaster implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(4);
        private final Map<String, byte[]> answers = new HashMap<>();

        private FakeNetmaster(int endpoints) throws IOException {
            ArrayNode networks = JSON.createArrayNode();
            ArrayNode groups = JSON.createArrayNode();
            Map<String, ArrayNode> networksOfTenant = new LinkedHashMap<>();
            int perNetwork = (endpoints + NETWORKS - 1) / NETWORKS;
            for (int n = 0; n < NETWORKS; n++) {
                String tenant = n % 2 == 0 ? "default" : "blue";
                String network = "net-" + n;
                String key = tenant + ":" + network;
                networksOfTenant.computeIfAbsent(tenant, t -> JSON.createArrayNode()).add(key);
                ObjectNode entry = JSON.createObjectNode();
                entry.put("key", key);
                entry.put("tenantName", tenant);
                entry.put("networkName", network);
                entry.put("nwType", "data");
                entry.put("encap", "vxlan");
                networks.add(entry);

                ArrayNode endpointList = JSON.createArrayNode();
                for (int i = n * perNetwork; i < Math.min(endpoints, (n + 1) * perNetwork); i++) {
                    ObjectNode endpoint = JSON.createObjectNode();
                    endpoint.put("endpointID", "ep-" + i);
                    endpoint.put("containerName", "container-" + i);
                    endpoint.put("containerID", String.format(Locale.ROOT, "%012x", 0xabc000000L + i));
                    endpoint.put("homingHost", "node1");
                    endpoint.put("intfName", "vport" + i);
                    endpoint.put("serviceName", "group-" + (i / 100));
                    endpoint.putArray("ipAddress").add("10." + n + "." + (i / 250 % 250) + "." + (i % 250 + 2))
                            .add("");
                    endpoint.put("macAddress", String.format(Locale.ROOT, "02:02:0a:%02x:%02x:%02x", n, i / 256 % 256,
                            i % 256));
                    endpoint.put("network", network + "." + tenant);
                    endpointList.add(endpoint);
                    if (i % 100 == 0) {
                        ObjectNode group = JSON.createObjectNode();
                        group.put("key", tenant + ":group-" + (i / 100));
                        group.put("groupName", "group-" + (i / 100));
                        group.put("networkName", network);
                        group.put("tenantName", tenant);
                        groups.add(group);
                    }
                }
                ObjectNode inspection = JSON.createObjectNode();
                ObjectNode config = inspection.putObject("Config");
                config.put("key", key);
                config.put("tenantName", tenant);
                config.put("networkName", network);
                config.put("nwType", "data");
                ObjectNode oper = inspection.putObject("Oper");
                oper.put("allocatedAddressesCount", endpointList.size());
                oper.set("endpoints", endpointList);
                oper.put("numEndpoints", endpointList.size());
                answers.put("/api/v1/inspect/networks/" + key + "/", JSON.writeValueAsBytes(inspection));
            }
            ObjectNode infra = JSON.createObjectNode();
            infra.put("key", "default:contivh1");
            infra.put("tenantName", "default");
            infra.put("networkName", "contivh1");
            infra.put("nwType", "infra");
            networks.add(infra);
            ArrayNode tenants = JSON.createArrayNode();
            networksOfTenant.forEach((tenant, keys) -> {
                ObjectNode entry = JSON.createObjectNode();
                entry.put("key", tenant);
                entry.put("tenantName", tenant);
                ObjectNode links = entry.putObject("link-sets").putObject("Networks");
                keys.forEach(k -> links.putObject(k.asText()).put("type", "network").put("key", k.asText()));
                tenants.add(entry);
            });
            answers.put("/api/v1/networks/", JSON.writeValueAsBytes(networks));
            answers.put("/api/v1/tenants/", JSON.writeValueAsBytes(tenants));
            answers.put("/api/v1/endpointGroups/", JSON.writeValueAsBytes(groups));
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.createContext("/", this::handle);
            server.setExecutor(threads);
            server.start();
        }

        static FakeNetmaster start(int endpoints) throws IOException {
            return new FakeNetmaster(endpoints);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                byte[] body = answers.get(exchange.getRequestURI().getPath());
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
