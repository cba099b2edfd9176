package k8sprom.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH micro-benchmarks of this package (scripts/jmh) with the GC profiler, prints JMH's own report and
 * writes a table of the results into docs/benchmark.md. Arguments: an optional regular expression selecting
 * benchmarks, and --no-docs.
 */
public final class Jmh {

    private Jmh() {}

    public static void main(String[] args) throws Exception {
        String include = "k8sprom\\.bench\\..*Benchmark\\.";
        boolean docs = true;
        for (String arg : args) {
            if (arg.equals("--no-docs")) {
                docs = false;
            } else {
                include = arg;
            }
        }
        ChainedOptionsBuilder options = new OptionsBuilder().include(include).addProfiler(GCProfiler.class);
        Collection<RunResult> results = new Runner(options.build()).run();

        StringBuilder md = new StringBuilder();
        md.append("Measured ")
                .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                        .withZone(ZoneOffset.UTC)
                        .format(Instant.now()))
                .append(" with `scripts/jmh`; ")
                .append(Report.machine())
                .append(". One fork (`-XX:+UseSerialGC -Xmx192m`), 5 warm-up and 5 measured iterations of 1 s.\n\n");
        md.append("| benchmark | parameters | time per operation | allocated per operation |\n|---|---|---|---|\n");
        for (RunResult result : results) {
            var params = result.getParams();
            StringBuilder p = new StringBuilder();
            for (String key : params.getParamsKeys()) {
                p.append(p.length() == 0 ? "" : ", ").append(key).append('=').append(params.getParam(key));
            }
            Result<?> primary = result.getPrimaryResult();
            Map<String, Result> secondary = result.getSecondaryResults();
            Result<?> alloc = secondary.get("gc.alloc.rate.norm");
            String name = params.getBenchmark()
                    .substring(params.getBenchmark()
                                    .lastIndexOf('.', params.getBenchmark().lastIndexOf('.') - 1)
                            + 1);
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.2f ± %.2f %s | %s |%n",
                    name,
                    p,
                    primary.getScore(),
                    primary.getScoreError(),
                    primary.getScoreUnit(),
                    alloc == null ? "n/a" : String.format(Locale.ROOT, "%.1f MB", alloc.getScore() / 1e6)));
        }
        System.out.println();
        System.out.println(md);
        if (docs) {
            Report.replaceSection(Path.of("docs", "benchmark.md"), "jmh", md.toString());
            System.out.println("Written to docs/benchmark.md");
        }
    }
}
