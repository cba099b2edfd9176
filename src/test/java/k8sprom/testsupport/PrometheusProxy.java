package k8sprom.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of a real Prometheus that a test controls: it forwards every request unchanged,
 * except the query requests it is told to refuse, so that one metric's queries fail while the others go on.
 */
public final class PrometheusProxy implements AutoCloseable {

    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "upgrade",
            "expect", "transfer-encoding", "keep-alive",
            // answers stay plain JSON, which the proxy can read and change
            "accept-encoding");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String target;
    private final AtomicInteger refused = new AtomicInteger();
    private volatile String refuseQueriesContaining;
    private volatile int refusalStatus = 503;

    private PrometheusProxy(String target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A proxy on a free loopback port forwarding to {@code targetBaseUrl} (e.g. a PrometheusServer's baseUrl). */
    public static PrometheusProxy start(String targetBaseUrl) {
        try {
            return new PrometheusProxy(targetBaseUrl);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the proxy", e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on, answers {@code status} to every request whose URL or body contains {@code text}. */
    public void refuseQueriesContaining(String text, int status) {
        refusalStatus = status;
        refuseQueriesContaining = text;
    }

    /** Forwards everything again. */
    public void forwardAll() {
        refuseQueriesContaining = null;
    }

    /** Requests refused so far. */
    public int refused() {
        return refused.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String refuse = refuseQueriesContaining;
            if (refuse != null && (exchange.getRequestURI().toString().contains(refuse)
                    || new String(body, StandardCharsets.UTF_8).contains(refuse))) {
                refused.incrementAndGet();
                respond(exchange, refusalStatus, ("{\"status\":\"error\",\"errorType\":\"unavailable\","
                        + "\"error\":\"refused by the test's proxy\"}").getBytes(StandardCharsets.UTF_8));
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(60))
                    .method(exchange.getRequestMethod(), body.length == 0
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase())) {
                    values.forEach(value -> forward.header(name, value));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                respond(exchange, 502, ("proxy: " + e).getBytes(StandardCharsets.UTF_8));
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            response.headers().firstValue("Content-Type")
                    .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
            respond(exchange, response.statusCode(), response.body());
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
