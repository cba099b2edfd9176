package k8sprom.contiv;

import static org.awaitility.Awaitility.await;
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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import k8sprom.testsupport.OvsdbServer;
import k8sprom.testsupport.SharedOvsdb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JSON-RPC session: against a real ovsdb-server for the echo keep-alive, and against a scripted peer on a
 * loopback socket for the ways a server can misbehave.
 */
@ExtendWith(SharedOvsdb.class)
class OvsdbConnectionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private ServerSocket peer;

    @AfterEach
    void closePeer() throws IOException {
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void answersTheServersEchoSoARealServerKeepsTheSession(OvsdbServer ovs) throws Exception {
        try (OvsdbConnection connection = OvsdbConnection.open(OvsdbAddress.parse(ovs.tcpTarget()), TIMEOUT, JSON)) {
            // ovsdb-server probes an idle TCP client after 5 s and drops it 5 s later without an answer.
            await("an echo request from the server")
                    .atMost(Duration.ofSeconds(12))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> connection.echoesAnswered() > 0);

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
            // The pause is the scenario: it makes the reply's two pieces arrive as two reads.
            Thread.sleep(100);
            out.write("vSwitch\"],\"error\":null}".getBytes(StandardCharsets.UTF_8));
            out.flush();
            awaitHangUp(socket);
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
            awaitHangUp(socket);
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
            awaitHangUp(socket);
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
            awaitHangUp(socket);
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

    /**
     * Keeps the connection open, reading and dropping whatever the client still sends, until the client closes it:
     * the peer must not be the one that ends the session.
     */
    private static void awaitHangUp(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (in.read(buffer) >= 0) {
            // discarded
        }
    }
}
