package k8sprom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shipped jar started as users start it, {@code java $JAVA_OPTS -jar k8s-prometheus-publisher.jar} from the
 * repository root, configured by environment variables (the pattern of the ITs' PublisherProcess).
 */
final class PublisherJar implements AutoCloseable {

    private final Process process;
    private final long startedNanos;
    private final Path log;

    private PublisherJar(Process process, long startedNanos, Path log) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.log = log;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("publisher.jar", "target/k8s-prometheus-publisher.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: scripts/benchmark packages it first");
        }
        return jar.toAbsolutePath();
    }

    static PublisherJar start(List<String> jvmOptions, Map<String, String> environment, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Map<String, String> env = new java.util.LinkedHashMap<>(environment);
        for (String option : jvmOptions) {
            // ENV:NAME=value is an environment variable of the JVM's process, e.g. glibc's MALLOC_ARENA_MAX
            if (option.startsWith("ENV:")) {
                String assignment = option.substring(4);
                env.put(
                        assignment.substring(0, assignment.indexOf('=')),
                        assignment.substring(assignment.indexOf('=') + 1));
            } else {
                command.add(option);
            }
        }
        command.add("-jar");
        command.add(jar().toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        long started = System.nanoTime();
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return new PublisherJar(process, started, log);
    }

    long pid() {
        return process.pid();
    }

    /** System.nanoTime() just before the process was launched. */
    long startedNanos() {
        return startedNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** SIGTERM, as a container runtime stops it; SIGKILL after 20 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
