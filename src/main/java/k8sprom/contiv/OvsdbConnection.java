package k8sprom.contiv;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON-RPC 1.0 session with an OVSDB server (RFC 7047). The server's messages arrive as concatenated JSON values
 * with no framing, so a reader thread pulls them one by one from a streaming parser; it answers the server's echo
 * requests, which keep the session alive, hands every reply to the call waiting for it and every notification (a
 * monitor's updates) to the listener, in the order they arrived.
 */
final class OvsdbConnection implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(OvsdbConnection.class);

    private final OvsdbAddress address;
    private final Closeable socket;
    private final OutputStream out;
    private final ObjectMapper mapper;
    private final Map<Long, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong lastId = new AtomicLong();
    private final AtomicInteger echoesAnswered = new AtomicInteger();
    private final Consumer<JsonNode> notifications;
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private volatile String closedBecause;

    private OvsdbConnection(
            OvsdbAddress address,
            Closeable socket,
            OutputStream out,
            ObjectMapper mapper,
            Consumer<JsonNode> notifications) {
        this.address = address;
        this.socket = socket;
        this.out = out;
        this.mapper = mapper;
        this.notifications = notifications;
    }

    static OvsdbConnection open(OvsdbAddress address, Duration connectTimeout, ObjectMapper mapper) throws IOException {
        return open(address, connectTimeout, mapper, null, message -> {});
    }

    /**
     * Connects (over TLS with the given context when the address is ssl:) and starts reading. Notifications are
     * handed to the listener on the reader thread, so a reply that follows them is only seen after they were handled.
     */
    static OvsdbConnection open(
            OvsdbAddress address,
            Duration connectTimeout,
            ObjectMapper mapper,
            SSLContext tls,
            Consumer<JsonNode> notifications)
            throws IOException {
        OvsdbConnection connection;
        InputStream in;
        if (address.isUnixSocket()) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(address.socket()));
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            in = inputOf(channel);
            connection = new OvsdbConnection(address, channel, outputOf(channel), mapper, notifications);
        } else {
            Socket tcp = new Socket();
            try {
                tcp.connect(new InetSocketAddress(address.host(), address.port()), (int) connectTimeout.toMillis());
                tcp.setTcpNoDelay(true);
                Socket socket = tcp;
                if (address.ssl()) {
                    if (tls == null) {
                        throw new IOException("ssl: needs CONTIV_OVSDB_CA_CERT");
                    }
                    // Like OVS itself, trust is the CA's signature; the server's name is not checked.
                    SSLSocket secure =
                            (SSLSocket) tls.getSocketFactory().createSocket(tcp, address.host(), address.port(), true);
                    secure.setSoTimeout((int) connectTimeout.toMillis());
                    secure.startHandshake();
                    secure.setSoTimeout(0);
                    socket = secure;
                }
                in = socket.getInputStream();
                connection = new OvsdbConnection(address, socket, socket.getOutputStream(), mapper, notifications);
            } catch (IOException e) {
                tcp.close();
                throw e;
            }
        }
        Thread reader = new Thread(() -> connection.readMessages(in), "ovsdb-reader " + address);
        reader.setDaemon(true);
        reader.start();
        return connection;
    }

    /** Sends one request and returns its result; every failure is a {@link SourceException}. */
    JsonNode call(String method, JsonNode params, Duration timeout) {
        long id = lastId.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        waiting.put(id, reply);
        try {
            if (!isOpen()) {
                throw closedFailure();
            }
            ObjectNode request = mapper.createObjectNode();
            request.put("method", method);
            request.set("params", params);
            request.put("id", id);
            send(request);
            JsonNode response = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            JsonNode error = response.path("error");
            if (!error.isMissingNode() && !error.isNull()) {
                throw new SourceException("OVSDB " + address + " refused " + method + ": " + error);
            }
            return response.path("result");
        } catch (TimeoutException e) {
            throw new SourceException(
                    "OVSDB " + address + " did not answer " + method + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SourceException failure ? failure : closedFailure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("OVSDB " + address + ": interrupted while waiting for " + method);
        } catch (IOException e) {
            close("sending failed: " + e.getMessage());
            throw closedFailure();
        } finally {
            waiting.remove(id);
        }
    }

    boolean isOpen() {
        return closedBecause == null;
    }

    /** Completes with the reason once the connection is closed, by either side. */
    CompletableFuture<String> closed() {
        return closed;
    }

    int echoesAnswered() {
        return echoesAnswered.get();
    }

    @Override
    public void close() {
        close("closed by the exporter");
    }

    private void readMessages(InputStream in) {
        String reason;
        try (JsonParser parser = mapper.getFactory().createParser(in)) {
            while (parser.nextToken() != null) {
                handle(mapper.readTree(parser));
            }
            reason = "the server closed the connection";
        } catch (RuntimeException e) {
            // a notification the listener could not use: the session's state is unknown from here on
            reason = e.getMessage();
        } catch (JsonProcessingException e) {
            reason = "the server sent invalid JSON (" + e.getOriginalMessage() + ")";
        } catch (IOException e) {
            reason = "connection lost (" + e.getMessage() + ")";
        }
        close(reason);
    }

    private void handle(JsonNode message) throws IOException {
        String method = message.path("method").asText(null);
        if ("echo".equals(method)) {
            ObjectNode reply = mapper.createObjectNode();
            reply.set("id", message.path("id"));
            reply.set("result", message.path("params"));
            reply.putNull("error");
            send(reply);
            echoesAnswered.incrementAndGet();
            return;
        }
        if (method != null) {
            notifications.accept(message);
            return;
        }
        JsonNode id = message.path("id");
        CompletableFuture<JsonNode> reply = id.canConvertToLong() ? waiting.get(id.asLong()) : null;
        if (reply != null) {
            reply.complete(message);
        }
    }

    private void send(JsonNode message) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(message);
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /** Closes the connection and fails every waiting call with the reason. */
    synchronized void close(String reason) {
        if (closedBecause != null) {
            return;
        }
        closedBecause = reason;
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("Closing the OVSDB socket {} failed: {}", address, e.getMessage());
        }
        SourceException failure = closedFailure();
        waiting.values().forEach(reply -> reply.completeExceptionally(failure));
        closed.complete(reason);
    }

    private SourceException closedFailure() {
        return new SourceException("OVSDB " + address + ": " + closedBecause);
    }

    // Channels.newInputStream/newOutputStream serialise reads and writes on one lock before Java 19, so a reader
    // blocked waiting for the server would stop every write; these adapters call the channel directly.
    private static InputStream inputOf(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                return length == 0 ? 0 : channel.read(ByteBuffer.wrap(buffer, offset, length));
            }
        };
    }

    private static OutputStream outputOf(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        };
    }
}
