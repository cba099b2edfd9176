package k8sprom.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import k8sprom.publisher.MetricCatalog;
import k8sprom.publisher.OutboundMessage;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.JarProcess;
import k8sprom.testsupport.KafkaBroker;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SyntheticCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The cluster-scale benchmark of issue 5 (scripts/benchmark). For each pod count, on loopback: a synthetic cluster,
 * the real Prometheus scraping it, a real Kafka broker (in this JVM) and the publisher jar started as users start
 * it, with the JVM options of the Dockerfile. It measures, side by side in one run:
 * <ol>
 *   <li>the floor: right after each publisher cycle, the same 24 query_range requests (same PromQL, window, step and
 *       concurrency) sent straight to Prometheus, responses read and discarded;</li>
 *   <li>the publisher's cycle, from the timer firing to the last Kafka acknowledgement, as the publisher itself
 *       records it in publisher_cycle_duration_seconds (read from /observe/metrics after every cycle);</li>
 *   <li>Kafka's own producer throughput for the very messages of a cycle (made by the publisher's translator);</li>
 *   <li>the publisher's peak RSS (VmHWM), peak heap and time from {@code java -jar} to the first committed record;</li>
 *   <li>the Contiv exporter's /metrics latency with 5,000 endpoints (see {@link ExporterBenchmark}).</li>
 * </ol>
 * Results are printed and written into docs/benchmark.md between its result markers.
 */
public final class Benchmark {

    static final Duration SETTLE = Duration.ofSeconds(10);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private Benchmark() {}

    /** Command-line options; see scripts/benchmark --help. */
    record Options(
            List<Integer> pods,
            int warmupCycles,
            int cycles,
            int cycleSeconds,
            Duration scrapeInterval,
            int concurrency,
            boolean publisher,
            boolean exporter,
            int endpoints,
            boolean jvmMatrix,
            List<String> extraJvmOptions,
            boolean writeDocs,
            String commandLine) {}

    /** One publisher run: its start-up, cycles, floors, memory and CPU. */
    record PublisherRun(
            String label,
            List<String> jvmOptions,
            int pods,
            double startupSeconds,
            double camelStartedSeconds,
            double positionsReadSeconds,
            List<Double> cycles,
            List<Double> floors,
            List<Double> ratios,
            double messagesPerCycle,
            long floorBytes,
            double peakRssMb,
            double peakHeapMb,
            double gcSecondsPerCycle,
            double publisherCpuPerCycle,
            double prometheusCpuPerCycle,
            double brokerJvmCpuPerCycle,
            double prometheusCpuPerFloor,
            double errors) {

        double cycleMedian() {
            return Stats.median(cycles);
        }

        double floorMedian() {
            return Stats.median(floors);
        }

        double ratio() {
            return cycleMedian() / floorMedian();
        }

        double messagesPerSecond() {
            return messagesPerCycle / cycleMedian();
        }
    }

    record KafkaRun(int messages, double averageBytes, List<Double> plainSeconds, List<Double> transactionalSeconds) {
        double plainPerSecond() {
            return messages / Stats.median(plainSeconds);
        }

        double transactionalPerSecond() {
            return messages / Stats.median(transactionalSeconds);
        }
    }

    record SizeResult(int pods, PublisherRun publisher, KafkaRun kafka) {}

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        Path work = Path.of("target", "bench", STAMP.format(Instant.now())).toAbsolutePath();
        Files.createDirectories(work);
        System.out.println("Benchmark work directory (logs): " + work);
        List<String> dockerfileJvm = dockerfileJavaOpts();
        List<String> jvm = new ArrayList<>(dockerfileJvm);
        jvm.addAll(options.extraJvmOptions());
        System.out.println("Publisher JVM options (Dockerfile JAVA_OPTS"
                + (options.extraJvmOptions().isEmpty() ? "" : " + extra") + "): " + String.join(" ", jvm));
        Instant began = Instant.now();

