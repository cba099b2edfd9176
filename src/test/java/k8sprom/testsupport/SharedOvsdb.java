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
 * One ovsdb-server per test run for every class that asks for it ({@code @ExtendWith(SharedOvsdb.class)} and an
 * {@link OvsdbServer} parameter), stopped when the run ends. Before each such class starts, the server's
 * Open_vSwitch database is swapped for a newly created one, so a class sees only its own rows. A class must not stop,
 * restart or otherwise change the server itself: one that needs that, or TLS, starts an {@link OvsdbServer} of its
 * own.
 */
public final class SharedOvsdb implements BeforeAllCallback, ParameterResolver {

    private record Shared(OvsdbServer server, Path dir) implements ExtensionContext.Store.CloseableResource {

        @Override
        public void close() throws InterruptedException {
            server.close();
            TempDirs.delete(dir);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Shared shared = shared(context);
        shared.server()
                .replaceDatabase(
                        shared.dir().resolve(context.getRequiredTestClass().getName() + ".db"));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == OvsdbServer.class;
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
            Path dir = Files.createTempDirectory("shared-ovsdb");
            return new Shared(OvsdbServer.start(dir), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
