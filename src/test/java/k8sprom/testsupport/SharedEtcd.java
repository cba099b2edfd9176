package k8sprom.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One etcd (plain http) per test run for every class that asks for it ({@code @ExtendWith(SharedEtcd.class)} and an
 * {@link EtcdServer} parameter), stopped when the run ends. Every key is deleted before each such class starts: the
 * leader key has one fixed path in Contiv, so classes cannot keep apart by key names and instead take turns on an
 * empty store. A class that needs TLS, or stops etcd, starts an {@link EtcdServer} of its own.
 */
public final class SharedEtcd implements BeforeAllCallback, ParameterResolver {

    private record Shared(EtcdServer server, Path dir) implements ExtensionContext.Store.CloseableResource {

        @Override
        public void close() throws InterruptedException {
            server.close();
            TempDirs.delete(dir);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        shared(context).server().deleteAllKeys();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EtcdServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return shared(context).server();
    }

    private static Shared shared(ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Shared.class, key -> start(), Shared.class);
    }

    private static Shared start() {
        try {
            Path dir = Files.createTempDirectory("shared-etcd");
            return new Shared(EtcdServer.start(dir), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