        List<SizeResult> sizes = new ArrayList<>();
        Map<Integer, List<PublisherRun>> matrix = new LinkedHashMap<>();
        if (options.publisher()) {
            for (int pods : options.pods()) {
                try (Stack stack = Stack.start(work.resolve("p" + pods), pods, options.scrapeInterval())) {
                    if (options.jvmMatrix()) {
                        List<PublisherRun> runs = new ArrayList<>();
                        for (Map.Entry<String, List<String>> variant :
                                jvmVariants(dockerfileJvm).entrySet()) {
                            runs.add(measurePublisher(stack, variant.getKey(), variant.getValue(), options));
                            printRun(runs.get(runs.size() - 1));
                        }
                        matrix.put(pods, runs);
                    } else {
                        PublisherRun run = measurePublisher(stack, "dockerfile", jvm, options);
                        printRun(run);
                        KafkaRun kafka = measureKafka(stack, options);
                        sizes.add(new SizeResult(pods, run, kafka));
                        printSize(sizes.get(sizes.size() - 1));
                    }
                }
            }
        }
        ExporterBenchmark.Result exporter = null;
        if (options.exporter()) {
            exporter = ExporterBenchmark.run(work.resolve("exporter"), options.endpoints(), jvm);
            System.out.println(exporter.describe());
        }
        Duration took = Duration.between(began, Instant.now());
        Report report = new Report(options, jvm, sizes, matrix, exporter, took);
        String markdown = options.jvmMatrix() ? report.jvmMatrixMarkdown() : report.resultsMarkdown();
        System.out.println();
        System.out.println(markdown);
        if (options.writeDocs()) {
            Path docs = Path.of("docs", "benchmark.md");
            Report.replaceSection(docs, options.jvmMatrix() ? "jvm-matrix" : "results", markdown);
            System.out.println("Written to " + docs);
        }
        System.out.println("Benchmark took " + took.toSeconds() + " s");
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------------------ the stack

    /** Synthetic cluster, Prometheus scraping it and a Kafka broker, for one pod count. */
    static final class Stack implements AutoCloseable {
        final Path work;
        final int pods;
        final SyntheticCluster cluster;
        final PrometheusServer prometheus;
        final KafkaBroker kafka;
        final long prometheusPid;
        final List<MetricCatalog.RenderedMetric> metrics;

        private Stack(Path work, int pods, SyntheticCluster cluster, PrometheusServer prometheus, KafkaBroker kafka) {
            this.work = work;
            this.pods = pods;
            this.cluster = cluster;
            this.prometheus = prometheus;
            this.kafka = kafka;
            this.prometheusPid = ProcessHandle.current()
                    .descendants()
                    .filter(p -> p.info()
                            .command()
                            .map(c -> c.endsWith("/prometheus"))
                            .orElse(false))
                    .mapToLong(ProcessHandle::pid)
                    .max()
                    .orElse(-1);
            MetricCatalog catalog = new MetricCatalog();
            catalog.setFile("routes/metrics.yaml");
            this.metrics = catalog.metrics();
        }

        static Stack start(Path work, int pods, Duration scrapeInterval) throws IOException {
            Files.createDirectories(work);
            long t0 = System.nanoTime();
            SyntheticCluster cluster = SyntheticCluster.start(pods, SyntheticCluster.LabelStyle.MODERN);
            PrometheusServer prometheus =
                    PrometheusServer.start(work.resolve("prometheus"), scrapeInterval, cluster.target());
            KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"));
            createTransactionLog(kafka);
            System.out.printf(
                    Locale.ROOT,
                    "%n== %,d pods: Prometheus %s (scrape every %d s), Kafka %s, up in %.1f s%n",
                    pods,
                    prometheus.baseUrl(),
                    scrapeInterval.toSeconds(),
                    kafka.bootstrapServers(),
                    (System.nanoTime() - t0) / 1e9);
            return new Stack(work, pods, cluster, prometheus, kafka);
        }

        /** A fresh broker creates its transaction log on the first transaction: once, not at each publisher start. */
        private static void createTransactionLog(KafkaBroker kafka) {
            Properties props = KafkaThroughput.producerSettings(kafka.bootstrapServers());
            props.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-warm-up");
            try (org.apache.kafka.clients.producer.KafkaProducer<String, String> producer =
                    new org.apache.kafka.clients.producer.KafkaProducer<>(props)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.commitTransaction();
            }
        }

        List<String> promql() {
            return metrics.stream().map(MetricCatalog.RenderedMetric::promql).toList();
        }

