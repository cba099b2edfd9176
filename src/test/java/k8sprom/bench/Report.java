package k8sprom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Turns benchmark results into the Markdown sections of docs/benchmark.md. */
final class Report {

    private final Benchmark.Options options;
    private final List<String> jvm;
    private final List<Benchmark.SizeResult> sizes;
    private final Map<Integer, List<Benchmark.PublisherRun>> matrix;
    private final ExporterBenchmark.Result exporter;
    private final Duration took;

    Report(
            Benchmark.Options options,
            List<String> jvm,
            List<Benchmark.SizeResult> sizes,
            Map<Integer, List<Benchmark.PublisherRun>> matrix,
            ExporterBenchmark.Result exporter,
            Duration took) {
        this.options = options;
        this.jvm = jvm;
        this.sizes = sizes;
        this.matrix = matrix;
        this.exporter = exporter;
        this.took = took;
    }

    String resultsMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append(header("scripts/benchmark"));
        if (!sizes.isEmpty()) {
            md.append("\n| | ");
            sizes.forEach(s -> md.append(String.format(Locale.ROOT, "%,d pods | ", s.pods())));
            md.append("target |\n|---|");
            sizes.forEach(s -> md.append("---|"));
            md.append("---|\n");
            row(
                    md,
                    "messages per cycle (26 metric windows, 2 of them derived)",
                    s -> fmt("%,.0f", s.publisher().messagesPerCycle()),
                    "");
            row(
                    md,
                    "floor: the 24 queries straight to Prometheus, median",
                    s -> fmt("%.2f s", s.publisher().floorMedian())
                            + range(s.publisher().floors(), "%.2f"),
                    "");
            row(
                    md,
                    "publisher cycle, timer to last Kafka ack, median",
                    s -> fmt("%.2f s", s.publisher().cycleMedian())
                            + range(s.publisher().cycles(), "%.2f"),
                    "");
            row(
                    md,
                    "**publisher / floor** (medians)",
                    s -> verdict(s.publisher().ratio(), 1.15, "%.3f"),
                    "<= 1.15");
            row(
                    md,
                    "publisher / floor, per cycle: median (min-max)",
                    s -> fmt("%.3f", Stats.median(s.publisher().ratios()))
                            + range(s.publisher().ratios(), "%.2f"),
                    "");
            row(
                    md,
                    "publisher throughput",
                    s -> fmt("%,.0f msg/s", s.publisher().messagesPerSecond()),
                    "");
            row(
                    md,
                    "Kafka producer alone (plain, acks=all, idempotent), median of 3",
                    s -> fmt("%,.0f msg/s", s.kafka().plainPerSecond()),
                    "");
            row(
                    md,
                    "**publisher msg/s / Kafka msg/s**",
                    s -> fmt(
                            "%.3f",
                            s.publisher().messagesPerSecond() / s.kafka().plainPerSecond()),
                    "");
            row(
                    md,
                    "Kafka producer, one transaction per window (publisher's pattern)",
                    s -> fmt("%,.0f msg/s", s.kafka().transactionalPerSecond()),
                    "");
            row(md, "average message size", s -> fmt("%.0f B", s.kafka().averageBytes()), "");
            row(
                    md,
                    "**start-up: `java -jar` to first committed record**",
                    s -> verdict(s.publisher().startupSeconds(), 3.0, "%.2f s"),
                    "<= 3 s");
            row(
                    md,
                    "of which: Camel started / positions read (then first query and commit)",
                    s -> fmt(
                            "%.2f s / %.2f s",
                            s.publisher().camelStartedSeconds(), s.publisher().positionsReadSeconds()),
                    "");
            row(
                    md,
                    "**publisher peak RSS (VmHWM)**",
                    s -> s.pods() >= 10_000
                            ? verdict(s.publisher().peakRssMb(), 300, "%.0f MB")
                            : fmt("%.0f MB", s.publisher().peakRssMb()),
                    "<= 300 MB at 10,000");
            row(
                    md,
                    "publisher peak heap used (sampled after each cycle)",
                    s -> fmt("%.0f MB", s.publisher().peakHeapMb()),
                    "");
            row(md, "GC pause time per cycle", s -> fmt("%.2f s", s.publisher().gcSecondsPerCycle()), "");
            row(
                    md,
                    "CPU per cycle: publisher / Prometheus / benchmark JVM (Kafka broker)",
                    s -> fmt(
                            "%.1f / %.1f / %.1f s",
                            s.publisher().publisherCpuPerCycle(),
                            s.publisher().prometheusCpuPerCycle(),
                            s.publisher().brokerJvmCpuPerCycle()),
                    "");
            row(
                    md,
                    "Prometheus CPU per floor pass",
                    s -> fmt("%.1f s", s.publisher().prometheusCpuPerFloor()),
                    "");
            row(
                    md,
                    "bytes Prometheus returns per pass",
                    s -> fmt("%.1f MB", s.publisher().floorBytes() / 1e6),
                    "");
            row(
                    md,
                    "errors counted by the publisher",
                    s -> fmt("%.0f", s.publisher().errors()),
                    "0");
        }
        if (exporter != null) {
            md.append('\n').append(exporter.markdown());
        }
        md.append(String.format(Locale.ROOT, "%nThe run took %d min %d s.%n", took.toMinutes(), took.toSecondsPart()));
        return md.toString();
    }

    String jvmMatrixMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append(header("scripts/benchmark --jvm-matrix"));
        for (Map.Entry<Integer, List<Benchmark.PublisherRun>> entry : matrix.entrySet()) {
            md.append(String.format(
                    Locale.ROOT,
                    "%n%,d pods, each setting in turn against the same Prometheus and " + "Kafka:%n%n",
                    entry.getKey()));
            md.append("| JVM settings | cycle median | floor median | publisher / floor | peak RSS | peak heap "
                    + "| GC per cycle | publisher CPU per cycle | start to first record |\n");
            md.append("|---|---|---|---|---|---|---|---|---|\n");
            for (Benchmark.PublisherRun run : entry.getValue()) {
                md.append(String.format(
                        Locale.ROOT,
                        "| %s: `%s` | %.2f s | %.2f s | %.3f | %.0f MB | %.0f MB " + "| %.2f s | %.1f s | %.2f s |%n",
                        run.label(),
                        String.join(" ", run.jvmOptions()),
                        run.cycleMedian(),
                        run.floorMedian(),
                        run.ratio(),
                        run.peakRssMb(),
                        run.peakHeapMb(),
                        run.gcSecondsPerCycle(),
                        run.publisherCpuPerCycle(),
                        run.startupSeconds()));
            }
        }
        md.append(String.format(Locale.ROOT, "%nThe run took %d min %d s.%n", took.toMinutes(), took.toSecondsPart()));
        return md.toString();
    }

    private String header(String command) {
        StringBuilder md = new StringBuilder();
        md.append("Measured ")
                .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                        .withZone(ZoneOffset.UTC)
                        .format(Instant.now()))
                .append(" with `")
                .append(command)
                .append(options.commandLine().isEmpty() ? "" : " " + options.commandLine())
                .append("`")
                .append(gitCommit())
                .append(".\n\n");
        md.append("- Machine: ").append(machine()).append('\n');
        md.append("- Publisher JVM options (the Dockerfile's `JAVA_OPTS`): `")
                .append(String.join(" ", jvm))
                .append("`\n");
        md.append(String.format(
                Locale.ROOT,
                "- Cycle: SCHEDULER_SECONDS=%d, PROMETHEUS_POLLING_STEP=%ds, settle "
                        + "delay 10 s, rate range 1m, PUBLISHER_QUERY_CONCURRENCY=%d (floor: same concurrency); "
                        + "Prometheus scrapes every %d s; %d warm-up cycles, then %d measured cycles per size%n",
                options.cycleSeconds(),
                options.cycleSeconds(),
                options.concurrency(),
                options.scrapeInterval().toSeconds(),
                options.warmupCycles(),
                options.cycles()));
        return md.toString();
    }

    private void row(StringBuilder md, String name, Function<Benchmark.SizeResult, String> cell, String target) {
        md.append("| ").append(name).append(" | ");
        for (Benchmark.SizeResult size : sizes) {
            md.append(cell.apply(size)).append(" | ");
        }
        md.append(target).append(" |\n");
    }

    private static String verdict(double value, double limit, String format) {
        return fmt(format, value) + (value <= limit ? " (met)" : " (**missed**)");
    }

    private static String range(List<Double> values, String format) {
        return " (" + fmt(format, Stats.min(values)) + "-" + fmt(format, Stats.max(values)) + ")";
    }

    static String fmt(String format, Object... values) {
        return String.format(Locale.ROOT, format, values);
    }

    static String machine() {
        String cpu = "unknown CPU";
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // leave unknown
        }
        String kernel = read("/proc/sys/kernel/osrelease");
        return String.format(
                Locale.ROOT,
                "%d cores (%s), %.0f GiB RAM, Linux %s, Java %s (%s), Prometheus %s, "
                        + "Kafka %s (in-JVM KRaft broker)",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                memKb / 1024.0 / 1024.0,
                kernel,
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                prometheusVersion(),
                org.apache.kafka.common.utils.AppInfoParser.getVersion());
    }

    private static String prometheusVersion() {
        try {
            Process p = new ProcessBuilder(
                            k8sprom.testsupport.PrometheusServer.prometheusBinary()
                                    .toString(),
                            "--version")
                    .redirectErrorStream(true)
                    .start();
            String first = new String(p.getInputStream().readAllBytes())
                    .lines()
                    .findFirst()
                    .orElse("");
            p.waitFor();
            String[] words = first.split(" ");
            return words.length > 2 ? words[2].replace(",", "") : first;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "describe", "--always", "--dirty")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? " at commit " + out : "";
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Replaces what lies between {@code <!-- BEGIN name -->} and {@code <!-- END name -->} in the file. */
    static void replaceSection(Path file, String name, String content) throws IOException {
        String begin = "<!-- BEGIN " + name + " (written by the benchmark) -->";
        String end = "<!-- END " + name + " -->";
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmark\n\n";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        String section = begin + "\n" + content.strip() + "\n" + end;
        if (from >= 0 && to > from) {
            text = text.substring(0, from) + section + text.substring(to + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + section + "\n";
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text);
    }

    static List<String> lines(String text) {
        return new ArrayList<>(text.lines().toList());
    }
}
