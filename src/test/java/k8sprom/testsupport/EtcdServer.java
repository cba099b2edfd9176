package k8sprom.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A real single-member etcd 3.4 (Debian package etcd-server) with the v2 API on, its data in the work directory and
 * its client and peer URLs on free loopback ports. It runs as a child process and is stopped by its PID.
 */
public final class EtcdServer implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String scheme;
    private final int clientPort;
    private final Process process;

    private EtcdServer(String scheme, int clientPort, Process process, SSLContext tls) {
        this.scheme = scheme;
        this.clientPort = clientPort;
        this.process = process;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        this.http = tls == null ? builder.build() : builder.sslContext(tls).build();
    }

    public static EtcdServer start(Path workDir) throws IOException, InterruptedException {
        return launch(workDir, List.of(), null);
    }

    /**
     * etcd serving its clients over https only, with the given PEM certificate and key, and asking every client for
     * a certificate signed by the CA. ownClient is what this class's put/delete use: it must present such a
     * certificate.
     */
    public static EtcdServer startWithTls(
            Path workDir, Path certificate, Path privateKey, Path caCert, SSLContext ownClient)
            throws IOException, InterruptedException {
        return launch(
                workDir,
                List.of(
                        "--cert-file",
                        certificate.toString(),
                        "--key-file",
                        privateKey.toString(),
                        "--trusted-ca-file",
                        caCert.toString(),
                        "--client-cert-auth"),
                ownClient);
    }

    private static EtcdServer launch(Path workDir, List<String> tlsOptions, SSLContext ownClient)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        String scheme = ownClient == null ? "http" : "https";
        int clientPort = FreePort.find();
        int peerPort = FreePort.find();
        String clientUrl = scheme + "://127.0.0.1:" + clientPort;
        String peerUrl = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(
                "/usr/bin/etcd",
                "--name",
                "test",
                "--data-dir",
                workDir.resolve("data").toString(),
                "--enable-v2=true",
                "--listen-client-urls",
                clientUrl,
                "--advertise-client-urls",
                clientUrl,
                "--listen-peer-urls",
                peerUrl,
                "--initial-advertise-peer-urls",
                peerUrl,
                "--initial-cluster",
                "test=" + peerUrl));
        command.addAll(tlsOptions);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("etcd.log").toFile())
                .start();
        EtcdServer server = new EtcdServer(scheme, clientPort, process, ownClient);
        server.awaitReady(workDir);
        return server;
    }

    /** The client URL, e.g. http://127.0.0.1:40123 (https:// when started with TLS). */
    public String clientUrl() {
        return scheme + "://127.0.0.1:" + clientPort;
    }

    /** Sets a v2 key, e.g. put("contiv.io/lock/netmaster/leader", "127.0.0.1:9999"). */
    public void put(String key, String value) throws IOException, InterruptedException {
        send(
                HttpRequest.newBuilder(keyUri(key))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .PUT(HttpRequest.BodyPublishers.ofString(
                                "value=" + URLEncoder.encode(value, StandardCharsets.UTF_8)))
                        .build(),
                200,
                201);
    }

    public void delete(String key) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(keyUri(key)).DELETE().build(), 200, 404);
    }

    /** Deletes every key and directory, leaving the store as empty as a new etcd's. */
    public void deleteAllKeys() throws IOException, InterruptedException {
        HttpResponse<String> root = send(
                HttpRequest.newBuilder(URI.create(clientUrl() + "/v2/keys/")).build(), 200);
        for (JsonNode node : JSON.readTree(root.body()).path("node").path("nodes")) {
            send(
                    HttpRequest.newBuilder(URI.create(
                                    clientUrl() + "/v2/keys" + node.path("key").asText() + "?recursive=true"))
                            .DELETE()
                            .build(),
                    200,
                    404);
        }
    }

    public void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private URI keyUri(String key) {
        return URI.create(clientUrl() + "/v2/keys/" + key);
    }

    private HttpResponse<String> send(HttpRequest request, int... expected) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        for (int status : expected) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        throw new IOException(
                request.method() + " " + request.uri() + " answered " + response.statusCode() + ": " + response.body());
    }

    private void awaitReady(Path workDir) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "etcd exited with " + process.exitValue() + "; see " + workDir.resolve("etcd.log"));
            }
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create(clientUrl() + "/v2/keys/"))
                                .timeout(Duration.ofSeconds(1))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        stop();
        throw new IOException("etcd did not answer on " + clientUrl() + " within " + STARTUP + "; see "
                + workDir.resolve("etcd.log"));
    }
}
