package k8sprom.bench;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import k8sprom.publisher.MetricDefinition;
import k8sprom.publisher.QueryRangeTranslator;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The publisher's hot path: one query_range answer of the shape Prometheus returns for the catalog's query (labels
 * label_ow_action, label_vim_id, pod; one [timestamp, "value"] pair per step) turned into messages by
 * QueryRangeTranslator, with its message writer. samplesPerSeries 1 is a normal cycle, 10 a catch-up chunk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx192m", "-XX:+UseSerialGC"})
public class TranslatorBenchmark {

    @Param({"10000"})
    public int series;

    @Param({"1", "10"})
    public int samplesPerSeries;

    private byte[] response;
    private final MetricDefinition metric =
            new MetricDefinition("container_cpu_usage_seconds_total", "counter", "seconds", "rate", null);
    private QueryRangeTranslator translator;

    @Setup
    public void setUp() {
        response = response(series, samplesPerSeries).getBytes(StandardCharsets.UTF_8);
        translator = new QueryRangeTranslator();
        translator.setSamples("all");
        translator.setMaxSamplesPerMessage(100);
    }

    /** A query_range answer as Prometheus 2.x writes it. */
    static String response(int series, int samples) {
        StringBuilder json = new StringBuilder(series * (120 + 30 * samples));
        json.append("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
        long start = 1_700_000_000L;
        for (int s = 0; s < series; s++) {
            if (s > 0) {
                json.append(',');
            }
            json.append("{\"metric\":{\"label_ow_action\":\"action-")
                    .append(s % 3)
                    .append("\",\"label_vim_id\":\"vim-")
                    .append(s)
                    .append("\",\"pod\":\"pod-")
                    .append(s)
                    .append("\"},\"values\":[");
            for (int k = 0; k < samples; k++) {
                if (k > 0) {
                    json.append(',');
                }
                json.append('[')
                        .append(start + 20L * k)
                        .append(",\"")
                        .append(8 + s * 0.5)
                        .append("\"]");
            }
            json.append("]}");
        }
        return json.append("]}}").toString();
    }

    @Benchmark
    public QueryRangeTranslator.Translation translate() {
        return translator.translate(new ByteArrayInputStream(response), metric);
    }
}
