package k8sprom.publisher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.JarProcess;

/**
 * One publisher replica: the jar as a separate process with a management port of its own and a log of its own, which
 * tells the shards it owns (its one INFO line per assignment change).
 */
final class Replica implements AutoCloseable {

    private static final Pattern OWNS = Pattern.compile("this instance owns \\d+ of \\d+ shards: \\[([0-9, ]*)]");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    private final int managementPort = FreePort.find();
    private final Path log;
    private final JarProcess process;

    private Replica(String name, Map<String, String> env, Path dir, String... jvmOptions) {
        this.name = name;
        this.log = dir.resolve("replica-" + name + ".log");
        Map<String, String> own = new HashMap<>(env);
        own.put("MANAGEMENT_PORT", String.valueOf(managementPort));
        String[] options = Arrays.copyOf(
                new String[] {"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m"}, 3 + jvmOptions.length);
        System.arraycopy(jvmOptions, 0, options, 3, jvmOptions.length);
        this.process = JarProcess.start(own, log, options);
    }

    static Replica start(String name, Map<String, String> env, Path dir, String... jvmOptions) {
        return new Replica(name, env, dir, jvmOptions);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The shards this replica owns by its last assignment line; empty before it joined, or as a standby. */
    Set<Integer> ownedShards() {
        Set<Integer> owned = new TreeSet<>();
        for (String line : logLines()) {
            Matcher matcher = OWNS.matcher(line);
            if (matcher.find()) {
                owned = Arrays.stream(matcher.group(1).split(","))
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .map(Integer::valueOf)
                        .collect(Collectors.toCollection(TreeSet::new));
            } else if (line.contains("as a standby")) {
                owned = new TreeSet<>();
            }
        }
        return owned;
    }

    /** True once the replica has logged an assignment (owner) or joined as a standby. */
    boolean joined() {
        return logLines().stream().anyMatch(l -> OWNS.matcher(l).find() || l.contains("as a standby"));
    }

    /** When the replica first logged a line containing the text (log4j2's timestamp, in this machine's zone). */
    Optional<java.time.Instant> loggedAt(String text) {
        return logLines().stream()
                .filter(l -> l.contains(text))
                .findFirst()
                .map(l -> java.time.LocalDateTime.parse(
                                l.substring(0, l.indexOf(' ')).replace(',', '.'))
                        .atZone(java.time.ZoneId.systemDefault())
                        .toInstant());
    }

    long logCount(String text) {
        return logLines().stream().filter(l -> l.contains(text)).count();
    }

    List<String> logLines() {
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    String logTail() {
        return process.logTail(40);
    }

    /** GET on the management server; empty when it does not answer (yet, or while frozen). */
    Optional<HttpResponse<String>> management(String path) {
        try {
            return Optional.of(HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    boolean ready() {
        return management("/observe/health/ready")
                .map(r -> r.statusCode() == 200)
                .orElse(false);
    }

    String metrics() {
        return management("/observe/metrics").map(HttpResponse::body).orElse("");
    }

    void kill() {
        process.kill();
    }

    void stop() {
        process.stop();
    }

    /** SIGSTOP: the process freezes, heartbeats and all, as a zombie does (a long GC pause, a frozen node). */
    void freeze() {
        signal("STOP");
    }

    void thaw() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            thaw();
            process.stop();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
