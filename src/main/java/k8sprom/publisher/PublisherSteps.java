package k8sprom.publisher;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Variable;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java steps the publisher routes call (routes/publisher.camel.yaml). Each method is one step of the route;
 * the flow itself stays in YAML.
 */
public class PublisherSteps implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(PublisherSteps.class);

    private CamelContext context;
    private MetricCatalog catalog;
    private WindowPlanner planner;
    private QueryRangeTranslator translator;
    private PrometheusAuth auth = new PrometheusAuth();
    private PrometheusHeaders headers = new PrometheusHeaders();
    private PartialAnswers partialAnswers = new PartialAnswers();
    private String partialResponseParameter = "false";
    private PublisherMetrics metrics;
    private PublisherHealth health;
    private String prometheusUrl = "";
    private final Set<String> warnedMetrics = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> catchingUp = new ConcurrentHashMap<>();
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
                catchingUp.put(name, false); // another instance's shard, or one not taken yet
                continue;
            }
            Optional<WindowPlanner.PlannedWindow> planned = planner.next(name, metric.definition().continuesAfter());
            if (planned.isEmpty()) {
                catchingUp.put(name, false);
                continue;
            }
            metrics.skipped(name, "older_than_max_lookback", planned.get().skippedSteps());
            catchingUp.put(name, planned.get().catchingUp());
            if (planned.get().catchingUp()) {
                cycle.behind();
            }
            queries.add(new MetricQuery(metric.definition(), metric.promql(), planned.get().window(),
                    planned.get().plannedFrom()));
        }
        return queries;
    }

    /**
     * Sets the query_range request: PromQL goes in a form body, URL-encoded here, so that + & " and braces survive
     * and never meet Camel's placeholder or simple-language resolution. Thanos is asked not to answer partially
     * (partial_response=false, which Prometheus, Mimir and VictoriaMetrics ignore); extra headers (tenant, gateway)
     * go with it.
     */
    public void prepareRequest(@Variable("query") MetricQuery query, Exchange exchange) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        QueryWindow window = query.window();
        message.setBody("query=" + URLEncoder.encode(query.promql(), StandardCharsets.UTF_8)
                + "&start=" + epochSeconds(window.start())
                + "&end=" + epochSeconds(window.end())
                + "&step=" + window.step().toMillis() / 1000.0
                + (partialResponseParameter.isEmpty() ? "" : "&partial_response=" + partialResponseParameter));
        message.setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
        auth.header().ifPresent(value -> message.setHeader("Authorization", value));
        headers.current().forEach(message::setHeader);
    }

    /**
     * Reads the response as a stream into messages; a partial answer (with warnings) is refused unless warnings are
     * accepted; skipped series and samples are logged once and counted.
     */
    public List<OutboundMessage> translate(InputStream response, @Variable("query") MetricQuery query) {
        QueryRangeTranslator.Translation translation = translator.translate(response, query.metric());
        List<OutboundMessage> messages = partialAnswers.admit(query.name(), translation);
        if (translation.skippedAnything()) {
            metrics.skipped(query.name(), "missing_label_vim_id", translation.seriesWithoutContainer());
            metrics.skipped(query.name(), "non_finite_value", translation.nonFiniteSamples());
            metrics.skipped(query.name(), "malformed_sample", translation.malformedSamples());
            // Pods without a label_vim_id are normal in a shared cluster: say so once per metric, then count only.
            boolean firstTime = warnedMetrics.add(query.name());
            boolean spoiledValues = translation.nonFiniteSamples() + translation.malformedSamples() > 0;
            if (firstTime || spoiledValues) {
                LOG.warn("Metric {} from {}: skipped {} series without {}, {} NaN/Inf samples, {} malformed samples"
                                + " (counted in publisher_skipped_total)", query.name(), queryUrl(),
                        translation.seriesWithoutContainer(), QueryRangeTranslator.CONTAINER_LABEL,
                        translation.nonFiniteSamples(), translation.malformedSamples());
            }
        }
        return messages;
    }

    /**
     * The window's messages and the metric's new position, in one Kafka transaction; then the position moves.
     * Returns the number of messages, which replaces them as the exchange's body: a finished window's messages must
     * not stay referenced (by the split's exchanges) until the whole cycle ends.
     */
    public int publishWindow(List<OutboundMessage> messages, @Variable("query") MetricQuery query) {
        try {
            kafka.publish(messages, query.name(), query.plannedFrom(), query.window().end());
        } catch (ShardUnavailableException | StaleWindowException e) {
            // a hand-over, not a failure: the shard's owner publishes the window from the positions it read
            LOG.info("Metric {}: window {} .. {} left to the shard's current owner: {}", query.name(),
                    query.window().start(), query.window().end(), e.getMessage());
            return 0;
        }
        metrics.published(query.name(), messages.size());
        // a long window is cut into several messages per container: the sample budget needs containers, not messages
        int series = (int) messages.stream().map(OutboundMessage::containerId).distinct().count();
        planner.published(query.name(), query.window(), series);
        return messages.size();
    }

    /** True for a cycle's first round, and again while some metric has settled data left and nothing failed. */
    public boolean anotherRound(@Variable("cycle") PublishCycle cycle) {
        return cycle.nextRound(maxRoundsPerCycle);
    }

    /** A query failed: one log line with the metric and URL (never credentials), a counter, nothing published. */
    public void queryFailed(@Variable("query") MetricQuery query, @Variable("cycle") PublishCycle cycle,
                            Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = reasonOf(error);
        metrics.queryFailed(query.name(), reason);
        cycle.failed();
        LOG.error("Metric {}: query_range {} failed ({}): {}; window {} .. {} will be retried next cycle",
                query.name(), queryUrl(), reason, describe(error), query.window().start(), query.window().end());
    }

    /** Kafka did not take a window: its transaction is aborted and the position stays, so it is sent again later. */
    public void publishFailed(@Variable("query") MetricQuery query, @Variable("cycle") PublishCycle cycle,
                              Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        metrics.publishFailed(query.name());
        cycle.failed();
        LOG.error("Metric {}: publishing to Kafka failed, nothing of it was committed: {}", query.name(),
                describe(error));
    }

    /**
     * The cycle itself failed, before or between its queries: typically the metric positions could not be read
     * because Kafka is unreachable. Nothing is queried without positions, so nothing can be published twice.
     */
    public void cycleFailed(@Variable("cycle") PublishCycle cycle, Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        metrics.cycleFailed();
        LOG.error("Publishing cycle failed, will try again next cycle (Kafka unreachable?): {}", describe(error));
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
                .max(Duration::compareTo).orElse(Duration.ZERO);
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
            metrics.shardGauge("publisher.shard.position.age.seconds",
                    "Now minus the oldest position among the shard's metrics; NaN unless this instance owns it",
                    shard, this, steps -> steps.oldestPositionAge(owned));
        }
    }

    private double oldestPositionAge(int shard) {
        if (!kafka.ownedShards().contains(shard)) {
            return Double.NaN;
        }
        return catalog.metrics().stream().map(metric -> metric.definition().name())
                .filter(name -> kafka.shardOf(name) == shard)
                .flatMap(name -> planner.lag(name).stream())
                .max(Duration::compareTo).map(lag -> lag.toMillis() / 1000.0).orElse(Double.NaN);
    }

    /** Per metric: how old its position is, and whether it is catching up. Registered once per metric. */
    private void registerGauges(String metric) {
        if (catchingUp.containsKey(metric)) {
            return;
        }
        catchingUp.put(metric, false);
        metrics.gauge("publisher.position.age.seconds", "Now minus the last step published for the metric",
                metric, planner, p -> p.lag(metric).map(lag -> lag.toMillis() / 1000.0).orElse(Double.NaN));
        metrics.gauge("publisher.catching.up", "1 while the metric has more settled data than one window holds",
                metric, catchingUp, map -> Boolean.TRUE.equals(map.get(metric)) ? 1 : 0);
    }

    private String queryUrl() {
        return redact(prometheusUrl) + "/api/v1/query_range";
    }

    static String reasonOf(Throwable error) {
        if (error instanceof BadPrometheusResponseException bad) {
            return bad.reason();
        }
        if (error instanceof HttpOperationFailedException http) {
            return "http_" + http.getStatusCode();
        }
        if (error instanceof java.net.SocketTimeoutException || error instanceof java.util.concurrent.TimeoutException
                || (error != null && error.getClass().getSimpleName().contains("Timeout"))) {
            return "timeout";
        }
        if (error instanceof java.io.IOException) {
            return "unreachable";
        }
        return "other";
    }

    private static String describe(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        if (error instanceof HttpOperationFailedException http) {
            String body = http.getResponseBody() == null ? "" : http.getResponseBody().strip();
            return "HTTP " + http.getStatusCode() + (body.isEmpty() ? "" : " " + abbreviate(body));
        }
        StringBuilder text = new StringBuilder(error.getClass().getSimpleName() + ": " + error.getMessage());
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" <- ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        return text.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    /** Drops any user:password@ from a URL before it is logged. */
    static String redact(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getUserInfo() == null) {
                return url;
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (Exception e) {
            return "<unparseable URL>";
        }
    }

    private static String epochSeconds(Instant instant) {
        return java.math.BigDecimal.valueOf(instant.toEpochMilli(), 3).toPlainString();
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

    public void setAuth(PrometheusAuth auth) {
        this.auth = auth;
    }

    public void setHeaders(PrometheusHeaders headers) {
        this.headers = headers;
    }

    public void setPartialAnswers(PartialAnswers partialAnswers) {
        this.partialAnswers = partialAnswers;
    }

    /** PROMETHEUS_PARTIAL_RESPONSE: the partial_response parameter to send, false (default) or true; omit sends none. */
    public void setPartialResponse(String partialResponse) {
        String setting = partialResponse == null ? "" : partialResponse.strip();
        partialResponseParameter = switch (setting) {
            case "false", "true" -> setting;
            case "omit", "" -> "";
            default -> throw new IllegalArgumentException(
                    "PROMETHEUS_PARTIAL_RESPONSE must be false, true or omit, not " + setting);
        };
    }

    public void setMetrics(PublisherMetrics metrics) {
        this.metrics = metrics;
    }

    public void setHealth(PublisherHealth health) {
        this.health = health;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}