        @Override
        public void close() {
            kafka.close();
            prometheus.close();
            cluster.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ publisher

    static PublisherRun measurePublisher(Stack stack, String label, List<String> jvm, Options options)
            throws Exception {
        String topic = "bench." + label.replaceAll("[^A-Za-z0-9]+", "-") + "." + stack.pods + "." + System.nanoTime();
        // the topics exist, as they do for every start of a deployed publisher but its very first
        stack.kafka.createTopic(topic, 3, false);
        stack.kafka.createTopic(topic + ".positions", 1, true);
        int managementPort = FreePort.find();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PROMETHEUS_URL", stack.prometheus.baseUrl());
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafka.bootstrapServers());
        env.put("KAFKA_KUBERNETES_TOPIC", topic);
        env.put("SCHEDULER_SECONDS", String.valueOf(options.cycleSeconds()));
        env.put("PROMETHEUS_POLLING_STEP", options.cycleSeconds() + "s");
        env.put("PUBLISHER_QUERY_CONCURRENCY", String.valueOf(options.concurrency()));
        env.put("MANAGEMENT_PORT", String.valueOf(managementPort));
        Duration step = Duration.ofSeconds(options.cycleSeconds());
        Path log = stack.work.resolve("publisher-" + label.replaceAll("[^A-Za-z0-9]+", "-") + ".log");
        System.out.printf(Locale.ROOT, "-- publisher [%s] %s; log %s%n", label, String.join(" ", jvm), log);

        awaitDataForFirstWindow(stack, step, options.scrapeInterval());
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<Double> cycles = new ArrayList<>();
        List<Double> floors = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> messages = new ArrayList<>();
        List<Double> gcSeconds = new ArrayList<>();
        List<Double> publisherCpu = new ArrayList<>();
        List<Double> prometheusCpu = new ArrayList<>();
        List<Double> brokerCpu = new ArrayList<>();
        List<Double> prometheusFloorCpu = new ArrayList<>();
        double peakHeap = 0;
        long floorBytes = 0;
        double startup;
        Instant launchedAt;
        double errors;
        double peakRss;
        try (FirstRecordWatch watch = new FirstRecordWatch(stack.kafka.bootstrapServers(), topic);
                FloorClient floor = new FloorClient(stack.prometheus.baseUrl(), stack.promql(), options.concurrency());
                JarProcess publisher = JarProcess.start(env, log, jvm, List.of());
                CpuSampler cpu = new CpuSampler(
                        publisher.pid(),
                        stack.prometheusPid,
                        ProcessHandle.current().pid())) {
            long firstRecord = watch.await(Duration.ofSeconds(90));
            startup = (firstRecord - publisher.startedNanos()) / 1e9;
            launchedAt = Instant.now().minusNanos(System.nanoTime() - publisher.startedNanos());
            System.out.printf(Locale.ROOT, "   first record committed %.2f s after java -jar%n", startup);

            ObservedMetrics previous = awaitMetrics(http, managementPort, publisher);
            int total = options.warmupCycles() + options.cycles();
            for (int i = 0; i < total; i++) {
                ObservedMetrics now = awaitNextCycle(
                        http,
                        managementPort,
                        publisher,
                        previous,
                        Duration.ofSeconds(options.cycleSeconds() * 3L + 60));
                long endNanos = System.nanoTime();
                double count = now.sum("publisher_cycle_duration_seconds_count")
                        - previous.sum("publisher_cycle_duration_seconds_count");
                double seconds = (now.sum("publisher_cycle_duration_seconds_sum")
                                - previous.sum("publisher_cycle_duration_seconds_sum"))
                        / count;
                double published = now.sum("publisher_messages_published_total")
                        - previous.sum("publisher_messages_published_total");
                double gc = now.sum("jvm_gc_pause_seconds_sum") - previous.sum("jvm_gc_pause_seconds_sum");
                double heap = now.sum("jvm_memory_used_bytes", "area=\"heap\"") / 1e6;
                peakHeap = Math.max(peakHeap, heap);
                long startNanos = endNanos - (long) (seconds * 1e9);
                double pubCpu = cpu.between(0, startNanos, endNanos);
                double promCpu = cpu.between(1, startNanos, endNanos);
                double selfCpu = cpu.between(2, startNanos, endNanos);
                previous = now;

                Instant window = floorToStep(Instant.now().minus(SETTLE), step);
                long floorStart = System.nanoTime();
                FloorClient.Pass pass = floor.run(window, window, step);
                double floorPromCpu = cpu.between(1, floorStart, System.nanoTime());
                floorBytes = pass.bytes();
                // a cycle without every window (the first ones after start, while rate() lacks samples) is no
                // steady-state cycle: it is shown, and replaced by one more cycle
                boolean partial = published < 26.0 * stack.pods * 0.99;
                if (partial && i >= options.warmupCycles() && total < options.warmupCycles() + options.cycles() + 3) {
                    total++;
                }
                boolean warmup = i < options.warmupCycles() || partial;
                System.out.printf(
                        Locale.ROOT,
                        "   cycle %d%s%s: publisher %.2f s (%,.0f messages%s), floor %.2f s,"
                                + " ratio %.2f; CPU s: publisher %.1f, Prometheus %.1f (floor %.1f), bench JVM %.1f;"
                                + " heap %.0f MB%n",
                        i + 1,
                        i < options.warmupCycles() ? " (warm-up)" : "",
                        partial ? " (not every window: not counted)" : "",
                        seconds,
                        published,
                        count > 1 ? ", " + (int) count + " cycles" : "",
                        pass.seconds(),
                        seconds / pass.seconds(),
                        pubCpu,
                        promCpu,
                        floorPromCpu,
                        selfCpu,
                        heap);
                if (!warmup) {
                    cycles.add(seconds);
                    floors.add(pass.seconds());
                    ratios.add(seconds / pass.seconds());
                    messages.add(published);
                    gcSeconds.add(gc);
                    publisherCpu.add(pubCpu);
                    prometheusCpu.add(promCpu);
                    brokerCpu.add(selfCpu);
                    prometheusFloorCpu.add(floorPromCpu);
                }
            }
            errors = previous.sum("publisher_query_errors_total")
                    + previous.sum("publisher_publish_errors_total")
                    + previous.sum("publisher_cycle_errors_total");
            peakRss = ProcStat.statusKb(publisher.pid(), "VmHWM") / 1024.0;
        }
        double camelStarted = secondsToLogLine(log, launchedAt, "AbstractCamelContext - Apache Camel .* started in");
        double positionsRead = secondsToLogLine(log, launchedAt, "metric positions from");
        System.out.printf(
                Locale.ROOT,
                "   start-up: Camel started %.2f s, positions read %.2f s, first record %.2f s" + " after java -jar%n",
                camelStarted,
                positionsRead,
                startup);
        return new PublisherRun(
                label,
                jvm,
                stack.pods,
                startup,
                camelStarted,
                positionsRead,
                cycles,
                floors,
                ratios,
                Stats.median(messages),
                floorBytes,
                peakRss,
                peakHeap,
                Stats.median(gcSeconds),
                Stats.median(publisherCpu),
                Stats.median(prometheusCpu),
                Stats.median(brokerCpu),
                Stats.median(prometheusFloorCpu),
                errors);
    }

