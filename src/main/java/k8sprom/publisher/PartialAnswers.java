package k8sprom.publisher;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what happens to an answer that carries warnings. Thanos, Mimir, Cortex and Prometheus itself answer
 * "success" with warnings when a store or ingester did not answer: series or samples may be missing. Publishing such
 * an answer would move the position past data that never arrived, so by default it is refused like a failed query
 * (counted as {@code reason="partial_response"}) and the window is asked again next cycle. A user may accept warnings,
 * giving up the exactly-once guarantee for the windows they concern.
 */
public class PartialAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(PartialAnswers.class);

    private boolean acceptWarnings;
    private PublisherMetrics metrics = new PublisherMetrics();

    /** The answer's messages when it is complete or warnings are accepted; else a refusal naming the warnings. */
    public List<OutboundMessage> admit(String metric, QueryRangeTranslator.Translation translation) {
        List<String> warnings = translation.warnings();
        if (warnings.isEmpty()) {
            return translation.messages();
        }
        if (!acceptWarnings) {
            throw new BadPrometheusResponseException(
                    "partial_response",
                    "the answer carries warnings, so it may be " + "partial; nothing of it is published: "
                            + String.join("; ", warnings));
        }
        metrics.warningsAccepted(metric);
        LOG.warn(
                "Metric {}: publishing an answer that carries warnings (PROMETHEUS_ACCEPT_WARNINGS=true), samples may "
                        + "be missing for good: {}",
                metric,
                String.join("; ", warnings));
        return translation.messages();
    }

    public void setAcceptWarnings(boolean acceptWarnings) {
        this.acceptWarnings = acceptWarnings;
    }

    public void setMetrics(PublisherMetrics metrics) {
        this.metrics = metrics;
    }
}
