package k8sprom.bench;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import k8sprom.contiv.BenchmarkAccess;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Contiv exporter's hot path in netplugin mode for N endpoints (12 OVS statistics each): parsing the OVSDB
 * select answer, building the metric families (join with Netmaster's endpoints), and rendering them as OpenMetrics
 * (what Prometheus asks for) and as text 0.0.4.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx192m", "-XX:+UseSerialGC"})
public class ExpositionBenchmark {

    @Param({"5000"})
    public int endpoints;

    private BenchmarkAccess exporter;
    private MetricSnapshots families;

    @Setup
    public void setUp() throws IOException {
        exporter = new BenchmarkAccess(endpoints);
        families = exporter.families();
    }

    /**
     * One round of OVSDB updates with the live replica: 1,000 of the interfaces' statistics change (all twelve, or
     * only the byte counters, as in most of ovs-vswitchd's rounds) and the gzipped OpenMetrics answer is built again,
     * as the exporter does ahead of the next scrape.
     */
    @State(Scope.Thread)
    public static class Round {
        @Param({"all", "bytes"})
        public String changed;

        BenchmarkAccess.ChangedRows rows;
        ExecutorService helper;

        @Setup
        public void setUp() throws IOException {
            rows = new BenchmarkAccess(5000).new ChangedRows(1000, "bytes".equals(changed));
            helper = Executors.newSingleThreadExecutor();
        }

        @TearDown
        public void tearDown() {
            helper.shutdownNow();
        }
    }

    @Benchmark
    public int gzipAfterARoundOf1000Rows(Round round) throws IOException {
        return round.rows.gzipAfterARound(round.helper);
    }

    @Benchmark
    public int parseOvsdbAnswer() throws IOException {
        return exporter.parseInterfaces();
    }

    @Benchmark
    public MetricSnapshots buildFamilies() throws IOException {
        return exporter.families();
    }

    @Benchmark
    public byte[] renderOpenMetrics() throws IOException {
        return exporter.render(families, ExporterBenchmark.PROMETHEUS_ACCEPT);
    }

    @Benchmark
    public byte[] renderText() throws IOException {
        return exporter.render(families, null);
    }
}
