package k8sprom.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Free loopback TCP ports for servers started by tests. */
public final class FreePort {

    /**
     * Ports already handed out in this JVM. A port is only bound some time after find() returns
     * (Kafka needs two before it binds either), and the kernel may offer a just-closed port again.
     */
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePort() {}

    /**
     * Returns a loopback port that was free a moment ago and was not returned before in this JVM.
     * The kernel picks it, so parallel builds on this machine do not collide; there is still a
     * small window in which another process may take it before our server binds it.
     */
    public static synchronized int find() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
        }
        throw new IllegalStateException("no fresh free loopback port after 100 attempts");
    }
}
