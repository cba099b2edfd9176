package k8sprom.contiv;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bean behind /metrics: takes its settings from the route file, builds the exporter's parts when the mode turns
 * it on (the OVSDB monitor starts with it), and answers each scrape with the bytes for its format.
 */
public class ContivExporter implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(ContivExporter.class);
    private static final Duration OVSDB_FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration OVSDB_MAX_BACKOFF = Duration.ofSeconds(8);
    // ovsdb-server's own inactivity probe: a quiet session is checked with an echo after this long.
    private static final Duration OVSDB_PROBE_INTERVAL = Duration.ofSeconds(5);

    private String mode = "";
    private String naming = "default";
    private String etcd = "";
    private String netmasterUrl = "";
    private String ovsdb = "tcp:127.0.0.1:6640";
    private long callTimeoutMillis = 2000;
    private long metadataCacheSeconds = 10;
    private String ovsdbPrivateKey = "";
    private String ovsdbCertificate = "";
    private String ovsdbCaCert = "";
    private String etcdCaCert = "";
    private String etcdCertificate = "";
    private String etcdPrivateKey = "";
    private String netmasterCaCert = "";
    private String netmasterCertificate = "";
    private String netmasterPrivateKey = "";

    private ExecutorService executor;
    private ExecutorService preparer;
    private OvsdbMonitor ovsdbMonitor;
    private ContivCollector collector;
    private final ExpositionRenderer filteredRenderer = new ExpositionRenderer();
    private final AtomicBoolean prepareQueued = new AtomicBoolean();

    /** Checks every setting, so a mistake stops startup with a message instead of surfacing at the first scrape. */
    public void start() {
        ExporterMode exporterMode = ExporterMode.parse(mode);
        Naming metricNaming = Naming.parse(naming);
        if (!exporterMode.enabled()) {
            return;
        }
        if (callTimeoutMillis <= 0) {
            throw new IllegalArgumentException("EXPORTER_CALL_TIMEOUT_MS must be positive; got " + callTimeoutMillis);
        }
        if (metadataCacheSeconds < 0) {
            throw new IllegalArgumentException(
                    "EXPORTER_METADATA_CACHE_SECONDS must be 0 or more; got " + metadataCacheSeconds);
        }
        Duration timeout = Duration.ofMillis(callTimeoutMillis);
        Duration metadataTtl = Duration.ofSeconds(metadataCacheSeconds);
        URI staticNetmaster = netmasterUrl.isBlank() ? null : netmasterUri(netmasterUrl);
        if (staticNetmaster == null && etcd.isBlank()) {
            throw new IllegalArgumentException(
                    "EXPORTER_MODE=" + mode + " needs CONTIV_NETMASTER_URL or CONTIV_ETCD to find Netmaster");
        }
        OvsdbAddress ovsdbAddress = exporterMode.netplugin() ? OvsdbAddress.parse(ovsdb) : null;
        SSLContext ovsdbTls = ovsdbAddress == null
                ? null
                : SourceTls.ovsdb(ovsdbAddress, ovsdbPrivateKey, ovsdbCertificate, ovsdbCaCert);
        SSLContext etcdTls = SourceTls.https(
                "CONTIV_ETCD",
                staticNetmaster == null ? EtcdLeaderLookup.etcdBaseUri(etcd) : null,
                etcdCaCert,
                etcdCertificate,
                etcdPrivateKey);
        SSLContext netmasterTls = SourceTls.https(
                "CONTIV_NETMASTER_URL", staticNetmaster, netmasterCaCert, netmasterCertificate, netmasterPrivateKey);

        executor = Executors.newCachedThreadPool(daemonThreads("contiv-collect-"));
        JsonHttp netmasterHttp = new JsonHttp(timeout, netmasterTls);
        EtcdLeaderLookup leaderLookup = staticNetmaster == null
                ? new EtcdLeaderLookup(etcd, new JsonHttp(timeout, etcdTls), netmasterTls == null ? "http" : "https")
                : null;
        NetmasterMetadataSource netmaster =
                new NetmasterMetadataSource(exporterMode, staticNetmaster, leaderLookup, netmasterHttp, executor);
        if (ovsdbAddress != null) {
            preparer = Executors.newSingleThreadExecutor(daemonThreads("contiv-prepare-"));
            ovsdbMonitor = new OvsdbMonitor(
                    ovsdbAddress,
                    ovsdbTls,
                    timeout,
                    OVSDB_FIRST_BACKOFF,
                    OVSDB_MAX_BACKOFF,
                    OVSDB_PROBE_INTERVAL,
                    this::replicaChanged);
        }
        collector = new ContivCollector(exporterMode, metricNaming, metadataTtl, netmaster, ovsdbMonitor, executor);
        if (ovsdbMonitor != null) {
            ovsdbMonitor.start();
        }
        LOG.info(
                "Contiv exporter on: mode {}, naming {}, Netmaster {}, OVSDB {}, call timeout {} ms,"
                        + " metadata cache {} s",
                exporterMode,
                metricNaming.name().toLowerCase(Locale.ROOT),
                staticNetmaster != null ? staticNetmaster : "leader from etcd " + leaderLookup.leaderKeyUri(),
                ovsdbAddress != null ? ovsdbAddress + " (monitored)" : "not used",
                callTimeoutMillis,
                metadataCacheSeconds);
    }

    /**
     * One scrape's answer: the format the Accept header asks for, gzipped when Accept-Encoding allows it, and only
     * the families named by name[] query parameters when there are any (as client_java's scrape handler does).
     */
    public Exposition scrape(
            @Header("Accept") String accept,
            @Header("Accept-Encoding") String acceptEncoding,
            @Header("name[]") Object names)
            throws IOException {
        if (collector == null) {
            throw new IllegalStateException("the Contiv exporter is off (EXPORTER_MODE is empty)");
        }
        ExpositionFormatWriter writer = collector.writerFor(accept);
        boolean gzip = acceptsGzip(acceptEncoding);
        Set<String> wanted = names(names);
        if (wanted.isEmpty()) {
            return collector.scrape(writer, gzip);
        }
        // A filtered answer is rare (a person looking at a few families) and is rendered for the one request.
        List<MetricSnapshot> chosen = new ArrayList<>();
        for (MetricSnapshot family : collector.collect().families()) {
            if (wanted.contains(exposedName(family))) {
                chosen.add(family);
            }
        }
        return filteredRenderer.render(new MetricSnapshots(chosen), writer, gzip);
    }

    /** The monitor's connection, for tests that compare it with a select. */
    OvsdbMonitor ovsdbMonitor() {
        return ovsdbMonitor;
    }

    @Override
    public void close() {
        if (ovsdbMonitor != null) {
            ovsdbMonitor.close();
        }
        if (preparer != null) {
            preparer.shutdownNow();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    // Called on the OVSDB reader thread for every update: only queues one rebuild, which covers all updates so far.
    private void replicaChanged() {
        if (prepareQueued.compareAndSet(false, true)) {
            try {
                preparer.execute(() -> {
                    prepareQueued.set(false);
                    try {
                        collector.prepare();
                    } catch (RuntimeException e) {
                        LOG.warn("Building the exposition ahead of the next scrape failed; the scrape builds it", e);
                    }
                });
            } catch (RejectedExecutionException closing) {
                prepareQueued.set(false);
            }
        }
    }

    // The name a scraper sees: client_java keeps counters and infos without their _total and _info suffixes.
    private static String exposedName(MetricSnapshot family) {
        String name = family.getMetadata().getPrometheusName();
        if (family instanceof CounterSnapshot) {
            return name + "_total";
        }
        return family instanceof InfoSnapshot ? name + "_info" : name;
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.strip().split(";");
            if ("gzip".equalsIgnoreCase(parts[0].strip())) {
                return parts.length < 2 || !parts[1].replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    private static Set<String> names(Object names) {
        Set<String> wanted = new HashSet<>();
        if (names instanceof Iterable<?> many) {
            many.forEach(name -> wanted.add(String.valueOf(name)));
        } else if (names != null && !String.valueOf(names).isBlank()) {
            wanted.add(String.valueOf(names));
        }
        return wanted;
    }

    private static URI netmasterUri(String url) {
        try {
            URI uri = URI.create(url.strip());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("CONTIV_NETMASTER_URL must look like http://host:port; got '" + url + "'");
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        this.mode = mode == null ? "" : mode;
    }

    public String getNaming() {
        return naming;
    }

    public void setNaming(String naming) {
        this.naming = naming;
    }

    public String getEtcd() {
        return etcd;
    }

    public void setEtcd(String etcd) {
        this.etcd = etcd == null ? "" : etcd;
    }

    public String getNetmasterUrl() {
        return netmasterUrl;
    }

    public void setNetmasterUrl(String netmasterUrl) {
        this.netmasterUrl = netmasterUrl == null ? "" : netmasterUrl;
    }

    public String getOvsdb() {
        return ovsdb;
    }

    public void setOvsdb(String ovsdb) {
        this.ovsdb = ovsdb;
    }

    public long getCallTimeoutMillis() {
        return callTimeoutMillis;
    }

    public void setCallTimeoutMillis(long callTimeoutMillis) {
        this.callTimeoutMillis = callTimeoutMillis;
    }

    public long getMetadataCacheSeconds() {
        return metadataCacheSeconds;
    }

    public void setMetadataCacheSeconds(long metadataCacheSeconds) {
        this.metadataCacheSeconds = metadataCacheSeconds;
    }

    public String getOvsdbPrivateKey() {
        return ovsdbPrivateKey;
    }

    public void setOvsdbPrivateKey(String ovsdbPrivateKey) {
        this.ovsdbPrivateKey = ovsdbPrivateKey == null ? "" : ovsdbPrivateKey.strip();
    }

    public String getOvsdbCertificate() {
        return ovsdbCertificate;
    }

    public void setOvsdbCertificate(String ovsdbCertificate) {
        this.ovsdbCertificate = ovsdbCertificate == null ? "" : ovsdbCertificate.strip();
    }

    public String getOvsdbCaCert() {
        return ovsdbCaCert;
    }

    public void setOvsdbCaCert(String ovsdbCaCert) {
        this.ovsdbCaCert = ovsdbCaCert == null ? "" : ovsdbCaCert.strip();
    }

    public String getEtcdCaCert() {
        return etcdCaCert;
    }

    public void setEtcdCaCert(String etcdCaCert) {
        this.etcdCaCert = etcdCaCert == null ? "" : etcdCaCert.strip();
    }

    public String getEtcdCertificate() {
        return etcdCertificate;
    }

    public void setEtcdCertificate(String etcdCertificate) {
        this.etcdCertificate = etcdCertificate == null ? "" : etcdCertificate.strip();
    }

    public String getEtcdPrivateKey() {
        return etcdPrivateKey;
    }

    public void setEtcdPrivateKey(String etcdPrivateKey) {
        this.etcdPrivateKey = etcdPrivateKey == null ? "" : etcdPrivateKey.strip();
    }

    public String getNetmasterCaCert() {
        return netmasterCaCert;
    }

    public void setNetmasterCaCert(String netmasterCaCert) {
        this.netmasterCaCert = netmasterCaCert == null ? "" : netmasterCaCert.strip();
    }

    public String getNetmasterCertificate() {
        return netmasterCertificate;
    }

    public void setNetmasterCertificate(String netmasterCertificate) {
        this.netmasterCertificate = netmasterCertificate == null ? "" : netmasterCertificate.strip();
    }

    public String getNetmasterPrivateKey() {
        return netmasterPrivateKey;
    }

    public void setNetmasterPrivateKey(String netmasterPrivateKey) {
        this.netmasterPrivateKey = netmasterPrivateKey == null ? "" : netmasterPrivateKey.strip();
    }
}
