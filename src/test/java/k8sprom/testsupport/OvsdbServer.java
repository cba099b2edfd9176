package k8sprom.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real ovsdb-server (Debian package openvswitch-switch) with a fresh Open_vSwitch database of its own, listening on
 * a free loopback TCP port and on a unix socket in the work directory. It runs in the foreground as a child process
 * and is stopped by its PID.
 */
public final class OvsdbServer implements AutoCloseable {

    private static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");
    private static final Duration STARTUP = Duration.ofSeconds(10);

    private final Path dir;
    private final int port;
    private final Tls tls;
    private Path database;
    private Process process;

    /** The PEM files ovsdb-server takes for its pssl: remote, which listens on sslPort. */
    public record Tls(Path privateKey, Path certificate, Path caCert, int sslPort) {}

    private OvsdbServer(Path dir, int port, Tls tls) {
        this.dir = dir;
        this.port = port;
        this.tls = tls;
        this.database = dir.resolve("conf.db");
    }

    /** Like {@link #start(Path)}, and also listening for TLS clients (with client certificates) on a pssl: remote. */
    public static OvsdbServer startWithTls(Path workDir, Path privateKey, Path certificate, Path caCert)
            throws IOException, InterruptedException {
        return started(
                workDir,
                List.of("create", workDir.resolve("conf.db").toString(), SCHEMA.toString()),
                new Tls(privateKey, certificate, caCert, FreePort.find()));
    }

    /** The TLS address in OVS notation, e.g. ssl:127.0.0.1:40124. */
    public String sslTarget() {
        return "ssl:127.0.0.1:" + tls.sslPort();
    }

    /** Runs a transaction on the database file while the server is stopped, as an operator changing it would. */
    public String offlineTransact(String transaction) throws IOException, InterruptedException {
        return run(List.of("/usr/bin/ovsdb-tool", "transact", database.toString(), transaction));
    }

    /**
     * Swaps the served Open_vSwitch database for a newly created one in file (then writes its root row), without
     * restarting the server: a truly new database, so nothing written before survives, and monitors of the old one
     * are told monitor_canceled. What {@link SharedOvsdb} gives each test class.
     */
    public void replaceDatabase(Path file) throws IOException, InterruptedException {
        run(List.of("/usr/bin/ovsdb-tool", "create", file.toString(), SCHEMA.toString()));
        appctl("ovsdb-server/remove-db", "Open_vSwitch");
        appctl("ovsdb-server/add-db", file.toString());
        database = file;
        vsctl("init");
    }

    /** Creates the database in workDir, starts the server and writes the root Open_vSwitch row. */
    public static OvsdbServer start(Path workDir) throws IOException, InterruptedException {
        return started(workDir, List.of("create", workDir.resolve("conf.db").toString(), SCHEMA.toString()), null);
    }

    /**
     * Like {@link #start(Path)} with a one-server clustered (Raft) database, whose transaction history lets a monitor
     * continue with monitor_cond_since from the last transaction it saw (a standalone database has none). Clusters
     * make the schema's ephemeral columns, statistics among them, persistent.
     */
    public static OvsdbServer startClustered(Path workDir) throws IOException, InterruptedException {
        return started(
                workDir,
                List.of(
                        "create-cluster",
                        workDir.resolve("conf.db").toString(),
                        SCHEMA.toString(),
                        "tcp:127.0.0.1:" + FreePort.find()),
                null);
    }

    // Creates conf.db in workDir with ovsdb-tool and the given arguments, starts the server, writes the root row.
    private static OvsdbServer started(Path workDir, List<String> createArguments, Tls tls)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        List<String> create = new ArrayList<>(List.of("/usr/bin/ovsdb-tool"));
        create.addAll(createArguments);
        run(create);
        OvsdbServer server = new OvsdbServer(workDir, FreePort.find(), tls);
        server.launch();
        server.vsctl("init");
        return server;
    }

    /** Starts the server again on the same port and database, after {@link #stop()}. */
    public void restart() throws IOException, InterruptedException {
        launch();
    }

    /** Stops the server by its PID and waits for it to exit. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** The server's process ID (for CPU measurements), while it runs. */
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** The address in OVS notation, e.g. tcp:127.0.0.1:40123. */
    public String tcpTarget() {
        return "tcp:127.0.0.1:" + port;
    }

    public Path unixSocket() {
        return dir.resolve("db.sock");
    }

    private void appctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "/usr/bin/ovs-appctl", "-t", dir.resolve("ovsdb-server.ctl").toString(), "--timeout=10"));
        command.addAll(List.of(args));
        run(command);
    }

    /** Runs ovs-vsctl against this server; there is no ovs-vswitchd, hence --no-wait. */
    public String vsctl(String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of("/usr/bin/ovs-vsctl", "--db=" + tcpTarget(), "--no-wait", "--timeout=10"));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Adds a port with one interface of the same name to a bridge, creating the bridge when needed. */
    public void addInterface(String bridge, String name, Map<String, String> externalIds)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(
                "--may-exist",
                "add-br",
                bridge,
                "--",
                "add-port",
                bridge,
                name,
                "--",
                "set",
                "Interface",
                name,
                "type=internal"));
        externalIds.forEach((key, value) -> args.add("external_ids:" + key + "=\"" + value + "\""));
        vsctl(args.toArray(String[]::new));
    }

    /**
     * Replaces an interface's statistics. ovs-vsctl treats the column as read-only (ovs-vswitchd owns it), so this
     * writes it with a raw transact.
     */
    public void setStatistics(String interfaceName, Map<String, Long> statistics)
            throws IOException, InterruptedException {
        String pairs = statistics.entrySet().stream()
                .map(entry -> "[\"" + entry.getKey() + "\"," + entry.getValue() + "]")
                .collect(Collectors.joining(","));
        transact("[\"Open_vSwitch\",{\"op\":\"update\",\"table\":\"Interface\",\"where\":[[\"name\",\"==\",\""
                + interfaceName + "\"]],\"row\":{\"statistics\":[\"map\",[" + pairs + "]]}}]");
    }

    public String transact(String transaction) throws IOException, InterruptedException {
        return run(List.of("/usr/bin/ovsdb-client", "transact", tcpTarget(), transaction));
    }

    private void launch() throws IOException, InterruptedException {
        Files.deleteIfExists(unixSocket());
        List<String> command = new ArrayList<>(List.of(
                "/usr/sbin/ovsdb-server",
                database.toString(),
                "--remote=ptcp:" + port + ":127.0.0.1",
                "--remote=punix:" + unixSocket(),
                "--unixctl=" + dir.resolve("ovsdb-server.ctl"),
                "--pidfile=" + dir.resolve("ovsdb-server.pid"),
                "--log-file=" + dir.resolve("ovsdb-server.log")));
        if (tls != null) {
            command.addAll(List.of(
                    "--private-key=" + tls.privateKey(),
                    "--certificate=" + tls.certificate(),
                    "--ca-cert=" + tls.caCert(),
                    "--remote=pssl:" + tls.sslPort() + ":127.0.0.1"));
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("ovsdb-server.out").toFile()))
                .start();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "ovsdb-server exited with " + process.exitValue() + "; see " + dir.resolve("ovsdb-server.out"));
            }
            if (accepts(port) && Files.exists(unixSocket()) && (tls == null || accepts(tls.sslPort()))) {
                return;
            }
            Thread.sleep(20);
        }
        stop();
        throw new IOException("ovsdb-server did not listen on " + tcpTarget() + " within " + STARTUP);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process tool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!tool.waitFor(20, TimeUnit.SECONDS) || tool.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
