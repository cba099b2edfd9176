package k8sprom.testsupport;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One ovsdb-server per test run for every class that asks for it ({@code @ExtendWith(SharedOvsdb.class)} and an
 * {@link OvsdbServer} parameter), stopped when the run ends. Before each such class starts, the server's
 * Open_vSwitch database is swapped for a newly created one, so a class sees only its own rows. A class must not stop,
 * restart or otherwise change the server itself: one that needs that, or TLS, starts an {@link OvsdbServer} of its
 * own.
 */
public final class SharedOvsdb extends RunWideServer<OvsdbServer> {

    public SharedOvsdb() {
        super(OvsdbServer.class);
    }

    @Override
    OvsdbServer start(Path dir) throws IOException, InterruptedException {
        return OvsdbServer.start(dir);
    }

    @Override
    void clean(OvsdbServer server, Path dir, Class<?> testClass) throws IOException, InterruptedException {
        server.replaceDatabase(dir.resolve(testClass.getName() + ".db"));
    }
}
