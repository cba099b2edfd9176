package k8sprom.publisher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No Docker engine runs here, so the image's start is checked without it: the Dockerfile's ENV and ENTRYPOINT are
 * read from the file and run in a copy of the image's /app layout (jar, routes/, application.properties).
 */
class DockerfileEntrypointIT {

    @TempDir
    Path app;

    @Test
    void theImageEntrypointStartsTheAppWithItsJvmOptionsAndServesHealth() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Map<String, String> env = imageEnvironment(dockerfile);
        String entrypoint = entrypoint(dockerfile);
        assertTrue(env.get("JAVA_OPTS").contains("-Xmx"), "the image bounds the heap: " + env.get("JAVA_OPTS"));

        Files.copy(JarProcess.jar(), app.resolve("k8s-prometheus-publisher.jar"));
        Files.copy(Path.of("application.properties"), app.resolve("application.properties"));
        Files.createDirectories(app.resolve("routes"));
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            for (Path route : routes.toList()) {
                Files.copy(route, app.resolve("routes").resolve(route.getFileName()));
            }
        }
        int management = FreePort.find();
        env.put("APPLICATION_PROPERTIES", app.resolve("application.properties").toString());
        env.put("MANAGEMENT_PORT", String.valueOf(management));
        env.put("KAFKA_PORT", String.valueOf(FreePort.find()));
        env.put("KAFKA_MAX_BLOCK_MS", "500");

        // the build's class-data-sharing step, as the image runs it
        Process training = shell(classDataSharingStep(dockerfile), env, "training.log");
        assertTrue(training.waitFor(60, TimeUnit.SECONDS), "the training start ends by itself");
        assertTrue(Files.size(app.resolve("app.jsa")) > 1_000_000, "the class-data archive was written");

        // the class-loading log tells where each class came from: the archive, or the jar
        Map<String, String> logged = new LinkedHashMap<>(env);
        logged.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + app.resolve("class-load.log"));
        Process process = shell(entrypoint, logged, "out.log");
        try {
            HttpResponse<String> live = awaitAnswer("http://127.0.0.1:" + management + "/observe/health/live");
            assertEquals(200, live.statusCode(), live.body());
            HttpResponse<String> ready = awaitAnswer("http://127.0.0.1:" + management + "/observe/health/ready");
            assertEquals(503, ready.statusCode(), "no Kafka or Prometheus here, so not ready: " + ready.body());
            // the first cycle reads the shipped catalog from /app/routes before it finds Kafka unreachable
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String log = Files.readString(app.resolve("out.log"));
                assertTrue(log.contains("Loaded 26 metrics from " + app.resolve("routes/metrics.yaml")), log);
            });
            String classLoading = Files.readString(app.resolve("class-load.log"));
            assertTrue(
                    Pattern.compile("k8sprom\\.publisher\\.\\w+ source: shared objects file")
                            .matcher(classLoading)
                            .find(),
                    "the application's classes come from the class-data-sharing archive");
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Runs a Dockerfile command with sh in the copy of /app, with the image's environment. */
    private Process shell(String command, Map<String, String> env, String log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command.replace("/app/", app + "/"))
                .directory(app.toFile())
                .redirectErrorStream(true)
                .redirectOutput(app.resolve(log).toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    private static String classDataSharingStep(String dockerfile) {
        Matcher matcher = Pattern.compile("\\nRUN (timeout [^\\n]*ArchiveClassesAtExit(?:[^\\n]*\\\\\\n)*[^\\n]*)")
                .matcher(dockerfile);
        assertTrue(matcher.find(), "a RUN step that writes the class-data-sharing archive");
        return matcher.group(1).replace("\\\n", " ");
    }

    private static Map<String, String> imageEnvironment(String dockerfile) {
        Map<String, String> env = new LinkedHashMap<>();
        String runtimeStage = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
        Matcher block = Pattern.compile("\\nENV ((?:[^\\n]*\\\\\\n)*[^\\n]*)").matcher(runtimeStage);
        while (block.find()) {
            Matcher pair = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)")
                    .matcher(block.group(1).replace("\\\n", " "));
            while (pair.find()) {
                env.put(pair.group(1), pair.group(2).replaceAll("^\"|\"$", ""));
            }
        }
        return env;
    }

    private static String entrypoint(String dockerfile) {
        Matcher matcher = Pattern.compile("\\nENTRYPOINT \\[\"sh\", \"-c\", \"([^\"]+)\"\\]")
                .matcher(dockerfile);
        assertTrue(matcher.find(), "ENTRYPOINT [\"sh\", \"-c\", \"...\"] in the Dockerfile");
        return matcher.group(1);
    }

    private static HttpResponse<String> awaitAnswer(String url) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return client.send(
                        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no answer from " + url, notYet);
                }
                Thread.sleep(200);
            }
        }
    }
}
