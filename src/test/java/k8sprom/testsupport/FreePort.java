package k8sprom.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback TCP ports for servers started by tests. */
public final class FreePort {

    private FreePort() {
    }

    /**
     * Returns a loopback port that was free a moment ago. The kernel picks it, so parallel builds
     * on this machine do not collide; there is still a small window in which someone else may take
     * it before our server binds it.
     */
    public static int find() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
