package k8sprom.publisher;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The list of metrics to publish, read from a YAML file that users edit (routes/metrics.yaml by default).
 * The file is re-read when it changes, so a new metric is picked up at the next cycle without a restart;
 * a broken edit is logged and the last good list stays in use.
 */
public class MetricCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(MetricCatalog.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private String file = "routes/metrics.yaml";
    private String namespace = "default";
    private String rateRange = "1m";

    private FileTime loadedVersion;
    private List<RenderedMetric> metrics = List.of();

    /** A catalog entry with its PromQL ready to send. */
    public record RenderedMetric(MetricDefinition definition, String promql) {}

    @JsonIgnoreProperties(ignoreUnknown = false)
    record CatalogFile(String query, String series, String function, List<Entry> metrics) {}

    @JsonIgnoreProperties(ignoreUnknown = false)
    record Entry(
            String name,
            String type,
            String unit,
            String function,
            String series,
            String query,
            String value,
            List<String> continuesAfter) {}

    /** The current metrics, in file order. */
    public synchronized List<RenderedMetric> metrics() {
        Path path = Path.of(file);
        try {
            FileTime version = Files.getLastModifiedTime(path);
            if (!version.equals(loadedVersion)) {
                metrics = parse(Files.readString(path));
                loadedVersion = version;
                LOG.info("Loaded {} metrics from {}", metrics.size(), path.toAbsolutePath());
            }
        } catch (IOException | RuntimeException e) {
            if (loadedVersion == null) {
                throw new IllegalStateException(
                        "Cannot read the metric catalog " + path.toAbsolutePath() + ": " + e.getMessage(), e);
            }
            LOG.error(
                    "Cannot read the metric catalog {}; keeping the {} metrics loaded before: {}",
                    path.toAbsolutePath(),
                    metrics.size(),
                    e.getMessage());
        }
        return metrics;
    }

    List<RenderedMetric> parse(String yaml) throws IOException {
        CatalogFile catalog = YAML.readValue(yaml, CatalogFile.class);
        if (catalog == null || catalog.metrics() == null || catalog.metrics().isEmpty()) {
            throw new IllegalArgumentException("the catalog lists no metrics");
        }
        List<RenderedMetric> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Entry entry : catalog.metrics()) {
            String function = entry.function() != null ? entry.function() : catalog.function();
            MetricDefinition definition = new MetricDefinition(
                    entry.name(),
                    entry.type(),
                    entry.unit(),
                    function,
                    entry.query(),
                    MetricDefinition.ValueFormat.of(entry.value(), entry.name()),
                    entry.continuesAfter());
            if (!names.add(definition.name())) {
                throw new IllegalArgumentException("metric " + definition.name() + " is listed twice");
            }
            String series = entry.series() != null ? entry.series() : catalog.series();
            result.add(new RenderedMetric(definition, render(definition, catalog.query(), series)));
        }
        return List.copyOf(result);
    }

    /**
     * The entry's own query as it is, or the template with {@code <series>} (the per-pod expression, the entry's or
     * the catalog's) and then the other placeholders filled in.
     */
    private String render(MetricDefinition metric, String template, String series) {
        if (metric.query() != null && !metric.query().isBlank()) {
            return metric.query().strip();
        }
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("metric " + metric.name() + " has no query and the catalog no template");
        }
        String query = template.strip();
        if (query.contains("<series>")) {
            if (series == null || series.isBlank()) {
                throw new IllegalArgumentException("metric " + metric.name()
                        + " has no series and the catalog no default series for the template's <series>");
            }
            query = query.replace("<series>", series.strip());
        } else if (series != null && !series.isBlank()) {
            throw new IllegalArgumentException("metric " + metric.name()
                    + " gives a series, but the catalog's query template has no <series> placeholder");
        }
        if (query.contains("<function>")
                && (metric.function() == null || metric.function().isBlank())) {
            throw new IllegalArgumentException(
                    "metric " + metric.name() + " has no function and the catalog no default");
        }
        return query.replace("<function>", metric.function() == null ? "" : metric.function())
                .replace("<metric>", metric.name())
                .replace("<namespace>", namespace)
                .replace("<range>", rateRange);
    }

    public void setFile(String file) {
        this.file = file;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public void setRateRange(String rateRange) {
        this.rateRange = rateRange;
    }
}
