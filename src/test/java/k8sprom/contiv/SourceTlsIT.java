package k8sprom.contiv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import k8sprom.testsupport.EtcdServer;
import k8sprom.testsupport.OvsdbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the sources: ovsdb-server with --private-key/--certificate/--ca-cert on a pssl: remote, and etcd with TLS
 * and client certificates, using PEM files made by openssl for the test (a CA, server and client certificates, and a
 * second CA nobody trusts). Wrong or missing files stop start-up with a message naming the setting.
 */
class SourceTlsIT {

    private static final String BATCH_7_RECEIVED = "contiv_endpoint_receive_bytes_total{container_name=\"batch-7\","
            + "host=\"node1\",interface=\"vport3\",network=\"web-net\",tenant=\"default\"}";

    @TempDir
    static Path work;

    static Path pki;
    // ovsdb-server and etcd of its own, not the shared ones: both serve TLS with this class's certificates.
    static OvsdbServer ovs;
    static EtcdServer etcd;
    static NetmasterSimulator netmaster;

    @BeforeAll
    static void start() throws Exception {
        pki = Files.createDirectories(work.resolve("pki"));
        authority("ca");
        authority("other-ca");
        signed("server", "ca", "subjectAltName=IP:127.0.0.1");
        signed("client", "ca", "extendedKeyUsage=clientAuth");
        signed("stranger", "other-ca", "extendedKeyUsage=clientAuth");
        // OVS's ovs-pki and older openssl write PKCS#1 ("RSA PRIVATE KEY"); the exporter reads both forms.
        openssl("rsa", "-in", "client.key", "-traditional", "-out", "client-rsa.key");

        ovs = OvsdbServer.startWithTls(
                work.resolve("ovs"), pki.resolve("server.key"), pki.resolve("server.pem"), pki.resolve("ca.pem"));
        OvsFixture.populate(ovs);
        etcd = EtcdServer.startWithTls(
                work.resolve("etcd"),
                pki.resolve("server.pem"),
                pki.resolve("server.key"),
                pki.resolve("ca.pem"),
                clientTls("client.pem", "client.key"));
        netmaster = NetmasterSimulator.start();
        etcd.put("contiv.io/lock/netmaster/leader", netmaster.hostPort());
    }

    @AfterAll
    static void stop() throws Exception {
        netmaster.close();
        etcd.close();
        ovs.close();
    }

    @Test
    void scrapesOvsdbOverSslWithTheFilesOvsToolsTake() throws Exception {
        try (ExporterApp app = ExporterApp.start(Map.of(
                "contiv.mode", "netplugin",
                "contiv.etcd", etcd.clientUrl(),
                "contiv.etcd-ca-cert", pki.resolve("ca.pem").toString(),
                "contiv.etcd-certificate", pki.resolve("client.pem").toString(),
                "contiv.etcd-private-key", pki.resolve("client.key").toString(),
                "contiv.ovsdb", ovs.sslTarget(),
                "contiv.ovsdb-private-key", pki.resolve("client-rsa.key").toString(),
                "contiv.ovsdb-certificate", pki.resolve("client.pem").toString(),
                "contiv.ovsdb-ca-cert", pki.resolve("ca.pem").toString()))) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> app.exporter().ovsdbMonitor().isLive());
            Exposed metrics = Exposed.parse(app.scrape().body());

