package k8sprom.contiv;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bean behind /metrics: takes its settings from the route file, builds the exporter's parts when the mode turns
 * it on, and lets concurrent scrapes share one collection.
 */
public class ContivExporter implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(ContivExporter.class);
    private static final Duration OVSDB_FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration OVSDB_MAX_BACKOFF = Duration.ofSeconds(8);

    private String mode = "";
    private String naming = "default";
    private String etcd = "";
    private String netmasterUrl = "";
    private String ovsdb = "tcp:127.0.0.1:6640";
    private long callTimeoutMillis = 2000;
    private long metadataCacheSeconds = 10;

    private final SingleFlight<MetricSnapshots> scrapes = new SingleFlight<>();
    private ExecutorService executor;
    private OvsdbClient ovsdbClient;
    private ContivCollector collector;

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
            throw new IllegalArgumentException("EXPORTER_METADATA_CACHE_SECONDS must be 0 or more; got "
                    + metadataCacheSeconds);
        }
        Duration timeout = Duration.ofMillis(callTimeoutMillis);
        Duration metadataTtl = Duration.ofSeconds(metadataCacheSeconds);
        URI staticNetmaster = netmasterUrl.isBlank() ? null : netmasterUri(netmasterUrl);
        if (staticNetmaster == null && etcd.isBlank()) {
            throw new IllegalArgumentException("EXPORTER_MODE=" + mode
                    + " needs CONTIV_NETMASTER_URL or CONTIV_ETCD to find Netmaster");
        }
        OvsdbAddress ovsdbAddress = exporterMode.netplugin() ? OvsdbAddress.parse(ovsdb) : null;

        executor = Executors.newCachedThreadPool(daemonThreads());
        JsonHttp http = new JsonHttp(timeout);
        EtcdLeaderLookup leaderLookup = staticNetmaster == null ? new EtcdLeaderLookup(etcd, http) : null;
        NetmasterMetadataSource netmaster = new NetmasterMetadataSource(exporterMode, staticNetmaster, leaderLookup,
                http, executor);
        if (ovsdbAddress != null) {
            ovsdbClient = new OvsdbClient(ovsdbAddress, timeout, OVSDB_FIRST_BACKOFF, OVSDB_MAX_BACKOFF);
        }
        collector = new ContivCollector(exporterMode, metricNaming, metadataTtl, netmaster, ovsdbClient, executor);
        LOG.info("Contiv exporter on: mode {}, naming {}, Netmaster {}, OVSDB {}, call timeout {} ms,"
                        + " metadata cache {} s", exporterMode, metricNaming.name().toLowerCase(Locale.ROOT),
                staticNetmaster != null ? staticNetmaster : "leader from etcd " + leaderLookup.leaderKeyUri(),
                ovsdbAddress != null ? ovsdbAddress : "not used", callTimeoutMillis, metadataCacheSeconds);
    }

    /** Every metric family for one scrape; scrapes that arrive while one is collecting get that one's result. */
    public MetricSnapshots scrape() {
        if (collector == null) {
            throw new IllegalStateException("the Contiv exporter is off (EXPORTER_MODE is empty)");
        }
        return scrapes.run(collector::collect);
    }

    @Override
    public void close() {
        if (ovsdbClient != null) {
            ovsdbClient.close();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
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

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "contiv-collect-" + count.incrementAndGet());
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
}
