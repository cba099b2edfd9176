package k8sprom.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What kube-state-metrics reports about one pod's readiness, as the kubelet would find it: at every scrape the
 * pod's readiness probe (the rendered chart's path on the application's management port) is called, and
 * {@code kube_pod_status_ready} says whether it answered 200. Only the series the dashboards and rules read.
 */
final class KubeStateReadiness implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI probe;
    private final String namespace;
    private final String pod;

    private KubeStateReadiness(URI probe, String namespace, String pod) throws IOException {
        this.probe = probe;
        this.namespace = namespace;
        this.pod = pod;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", this::serve);
        server.start();
    }

    static KubeStateReadiness start(URI probe, String namespace, String pod) throws IOException {
        return new KubeStateReadiness(probe, namespace, pod);
    }

    String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void serve(HttpExchange exchange) throws IOException {
        boolean ready = probeSucceeds();
        String labels = "namespace=\"" + namespace + "\",pod=\"" + pod + "\"";
        String body = "# HELP kube_pod_status_ready Describes whether the pod is ready to serve requests.\n"
                + "# TYPE kube_pod_status_ready gauge\n"
                + "kube_pod_status_ready{" + labels + ",condition=\"true\"} " + (ready ? 1 : 0) + "\n"
                + "kube_pod_status_ready{" + labels + ",condition=\"false\"} " + (ready ? 0 : 1) + "\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private boolean probeSucceeds() {
        try {
            return http.send(
                                    HttpRequest.newBuilder(probe)
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
