package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
        return serving(loadFixtures());
    }

    /**
     * A Netmaster at scale instead of the fixtures: endpoints ep-0... (containers container-0..., interfaces vport0...,
     * all on node1) spread over networkCount data networks of two tenants (default and blue) plus an infra network,
     * one endpoint group per 100 endpoints. {@link OvsFixture#populateEndpoints} gives OVS the matching interfaces.
     */
    public static NetmasterSimulator startWithEndpoints(int endpoints, int networkCount) throws IOException {
        Map<String, String> fixtures = new ConcurrentHashMap<>();
        ArrayNode networks = MAPPER.createArrayNode();
        ArrayNode groups = MAPPER.createArrayNode();
        Map<String, ArrayNode> networksOfTenant = new LinkedHashMap<>();
        int perNetwork = (endpoints + networkCount - 1) / networkCount;
        for (int n = 0; n < networkCount; n++) {
            String tenant = n % 2 == 0 ? "default" : "blue";
            String network = "net-" + n;
            String key = tenant + ":" + network;
            networksOfTenant
                    .computeIfAbsent(tenant, t -> MAPPER.createArrayNode())
                    .add(key);
            ObjectNode entry = MAPPER.createObjectNode();
            entry.put("key", key);
            entry.put("tenantName", tenant);
            entry.put("networkName", network);
            entry.put("nwType", "data");
            entry.put("encap", "vxlan");
            networks.add(entry);

            ArrayNode endpointList = MAPPER.createArrayNode();
            for (int i = n * perNetwork; i < Math.min(endpoints, (n + 1) * perNetwork); i++) {
                ObjectNode endpoint = MAPPER.createObjectNode();
                endpoint.put("endpointID", "ep-" + i);
                endpoint.put("containerName", "container-" + i);
                endpoint.put("containerID", String.format(Locale.ROOT, "%012x", 0xabc000000L + i));
                endpoint.put("homingHost", "node1");
                endpoint.put("intfName", "vport" + i);
                endpoint.put("serviceName", "group-" + (i / 100));
                endpoint.putArray("ipAddress")
                        .add("10." + n + "." + (i / 250 % 250) + "." + (i % 250 + 2))
                        .add("");
                endpoint.put(
                        "macAddress", String.format(Locale.ROOT, "02:02:0a:%02x:%02x:%02x", n, i / 256 % 256, i % 256));
                endpoint.put("network", network + "." + tenant);
                endpointList.add(endpoint);
                if (i % 100 == 0) {
                    ObjectNode group = MAPPER.createObjectNode();
                    group.put("key", tenant + ":group-" + (i / 100));
                    group.put("groupName", "group-" + (i / 100));
                    group.put("networkName", network);
                    group.put("tenantName", tenant);
                    groups.add(group);
                }
            }
            ObjectNode inspection = MAPPER.createObjectNode();
            ObjectNode config = inspection.putObject("Config");
            config.put("key", key);
            config.put("tenantName", tenant);
            config.put("networkName", network);
            config.put("nwType", "data");
            ObjectNode oper = inspection.putObject("Oper");
            oper.put("allocatedAddressesCount", endpointList.size());
            oper.set("endpoints", endpointList);
            oper.put("numEndpoints", endpointList.size());
            fixtures.put(INSPECT + key + "/", MAPPER.writeValueAsString(inspection));
        }
        ObjectNode infra = MAPPER.createObjectNode();
        infra.put("key", "default:contivh1");
        infra.put("tenantName", "default");
        infra.put("networkName", "contivh1");
        infra.put("nwType", "infra");
        networks.add(infra);
        ArrayNode tenants = MAPPER.createArrayNode();
        networksOfTenant.forEach((tenant, keys) -> {
            ObjectNode entry = MAPPER.createObjectNode();
            entry.put("key", tenant);
            entry.put("tenantName", tenant);
            ObjectNode links = entry.putObject("link-sets").putObject("Networks");
            keys.forEach(k -> links.putObject(k.asText()).put("type", "network").put("key", k.asText()));
            tenants.add(entry);
        });
        fixtures.put(NETWORKS, MAPPER.writeValueAsString(networks));
        fixtures.put(TENANTS, MAPPER.writeValueAsString(tenants));
        fixtures.put(ENDPOINT_GROUPS, MAPPER.writeValueAsString(groups));
        return serving(fixtures);
    }

    private static NetmasterSimulator serving(Map<String, String> fixtures) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        NetmasterSimulator simulator = new NetmasterSimulator(server, fixtures);
        server.createContext("/", simulator::handle);
        server.setExecutor(simulator.threads);
        server.start();
        return simulator;
    }

    /** The Netmaster address as etcd would hold it: host:port. */
    public String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public URI baseUri() {
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
