package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import k8sprom.testsupport.OvsdbServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON-RPC session: against a real ovsdb-server for the echo keep-alive, and against a scripted peer on a
 * loopback socket for the ways a server can misbehave.
 */
class OvsdbConnectionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @TempDir
    Path work;

    private ServerSocket peer;

    @AfterEach
    void closePeer() throws IOException {
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void answersTheServersEchoSoARealServerKeepsTheSession() throws Exception {
        try (OvsdbServer ovs = OvsdbServer.start(work.resolve("ovs"));
                OvsdbConnection connection = OvsdbConnection.open(OvsdbAddress.parse(ovs.tcpTarget()), TIMEOUT, JSON)) {
            // ovsdb-server probes an idle TCP client after 5 s and drops it 5 s later without an answer.
            long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
            while (connection.echoesAnswered() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }

            assertTrue(connection.echoesAnswered() > 0, "no echo request within 12 s");
            assertTrue(connection.isOpen());
            assertEquals(
                    "Open_vSwitch",
                    connection
                            .call("list_dbs", JSON.createArrayNode(), TIMEOUT)
                            .get(0)
                            .asText());
        }
    }

    @Test
    void repliesToEchoWithItsIdAndParams() throws Exception {
        CompletableFuture<JsonNode> echoReply = new CompletableFuture<>();
        startPeer(socket -> {
            socket.getOutputStream()
                    .write("{\"method\":\"echo\",\"params\":[\"ping\"],\"id\":\"echo\"}"
                            .getBytes(StandardCharsets.UTF_8));
            echoReply.complete(JSON.readTree(JSON.getFactory().createParser(socket.getInputStream())));
        });

        try (OvsdbConnection ignored = open()) {
            JsonNode reply = echoReply.get(2, TimeUnit.SECONDS);

            assertEquals("echo", reply.get("id").asText());
            assertEquals("ping", reply.get("result").get(0).asText());
            assertTrue(reply.get("error").isNull());
        }
    }

    @Test
    void readsMessagesThatArriveBackToBackOrInPieces() throws Exception {
        startPeer(socket -> {
            readRequest(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            // An echo and the reply in one write, the reply itself split across two writes.
            out.write("{\"method\":\"echo\",\"params\":[],\"id\":\"echo\"}{\"id\":1,\"result\":[\"Open_"
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(100);
            out.write("vSwitch\"],\"error\":null}".getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(1000);
        });

        try (OvsdbConnection connection = open()) {
            JsonNode result = connection.call("list_dbs", JSON.createArrayNode(), TIMEOUT);

            assertEquals("Open_vSwitch", result.get(0).asText());
            assertEquals(1, connection.echoesAnswered());
        }
    }

    @Test
    void serverClosingTheConnectionFailsTheWaitingCall() throws Exception {
        startPeer(socket -> readRequest(socket.getInputStream()));

        try (OvsdbConnection connection = open()) {
            SourceException failure = assertThrows(
                    SourceException.class, () -> connection.call("transact", JSON.createArrayNode(), TIMEOUT));

            assertEquals(
                    "OVSDB tcp:127.0.0.1:" + peer.getLocalPort() + ": the server closed the connection",
                    failure.getMessage());
            assertTrue(!connection.isOpen());
        }
    }

    @Test
    void serverSendingInvalidJsonFailsTheWaitingCall() throws Exception {
        startPeer(socket -> {
            readRequest(socket.getInputStream());
            socket.getOutputStream().write("<html>not ovsdb</html>".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(1000);
        });

        try (OvsdbConnection connection = open()) {
            SourceException failure = assertThrows(
                    SourceException.class, () -> connection.call("transact", JSON.createArrayNode(), TIMEOUT));

            assertTrue(failure.getMessage().contains("the server sent invalid JSON"), failure.getMessage());
        }
    }

    @Test
    void unansweredCallTimesOut() throws Exception {
        startPeer(socket -> {
            readRequest(socket.getInputStream());
            Thread.sleep(2000);
        });

        try (OvsdbConnection connection = open()) {
            SourceException failure = assertThrows(
                    SourceException.class, () -> connection.call("transact", JSON.createArrayNode(), TIMEOUT));

            assertEquals(
                    "OVSDB tcp:127.0.0.1:" + peer.getLocalPort() + " did not answer transact within 500 ms",
                    failure.getMessage());
        }
    }

    @Test
    void errorReplyIsReportedWithTheServersWords() throws Exception {
        startPeer(socket -> {
            readRequest(socket.getInputStream());
            socket.getOutputStream()
                    .write("{\"id\":1,\"result\":null,\"error\":\"unknown database\"}"
                            .getBytes(StandardCharsets.UTF_8));
            Thread.sleep(1000);
        });

        try (OvsdbConnection connection = open()) {
            SourceException failure = assertThrows(
                    SourceException.class, () -> connection.call("transact", JSON.createArrayNode(), TIMEOUT));

            assertTrue(failure.getMessage().endsWith("refused transact: \"unknown database\""), failure.getMessage());
        }
    }

    private interface Script {
        void play(Socket socket) throws Exception;
    }

    /** A one-connection peer on a loopback port that plays the script, then closes the connection. */
    private void startPeer(Script script) throws IOException {
        peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(
                () -> {
                    try (Socket socket = peer.accept()) {
                        script.play(socket);
                    } catch (Exception e) {
                        // the test's assertions report what went wrong
                    }
                },
                "scripted-ovsdb-peer");
        thread.setDaemon(true);
        thread.start();
    }

    private OvsdbConnection open() throws IOException {
        return OvsdbConnection.open(OvsdbAddress.parse("tcp:127.0.0.1:" + peer.getLocalPort()), TIMEOUT, JSON);
    }

    private static JsonNode readRequest(InputStream in) throws IOException {
        return JSON.readTree(JSON.getFactory().createParser(in));
    }
}
