package k8sprom.publisher;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java steps the publisher routes call (routes/publisher.camel.yaml). Each method is one step of the route;
 * the flow itself stays in YAML.
 */
public class PublisherSteps {

    private static final Logger LOG = LoggerFactory.getLogger(PublisherSteps.class);

    private MetricCatalog catalog;
    private WindowPlanner planner;
    private QueryRangeTranslator translator;
    private PartialAnswers partialAnswers = new PartialAnswers();
    private PublisherMetrics metrics;
    private SkippedData skippedData;
    private PublisherHealth health;
    private String prometheusUrl = "";
    private final Set<String> metricsWithGauges = ConcurrentHashMap.newKeySet();
    private KafkaWindowPublisher kafka;
    private int maxRoundsPerCycle = 20;
    private final AtomicBoolean shardGaugesRegistered = new AtomicBoolean();

    /** Starts a cycle: its shared state goes into the "cycle" variable. */
    public PublishCycle beginCycle() {
        return new PublishCycle();
    }

    /**
     * The split's list: one query per metric of the shards this instance owns that has a settled window to publish.
     * Shards newly assigned are taken first (their producer initialised, then their positions read).
     */
    public List<MetricQuery> plan(@Variable("cycle") PublishCycle cycle) {
        for (String failure : kafka.prepareOwnedShards()) {
            cycle.failed();
            LOG.error("Cannot take {} (Kafka unreachable?); its metrics wait for the next cycle", failure);
        }
        registerShardGauges();
        List<MetricQuery> queries = new ArrayList<>();
        for (MetricCatalog.RenderedMetric metric : catalog.metrics()) {
            String name = metric.definition().name();
            registerGauges(name);
            if (!kafka.owns(name)) {
                continue; // another instance's shard, or one not taken yet
            }
            Optional<WindowPlanner.PlannedWindow> planned =
                    planner.next(name, metric.definition().continuesAfter());
            if (planned.isEmpty()) {
                continue;
            }
            metrics.skipped(name, "older_than_max_lookback", planned.get().skippedSteps());
            if (planned.get().catchingUp()) {
                cycle.behind();
            }
            queries.add(new MetricQuery(
                    metric.definition(),
                    metric.promql(),
                    planned.get().window(),
                    planned.get().plannedFrom()));
        }
        return queries;
    }

    /**
     * Reads the response as a stream into messages; a partial answer (with warnings) is refused unless warnings are
     * accepted; skipped series and samples are logged once and counted.
     */
    public List<OutboundMessage> translate(InputStream response, @Variable("query") MetricQuery query) {
        QueryRangeTranslator.Translation translation = translator.translate(response, query.metric());
        List<OutboundMessage> messages = partialAnswers.admit(query.name(), translation);
        skippedData.report(query.name(), translation, queryUrl());
        return messages;
    }

    /**
     * The window's messages and the metric's new position, in one Kafka transaction; then the position moves.
     * Returns the number of messages, which replaces them as the exchange's body: a finished window's messages must
     * not stay referenced (by the split's exchanges) until the whole cycle ends.
     */
    public int publishWindow(List<OutboundMessage> messages, @Variable("query") MetricQuery query) {
        try {
            kafka.publish(
                    messages, query.name(), query.plannedFrom(), query.window().end());
        } catch (ShardUnavailableException | StaleWindowException e) {
            // a hand-over, not a failure: the shard's owner publishes the window from the positions it read
            LOG.info(
                    "Metric {}: window {} .. {} left to the shard's current owner: {}",
                    query.name(),
                    query.window().start(),
                    query.window().end(),
                    e.getMessage());
            return 0;
        }
        metrics.published(query.name(), messages.size());
        // a long window is cut into several messages per container: the sample budget needs containers, not messages
        int series = (int)
                messages.stream().map(OutboundMessage::containerId).distinct().count();
        planner.recordSeries(query.name(), series);
        return messages.size();
    }

    /** True for a cycle's first round, and again while some metric has settled data left and nothing failed. */
    public boolean anotherRound(@Variable("cycle") PublishCycle cycle) {
        return cycle.nextRound(maxRoundsPerCycle);
    }

    /** A query failed: one log line with the metric and URL (never credentials), a counter, nothing published. */
    public void queryFailed(
            @Variable("query") MetricQuery query, @Variable("cycle") PublishCycle cycle, Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = Failures.reasonOf(error);
        metrics.queryFailed(query.name(), reason);
        cycle.failed();
        LOG.error(
                "Metric {}: query_range {} failed ({}): {}; window {} .. {} will be retried next cycle",
                query.name(),
                queryUrl(),
                reason,
                Failures.describe(error),
                query.window().start(),
                query.window().end());
    }