    /**
     * Waits until the window of the publisher's first cycle (about 3 s after launch, settle delay earlier, floored to
     * the step) lies two scrapes after Prometheus began scraping, so that even rate() has every pod from the first
     * cycle on and the start-up time measures the publisher, not an empty Prometheus.
     */
    private static void awaitDataForFirstWindow(Stack stack, Duration step, Duration scrapeInterval)
            throws InterruptedException {
        Instant needed = stack.prometheus.scrapingSince().plus(scrapeInterval.multipliedBy(2));
        while (floorToStep(Instant.now().plusSeconds(3).minus(SETTLE), step).isBefore(needed)) {
            Thread.sleep(200);
        }
    }

    private static ObservedMetrics awaitMetrics(HttpClient http, int port, JarProcess publisher) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return ObservedMetrics.scrape(http, port);
            } catch (IOException e) {
                if (!publisher.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "no /observe/metrics from the publisher; see " + publisher.log(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static ObservedMetrics awaitNextCycle(
            HttpClient http, int port, JarProcess publisher, ObservedMetrics previous, Duration timeout)
            throws Exception {
        double before = previous.sum("publisher_cycle_duration_seconds_count");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!publisher.isAlive()) {
                throw new IllegalStateException("the publisher exited; see " + publisher.log());
            }
            ObservedMetrics now = ObservedMetrics.scrape(http, port);
            if (now.sum("publisher_cycle_duration_seconds_count") > before) {
                return now;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no publisher cycle finished within " + timeout + "; see " + publisher.log());
    }

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSS");

    /** Seconds from the launch to the first log line matching the pattern (log4j's local timestamps); NaN if none. */
    static double secondsToLogLine(Path log, Instant launchedAt, String pattern) {
        try {
            Pattern wanted = Pattern.compile(pattern);
            for (String line : Files.readAllLines(log)) {
                if (line.length() > 23 && wanted.matcher(line).find()) {
                    Instant at = java.time.LocalDateTime.parse(line.substring(0, 23), LOG_TIME)
                            .atZone(java.time.ZoneId.systemDefault())
                            .toInstant();
                    return Duration.between(launchedAt, at).toMillis() / 1000.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not found
        }
        return Double.NaN;
    }

    static Instant floorToStep(Instant instant, Duration step) {
        long millis = step.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), millis) * millis);
    }

    /** Waits for the first record a read_committed consumer sees on the topic. */
    static final class FirstRecordWatch implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final String topic;

        FirstRecordWatch(String bootstrapServers, String topic) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            this.consumer = new KafkaConsumer<>(props);
            this.topic = topic;
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            consumer.poll(Duration.ZERO);
        }

        /** System.nanoTime() at which the first committed record arrived. */
        long await(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!consumer.poll(Duration.ofMillis(20)).isEmpty()) {
                    return System.nanoTime();
                }
            }
            throw new IllegalStateException("no record on " + topic + " within " + timeout);
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    // ------------------------------------------------------------------------------------------------ Kafka

