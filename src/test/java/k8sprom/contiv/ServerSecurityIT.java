package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics behind TLS and basic auth, both switched on through the exporter's settings, with a keystore made by
 * keytool and a Vert.x properties file of users.
 */
class ServerSecurityIT {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path work;

    static NetmasterSimulator netmaster;
    static ExporterApp app;
    static HttpClient trustingClient;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = work.resolve("exporter.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "exporter",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                PASSWORD);
        Path users = work.resolve("users.properties");
        Files.writeString(users, "user.prometheus = s3cret,scraper\nrole.scraper = metrics:read\n");

        netmaster = NetmasterSimulator.start();
        app = ExporterApp.start(Map.of(
                "contiv.mode",
                "netmaster",
                "contiv.netmaster-url",
                netmaster.baseUri().toString(),
                "contiv.tls-enabled",
                "true",
                "contiv.tls-keystore",
                "file:" + keystore,
                "camel.ssl.keystore-password",
                PASSWORD,
                "contiv.basic-auth-enabled",
                "true",
                "contiv.basic-auth-file",
                users.toString()));
        trustingClient = HttpClient.newBuilder()
                .sslContext(trusting(keystore))
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    @AfterAll
    static void stop() {
        app.close();
        netmaster.close();
    }

    @Test
    void servesMetricsOverTlsToAKnownUser() throws Exception {
        HttpResponse<String> response = get("prometheus", "s3cret");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("contiv_tenants 3.0"), response.body());
    }

    @Test
    void refusesRequestsWithoutOrWithWrongCredentials() throws Exception {
        assertEquals(401, get(null, null).statusCode());
        assertEquals(401, get("prometheus", "guess").statusCode());
    }

    @Test
    void refusesPlainHttp() {
        assertThrows(
                IOException.class,
                () -> HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(app.metricsUri())
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()));
    }

    private static HttpResponse<String> get(String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + app.port() + "/metrics"))
                .timeout(Duration.ofSeconds(10));
        if (user != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return trustingClient.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void keytool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(30, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }
}
