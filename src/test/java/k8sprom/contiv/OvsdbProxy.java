package k8sprom.contiv;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback JSON-RPC proxy in front of a real ovsdb-server, for what the server cannot be told to do: answer
 * chosen methods with the "unknown method" error an older ovsdb-server gives (the rest is forwarded), cut every
 * connection at once, as a network failure would, refuse new connections for a while, and stop passing requests on
 * while connections stay open, as a hung server or a silently dropping network would.
 */
final class OvsdbProxy implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerSocket listener;
    private final int serverPort;
    private final Set<String> unknownMethods;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean silent;
    private volatile boolean refusing;

    private OvsdbProxy(int serverPort, Set<String> unknownMethods) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.serverPort = serverPort;
        this.unknownMethods = unknownMethods;
        Thread acceptor = new Thread(this::accept, "ovsdb-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static OvsdbProxy start(int serverPort, Set<String> unknownMethods) throws IOException {
        return new OvsdbProxy(serverPort, unknownMethods);
    }

    String tcpTarget() {
        return "tcp:127.0.0.1:" + listener.getLocalPort();
    }

    /** Closes every proxied connection in both directions. */
    void cutAll() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    /** From now on requests to the server are dropped: nothing is answered, no connection is closed. */
    void silence() {
        silent = true;
    }

    /** From now on new connections are closed as soon as they are accepted, as by a server that is away. */
    void refuse() {
        refusing = true;
    }

    /** New connections reach the server again. */
    void admit() {
        refusing = false;
    }

    /** Requests are passed on again (those dropped meanwhile stay lost). */
    void speak() {
        silent = false;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cutAll();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (refusing) {
                    closeQuietly(client);
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                open.add(client);
                open.add(server);
                start(() -> pump(server.getInputStream(), client.getOutputStream(), client, server));
                start(() -> filter(client, server));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(IoTask task) {
        Thread thread = new Thread(
                () -> {
                    try {
                        task.run();
                    } catch (IOException e) {
                        // a cut connection ends its pumps
                    }
                },
                "ovsdb-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private interface IoTask {
        void run() throws IOException;
    }

    private static void pump(InputStream in, OutputStream out, Socket a, Socket b) throws IOException {
        byte[] buffer = new byte[65536];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } finally {
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    private void filter(Socket client, Socket server) throws IOException {
        OutputStream toClient = client.getOutputStream();
        OutputStream toServer = server.getOutputStream();
        try (JsonParser parser = JSON.getFactory().createParser(client.getInputStream())) {
            while (parser.nextToken() != null) {
                JsonNode message = JSON.readTree(parser);
                if (silent) {
                    continue;
                }
                if (unknownMethods.contains(message.path("method").asText())) {
                    ObjectNode error = JSON.createObjectNode();
                    error.set("id", message.get("id"));
                    error.putNull("result");
                    error.put("error", "unknown method");
                    synchronized (toClient) {
                        toClient.write(JSON.writeValueAsBytes(error));
                        toClient.flush();
                    }
                } else {
                    toServer.write(JSON.writeValueAsBytes(message));
                    toServer.flush();
                }
            }
        } finally {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
