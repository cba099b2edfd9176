package k8sprom.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code camel run ...} of Camel JBang in a JVM of its own, the way the {@code camel} command starts it: the launcher
 * src/test/jbang/CamelJBang.java (Java source-file mode) calls CamelJBangMain on the classpath of camel-jbang-core and
 * its dependencies alone. Nothing built from this project is on that classpath, so Camel JBang compiles the project's
 * Java sources itself and downloads what they need, as for a user.
 *
 * <p>The classpath comes from the file named by the system property {@code camel.jbang.classpath.file}, which the build
 * writes in pre-integration-test (pom.xml, maven-antrun-plugin). Output goes to a log file; {@link #close()} asks the
 * process to stop, then kills it.
 */
public final class CamelJBangProcess implements AutoCloseable {

    public static final String CLASSPATH_FILE_PROPERTY = "camel.jbang.classpath.file";
    private static final Path LAUNCHER = Path.of("src/test/jbang/CamelJBang.java");
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(15);

    private final Process process;
    private final Path log;
    private final Thread killOnExit;

    private CamelJBangProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.killOnExit = new Thread(() -> kill(process), "kill-camel-jbang-" + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** The file with Camel JBang's classpath, in the build directory. */
    public static Path classpathFile() {
        String file = System.getProperty(CLASSPATH_FILE_PROPERTY);
        if (file == null) {
            throw new IllegalStateException("system property " + CLASSPATH_FILE_PROPERTY + " is not set: run this test"
                    + " through `mvn verify`, which writes Camel JBang's classpath before the integration tests");
        }
        return Path.of(file);
    }

    /** The entries of the classpath the child JVM gets. */
    public static List<String> classpath() {
        Path file = classpathFile();
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return Arrays.asList(text.split(File.pathSeparator));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Camel JBang's classpath from " + file, e);
        }
    }

    /**
     * Starts {@code camel <arguments>} in {@code workDir}, with {@code environment} added to this JVM's environment,
     * writing everything it prints to {@code log}.
     */
    public static CamelJBangProcess start(
            Path workDir, List<String> arguments, Map<String, String> environment, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath()));
        command.add(workDir.resolve(LAUNCHER).toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            return new CamelJBangProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code; only once the process has ended. */
    public int exitValue() {
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** The last {@code lines} lines of the output, for failure messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Everything printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asks Camel to shut down (SIGTERM) and waits a while, then kills the process and anything it started. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(GRACEFUL_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook does the same
        }
    }

    private static void kill(Process process) {
        ProcessHandle.of(process.pid()).ifPresent(handle -> {
            handle.descendants().forEach(ProcessHandle::destroyForcibly);
            handle.destroyForcibly();
        });
    }
}
