package k8sprom.testsupport;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One etcd (plain http) per test run for every class that asks for it ({@code @ExtendWith(SharedEtcd.class)} and an
 * {@link EtcdServer} parameter), stopped when the run ends. Every key is deleted before each such class starts: the
 * leader key has one fixed path in Contiv, so classes cannot keep apart by key names and instead take turns on an
 * empty store. A class that needs TLS, or stops etcd, starts an {@link EtcdServer} of its own.
 */
public final class SharedEtcd extends RunWideServer<EtcdServer> {

    public SharedEtcd() {
        super(EtcdServer.class);
    }

    @Override
    EtcdServer start(Path dir) throws IOException, InterruptedException {
        return EtcdServer.start(dir);
    }

    @Override
    void clean(EtcdServer server, Path dir, Class<?> testClass) throws IOException, InterruptedException {
        server.deleteAllKeys();
    }
}
