package k8sprom.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of a real Prometheus that a test controls, playing the gateways and distributed
 * engines users put there: it can refuse the queries of one metric (503), require a header (403 without it, as Mimir
 * without a tenant), and turn complete answers into partial ones (a warnings array, some series dropped, as Thanos
 * with a store down). Otherwise it forwards requests and answers unchanged.
 */
public final class PrometheusProxy implements AutoCloseable {

    private static final Set<String> NOT_FORWARDED = Set.of(
            "host",
            "content-length",
            "connection",
            "upgrade",
            "expect",
            "transfer-encoding",
            "keep-alive",
            // answers stay plain JSON, which the proxy can read and change
            "accept-encoding");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String target;
    private final AtomicInteger refused = new AtomicInteger();
    private volatile String refuseQueriesContaining;
    private volatile int refusalStatus = 503;
    private final Map<String, String> requiredHeaders = new ConcurrentHashMap<>();
    private final Set<String> headerNamesSeen = ConcurrentHashMap.newKeySet();
    private final AtomicInteger forbidden = new AtomicInteger();
    private final AtomicInteger partialAnswers = new AtomicInteger();
    private volatile String dropContainer;

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

    /** From now on, answers 403 to a request without this header and value. */
    public void requireHeader(String name, String value) {
        requiredHeaders.put(name.toLowerCase(), value);
    }

    /** Requests answered 403 for a missing or wrong required header. */
    public int forbidden() {
        return forbidden.get();
    }

    /** Names (lower case) of the headers that reached the proxy with the value it requires. */
    public Set<String> requiredHeadersSeen() {
        return Set.copyOf(headerNamesSeen);
    }

    /**
     * From now on, every successful query_range answer gets a warnings array, and the series of the container
     * {@code dropped} (its label_vim_id) are removed from it: a partial answer.
     */
    public void answerPartially(String dropped) {
        dropContainer = dropped;
    }

    /** Answers stay as Prometheus gave them again. */
    public void answerCompletely() {
        dropContainer = null;
    }

    /** Answers made partial so far. */
    public int partialAnswers() {
        return partialAnswers.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String refuse = refuseQueriesContaining;
            if (refuse != null
                    && (exchange.getRequestURI().toString().contains(refuse)
                            || new String(body, StandardCharsets.UTF_8).contains(refuse))) {
                refused.incrementAndGet();
                respond(
                        exchange,
                        refusalStatus,
                        ("{\"status\":\"error\",\"errorType\":\"unavailable\","
                                        + "\"error\":\"refused by the test's proxy\"}")
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
            for (Map.Entry<String, String> required : requiredHeaders.entrySet()) {
                List<String> given = exchange.getRequestHeaders().get(required.getKey());
                if (given == null || !given.contains(required.getValue())) {
                    forbidden.incrementAndGet();
                    respond(exchange, 403, "missing or wrong header".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                headerNamesSeen.add(required.getKey());
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(60))
                    .method(
                            exchange.getRequestMethod(),
                            body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
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
            response.headers()
                    .firstValue("Content-Type")
                    .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
            String dropped = dropContainer;
            boolean partial = dropped != null
                    && response.statusCode() == 200
                    && exchange.getRequestURI().getPath().endsWith("/query_range");
            respond(exchange, response.statusCode(), partial ? partial(response.body(), dropped) : response.body());
        }
    }

    private byte[] partial(byte[] answer, String dropped) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(answer);
        if (!"success".equals(json.path("status").asText())) {
            return answer;
        }
        ArrayNode result = (ArrayNode) json.path("data").path("result");
        for (Iterator<JsonNode> series = result.elements(); series.hasNext(); ) {
            if (dropped.equals(series.next().path("metric").path("label_vim_id").asText())) {
                series.remove();
            }
        }
        json.putArray("warnings").add("receiving partial response: store 127.0.0.1:10901 unreachable (test proxy)");
        partialAnswers.incrementAndGet();
        return JSON.writeValueAsBytes(json);
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
