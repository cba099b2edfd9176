package k8sprom.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays ovs-vswitchd's part for the exporter benchmark: every period, one transaction writing new values into all
 * statistics of the first N interfaces (vport0...). Also writes single values and runs selects on request, over the
 * same JSON-RPC session.
 */
final class OvsdbChurn implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Socket socket;
    private final OutputStream out;
    private final JsonParser in;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong rounds = new AtomicLong();
    private Thread thread;

    OvsdbChurn(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        out = socket.getOutputStream();
        in = JSON.getFactory().createParser(socket.getInputStream());
    }

    /**
     * Starts writing the statistics of interfaces vport0..count-1 every periodMillis, addressing rows by UUID as
     * ovs-vswitchd's IDL does (a condition on name would make ovsdb-server scan the table once per row).
     */
    void start(int count, String[] statistics, long periodMillis) throws IOException {
        Map<String, String> uuids = uuidsByName();
        running.set(true);
        thread = new Thread(
                () -> {
                    long next = System.nanoTime();
                    while (running.get()) {
                        long round = rounds.incrementAndGet();
                        ArrayNode params = JSON.createArrayNode().add("Open_vSwitch");
                        for (int i = 0; i < count; i++) {
                            ArrayNode pairs = JSON.createArrayNode();
                            for (int s = 0; s < statistics.length; s++) {
                                pairs.add(JSON.createArrayNode()
                                        .add(statistics[s])
                                        .add(round * 1_000_000L + i * 100L + s));
                            }
                            params.add(updateByUuid(
                                    uuids.get("vport" + i),
                                    JSON.createArrayNode().add("map").add(pairs)));
                        }
                        try {
                            call("transact", params);
                        } catch (IOException e) {
                            System.out.println("   churn stopped: " + e.getMessage());
                            return;
                        }
                        next += periodMillis * 1_000_000L;
                        long wait = (next - System.nanoTime()) / 1_000_000L;
                        if (wait > 0) {
                            try {
                                Thread.sleep(wait);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                },
                "ovsdb-churn");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running.set(false);
        if (thread != null) {
            thread.join();
        }
    }

    long rounds() {
        return rounds.get();
    }

    /** Sets one statistic of one interface (the rest of its map is replaced). */
    void setStatistic(String interfaceName, String statistic, long value) throws IOException {
        ArrayNode pairs =
                JSON.createArrayNode().add(JSON.createArrayNode().add(statistic).add(value));
        call(
                "transact",
                JSON.createArrayNode()
                        .add("Open_vSwitch")
                        .add(update(
                                interfaceName, JSON.createArrayNode().add("map").add(pairs))));
    }

    /** What the exporter did before issue 12 at every scrape: select the three columns of every Interface row. */
    int selectInterfaces() throws IOException {
        ObjectNode select = JSON.createObjectNode();
        select.put("op", "select");
        select.put("table", "Interface");
        select.putArray("where");
        select.putArray("columns").add("name").add("external_ids").add("statistics");
        return call("transact", JSON.createArrayNode().add("Open_vSwitch").add(select))
                .path(0)
                .path("rows")
                .size();
    }

    private Map<String, String> uuidsByName() throws IOException {
        ObjectNode select = JSON.createObjectNode();
        select.put("op", "select");
        select.put("table", "Interface");
        select.putArray("where");
        select.putArray("columns").add("_uuid").add("name");
        Map<String, String> uuids = new HashMap<>();
        for (JsonNode row : call(
                        "transact", JSON.createArrayNode().add("Open_vSwitch").add(select))
                .path(0)
                .path("rows")) {
            uuids.put(row.path("name").asText(), row.path("_uuid").path(1).asText());
        }
        return uuids;
    }

    private static ObjectNode updateByUuid(String uuid, ArrayNode statisticsMap) {
        ObjectNode update = JSON.createObjectNode();
        update.put("op", "update");
        update.put("table", "Interface");
        update.putArray("where")
                .add(JSON.createArrayNode()
                        .add("_uuid")
                        .add("==")
                        .add(JSON.createArrayNode().add("uuid").add(uuid)));
        update.putObject("row").set("statistics", statisticsMap);
        return update;
    }

    private static ObjectNode update(String interfaceName, ArrayNode statisticsMap) {
        ObjectNode update = JSON.createObjectNode();
        update.put("op", "update");
        update.put("table", "Interface");
        update.putArray("where")
                .add(JSON.createArrayNode().add("name").add("==").add(interfaceName));
        update.putObject("row").set("statistics", statisticsMap);
        return update;
    }

    // One caller at a time: the churn thread and the benchmark's own requests share the session.
    private synchronized JsonNode call(String method, ArrayNode params) throws IOException {
        long id = ids.incrementAndGet();
        ObjectNode request = JSON.createObjectNode();
        request.put("method", method);
        request.set("params", params);
        request.put("id", id);
        out.write(JSON.writeValueAsBytes(request));
        out.flush();
        while (true) {
            if (in.nextToken() == null) {
                throw new IOException("ovsdb-server closed the connection");
            }
            JsonNode message = JSON.readTree(in);
            if ("echo".equals(message.path("method").asText())) {
                ObjectNode reply = JSON.createObjectNode();
                reply.set("id", message.get("id"));
                reply.set("result", message.get("params"));
                reply.putNull("error");
                out.write(JSON.writeValueAsBytes(reply));
                out.flush();
            } else if (message.path("id").asLong(-1) == id) {
                if (!message.path("error").isNull() && !message.path("error").isMissingNode()) {
                    throw new IOException("OVSDB refused " + method + ": " + message.path("error"));
                }
                for (JsonNode result : message.path("result")) {
                    if (result.has("error")) {
                        throw new IOException("OVSDB refused " + method + ": " + result);
                    }
                }
                return message.path("result");
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
        socket.close();
    }
}
