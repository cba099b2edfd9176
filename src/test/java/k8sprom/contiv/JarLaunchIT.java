package k8sprom.contiv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.JarProcess;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar, configured only through environment variables as in a pod: the exporter answers on the port its
 * mode selects, and stays out of the way when EXPORTER_MODE is not set.
 */
class JarLaunchIT {

    @TempDir
    static Path work;

    static NetmasterSimulator netmaster;

    @BeforeAll
    static void start() throws Exception {
        netmaster = NetmasterSimulator.start();
    }

    @AfterAll
    static void stop() {
        netmaster.close();
    }

    @Test
    void netmasterModeServesMetricsOnTheNetmasterPort() throws Exception {
        int port = FreePort.find();
        Path log = work.resolve("netmaster-mode.log");
        JarProcess app = launch(
                log,
                Map.of(
                        "EXPORTER_MODE", "netmaster",
                        "EXPORTER_NETMASTER_PORT", String.valueOf(port),
                        "CONTIV_NETMASTER_URL", netmaster.baseUri().toString()));
        try {
            HttpResponse<String> response = awaitMetrics(port, app, log);

            assertEquals(200, response.statusCode());
            assertEquals(3, Exposed.parse(response.body()).get("contiv_tenants"));
        } finally {
            stop(app);
        }
    }

    @Test
    void anExporterOnlyProcessWithEveryRouteIsReady() throws Exception {
        int port = FreePort.find();
        int management = FreePort.find();
        Path log = work.resolve("exporter-only.log");
        // as the Helm chart runs an exporter: the whole application, the publisher switched off
        JarProcess app = launch(
                log,
                Map.of(
                        "CAMEL_MAIN_ROUTES_INCLUDE_PATTERN",
                        k8sprom.Application.ROUTES,
                        "PUBLISHER_ENABLED",
                        "false",
                        "EXPORTER_MODE",
                        "netmaster",
                        "EXPORTER_NETMASTER_PORT",
                        String.valueOf(port),
                        "CONTIV_NETMASTER_URL",
                        netmaster.baseUri().toString(),
                        "MANAGEMENT_PORT",
                        String.valueOf(management)));
        try {
            awaitMetrics(port, app, log);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ready = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/observe/health/ready"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(200, ready.statusCode(), ready.body());
        } finally {
            stop(app);
        }
    }

    @Test
    void withoutExporterModeNoExporterServerStarts() throws Exception {
        int port = FreePort.find();
        Path log = work.resolve("no-mode.log");
        JarProcess app = launch(
                log,
                Map.of(
                        "EXPORTER_NETPLUGIN_PORT", String.valueOf(port),
                        "EXPORTER_NETMASTER_PORT", String.valueOf(port)));
        try {
            awaitLogLine(log, app, "started in");

            assertTrue(app.isAlive());
            assertFalse(listens(port));
            assertFalse(Files.readString(log).contains("contiv-metrics"));
        } finally {
            stop(app);
        }
    }

    // A start-up takes 3-5 s on a quiet machine and has taken more than 30 s on a loaded one: this only ends the wait
    // for an app that will never answer; speed is the benchmark's business.
    private static final Duration START_UP = Duration.ofSeconds(90);

    private static JarProcess launch(Path log, Map<String, String> environment) {
        Map<String, String> env = new HashMap<>();
        // Only the exporter's routes: other route files of the application need their own services.
        env.put("CAMEL_MAIN_ROUTES_INCLUDE_PATTERN", "file:routes/contiv-exporter.camel.yaml");
        env.put("MANAGEMENT_PORT", String.valueOf(FreePort.find()));
        env.putAll(environment);
        return JarProcess.start(env, log, List.of(), List.of("-pl", "file:application.properties"));
    }

    private static HttpResponse<String> awaitMetrics(int port, JarProcess app, Path log) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        try {
            return await().atMost(START_UP)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(
                            () -> {
                                if (!app.isAlive()) {
                                    throw new AssertionError("the app exited: " + Files.readString(log));
                                }
                                return http.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                            },
                            response -> true);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no /metrics on port " + port + ": " + Files.readString(log), e);
        }
    }

    private static void awaitLogLine(Path log, JarProcess app, String fragment) throws Exception {
        try {
            await().atMost(START_UP).pollInterval(Duration.ofMillis(200)).until(() -> {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                if (!text.contains(fragment) && !app.isAlive()) {
                    throw new AssertionError("the app exited: " + text);
                }
                return text.contains(fragment);
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no '" + fragment + "' in " + Files.readString(log), e);
        }
    }

    private static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void stop(JarProcess app) {
        app.stop();
    }
}