    static KafkaRun measureKafka(Stack stack, Options options) throws Exception {
        Duration step = Duration.ofSeconds(options.cycleSeconds());
        Instant window = floorToStep(Instant.now().minus(SETTLE), step);
        List<List<OutboundMessage>> windows =
                CycleMessages.fetch(stack.prometheus.baseUrl(), stack.metrics, window, window, step);
        int count = CycleMessages.count(windows);
        long bytes = windows.stream()
                .flatMap(List::stream)
                .mapToLong(m -> m.json().length())
                .sum();
        List<Double> plain = new ArrayList<>();
        List<Double> transactional = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            String plainTopic = "bench.kafka.plain." + stack.pods + "." + round;
            String txTopic = "bench.kafka.tx." + stack.pods + "." + round;
            stack.kafka.createTopic(plainTopic, 3, false);
            stack.kafka.createTopic(txTopic, 3, false);
            KafkaThroughput.Result p = KafkaThroughput.plain(stack.kafka.bootstrapServers(), plainTopic, windows);
            KafkaThroughput.Result t = KafkaThroughput.transactional(
                    stack.kafka.bootstrapServers(), txTopic, windows, "bench-tx-" + stack.pods + "-" + round);
            System.out.printf(
                    Locale.ROOT,
                    "   Kafka producer, %,d messages: plain %.2f s (%,.0f msg/s),"
                            + " one transaction per window %.2f s (%,.0f msg/s)%n",
                    count,
                    p.seconds(),
                    p.messagesPerSecond(),
                    t.seconds(),
                    t.messagesPerSecond());
            plain.add(p.seconds());
            transactional.add(t.seconds());
        }
        return new KafkaRun(count, count == 0 ? 0 : bytes / (double) count, plain, transactional);
    }

    // ------------------------------------------------------------------------------------------------ output

    private static void printRun(PublisherRun run) {
        System.out.printf(
                Locale.ROOT,
                "   [%s] cycle median %.2f s, floor median %.2f s, ratio %.3f (per-cycle ratios"
                        + " median %.3f); start-up %.2f s (Camel started after %.2f s); peak RSS %.0f MB, peak heap"
                        + " %.0f MB; %.0f errors%n",
                run.label(),
                run.cycleMedian(),
                run.floorMedian(),
                run.ratio(),
                Stats.median(run.ratios()),
                run.startupSeconds(),
                run.camelStartedSeconds(),
                run.peakRssMb(),
                run.peakHeapMb(),
                run.errors());
    }

    private static void printSize(SizeResult size) {
        System.out.printf(
                Locale.ROOT,
                "   %,d pods: publisher %,.0f msg/s, Kafka plain %,.0f msg/s, ratio %.3f%n",
                size.pods(),
                size.publisher().messagesPerSecond(),
                size.kafka().plainPerSecond(),
                size.publisher().messagesPerSecond() / size.kafka().plainPerSecond());
    }

    // ------------------------------------------------------------------------------------------------ settings

    /**
     * JAVA_OPTS as the Dockerfile ships it (and its MALLOC_ARENA_MAX, if set, as ENV:MALLOC_ARENA_MAX=n), so the
     * benchmark always measures the shipped defaults.
     */
    static List<String> dockerfileJavaOpts() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher m = Pattern.compile("JAVA_OPTS=\"([^\"]*)\"").matcher(dockerfile);
        if (!m.find()) {
            throw new IllegalStateException("no JAVA_OPTS=\"...\" in the Dockerfile");
        }
        List<String> options = new ArrayList<>(List.of(m.group(1).trim().split("\\s+")));
        Matcher arenas = Pattern.compile("MALLOC_ARENA_MAX=(\\d+)").matcher(dockerfile);
        if (arenas.find()) {
            options.add("ENV:MALLOC_ARENA_MAX=" + arenas.group(1));
        }
        return options;
    }

    /** The JVM settings compared by --jvm-matrix: the Dockerfile's, and variations of heap size and collector. */
    static Map<String, List<String>> jvmVariants(List<String> dockerfile) {
        List<String> common = List.of("-XX:MaxMetaspaceSize=96m", "-Xss512k", "-XX:+ExitOnOutOfMemoryError");
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("Dockerfile", dockerfile);
        variants.put("Serial 128m", with(common, "-XX:+UseSerialGC", "-Xms32m", "-Xmx128m"));
        variants.put(
                "Serial 128m, 2 malloc arenas",
                with(common, "-XX:+UseSerialGC", "-Xms32m", "-Xmx128m", "ENV:MALLOC_ARENA_MAX=2"));
        variants.put(
                "Serial 128m, 2 arenas, C1 only",
                with(
                        common,
                        "-XX:+UseSerialGC",
                        "-Xms32m",
                        "-Xmx128m",
                        "-XX:TieredStopAtLevel=1",
                        "ENV:MALLOC_ARENA_MAX=2"));
        variants.put("G1 192m", with(common, "-XX:+UseG1GC", "-Xms32m", "-Xmx192m"));
        return variants;
    }

    private static List<String> with(List<String> common, String... more) {
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(common);
        return all;
    }

    static Options parse(String[] args) {
        List<Integer> pods = new ArrayList<>();
        int warmup = 2;
        int cycles = 6;
        int cycleSeconds = 20;
        int scrape = 15;
        int concurrency = 4;
        boolean publisher = true;
        boolean exporter = true;
        int endpoints = 5000;
        boolean matrix = false;
        boolean docs = true;
        List<String> extraJvm = new ArrayList<>();
        for (String arg : args) {
            if (arg.matches("\\d+")) {
                pods.add(Integer.parseInt(arg));
            } else if (arg.startsWith("--cycles=")) {
                cycles = Integer.parseInt(value(arg));
            } else if (arg.startsWith("--warmup=")) {
                warmup = Integer.parseInt(value(arg));
            } else if (arg.startsWith("--cycle-seconds=")) {
                cycleSeconds = Integer.parseInt(value(arg));
            } else if (arg.startsWith("--scrape-interval=")) {
                scrape = Integer.parseInt(value(arg));
            } else if (arg.startsWith("--concurrency=")) {
                concurrency = Integer.parseInt(value(arg));
            } else if (arg.startsWith("--endpoints=")) {
                endpoints = Integer.parseInt(value(arg));
            } else if (arg.startsWith("--jvm=")) {
                extraJvm.addAll(List.of(value(arg).trim().split("\\s+")));
            } else if (arg.equals("--no-exporter")) {
                exporter = false;
            } else if (arg.equals("--exporter-only")) {
                publisher = false;
            } else if (arg.equals("--jvm-matrix")) {
                matrix = true;
                exporter = false;
            } else if (arg.equals("--no-docs")) {
                docs = false;
            } else {
                throw new IllegalArgumentException("unknown argument " + arg + "; see scripts/benchmark --help");
            }
        }
        if (pods.isEmpty()) {
            pods = matrix ? List.of(10_000) : List.of(2_000, 10_000);
        }
        return new Options(
                pods,
                warmup,
                cycles,
                cycleSeconds,
                Duration.ofSeconds(scrape),
                concurrency,
                publisher,
                exporter,
                endpoints,
                matrix,
                extraJvm,
                docs,
                String.join(" ", args));
    }

    private static String value(String arg) {
        return arg.substring(arg.indexOf('=') + 1);
    }
}
