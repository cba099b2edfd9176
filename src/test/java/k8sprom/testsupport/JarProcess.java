package k8sprom.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shipped jar run as users run it, {@code java -jar target/k8s-prometheus-publisher.jar} from the repository
 * root, configured by environment variables, so that tests and benchmarks can stop it with SIGTERM or SIGKILL.
 * The one way every test and benchmark launches the application.
 */
public final class JarProcess implements AutoCloseable {

    /** The application's own variables are never inherited from the shell running the tests. */
    private static final List<String> APPLICATION_PREFIXES =
            List.of("PUBLISHER_", "PROMETHEUS_", "KAFKA_", "EXPORTER_", "CONTIV_", "CAMEL_");

    private final Process process;
    private final Path log;
    private final long startedNanos;

    private JarProcess(Process process, Path log, long startedNanos) {
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /** The jar `mvn verify` (or `package`) built: the publisher.jar system property, else target/. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("publisher.jar", "target/k8s-prometheus-publisher.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests with `mvn verify`, which packages it");
        }
        return jar.toAbsolutePath();
    }

    /**
     * Starts the jar with the environment and JVM options given; its output goes to {@code log} (appended). A JVM
     * option {@code ENV:NAME=value} sets an environment variable of the process instead (e.g. MALLOC_ARENA_MAX).
     */
    public static JarProcess start(Map<String, String> environment, Path log, String... jvmOptions) {
        return start(environment, log, List.of(jvmOptions), List.of());
    }

    /** As {@link #start(Map, Path, String...)}, with command-line arguments for the application after the jar. */
    public static JarProcess start(
            Map<String, String> environment, Path log, List<String> jvmOptions, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Map<String, String> env = new LinkedHashMap<>(environment);
        for (String option : jvmOptions) {
            if (option.startsWith("ENV:")) {
                String assignment = option.substring(4);
                int equals = assignment.indexOf('=');
                env.put(assignment.substring(0, equals), assignment.substring(equals + 1));
            } else {
                command.add(option);
            }
        }
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment()
                .keySet()
                .removeIf(name -> APPLICATION_PREFIXES.stream().anyMatch(name::startsWith));
        builder.environment().putAll(env);
        long started = System.nanoTime();
        try {
            Process process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            return new JarProcess(process, log, started);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** System.nanoTime() just before the process was launched. */
    public long startedNanos() {
        return startedNanos;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** SIGKILL: no shutdown hook, no flush, no transaction commit or abort. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** SIGTERM, as a container runtime stops it; SIGKILL after 20 s. */
    public void stop() {
        process.destroy();
        if (!waitFor(Duration.ofSeconds(20))) {
            kill();
        }
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last lines of the log, for assertion messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
