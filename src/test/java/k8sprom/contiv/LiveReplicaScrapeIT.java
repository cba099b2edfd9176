package k8sprom.contiv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import k8sprom.testsupport.OvsdbServer;
import k8sprom.testsupport.PrometheusServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics served from the live replica, end to end (the app and route, a real ovsdb-server, the Netmaster
 * simulator): the same series and values a select-based collection writes for the same database, fresh values,
 * cached bytes, endpoints coming and going, a restart of ovsdb-server while scraping, and the formats' checkers.
 */
class LiveReplicaScrapeIT {

    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String BATCH_7_RECEIVED = "contiv_endpoint_receive_bytes_total{container_name=\"batch-7\","
            + "host=\"node1\",interface=\"vport3\",network=\"web-net\",tenant=\"default\"}";
    private static final List<String> ENDPOINT_INTERFACES = List.of("vport1", "vport2", "vport3", "vport4");

    @TempDir
    static Path work;

    // Its own ovsdb-server, not SharedOvsdb's: one test restarts it while scraping.
    static OvsdbServer ovs;
    static NetmasterSimulator netmaster;
    static ExporterApp app;
    OvsdbWrites writes;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Random random = new Random(7);

    @BeforeAll
    static void startEverything() throws Exception {
        ovs = OvsdbServer.start(work.resolve("ovs"));
        OvsFixture.populate(ovs);
        netmaster = NetmasterSimulator.start();
        app = ExporterApp.start(Map.of(
                "contiv.mode",
                "netplugin",
                "contiv.netmaster-url",
                netmaster.baseUri().toString(),
                "contiv.ovsdb",
                ovs.tcpTarget(),
                "contiv.metadata-cache-seconds",
                "0"));
    }

    @BeforeEach
    void openWrites() throws IOException {
        writes = new OvsdbWrites(ovs.tcpTarget());
    }

    @AfterAll
    static void stopEverything() throws Exception {
        app.close();
        netmaster.close();
        ovs.close();
    }

    @AfterEach
    void fixturesAgain() throws Exception {
        writes.close();
        netmaster.reset();
        OvsFixture.writeStatistics(ovs);
    }

    @Test
    void servesWhatASelectBasedCollectionWritesForTheSameDatabaseThroughChurn() throws Exception {
        for (int i = 0; i < 15; i++) {
            long round = i;
            writes.setStatistics(ENDPOINT_INTERFACES.stream()
                    .collect(Collectors.toMap(
                            name -> name,
                            name -> Map.of(
                                    "rx_bytes",
                                    (long) random.nextInt(1 << 30),
                                    "tx_bytes",
                                    (long) random.nextInt(100),
                                    "rx_packets",
                                    round))));

            String served = app.scrape().body();

            assertEquals(endpointLines(selectBasedExposition()), endpointLines(served), "round " + round);
        }
    }

    @Test
    void servesAValueWrittenRightBeforeTheScrape() throws Exception {
        for (long value = 1; value <= 20; value++) {
            writes.setStatistics(Map.of("vport3", Map.of("rx_bytes", 50L, "tx_bytes", 1000 + value)));

            assertEquals(1000 + value, Exposed.parse(app.scrape().body()).get(BATCH_7_RECEIVED));
        }
    }

