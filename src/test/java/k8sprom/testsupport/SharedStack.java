package k8sprom.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A synthetic cluster of three pods, the real Prometheus scraping it every second and one real Kafka broker, started
 * once per test run for every test class that asks for them ({@code @ExtendWith(SharedStack.class)} and a
 * {@link Stack} parameter), and stopped when the run ends. Classes share them by giving each scenario topics and
 * transactional ids of its own; a test that stops Prometheus or Kafka restarts it before it ends.
 */
public final class SharedStack implements ParameterResolver {

    public static final int PODS = 3;

    /** The shared components. */
    public record Stack(SyntheticCluster cluster, PrometheusServer prometheus, KafkaBroker kafka, Path dir)
            implements ExtensionContext.Store.CloseableResource {

        @Override
        public void close() {
            for (AutoCloseable component : new AutoCloseable[] {kafka, prometheus, cluster}) {
                try {
                    component.close();
                } catch (Exception e) {
                    System.err.println("closing " + component + ": " + e);
                }
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(file -> file.toFile().delete());
            } catch (IOException e) {
                System.err.println("cannot delete " + dir + ": " + e);
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Stack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Stack.class, key -> start(), Stack.class);
    }

    private static Stack start() {
        try {
            Path dir = Files.createTempDirectory("shared-stack");
            SyntheticCluster cluster = SyntheticCluster.start(PODS, SyntheticCluster.LabelStyle.MODERN);
            PrometheusServer prometheus =
                    PrometheusServer.start(dir.resolve("prometheus"), Duration.ofSeconds(1), cluster.target());
            KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"));
            prometheus.awaitFullWindow(Duration.ofSeconds(12));
            return new Stack(cluster, prometheus, kafka, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
