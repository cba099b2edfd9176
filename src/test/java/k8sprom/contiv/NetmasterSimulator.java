package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for Contiv Netmaster, which cannot run here. It serves the JSON fixtures under /netmaster (shaped like
 * Netmaster's REST model) on the paths the exporter calls, and lets a test replace an answer, slow answers down, and
 * see which calls came and how many overlapped.
 */
public final class NetmasterSimulator implements AutoCloseable {

    static final String NETWORKS = "/api/v1/networks/";
    static final String TENANTS = "/api/v1/tenants/";
    static final String ENDPOINT_GROUPS = "/api/v1/endpointGroups/";
    static final String INSPECT = "/api/v1/inspect/networks/";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, String> fixtures;
    private final Map<String, Answer> replaced = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private volatile Duration delay = Duration.ZERO;

    private record Answer(int status, String body) {}

    private NetmasterSimulator(HttpServer server, Map<String, String> fixtures) {
        this.server = server;
        this.fixtures = fixtures;
    }

    public static NetmasterSimulator start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        NetmasterSimulator simulator = new NetmasterSimulator(server, loadFixtures());
        server.createContext("/", simulator::handle);
        server.setExecutor(simulator.threads);
        server.start();
        return simulator;
    }

    /** The Netmaster address as etcd would hold it: host:port. */
    public String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    URI baseUri() {
        return URI.create("http://" + hostPort());
    }

    /** Answers path (exactly as requested, e.g. "/api/v1/inspect/networks/blue:blue-net/") with this instead. */
    void answer(String path, int status, String body) {
        replaced.put(path, new Answer(status, body));
    }

    /** Every answer waits this long first. */
    void delayAnswers(Duration delay) {
        this.delay = delay;
    }

    /** Back to the fixtures, answered at once, with the request log cleared. */
    void reset() {
        replaced.clear();
        delay = Duration.ZERO;
        requests.clear();
        mostInFlight.set(0);
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    int mostConcurrentRequests() {
        return mostInFlight.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(path);
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            Answer answer = replaced.getOrDefault(path, fixture(path));
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (timeout tests)
        } finally {
            inFlight.decrementAndGet();
            exchange.close();
        }
    }

    private Answer fixture(String path) {
        String body = fixtures.get(path);
        return body == null ? new Answer(404, "{\"error\":\"no such object\"}") : new Answer(200, body);
    }

    private static Map<String, String> loadFixtures() throws IOException {
        Map<String, String> fixtures = new ConcurrentHashMap<>();
        fixtures.put(NETWORKS, resource("networks.json"));
        fixtures.put(TENANTS, resource("tenants.json"));
        fixtures.put(ENDPOINT_GROUPS, resource("endpointGroups.json"));
        JsonNode inspections = MAPPER.readTree(resource("inspections.json"));
        inspections.fields().forEachRemaining(entry -> {
            try {
                fixtures.put(INSPECT + entry.getKey() + "/", MAPPER.writeValueAsString(entry.getValue()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return fixtures;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = NetmasterSimulator.class.getResourceAsStream("/netmaster/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /netmaster/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