    /** Kafka did not take a window: its transaction is aborted and the position stays, so it is sent again later. */
    public void publishFailed(
            @Variable("query") MetricQuery query, @Variable("cycle") PublishCycle cycle, Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        metrics.publishFailed(query.name());
        cycle.failed();
        LOG.error(
                "Metric {}: publishing to Kafka failed, nothing of it was committed: {}",
                query.name(),
                Failures.describe(error));
    }

    /**
     * The cycle itself failed, before or between its queries: typically the metric positions could not be read
     * because Kafka is unreachable. Nothing is queried without positions, so nothing can be published twice.
     */
    public void cycleFailed(@Variable("cycle") PublishCycle cycle, Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        metrics.cycleFailed();
        LOG.error(
                "Publishing cycle failed, will try again next cycle (Kafka unreachable?): {}",
                Failures.describe(error));
        if (cycle != null) {
            cycle.failed();
            endCycle(cycle);
        }
    }

    public void endCycle(@Variable("cycle") PublishCycle cycle) {
        Duration duration = Duration.ofNanos(cycle.elapsedNanos());
        boolean successful = cycle.failures() == 0;
        metrics.cycleFinished(duration, successful, Instant.now().getEpochSecond());
        Duration worstLag = catalog.metrics().stream()
                .map(m -> planner.lag(m.definition().name()).orElse(Duration.ZERO))
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
        health.cycleFinished(cycle, worstLag);
        LOG.debug("Cycle finished in {} ms with {} failures", duration.toMillis(), cycle.failures());
    }

    /** Per shard: how old the oldest position of its metrics is, while this instance owns it. Registered once. */
    private void registerShardGauges() {
        if (!shardGaugesRegistered.compareAndSet(false, true)) {
            return;
        }
        for (int shard = 0; shard < kafka.shardCount(); shard++) {
            int owned = shard;
            metrics.shardGauge(
                    "publisher.shard.position.age.seconds",
                    "Now minus the oldest position among the shard's metrics; NaN unless this instance owns it",
                    shard,
                    this,
                    steps -> steps.oldestPositionAge(owned));
        }
    }

    private double oldestPositionAge(int shard) {
        if (!kafka.ownedShards().contains(shard)) {
            return Double.NaN;
        }
        return catalog.metrics().stream()
                .map(metric -> metric.definition().name())
                .filter(name -> kafka.shardOf(name) == shard)
                .flatMap(name -> planner.lag(name).stream())
                .max(Duration::compareTo)
                .map(lag -> lag.toMillis() / 1000.0)
                .orElse(Double.NaN);
    }

    /** Per metric: how old its position is, and whether it is catching up. Registered once per metric. */
    private void registerGauges(String metric) {
        if (!metricsWithGauges.add(metric)) {
            return;
        }
        metrics.gauge(
                "publisher.position.age.seconds",
                "Now minus the last step published for the metric",
                metric,
                planner,
                p -> p.lag(metric).map(lag -> lag.toMillis() / 1000.0).orElse(Double.NaN));
        metrics.gauge(
                "publisher.catching.up",
                "1 while the metric has more settled data than one window holds",
                metric,
                planner,
                p -> kafka.owns(metric) && p.catchingUp(metric) ? 1 : 0);
    }

    private String queryUrl() {
        return Failures.redact(prometheusUrl) + "/api/v1/query_range";
    }

    public void setPrometheusUrl(String prometheusUrl) {
        this.prometheusUrl = prometheusUrl;
    }

    public void setKafka(KafkaWindowPublisher kafka) {
        this.kafka = kafka;
    }

    public void setMaxRoundsPerCycle(int maxRoundsPerCycle) {
        this.maxRoundsPerCycle = maxRoundsPerCycle;
    }

    public void setCatalog(MetricCatalog catalog) {
        this.catalog = catalog;
    }

    public void setPlanner(WindowPlanner planner) {
        this.planner = planner;
    }

    public void setTranslator(QueryRangeTranslator translator) {
        this.translator = translator;
    }

    public void setPartialAnswers(PartialAnswers partialAnswers) {
        this.partialAnswers = partialAnswers;
    }

    public void setMetrics(PublisherMetrics metrics) {
        this.metrics = metrics;
        this.skippedData = new SkippedData(metrics);
    }

    public void setHealth(PublisherHealth health) {
        this.health = health;
    }
}
