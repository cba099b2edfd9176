package k8sprom.publisher;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what a translation left out and says so in the log: series without label_vim_id once per metric (such pods
 * are normal in a shared cluster), spoiled values (NaN, Inf, malformed) every time.
 */
class SkippedData {

    private static final Logger LOG = LoggerFactory.getLogger(SkippedData.class);

    private final PublisherMetrics metrics;
    private final Set<String> warnedMetrics = ConcurrentHashMap.newKeySet();

    SkippedData(PublisherMetrics metrics) {
        this.metrics = metrics;
    }

    void report(String metric, QueryRangeTranslator.Translation translation, String source) {
        if (!translation.skippedAnything()) {
            return;
        }
        metrics.skipped(metric, "missing_label_vim_id", translation.seriesWithoutContainer());
        metrics.skipped(metric, "non_finite_value", translation.nonFiniteSamples());
        metrics.skipped(metric, "malformed_sample", translation.malformedSamples());
        boolean firstTime = warnedMetrics.add(metric);
        boolean spoiledValues = translation.nonFiniteSamples() + translation.malformedSamples() > 0;
        if (firstTime || spoiledValues) {
            LOG.warn(
                    "Metric {} from {}: skipped {} series without {}, {} NaN/Inf samples, {} malformed samples"
                            + " (counted in publisher_skipped_total)",
                    metric,
                    source,
                    translation.seriesWithoutContainer(),
                    QueryRangeTranslator.CONTAINER_LABEL,
                    translation.nonFiniteSamples(),
                    translation.malformedSamples());
        }
    }
}