            assertEquals(1, metrics.get("contiv_up{source=\"ovsdb\"}"));
            assertEquals(1, metrics.get("contiv_up{source=\"etcd\"}"));
            assertEquals(60, metrics.get(BATCH_7_RECEIVED));
        }
    }

    @Test
    void refusesAnOvsdbServerSignedByAnotherAuthority() {
        SSLContext trustsOtherCa = PemTls.context(file("other-ca.pem"), file("stranger.pem"), file("stranger.key"));
        try (OvsdbMonitor monitor = new OvsdbMonitor(
                OvsdbAddress.parse(ovs.sslTarget()),
                trustsOtherCa,
                Duration.ofSeconds(2),
                Duration.ofMillis(50),
                Duration.ofMillis(200),
                Duration.ofSeconds(5),
                () -> {})) {
            monitor.start();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> monitor.downBecause().startsWith("cannot connect"));

            assertFalse(monitor.isLive());
            assertThrows(SourceException.class, monitor::freshRows);
        }
    }

    @Test
    void findsNetmasterThroughEtcdOverHttpsOnlyWithAClientCertificate() throws Exception {
        JsonHttp withCertificate = new JsonHttp(Duration.ofSeconds(2), clientTls("client.pem", "client.key"));
        JsonHttp caOnly = new JsonHttp(Duration.ofSeconds(2), PemTls.context(file("ca.pem"), null, null));

        assertEquals(
                URI.create("http://" + netmaster.hostPort()),
                new EtcdLeaderLookup(etcd.clientUrl(), withCertificate).netmasterUri());
        SourceException refused = assertThrows(
                SourceException.class, () -> new EtcdLeaderLookup(etcd.clientUrl(), caOnly).netmasterUri());
        assertTrue(refused.getMessage().startsWith("etcd GET " + etcd.clientUrl()), refused.getMessage());
    }

    @Test
    void readsNetmasterOverHttpsWithAClientCertificate() throws Exception {
        try (HttpsFront front = HttpsFront.start(netmaster.baseUri());
                ExporterApp app = ExporterApp.start(Map.of(
                        "contiv.mode", "netmaster",
                        "contiv.netmaster-url", front.uri().toString(),
                        "contiv.netmaster-ca-cert", pki.resolve("ca.pem").toString(),
                        "contiv.netmaster-certificate",
                                pki.resolve("client.pem").toString(),
                        "contiv.netmaster-private-key",
                                pki.resolve("client-rsa.key").toString()))) {
            Exposed metrics = Exposed.parse(app.scrape().body());

            assertEquals(1, metrics.get("contiv_up{source=\"netmaster\"}"));
            assertEquals(3, metrics.get("contiv_tenants"));
        }
    }

    @Test
    void wrongOrMissingFilesStopStartUpNamingTheSetting() throws Exception {
        Path notPem = Files.writeString(work.resolve("not.pem"), "hello", StandardCharsets.US_ASCII);
        ContivExporter missingKey = netplugin(ovs.sslTarget());
        missingKey.setOvsdbCertificate(pki.resolve("client.pem").toString());
        missingKey.setOvsdbCaCert(pki.resolve("ca.pem").toString());
        assertTrue(startFailure(missingKey).contains("needs CONTIV_OVSDB_PRIVATE_KEY"), startFailure(missingKey));

        ContivExporter absentCa = netplugin(ovs.sslTarget());
        absentCa.setOvsdbPrivateKey(pki.resolve("client.key").toString());
        absentCa.setOvsdbCertificate(pki.resolve("client.pem").toString());
        absentCa.setOvsdbCaCert(work.resolve("absent.pem").toString());
        assertTrue(startFailure(absentCa).startsWith("CONTIV_OVSDB_CA_CERT: cannot read"), startFailure(absentCa));

        ContivExporter garbageKey = netplugin(ovs.sslTarget());
        garbageKey.setOvsdbPrivateKey(notPem.toString());
        garbageKey.setOvsdbCertificate(pki.resolve("client.pem").toString());
        garbageKey.setOvsdbCaCert(pki.resolve("ca.pem").toString());
        assertTrue(startFailure(garbageKey).startsWith("CONTIV_OVSDB_PRIVATE_KEY: "), startFailure(garbageKey));

        ContivExporter plainEtcd = new ContivExporter();
        plainEtcd.setMode("netmaster");
        plainEtcd.setEtcd("etcd://127.0.0.1:2379");
        plainEtcd.setEtcdCaCert(pki.resolve("ca.pem").toString());
        assertTrue(
                startFailure(plainEtcd).startsWith("CONTIV_ETCD_CA_CERT is set, so CONTIV_ETCD must be an https://"),
                startFailure(plainEtcd));

        ContivExporter certWithoutCa = new ContivExporter();
        certWithoutCa.setMode("netmaster");
        certWithoutCa.setNetmasterUrl("https://127.0.0.1:9999");
        certWithoutCa.setNetmasterCertificate(pki.resolve("client.pem").toString());
        certWithoutCa.setNetmasterPrivateKey(pki.resolve("client.key").toString());
        assertTrue(startFailure(certWithoutCa).contains("need CONTIV_NETMASTER_CA_CERT"), startFailure(certWithoutCa));
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /**
     * Netmaster behind HTTPS with the test CA's server certificate, asking for a client certificate: it passes GETs
     * on to the simulator.
     */
    private static final class HttpsFront implements AutoCloseable {
        private final HttpsServer server;
        private final HttpClient plain = HttpClient.newHttpClient();

        private HttpsFront(URI target) throws IOException {
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
            SSLContext context = PemTls.context(file("ca.pem"), file("server.pem"), file("server.key"));
            server.setHttpsConfigurator(new HttpsConfigurator(context) {
                @Override
                public void configure(HttpsParameters parameters) {
                    SSLParameters ssl = context.getDefaultSSLParameters();
                    ssl.setNeedClientAuth(true);
                    parameters.setSSLParameters(ssl);
                }
            });
            server.createContext("/", exchange -> {
                try (exchange) {
                    HttpResponse<byte[]> answer = plain.send(
                            HttpRequest.newBuilder(target.resolve(
                                            exchange.getRequestURI().getRawPath()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
                    exchange.getResponseBody().write(answer.body());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
        }

        static HttpsFront start(URI target) throws IOException {
            return new HttpsFront(target);
        }

        URI uri() {
            return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static ContivExporter netplugin(String ovsdb) {
        ContivExporter exporter = new ContivExporter();
        exporter.setMode("netplugin");
        exporter.setNetmasterUrl(netmaster.baseUri().toString());
        exporter.setOvsdb(ovsdb);
        return exporter;
    }

    private static String startFailure(ContivExporter exporter) {
        try {
            return assertThrows(IllegalArgumentException.class, exporter::start).getMessage();
        } finally {
            exporter.close();
        }
    }

    private static SSLContext clientTls(String certificate, String key) {
        return PemTls.context(file("ca.pem"), file(certificate), file(key));
    }

    private static PemTls.File file(String name) {
        return new PemTls.File("test " + name, pki.resolve(name));
    }

    private static void authority(String name) throws Exception {
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".pem",
                "-days",
                "2",
                "-subj",
                "/CN=" + name);
    }

    private static void signed(String name, String ca, String extension) throws Exception {
        openssl(
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".csr",
                "-subj",
                "/CN=" + name);
        Files.writeString(pki.resolve(name + ".ext"), extension + "\n");
        openssl(
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                ca + ".pem",
                "-CAkey",
                ca + ".key",
                "-CAcreateserial",
                "-out",
                name + ".pem",
                "-days",
                "2",
                "-extfile",
                name + ".ext");
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(pki.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
