package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Reads OVS's Interface table over one long-lived OVSDB connection. The connection opens on first use and again
 * after it drops; when opening fails, the next attempt waits for a backoff that doubles up to a limit, so a missing
 * server is not hammered by every scrape.
 */
final class OvsdbClient implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(OvsdbClient.class);

    private final OvsdbAddress address;
    private final Duration timeout;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final ObjectMapper mapper = new ObjectMapper();
    private final JsonNode selectInterfaces;

    private OvsdbConnection connection;
    private int connectionsOpened;
    private Duration backoff;
    private long nextAttemptNanos;
    private String lastConnectFailure;

    OvsdbClient(OvsdbAddress address, Duration timeout, Duration firstBackoff, Duration maxBackoff) {
        this.address = address;
        this.timeout = timeout;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.backoff = firstBackoff;
        this.selectInterfaces = selectInterfaces(mapper);
    }

    /** The Interface rows as they are now; a {@link SourceException} says why they could not be read. */
    List<OvsInterface> interfaces() {
        JsonNode result = connection().call("transact", selectInterfaces, timeout);
        return OvsInterface.fromSelectResult(result, "OVSDB " + address);
    }

    synchronized int connectionsOpened() {
        return connectionsOpened;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
        }
    }

    private synchronized OvsdbConnection connection() {
        if (connection != null && connection.isOpen()) {
            return connection;
        }
        long now = System.nanoTime();
        if (now < nextAttemptNanos) {
            throw new SourceException("OVSDB " + address + " unreachable (" + lastConnectFailure
                    + "); next attempt in " + Duration.ofNanos(nextAttemptNanos - now).toMillis() + " ms");
        }
        try {
            connection = OvsdbConnection.open(address, timeout, mapper);
        } catch (IOException e) {
            lastConnectFailure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            nextAttemptNanos = now + backoff.toNanos();
            Duration waited = backoff;
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            throw new SourceException("OVSDB " + address + " unreachable (" + lastConnectFailure
                    + "); next attempt in " + waited.toMillis() + " ms");
        }
        connectionsOpened++;
        backoff = firstBackoff;
        nextAttemptNanos = 0;
        LOG.info("Connected to OVSDB {}", address);
        return connection;
    }

    // One select with no conditions: every Interface row, only the three columns the exporter uses.
    private static JsonNode selectInterfaces(ObjectMapper mapper) {
        ObjectNode select = mapper.createObjectNode();
        select.put("op", "select");
        select.put("table", "Interface");
        select.putArray("where");
        select.putArray("columns").add("name").add("external_ids").add("statistics");
        ArrayNode params = mapper.createArrayNode();
        params.add("Open_vSwitch").add(select);
        return params;
    }
}