    @Test
    void servesTheSameBytesUntilTheDataChanges() throws Exception {
        byte[] first = scrapeBytes();
        byte[] second = scrapeBytes();
        assertArrayEquals(first, second, "nothing changed, so the rendered answer (scrape duration too) is reused");

        writes.setStatistics(Map.of("vport3", Map.of("rx_bytes", 50L, "tx_bytes", 61L)));
        assertNotEquals(new String(first, StandardCharsets.UTF_8), new String(scrapeBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void endpointsAndTheirInterfacesComeAndGo() throws Exception {
        String webNet = NetmasterSimulator.INSPECT + "default:web-net/";
        String inspection = NetmasterSimulator.resource("inspections.json");
        String withNewEndpoint = OvsdbWrites.JSON
                .readTree(inspection)
                .get("default:web-net")
                .toString()
                .replace(
                        "\"endpoints\":[",
                        "\"endpoints\":[{\"endpointID\":\"ep-new\",\"containerName\":\"new-1\","
                                + "\"homingHost\":\"node1\",\"intfName\":\"vport9\",\"network\":\"web-net.default\"},");
        String newSeries = "contiv_endpoint_receive_bytes_total{container_name=\"new-1\",host=\"node1\","
                + "interface=\"vport9\",network=\"web-net\",tenant=\"default\"}";

        netmaster.answer(webNet, 200, withNewEndpoint);
        ovs.addInterface("contivVxlanBridge", "vport9", Map.of("endpoint-id", "ep-new"));
        writes.setStatistics(Map.of("vport9", Map.of("tx_bytes", 99L)));
        assertEquals(99, Exposed.parse(app.scrape().body()).get(newSeries));

        ovs.vsctl("del-port", "vport9");
        assertFalse(Exposed.parse(app.scrape().body()).anySeriesContains("vport9"), "interface gone");

        ovs.addInterface("contivVxlanBridge", "vport9", Map.of("endpoint-id", "ep-new"));
        writes.setStatistics(Map.of("vport9", Map.of("tx_bytes", 98L)));
        assertEquals(98, Exposed.parse(app.scrape().body()).get(newSeries));
        netmaster.reset();
        assertFalse(Exposed.parse(app.scrape().body()).anySeriesContains("new-1"), "endpoint gone from Netmaster");
        ovs.vsctl("del-port", "vport9");
    }

    @Test
    void aRestartOfOvsdbServerTurnsUpToZeroAndNeverServesOldStatistics() throws Exception {
        List<String> answers = new CopyOnWriteArrayList<>();
        AtomicBoolean scraping = new AtomicBoolean(true);
        Thread scraper = new Thread(() -> {
            while (scraping.get()) {
                try {
                    answers.add(app.scrape().body());
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        scraper.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() > 3);
            ovs.stop();
            await().atMost(Duration.ofSeconds(20)).until(() -> ovsdbUp(last(answers)) == 0);
            ovs.restart();
            await().atMost(Duration.ofSeconds(20)).until(() -> ovsdbUp(last(answers)) == 1);
            // ovsdb-server does not keep statistics across a restart: until they are written, none is served
            assertFalse(Exposed.parse(app.scrape().body()).anySeriesContains("contiv_endpoint_"));
            OvsFixture.writeStatistics(ovs);
            assertEquals(60, Exposed.parse(app.scrape().body()).get(BATCH_7_RECEIVED));
        } finally {
            scraping.set(false);
            scraper.join();
        }

        List<Integer> upSequence = new ArrayList<>();
        for (String answer : answers) {
            int up = ovsdbUp(answer);
            if (up == 0) {
                assertFalse(
                        Exposed.parse(answer).anySeriesContains("contiv_endpoint_"),
                        "statistics served while OVSDB was down");
            }
            if (upSequence.isEmpty() || upSequence.get(upSequence.size() - 1) != up) {
                upSequence.add(up);
            }
        }
        assertEquals(List.of(1, 0, 1), upSequence);
    }

    @Test
    void openMetricsPassesAStrictParserAndTheTextFormatPassesPromtool() throws Exception {
        HttpResponse<String> openMetrics = app.scrape(OPENMETRICS);
        assertEquals(
                OPENMETRICS, openMetrics.headers().firstValue("Content-Type").orElse(""));

        assertEquals("", strictOpenMetricsParser(openMetrics.body()));
        assertEquals("", PrometheusServer.checkMetrics(app.scrape().body()));
    }

    @Test
    void gzipsWhenAskedAnswersHeadAndFiltersByName() throws Exception {
        HttpResponse<byte[]> zipped = http.send(
                request("").header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElse(""));
        assertArrayEquals(
                scrapeBytes(), new GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body())).readAllBytes());

        HttpResponse<byte[]> head = http.send(
                request("").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertTrue(head.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));

        String filtered = http.send(
                        request("?name[]=contiv_up&name[]=contiv_endpoint_receive_bytes_total")
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertEquals(
                List.of("contiv_endpoint_receive_bytes_total", "contiv_up"),
                filtered.lines()
                        .filter(line -> line.startsWith("# TYPE"))
                        .map(line -> line.split(" ")[2])
                        .toList());
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /** Today's collection for the same database: a select, Netmaster's endpoints, the same families and writer. */
    private String selectBasedExposition() throws IOException {
        List<Endpoint> endpoints = EndpointDirectory.list(
                        new NetmasterApi(netmaster.baseUri(), new JsonHttp(Duration.ofSeconds(5))))
                .value();
        List<OvsInterface> rows = new ArrayList<>(writes.select().values());
        MetricSnapshots families = new MetricSnapshots(
                new NetpluginMetrics(Naming.DEFAULT, Duration.ZERO).snapshots(EndpointTraffic.join(endpoints, rows)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, families);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> endpointLines(String exposition) {
        return exposition
                .lines()
                .filter(line -> line.contains("contiv_endpoint_"))
                .toList();
    }

    private byte[] scrapeBytes() throws IOException, InterruptedException {
        return http.send(request("").build(), HttpResponse.BodyHandlers.ofByteArray())
                .body();
    }

    private static HttpRequest.Builder request(String query) {
        return HttpRequest.newBuilder(URI.create(app.metricsUri() + query)).timeout(Duration.ofSeconds(15));
    }

    private static String last(List<String> answers) {
        return answers.get(answers.size() - 1);
    }

    private static int ovsdbUp(String answer) {
        return (int) Exposed.parse(answer).get("contiv_up{source=\"ovsdb\"}");
    }

    /** prometheus_client's OpenMetrics parser, which refuses anything the format does not allow; "" when accepted. */
    private static String strictOpenMetricsParser(String exposition) throws Exception {
        Process python = new ProcessBuilder(
                        "/usr/bin/python3",
                        "-c",
                        "import sys\n"
                                + "from prometheus_client.openmetrics.parser import text_string_to_metric_families\n"
                                + "families = list(text_string_to_metric_families(sys.stdin.read()))\n"
                                + "assert families, 'no families'\n")
                .redirectErrorStream(true)
                .start();
        try (OutputStream in = python.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(python.waitFor(30, TimeUnit.SECONDS));
        return python.exitValue() == 0 ? "" : output;
    }
}
