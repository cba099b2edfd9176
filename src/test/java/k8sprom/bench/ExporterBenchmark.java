package k8sprom.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import k8sprom.contiv.BenchmarkAccess;
import k8sprom.contiv.NetmasterSimulator;
import k8sprom.contiv.OvsFixture;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.JarProcess;
import k8sprom.testsupport.OvsdbServer;

/**
 * The Contiv exporter's /metrics latency with many endpoints: a real ovsdb-server holding one OVS interface per
 * endpoint (with statistics), a stand-in Netmaster (JDK HTTP server) listing the same endpoints in its networks, and
 * the jar started with EXPORTER_MODE=netplugin and the Dockerfile's JVM options. While the statistics of CHURNING
 * interfaces change every second (one transaction, as ovs-vswitchd writes them), SCRAPES scrapes with Prometheus'
 * Accept header (OpenMetrics) are timed from request to last byte, each after a random pause of 100-400 ms so they
 * fall anywhere between two changes. Then FRESHNESS_PROBES times a value is written and the very next scrape is
 * checked for it. Last, ovsdb-server's CPU is measured over equal windows: the churn alone, the churn with a select
 * of the Interface table every 10 s (what the exporter did at every scrape before its live replica), and the churn with
 * the exporter scraped every 10 s.
 */
