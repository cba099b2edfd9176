package k8sprom.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Kubernetes cluster as Prometheus sees it: one {@code GET /metrics} endpoint (text format
 * 0.0.4) that plays both cAdvisor (container_* series) and kube-state-metrics (kube_pod_labels),
 * with values the tests know in advance.
 *
 * <h2>What is served</h2>
 * <ul>
 *   <li>Pods {@code pod-0 .. pod-(n-1)} in namespace {@code default}, each with
 *       {@code kube_pod_labels{namespace="default",pod="pod-i",label_ow_action="action-<i%3>",label_vim_id="vim-i"} 1}.</li>
 *   <li>{@link #podWithoutVimId()} ({@code pod-novim}, value index {@code n}): cAdvisor series and a
 *       kube_pod_labels series with {@code label_ow_action} but no {@code label_vim_id}.</li>
 *   <li>{@link #SYSTEM_POD} in {@link #SYSTEM_NAMESPACE} (value index {@code n+1}): one series per
 *       metric plus its kube_pod_labels, so queries that forget {@code namespace="default"} show it.</li>
 *   <li>For each metric of {@link #METRICS} (plus {@link #addMetric}), one series per pod labelled
 *       {@code container, id, image, name, namespace, pod} ({@link LabelStyle#MODERN}) or
 *       {@code container_name, id, image, name, namespace, pod_name} ({@link LabelStyle#LEGACY}).</li>
 * </ul>
 *
 * <h2>Values</h2>
 * With {@code m} the metric's index in {@link #METRICS} (extra metrics continue the numbering) and
 * {@code p} the pod's value index:
 * <ul>
 *   <li>gauges: {@link #gaugeValue} = {@code (m+1) * 1_000_000 + p}, constant over time;</li>
 *   <li>counters: value = {@link #ratePerSecond} {@code * t}, where {@code t} is the time since the
 *       cluster started in seconds. Each cAdvisor sample carries that same instant as its explicit
 *       timestamp (real cAdvisor does that too), so Prometheus stores value and time consistently and
 *       {@code rate()} over any window that lies after the start returns exactly the rate, with no
 *       scrape-latency jitter.</li>
 * </ul>
 * The rates are {@code (m+1) + p * 0.5}, except for the packet counters, chosen so that drop
 * percentages are known exactly (see {@link #dropPercent}):
 * <ul>
 *   <li>receive_packets_total {@code 16(p+1)}, receive_packets_dropped_total {@code (p%4+1)(p+1)}:
 *       receive drop = {@code 6.25 * (p%4+1)} %;</li>
 *   <li>transmit_packets_total {@code 32(p+1)}, transmit_packets_dropped_total {@code (p%8)(p+1)}:
 *       transmit drop = {@code 3.125 * (p%8)} %; except pod {@link #ZERO_TX_POD}, which transmits
 *       nothing at all (both rates 0), for the "0 when the total is 0" case.</li>
 * </ul>
 */
public final class SyntheticCluster implements AutoCloseable {

    /** Which label names cAdvisor uses for pod and container. */
    public enum LabelStyle {
        /** Kubernetes before 1.16: {@code pod_name}, {@code container_name}. */
        LEGACY("pod_name", "container_name"),
        /** Kubernetes 1.16 and later: {@code pod}, {@code container}. */
        MODERN("pod", "container");

        private final String podLabel;
        private final String containerLabel;

        LabelStyle(String podLabel, String containerLabel) {
            this.podLabel = podLabel;
            this.containerLabel = containerLabel;
        }

        public String podLabel() {
            return podLabel;
        }

        public String containerLabel() {
            return containerLabel;
        }
    }

    public static final String NAMESPACE = "default";
    public static final String SYSTEM_NAMESPACE = "kube-system";
    public static final String SYSTEM_POD = "system-pod";
    public static final String CONTAINER = "app";
    /** The pod whose transmit packet counters stay at 0 (only exists when there are at least 2 pods). */
    public static final int ZERO_TX_POD = 1;

    private static final String NOVIM_POD = "pod-novim";
    private static final String RX_PACKETS = "container_network_receive_packets_total";
    private static final String RX_DROPPED = "container_network_receive_packets_dropped_total";
    private static final String TX_PACKETS = "container_network_transmit_packets_total";
    private static final String TX_DROPPED = "container_network_transmit_packets_dropped_total";

    /** Name to "is a counter", in index order. */
    private static final Map<String, Boolean> BUILT_IN = new LinkedHashMap<>();

    static {
        gauge("container_fs_inodes_free");
        gauge("container_fs_io_current");
        gauge("container_fs_usage_bytes");
        counter("container_fs_writes_bytes_total");
        counter("container_fs_reads_bytes_total");
        gauge("container_cpu_load_average_10s");
        counter("container_cpu_system_seconds_total");
        counter("container_cpu_usage_seconds_total");
        counter("container_cpu_cfs_throttled_seconds_total");
        gauge("container_memory_usage_bytes");
        gauge("container_memory_working_set_bytes");
        gauge("container_memory_max_usage_bytes");
        gauge("container_memory_swap");
        counter("container_network_receive_bytes_total");
        counter("container_network_receive_errors_total");
        counter(RX_DROPPED);
        counter(RX_PACKETS);
        counter("container_network_transmit_bytes_total");
        counter("container_network_transmit_errors_total");
        counter(TX_DROPPED);
        counter(TX_PACKETS);
        // cAdvisor really exposes these two as gauges despite the _total suffix.
        gauge("container_network_tcp_usage_total");
        gauge("container_network_udp_usage_total");
        gauge("container_spec_memory_reservation_limit_bytes");
    }

    /** The built-in container metrics, in index order. */
    public static final List<String> METRICS = List.copyOf(BUILT_IN.keySet());

    /**
     * Metrics added by {@link #addMetric}. Kept JVM-wide so the static value formulas know their
     * index; an instance serves only the ones added to it.
     */
    private static final Map<String, Boolean> EXTRA = new LinkedHashMap<>();

    private final HttpServer server;
    private final ExecutorService executor;
    private final int pods;
    private final LabelStyle style;
    private final List<String> extraServed = new CopyOnWriteArrayList<>();
    private final long startNanos;
    private final long startEpochMillis;
    private final AtomicInteger scrapes = new AtomicInteger();

    private SyntheticCluster(int pods, LabelStyle style) throws IOException {
        this.pods = pods;
        this.style = style;
        this.startNanos = System.nanoTime();
        this.startEpochMillis = System.currentTimeMillis();
        // Port 0: the kernel picks the port at bind time, so no race with other builds.
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "synthetic-cluster-" + server.getAddress().getPort());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", this::handle);
        server.start();
    }

    /** Starts a cluster of {@code pods} regular pods (plus pod-novim and the kube-system pod). */
    public static SyntheticCluster start(int pods, LabelStyle style) {
        if (pods < 0) {
            throw new IllegalArgumentException("pods must be >= 0: " + pods);
        }
        try {
            return new SyntheticCluster(pods, style);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start synthetic cluster", e);
        }
    }

    public String target() {
        return "127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public int pods() {
        return pods;
    }

    public LabelStyle style() {
        return style;
    }

    /** When the counters were 0; {@code rate()} windows should start after this. */
    public Instant startedAt() {
        return Instant.ofEpochMilli(startEpochMillis);
    }

    /** How many times /metrics has been served. */
    public int scrapeCount() {
        return scrapes.get();
    }

    /** Name of regular pod {@code i}. */
    public static String podName(int i) {
        return "pod-" + i;
    }

    /** The pod whose kube_pod_labels has no label_vim_id; its values use pod index {@link #pods()}. */
    public static String podWithoutVimId() {
        return NOVIM_POD;
    }

    /** Value index of {@link #podWithoutVimId()} in this cluster. */
    public int podWithoutVimIdIndex() {
        return pods;
    }

    /** Value index of {@link #SYSTEM_POD} in this cluster. */
    public int systemPodIndex() {
        return pods + 1;
    }

    /**
     * Serves one more metric for every pod from now on. Its index (for the value formulas) follows
     * the built-in ones, in the order metrics were first added in this JVM.
     */
    public void addMetric(String name, boolean counter) {
        synchronized (EXTRA) {
            Boolean known = BUILT_IN.containsKey(name) ? BUILT_IN.get(name) : EXTRA.get(name);
            if (known != null && known != counter) {
                throw new IllegalArgumentException(name + " already known with counter=" + known);
            }
            if (known == null) {
                EXTRA.put(name, counter);
            }
        }
        if (!METRICS.contains(name) && !extraServed.contains(name)) {
            extraServed.add(name);
        }
    }

    public static boolean isCounter(String metric) {
        Boolean counter = BUILT_IN.get(metric);
        if (counter == null) {
            synchronized (EXTRA) {
                counter = EXTRA.get(metric);
            }
        }
        if (counter == null) {
            throw new IllegalArgumentException("unknown metric " + metric);
        }
        return counter;
    }

    /** Index of a metric in the value formulas. */
    public static int metricIndex(String metric) {
        int i = METRICS.indexOf(metric);
        if (i >= 0) {
            return i;
        }
        synchronized (EXTRA) {
            int j = new ArrayList<>(EXTRA.keySet()).indexOf(metric);
            if (j < 0) {
                throw new IllegalArgumentException("unknown metric " + metric);
            }
            return METRICS.size() + j;
        }
    }

    /** Value of a gauge for pod index {@code pod}: {@code (m+1) * 1_000_000 + pod}, constant over time. */
    public static double gaugeValue(String metric, int pod) {
        if (isCounter(metric)) {
            throw new IllegalArgumentException(metric + " is a counter; use ratePerSecond");
        }
        return gaugeAt(metricIndex(metric), pod);
    }

    private static double gaugeAt(int metricIndex, int pod) {
        return (metricIndex + 1) * 1_000_000.0 + pod;
    }

    /** Per-second increase of a counter for pod index {@code pod}; see the class comment. */
    public static double ratePerSecond(String metric, int pod) {
        if (!isCounter(metric)) {
            throw new IllegalArgumentException(metric + " is a gauge; use gaugeValue");
        }
        return rateAt(metric, metricIndex(metric), pod);
    }

    private static double rateAt(String metric, int metricIndex, int pod) {
        switch (metric) {
            case RX_PACKETS:
                return 16.0 * (pod + 1);
            case RX_DROPPED:
                return (double) (pod % 4 + 1) * (pod + 1);
            case TX_PACKETS:
                return pod == ZERO_TX_POD ? 0.0 : 32.0 * (pod + 1);
            case TX_DROPPED:
                return pod == ZERO_TX_POD ? 0.0 : (double) (pod % 8) * (pod + 1);
            default:
                return (metricIndex + 1) + pod * 0.5;
        }
    }

    /**
     * Dropped packets as a percentage of {@code *_packets_total}, 0 when nothing is sent or received:
     * receive {@code 6.25 * (pod%4+1)}, transmit {@code 3.125 * (pod%8)} (0 for {@link #ZERO_TX_POD}).
     */
    public static double dropPercent(boolean transmit, int pod) {
        double total = ratePerSecond(transmit ? TX_PACKETS : RX_PACKETS, pod);
        double dropped = ratePerSecond(transmit ? TX_DROPPED : RX_DROPPED, pod);
        return total == 0 ? 0.0 : 100.0 * dropped / total;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())
                    || !"/metrics".equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, 0); // chunked: the body for 10k pods is tens of MB
            Writer out = new BufferedWriter(
                    new OutputStreamWriter(exchange.getResponseBody(), StandardCharsets.UTF_8), 1 << 16);
            writeExposition(out);
            out.flush();
            scrapes.incrementAndGet();
        }
    }

    /** Writes the whole exposition as of now. Public so tests can feed it to promtool. */
    public void writeExposition(Writer out) throws IOException {
        // One instant per scrape, in whole milliseconds because that is what Prometheus stores:
        // counter values are computed from exactly the timestamp written next to them.
        long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
        long timestamp = startEpochMillis + elapsedMillis;
        double seconds = elapsedMillis / 1000.0;

        List<String> metrics = new ArrayList<>(METRICS);
        metrics.addAll(extraServed);
        String suffix = " " + timestamp + "\n";
        for (String metric : metrics) {
            // Looked up once per metric, not per sample: 240,000 samples per scrape in the benchmark.
            boolean counter = isCounter(metric);
            int index = metricIndex(metric);
            out.write("# HELP " + metric + " Synthetic cAdvisor series.\n");
            out.write("# TYPE " + metric + (counter ? " counter\n" : " gauge\n"));
            for (int p = 0; p < pods + 2; p++) {
                double value = counter ? rateAt(metric, index, p) * seconds : gaugeAt(index, p);
                if (p < pods) {
                    writeContainerSample(out, metric, NAMESPACE, podName(p), value, suffix);
                } else if (p == pods) {
                    writeContainerSample(out, metric, NAMESPACE, NOVIM_POD, value, suffix);
                } else {
                    writeContainerSample(out, metric, SYSTEM_NAMESPACE, SYSTEM_POD, value, suffix);
                }
            }
        }

        out.write("# HELP kube_pod_labels Kubernetes labels converted to Prometheus labels.\n");
        out.write("# TYPE kube_pod_labels gauge\n");
        for (int p = 0; p < pods; p++) {
            writePodLabels(out, NAMESPACE, podName(p), "action-" + (p % 3), "vim-" + p);
        }
        writePodLabels(out, NAMESPACE, NOVIM_POD, "action-" + (pods % 3), null);
        writePodLabels(out, SYSTEM_NAMESPACE, SYSTEM_POD, "action-system", "vim-system");
    }

    private void writeContainerSample(
            Writer out, String metric, String namespace, String pod, double value, String suffix) throws IOException {
        out.write(metric);
        out.write('{');
        out.write(style.containerLabel);
        out.write("=\"" + CONTAINER + "\",id=\"/kubepods/");
        out.write(pod);
        out.write("/" + CONTAINER + "\",image=\"example/app:1\",name=\"k8s_" + CONTAINER + "_");
        out.write(pod);
        out.write("\",namespace=\"");
        out.write(namespace);
        out.write("\",");
        out.write(style.podLabel);
        out.write("=\"");
        out.write(pod);
        out.write("\"} ");
        out.write(Double.toString(value));
        out.write(suffix);
    }

    private static void writePodLabels(Writer out, String namespace, String pod, String action, String vimId)
            throws IOException {
        out.write("kube_pod_labels{namespace=\"");
        out.write(namespace);
        out.write("\",pod=\"");
        out.write(pod);
        out.write("\",label_ow_action=\"");
        out.write(action);
        if (vimId != null) {
            out.write("\",label_vim_id=\"");
            out.write(vimId);
        }
        out.write("\"} 1\n");
    }

    /** The exposition as a String; fine for a few pods, don't use it for the 10k-pod benchmark. */
    public String exposition() {
        StringWriter out = new StringWriter();
        try {
            writeExposition(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void gauge(String name) {
        BUILT_IN.put(name, false);
    }

    private static void counter(String name) {
        BUILT_IN.put(name, true);
    }
}
