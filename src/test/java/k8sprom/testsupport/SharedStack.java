package k8sprom.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A synthetic cluster of three pods and the real Prometheus scraping it every second, started once per test run for
 * every test class that asks for them ({@code @ExtendWith(SharedStack.class)} and a {@link Stack} parameter), with the
 * run's one Kafka broker from {@link SharedKafka}, and stopped when the run ends. Classes share them by giving each
 * scenario topics of its own (checked as {@link SharedKafka} does); a test that stops Prometheus or Kafka restarts it
 * before it ends.
 *
 * <p>Another class may have restarted Prometheus shortly before, which leaves a gap in its data: a test that needs an
 * exact {@code rate()} asks {@link PrometheusServer#awaitFullWindow} or {@link PrometheusServer#scrapingSince()} when it
 * starts, never a value kept from an earlier moment.
 */
public final class SharedStack implements ParameterResolver, BeforeAllCallback, AfterAllCallback {

    public static final int PODS = 3;

    private final SharedKafka kafkaGuard = new SharedKafka();

    /** The shared components. */
    public record Stack(SyntheticCluster cluster, PrometheusServer prometheus, KafkaBroker kafka, Path dir) {}

    /** What this extension started itself; the broker belongs to {@link SharedKafka}, which closes it. */
    private record Owned(Stack stack) implements ExtensionContext.Store.CloseableResource {

        @Override
        public void close() {
            for (AutoCloseable component : new AutoCloseable[] {stack.prometheus(), stack.cluster()}) {
                try {
                    component.close();
                } catch (Exception e) {
                    System.err.println("closing " + component + ": " + e);
                }
            }
            SharedKafka.deleteTree(stack.dir());
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        kafkaGuard.beforeAll(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        kafkaGuard.afterAll(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Stack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Owned.class, key -> start(context), Owned.class)
                .stack();
    }

    private static Owned start(ExtensionContext context) {
        try {
            Path dir = Files.createTempDirectory("shared-stack");
            SyntheticCluster cluster = SyntheticCluster.start(PODS, SyntheticCluster.LabelStyle.MODERN);
            PrometheusServer prometheus =
                    PrometheusServer.start(dir.resolve("prometheus"), Duration.ofSeconds(1), cluster.target());
            // Started (if no class did before) while Prometheus collects its first window.
            KafkaBroker kafka = SharedKafka.broker(context);
            prometheus.awaitFullWindow(Duration.ofSeconds(12));
            return new Owned(new Stack(cluster, prometheus, kafka, dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