final class ExporterBenchmark {

    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    static final int NETWORKS = 10;
    static final int QUICK_WARMUP = 300;
    static final int WARMUP = 20;
    static final int SCRAPES = 60;
    static final int CHURNING = 1000;
    static final int FRESHNESS_PROBES = 10;
    static final Duration CPU_WINDOW = Duration.ofSeconds(30);
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] STATISTICS = BenchmarkAccess.STATISTICS;

    /** One exporter setting: latencies of the timed scrapes, the size of an answer, freshness and memory. */
    record Setting(
            String name,
            List<Double> millis,
            int bytes,
            int samples,
            double peakRssMb,
            double rssMb,
            int freshServed,
            List<Double> freshMillis) {}

    /** ovsdb-server CPU seconds per minute in each window. */
    record OvsdbCpu(double churnOnly, double churnAndSelects, double churnAndExporter, double exporterItself) {}

    record Result(
            int endpoints,
            List<Setting> settings,
            OvsdbCpu cpu,
            List<Double> echoMillis,
            List<Double> monitoredEchoMillis) {

        String describe() {
            StringBuilder text = new StringBuilder();
            for (Setting s : settings) {
                text.append(String.format(
                        Locale.ROOT,
                        "Exporter, %,d endpoints, %s: /metrics median %.1f ms, p99 %.1f ms"
                                + " (min %.1f, max %.1f), %,d bytes, %,d samples, peak RSS %.0f MB, RSS %.0f MB;"
                                + " a write served by the next scrape %d/%d (median %.1f ms)%n",
                        endpoints,
                        s.name(),
                        Stats.median(s.millis()),
                        Stats.percentile(s.millis(), 99),
                        Stats.min(s.millis()),
                        Stats.max(s.millis()),
                        s.bytes(),
                        s.samples(),
                        s.peakRssMb(),
                        s.rssMb(),
                        s.freshServed(),
                        FRESHNESS_PROBES,
                        Stats.median(s.freshMillis())));
            }
            text.append(String.format(
                    Locale.ROOT,
                    "ovsdb-server CPU per minute: churn alone %.2f s, with a select"
                            + " every 10 s %.2f s, with the exporter scraped every 10 s %.2f s; the exporter's own CPU per"
                            + " minute then %.2f s%n",
                    cpu.churnOnly(),
                    cpu.churnAndSelects(),
                    cpu.churnAndExporter(),
                    cpu.exporterItself()));
            text.append(String.format(
                    Locale.ROOT,
                    "ovsdb-server echo on a connection of its own during the churn"
                            + " (the floor of the exporter's barrier): median %.1f ms, p99 %.1f ms, slowest %s%n",
                    Stats.median(echoMillis),
                    Stats.percentile(echoMillis, 99),
                    slowest(echoMillis, 6)));
            text.append(String.format(
                    Locale.ROOT,
                    "ovsdb-server echo on a connection of its own that monitors the Interface table during the churn"
                            + " (the floor of any monitored replica with an echo barrier): median %.1f ms, p99 %.1f ms,"
                            + " slowest %s%n",
                    Stats.median(monitoredEchoMillis),
                    Stats.percentile(monitoredEchoMillis, 99),
                    slowest(monitoredEchoMillis, 6)));
            return text.toString();
        }

        String markdown() {
            StringBuilder md = new StringBuilder();
            md.append(String.format(
                    Locale.ROOT,
                    "Contiv exporter (EXPORTER_MODE=netplugin, real ovsdb-server, "
                            + "stand-in Netmaster), %,d endpoints in %d networks, statistics of %,d interfaces changing "
                            + "every second; %d scrapes 100-400 ms apart after %d back-to-back and %d paced warm-up"
                            + " ones, by a blocking client on a kept-alive connection:%n%n",
                    endpoints,
                    NETWORKS,
                    CHURNING,
                    SCRAPES,
                    QUICK_WARMUP,
                    WARMUP));
            md.append("| setting | /metrics median | p99 | min-max | answer | write served by the next scrape "
                    + "| RSS (peak) | target |\n");
            md.append("|---|---|---|---|---|---|---|---|\n");
            for (Setting s : settings) {
                double median = Stats.median(s.millis());
                double p99 = Stats.percentile(s.millis(), 99);
                md.append(String.format(
                        Locale.ROOT,
                        "| %s | **%.1f ms** | **%.1f ms** | %.1f-%.1f ms "
                                + "| %,d samples, %.1f MB sent | %d/%d (median %.1f ms) | %.0f MB (%.0f MB) "
                                + "| median <= 10 ms (%s), p99 <= 50 ms (%s) |%n",
                        s.name(),
                        median,
                        p99,
                        Stats.min(s.millis()),
                        Stats.max(s.millis()),
                        s.samples(),
                        s.bytes() / 1e6,
                        s.freshServed(),
                        FRESHNESS_PROBES,
                        Stats.median(s.freshMillis()),
                        s.rssMb(),
                        s.peakRssMb(),
                        median <= 10 ? "met" : "missed",
                        p99 <= 50 ? "met" : "missed"));
            }
            md.append(String.format(
                    Locale.ROOT,
                    "%novsdb-server CPU per minute (windows of %d s, %,d interfaces "
                            + "changing every second in all three): churn alone %.2f s; with a select of the "
                            + "Interface table every 10 s (the exporter before its replica, scraped every 10 s) %.2f s;"
                            + " with the exporter's monitor, scraped every 10 s, %.2f s (the exporter itself: %.2f s).%n",
                    CPU_WINDOW.toSeconds(),
                    CHURNING,
                    cpu.churnOnly(),
                    cpu.churnAndSelects(),
                    cpu.churnAndExporter(),
                    cpu.exporterItself()));
            md.append(String.format(
                    Locale.ROOT,
                    "%nAn `echo` on a connection of its own (no monitor) at random moments"
                            + " during the churn, %d of them (the floor of the exporter's freshness barrier): median %.1f ms,"
                            + " p99 %.1f ms, slowest %s ms.%n",
                    echoMillis.size(),
                    Stats.median(echoMillis),
                    Stats.percentile(echoMillis, 99),
                    slowest(echoMillis, 6)));
            md.append(String.format(
                    Locale.ROOT,
                    "The same on a connection that monitors the Interface table's name, external_ids and statistics,"
                            + " its updates read and skipped (the floor of any exporter that keeps a monitored replica and"
                            + " passes an echo barrier): median %.1f ms, p99 %.1f ms, slowest %s ms.%n",
                    Stats.median(monitoredEchoMillis),
                    Stats.percentile(monitoredEchoMillis, 99),
                    slowest(monitoredEchoMillis, 6)));
            return md.toString();
        }
    }

    private ExporterBenchmark() {}

    /**
     * The floors of the exporter's freshness barrier: echo round trips at random moments during the churn, like
     * scrapes. ovsdb-server answers a request only between transactions, so an echo that arrives while it commits a
     * churn transaction waits for that; on a connection that monitors the Interface table (monitored), as the
     * exporter's does, it also waits for ovsdb-server to compose and send that connection's update, which is read and
     * skipped here without being applied. The second is what any exporter that keeps a monitored replica and passes
     * an echo barrier pays at least.
     */
    static List<Double> echoes(int port, int count, boolean monitored) throws Exception {
        List<Double> millis = new ArrayList<>();
        Random random = new Random(2);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            JsonParser in = JSON.getFactory().createParser(socket.getInputStream());
            if (monitored) {
                out.write(("{\"id\":\"monitor\",\"method\":\"monitor_cond\",\"params\":[\"Open_vSwitch\",null,"
                                + "{\"Interface\":[{\"columns\":[\"name\",\"external_ids\",\"statistics\"]}]}]}")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                awaitReply(in, out, "\"monitor\"");
            }
            for (int i = 0; i < count; i++) {
                Thread.sleep(100 + random.nextInt(300));
                long t0 = System.nanoTime();
                out.write(("{\"id\":" + i + ",\"method\":\"echo\",\"params\":[]}").getBytes(StandardCharsets.UTF_8));
                out.flush();
                awaitReply(in, out, String.valueOf(i));
                millis.add((System.nanoTime() - t0) / 1e6);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "   echo on a connection of its own%s during the churn: median %.1f ms, p99 %.1f ms, slowest %s%n",
                monitored ? " that monitors the Interface table" : "",
                Stats.median(millis),
                Stats.percentile(millis, 99),
                slowest(millis, 6));
        return millis;
    }

    /**
     * Reads messages until the reply whose id is the JSON text id, skipping update notifications unparsed beyond
     * their method and answering ovsdb-server's own inactivity probes as the exporter does.
     */
    private static void awaitReply(JsonParser in, OutputStream out, String id) throws IOException {
        while (true) {
            if (in.nextToken() == null) {
                throw new IOException("ovsdb-server closed the connection while the benchmark waited for reply " + id);
            }
            String method = null;
            String replyTo = null;
            JsonNode params = null;
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String field = in.currentName();
                in.nextToken();
                switch (field) {
                    case "method" -> method = in.getText();
                    case "id" -> replyTo = JSON.writeValueAsString(JSON.readTree(in));
                    case "params" -> {
                        if ("echo".equals(method)) {
                            params = JSON.readTree(in);
                        } else {
                            in.skipChildren();
                        }
                    }
                    default -> in.skipChildren();
                }
            }
            if ("echo".equals(method)) {
                ObjectNode answer = JSON.createObjectNode();
                answer.set("id", JSON.readTree(replyTo));
                answer.set("result", params == null ? JSON.createArrayNode() : params);
                answer.putNull("error");
                out.write(JSON.writeValueAsBytes(answer));
                out.flush();
            } else if (method == null && id.equals(replyTo)) {
                return;
            } else if (method == null) {
                throw new IllegalStateException("unexpected OVSDB reply " + replyTo + " while waiting for " + id);
            }
        }
    }

    // What p99 of a few dozen scrapes is made of: the slowest ones, slowest first.
    static String slowest(List<Double> millis, int count) {
        return millis.stream()
                .sorted(Comparator.reverseOrder())
                .limit(count)
                .map(ms -> String.format(Locale.ROOT, "%.1f", ms))
                .collect(Collectors.joining(", "));
    }

    static Result run(Path work, int endpoints, List<String> jvm) throws Exception {
        Files.createDirectories(work);
        System.out.printf(Locale.ROOT, "%n== Contiv exporter, %,d endpoints%n", endpoints);
        List<Setting> settings = new ArrayList<>();
        try (OvsdbServer ovs = OvsdbServer.start(work.resolve("ovs"));
                NetmasterSimulator netmaster = NetmasterSimulator.startWithEndpoints(endpoints, NETWORKS)) {
            OvsFixture.populateEndpoints(ovs, endpoints, STATISTICS);
            try (OvsdbChurn churn = new OvsdbChurn(ovs.port())) {
                churn.start(Math.min(CHURNING, endpoints - 1), STATISTICS, 1000);
                settings.add(measure(
                        work, "metadata cached (default 10 s)", "10", false, ovs, netmaster, jvm, churn, endpoints));
                settings.add(measure(
                        work,
                        "metadata cached (default 10 s), gzip as Prometheus asks",
                        "10",
                        true,
                        ovs,
                        netmaster,
                        jvm,
                        churn,
                        endpoints));
                settings.add(measure(
                        work,
                        "metadata fetched at every scrape (cache 0 s)",
                        "0",
                        false,
                        ovs,
                        netmaster,
                        jvm,
                        churn,
                        endpoints));
                List<Double> echoes = echoes(ovs.port(), FRESHNESS_PROBES * 6, false);
                List<Double> monitoredEchoes = echoes(ovs.port(), FRESHNESS_PROBES * 6, true);
                OvsdbCpu cpu = measureOvsdbCpu(work, ovs, netmaster, jvm, churn);
                return new Result(endpoints, settings, cpu, echoes, monitoredEchoes);
            }
        }
    }

    private static Setting measure(
            Path work,
            String name,
            String cacheSeconds,
            boolean gzip,
            OvsdbServer ovs,
            NetmasterSimulator netmaster,
            List<String> jvm,
            OvsdbChurn churn,
            int endpoints)
            throws Exception {
        try (Exporter exporter = Exporter.start(work, cacheSeconds, gzip, ovs, netmaster, jvm)) {
            Random random = new Random(1);
            byte[] body = new byte[0];
            List<Double> millis = new ArrayList<>();
            // A long-running exporter has compiled its scrape path long ago: back-to-back scrapes get it there, then
            // paced ones settle the timing.
            for (int i = 0; i < QUICK_WARMUP; i++) {
                exporter.scrape(gzip);
            }
            for (int i = 0; i < WARMUP + SCRAPES; i++) {
                Thread.sleep(100 + random.nextInt(300));
                long t0 = System.nanoTime();
                body = exporter.scrape(gzip);
                double ms = (System.nanoTime() - t0) / 1e6;
                if (i >= WARMUP) {
                    millis.add(ms);
                }
            }
            int answerBytes = body.length;
            String text = new String(gzip ? gunzip(body) : body, StandardCharsets.UTF_8);
            int samples = (int)
                    text.lines().filter(l -> l.startsWith("contiv_endpoint_")).count();
            if (!text.contains("contiv_up{source=\"netmaster\"} 1")
                    || !text.contains("contiv_up{source=\"ovsdb\"} 1")) {
                throw new IllegalStateException(
                        "a source was down during the exporter benchmark; see " + exporter.jar.log());
            }

            // A value written into OVSDB must be in the very next scrape: OVS rx_bytes is the container's transmit.
            String probed = "interface=\"vport" + (endpoints - 1) + "\"";
            int served = 0;
            List<Double> freshMillis = new ArrayList<>();
            for (int i = 0; i < FRESHNESS_PROBES; i++) {
                long marker = 1_000_000 + random.nextInt(8_000_000);
                churn.setStatistic("vport" + (endpoints - 1), "rx_bytes", marker);
                long t0 = System.nanoTime();
                byte[] fresh = exporter.scrape(gzip);
                String answer = new String(gzip ? gunzip(fresh) : fresh, StandardCharsets.UTF_8);
                freshMillis.add((System.nanoTime() - t0) / 1e6);
                if (answer.lines()
                        .anyMatch(line -> line.startsWith("contiv_endpoint_transmit_bytes_total{")
                                && line.contains(probed)
                                && line.endsWith(" " + marker + ".0"))) {
                    served++;
                }
                Thread.sleep(100 + random.nextInt(300));
            }
            double peakRss = ProcStat.statusKb(exporter.jar.pid(), "VmHWM") / 1024.0;
            double rss = ProcStat.statusKb(exporter.jar.pid(), "VmRSS") / 1024.0;
            Setting setting = new Setting(name, millis, answerBytes, samples, peakRss, rss, served, freshMillis);
            System.out.printf(
                    Locale.ROOT,
                    "   %s: median %.1f ms, p99 %.1f ms, %,d samples, fresh %d/%d, RSS %.0f MB"
                            + " (peak %.0f MB), %d churn rounds so far%n",
                    name,
                    Stats.median(millis),
                    Stats.percentile(millis, 99),
                    samples,
                    served,
                    FRESHNESS_PROBES,
                    rss,
                    peakRss,
                    churn.rounds());
            System.out.printf(Locale.ROOT, "   slowest scrapes (ms): %s%n", slowest(millis, 6));
            return setting;
        }
    }

    private static OvsdbCpu measureOvsdbCpu(
            Path work, OvsdbServer ovs, NetmasterSimulator netmaster, List<String> jvm, OvsdbChurn churn)
            throws Exception {
        double perMinute = 60.0 / CPU_WINDOW.toSeconds();
        double churnOnly = ovsdbCpu(ovs, () -> {}) * perMinute;
        double selects;
        try (OvsdbChurn selecting = new OvsdbChurn(ovs.port())) {
            selects = ovsdbCpu(ovs, () -> selecting.selectInterfaces()) * perMinute;
        }
        double exporterCpu;
        double exporterItself;
        try (Exporter exporter = Exporter.start(work, "10", true, ovs, netmaster, jvm)) {
            double before = ProcStat.cpuSeconds(exporter.jar.pid());
            exporterCpu = ovsdbCpu(ovs, () -> exporter.scrape(true)) * perMinute;
            exporterItself = (ProcStat.cpuSeconds(exporter.jar.pid()) - before) * perMinute;
        }
        System.out.printf(
                Locale.ROOT,
                "   ovsdb-server CPU per minute: churn %.2f s, + selects %.2f s, + exporter" + " %.2f s%n",
                churnOnly,
                selects,
                exporterCpu);
        System.out.printf(Locale.ROOT, "   exporter CPU per minute (scraped every 10 s): %.2f s%n", exporterItself);
        return new OvsdbCpu(churnOnly, selects, exporterCpu, exporterItself);
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        return new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
    }

    private interface Tick {
        void run() throws Exception;
    }

    /** ovsdb-server's CPU seconds over one window, running the tick at its start and every SCRAPE_INTERVAL. */
    private static double ovsdbCpu(OvsdbServer ovs, Tick tick) throws Exception {
        double before = ProcStat.cpuSeconds(ovs.pid());
        long start = System.nanoTime();
        long end = start + CPU_WINDOW.toNanos();
        long next = start;
        while (System.nanoTime() < end) {
            if (System.nanoTime() >= next) {
                tick.run();
                next += SCRAPE_INTERVAL.toNanos();
            }
            Thread.sleep(Math.max(1, Math.min(end, next) - System.nanoTime()) / 1_000_000 + 1);
        }
        return ProcStat.cpuSeconds(ovs.pid()) - before;
    }

    /** The jar as an exporter, ready once its OVSDB replica is live and Netmaster answered. */
    private static final class Exporter implements AutoCloseable {
        private static int started;
        final JarProcess jar;
        final URL scrape;

        private Exporter(JarProcess jar, URL scrape) {
            this.jar = jar;
            this.scrape = scrape;
        }

        /** Started and scraped until ready in the encoding the measurement then asks for. */
        static Exporter start(
                Path work,
                String cacheSeconds,
                boolean gzip,
                OvsdbServer ovs,
                NetmasterSimulator netmaster,
                List<String> jvm)
                throws Exception {
            int port = FreePort.find();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PUBLISHER_ENABLED", "false");
            env.put("EXPORTER_MODE", "netplugin");
            env.put("EXPORTER_NETPLUGIN_PORT", String.valueOf(port));
            env.put("CONTIV_NETMASTER_URL", netmaster.baseUri().toString());
            env.put("CONTIV_OVSDB", ovs.tcpTarget());
            env.put("EXPORTER_METADATA_CACHE_SECONDS", cacheSeconds);
            env.put("MANAGEMENT_PORT", String.valueOf(FreePort.find()));
            URL scrape = URI.create("http://127.0.0.1:" + port + "/metrics").toURL();
            JarProcess jar = JarProcess.start(
                    env, work.resolve("exporter-" + (++started) + "-cache" + cacheSeconds + ".log"), jvm, List.of());
            Exporter exporter = new Exporter(jar, scrape);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (true) {
                try {
                    byte[] body = exporter.scrape(gzip);
                    if (new String(gzip ? gunzip(body) : body, StandardCharsets.UTF_8)
                            .contains("contiv_up{source=\"ovsdb\"} 1")) {
                        return exporter;
                    }
                } catch (IOException | IllegalStateException notYet) {
                    // not listening, or not live yet
                }
                if (!jar.isAlive() || System.nanoTime() > deadline) {
                    jar.close();
                    throw new IllegalStateException("the exporter did not answer; see " + jar.log());
                }
                Thread.sleep(100);
            }
        }

        /**
         * The body as sent: gzipped when asked, like Prometheus asks. A blocking client on a kept-alive connection,
         * as Prometheus' own: java.net.http's client hands each response between its selector and executor threads,
         * which added 3-6 ms to the median here (docs/benchmark.md).
         */
        byte[] scrape(boolean gzip) throws IOException {
            HttpURLConnection connection = (HttpURLConnection) scrape.openConnection();
            connection.setConnectTimeout(2_000);
            connection.setReadTimeout(30_000);
            connection.setRequestProperty("Accept", PROMETHEUS_ACCEPT);
            if (gzip) {
                connection.setRequestProperty("Accept-Encoding", "gzip");
            }
            if (connection.getResponseCode() != 200) {
                connection.disconnect();
                throw new IllegalStateException("/metrics answered " + connection.getResponseCode());
            }
            String encoding = connection.getContentEncoding();
            byte[] body;
            try (InputStream in = connection.getInputStream()) {
                body = in.readAllBytes();
            }
            if (gzip != "gzip".equals(encoding)) {
                throw new IllegalStateException(
                        "/metrics answered with Content-Encoding " + encoding + " to gzip=" + gzip);
            }
            return body;
        }

        @Override
        public void close() throws Exception {
            jar.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ OVSDB
}
