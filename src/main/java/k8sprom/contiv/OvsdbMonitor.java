package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a live replica of OVS's Interface table through an OVSDB monitor on a connection of its own, instead of a
 * select per scrape. Asks for monitor_cond_since, and falls back to monitor_cond, then monitor, when the server does
 * not know the method. When the session ends (EOF, error, monitor_canceled, an echo probe left unanswered) it
 * reconnects with a doubling, jittered backoff and builds a new replica from the new initial rows, swapped in only
 * when complete; until then there is no replica and {@link #freshRows()} fails.
 */
final class OvsdbMonitor implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(OvsdbMonitor.class);
    private static final String MONITOR_ID = "contiv-exporter-interfaces";
    private static final String NO_TRANSACTION = "00000000-0000-0000-0000-000000000000";
    private static final List<String> COLUMNS = List.of("name", "external_ids", "statistics");
    private static final int INITIAL_ROWS_TIMEOUTS = 10;

    /** The monitor methods, newest first, with the notification each one sends. */
    enum Method {
        MONITOR_COND_SINCE("monitor_cond_since", "update3"),
        MONITOR_COND("monitor_cond", "update2"),
        MONITOR("monitor", "update");

        final String request;
        final String notification;

        Method(String request, String notification) {
            this.request = request;
            this.notification = notification;
        }
    }

    private final OvsdbAddress address;
    private final SSLContext tls;
    private final Duration timeout;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Duration probeInterval;
    private final Runnable onChange;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Thread thread;
    private final AtomicInteger sessionsStarted = new AtomicInteger();
    private final AtomicInteger sessionsContinued = new AtomicInteger();

    private volatile boolean closed;
    private volatile Session live;
    private volatile String downBecause = "not connected yet";
    private volatile Method method = Method.MONITOR_COND_SINCE;
    // The last session's replica and the last transaction it applied, taken together when it ended: what a
    // monitor_cond_since continues from. Only the monitor thread uses it.
    private ResumePoint resumePoint;

    private record ResumePoint(InterfaceReplica replica, String transaction) {}

    /**
     * @param onChange told (on the connection's reader thread, so it must only signal) whenever the replica changes,
     *                 is swapped or is gone
     */
    OvsdbMonitor(
            OvsdbAddress address,
            SSLContext tls,
            Duration timeout,
            Duration firstBackoff,
            Duration maxBackoff,
            Duration probeInterval,
            Runnable onChange) {
        this.address = address;
        this.tls = tls;
        this.timeout = timeout;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.probeInterval = probeInterval;
        this.onChange = onChange;
        this.thread = new Thread(this::run, "ovsdb-monitor " + address);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * The replica's rows after every OVSDB commit made before this call: ovsdb-server sends a connection's pending
     * updates before it answers that connection's next request, so one echo round trip on the monitor's connection
     * is the barrier. Fails with a {@link SourceException} while there is no live replica.
     */
    InterfaceReplica.Rows freshRows() {
        Session session = requireLive();
        session.connection.call("echo", mapper.createArrayNode(), timeout);
        return requireLive().replica.rows();
    }

    /** The replica's rows as they are, without the barrier; null while there is no live replica. */
    InterfaceReplica.Rows currentRows() {
        Session session = live;
        return session == null ? null : session.replica.rows();
    }

    boolean isLive() {
        return live != null;
    }

    /** Why there is no live replica (the last session's end, or the last failed attempt). */
    String downBecause() {
        return downBecause;
    }

    Method method() {
        return method;
    }

    int sessionsStarted() {
        return sessionsStarted.get();
    }

    /** Sessions whose monitor_cond_since found the last transaction seen, so only what changed since was sent. */
    int sessionsContinued() {
        return sessionsContinued.get();
    }

    /** Runs a request on the monitor's own connection (tests compare a select there with the replica). */
    JsonNode call(String request, JsonNode params) {
        return requireLive().connection.call(request, params, timeout);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        Session session = live;
        if (session != null) {
            session.connection.close();
        }
    }

    private Session requireLive() {
        Session session = live;
        if (session == null) {
            throw new SourceException("OVSDB " + address + " has no live monitor (" + downBecause + ")");
        }
        return session;
    }

    private void run() {
        Duration backoff = firstBackoff;
        while (!closed) {
            Session session = null;
            try {
                session = startSession();
                live = session;
                if (closed) {
                    break;
                }
                onChange.run();
                backoff = firstBackoff;
                LOG.info(
                        "OVSDB {}: {} replica of {} Interface rows is live",
                        address,
                        method.request,
                        session.replica.size());
                downBecause = session.watch();
            } catch (SourceException e) {
                downBecause = e.getMessage();
            } catch (IOException e) {
                downBecause = "cannot connect ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
            } catch (InterruptedException e) {
                break;
            } finally {
                if (session != null) {
                    resumePoint = session.end();
                }
                if (live != null) {
                    live = null;
                    onChange.run();
                }
            }
            if (closed) {
                break;
            }
            // Half to all of the backoff, so exporters that lost the same server do not all come back at once.
            long sleep = backoff.toMillis() / 2 + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
            LOG.warn(
                    "OVSDB {} monitor down: {}; statistics are not served; reconnecting in {} ms",
                    address,
                    downBecause,
                    sleep);
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    /** Connects, asks for the monitor (falling back through older methods) and applies the initial rows. */
    private Session startSession() throws IOException {
        Session session = new Session();
        session.connection = OvsdbConnection.open(address, timeout, mapper, tls, session::onNotification);
        sessionsStarted.incrementAndGet();
        while (true) {
            Method asked = method;
            JsonNode initial;
            try {
                // The initial rows are the whole table: a large one on a busy server takes longer than one call.
                initial = session.connection.call(
                        asked.request, params(asked), timeout.multipliedBy(INITIAL_ROWS_TIMEOUTS));
            } catch (SourceException e) {
                // ovsdb-server answers a method it does not implement with the error "unknown method"
                if (e.getMessage().contains("unknown method") && asked != Method.MONITOR) {
                    method = Method.values()[asked.ordinal() + 1];
                    LOG.info("OVSDB {} does not know {}; trying {}", address, asked.request, method.request);
                    continue;
                }
                session.connection.close();
                throw e;
            }
            try {
                session.start(asked, initial);
            } catch (RuntimeException e) {
                session.connection.close();
                throw e;
            }
            return session;
        }
    }

    private JsonNode params(Method asked) {
        ArrayNode columns = mapper.createArrayNode();
        COLUMNS.forEach(columns::add);
        ObjectNode request = mapper.createObjectNode();
        request.set("columns", columns);
        ObjectNode tables = mapper.createObjectNode();
        tables.set("Interface", mapper.createArrayNode().add(request));
        ArrayNode params =
                mapper.createArrayNode().add("Open_vSwitch").add(MONITOR_ID).add(tables);
        if (asked == Method.MONITOR_COND_SINCE) {
            params.add(resumePoint == null ? NO_TRANSACTION : resumePoint.transaction());
        }
        return params;
    }

    /** One connection's monitor: its replica, and the updates that came before the initial rows were applied. */
    private final class Session {
        OvsdbConnection connection;
        InterfaceReplica replica;
        private List<JsonNode> early = new ArrayList<>();
        private boolean ended;
        private String transaction = NO_TRANSACTION;

        /** On the monitor thread, with the monitor request's reply. */
        synchronized void start(Method asked, JsonNode initial) {
            switch (asked) {
                case MONITOR_COND_SINCE -> {
                    // found: the server sent only what changed since the transaction the resume point holds
                    boolean continues = initial.path(0).asBoolean(false) && resumePoint != null;
                    replica = continues ? resumePoint.replica().copy() : InterfaceReplica.empty();
                    replica.applyUpdates2(initial.path(2));
                    transaction = initial.path(1).asText(NO_TRANSACTION);
                    if (continues) {
                        sessionsContinued.incrementAndGet();
                    }
                }
                case MONITOR_COND -> {
                    replica = InterfaceReplica.empty();
                    replica.applyUpdates2(initial);
                }
                case MONITOR -> {
                    replica = InterfaceReplica.empty();
                    replica.applyUpdates(initial);
                }
            }
            early.forEach(this::apply);
            early = null;
        }

        /**
         * Closes the connection and returns where a later monitor_cond_since continues from. From here on nothing is
         * applied, not even updates the reader had already received, so replica and transaction stay in step.
         */
        synchronized ResumePoint end() {
            ended = true;
            connection.close();
            return new ResumePoint(replica, transaction);
        }

        /** On the connection's reader thread, in the order the server sent them. */
        synchronized void onNotification(JsonNode message) {
            if (ended) {
                return;
            }
            String name = message.path("method").asText();
            if ("monitor_canceled".equals(name)) {
                throw new SourceException("OVSDB " + address + " canceled the monitor");
            }
            if (!(name.equals("update3") || name.equals("update2") || name.equals("update"))
                    || !MONITOR_ID.equals(message.path("params").path(0).asText())) {
                LOG.debug("OVSDB {} sent an unexpected {} request; ignored", address, name);
                return;
            }
            if (early != null) {
                early.add(message);
            } else {
                apply(message);
            }
        }

        private void apply(JsonNode message) {
            JsonNode params = message.path("params");
            switch (message.path("method").asText()) {
                case "update3" -> {
                    replica.applyUpdates2(params.path(2));
                    transaction = params.path(1).asText(transaction);
                }
                case "update2" -> replica.applyUpdates2(params.path(1));
                default -> replica.applyUpdates(params.path(1));
            }
            if (live == this) {
                onChange.run();
            }
        }

        /** Probes the session with an echo every probe interval; returns why it ended. */
        String watch() throws InterruptedException {
            while (!closed) {
                try {
                    return connection.closed().get(probeInterval.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException quiet) {
                    try {
                        connection.call("echo", mapper.createArrayNode(), timeout);
                    } catch (SourceException e) {
                        connection.close("echo probe failed: " + e.getMessage());
                    }
                } catch (ExecutionException e) {
                    return String.valueOf(e.getCause());
                }
            }
            return "closed by the exporter";
        }
    }
}
