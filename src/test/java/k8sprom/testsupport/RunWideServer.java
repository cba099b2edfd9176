package k8sprom.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What {@link SharedOvsdb} and {@link SharedEtcd} have in common: a server started on first request, kept in the
 * root extension store so that the whole run shares it and JUnit stops it (and deletes its directory) when the run
 * ends, handed to any parameter of its type, and made clean for each test class before that class's own
 * {@code @BeforeAll}.
 */
abstract class RunWideServer<S extends AutoCloseable> implements BeforeAllCallback, ParameterResolver {

    private final Class<S> type;

    RunWideServer(Class<S> type) {
        this.type = type;
    }

    /** Starts the server with dir as its working directory. */
    abstract S start(Path dir) throws IOException, InterruptedException;

    /** Leaves nothing of earlier classes on the server; dir is the server's working directory. */
    abstract void clean(S server, Path dir, Class<?> testClass) throws IOException, InterruptedException;

    private record Running<S extends AutoCloseable>(S server, Path dir)
            implements ExtensionContext.Store.CloseableResource {

        @Override
        public void close() throws Exception {
            server.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(file -> file.toFile().delete());
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Running<S> running = running(context);
        clean(running.server(), running.dir(), context.getRequiredTestClass());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == type;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return running(context).server();
    }

    @SuppressWarnings("unchecked")
    private Running<S> running(ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(getClass(), key -> launch(), Running.class);
    }

    private Running<S> launch() {
        try {
            Path dir = Files.createTempDirectory(getClass().getSimpleName());
            return new Running<>(start(dir), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
