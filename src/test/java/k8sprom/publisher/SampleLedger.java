package k8sprom.publisher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import k8sprom.testsupport.PrometheusServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Judges what read_committed consumers of the samples topic got against Prometheus' own answer: per (container,
 * metric, timestamp) every sample Prometheus has from a metric's first published step up to a time the test chose by
 * its own clock must be in Kafka exactly once, with Prometheus' value. Duplicates count over every message kind.
 */
final class SampleLedger {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleLedger() {}

    record Verdict(
            int samplesInKafka,
            int samplesInPrometheus,
            int gaps,
            int duplicates,
            int wrongValues,
            Map<String, Instant> firstPublished,
            Map<String, Instant> lastPublished) {

        boolean exactlyOnce() {
            return gaps == 0 && duplicates == 0 && wrongValues == 0;
        }
    }

    /**
     * @param until the last step the test requires for every metric (its own clock minus the settle delay and a
     *              margin); any sample Prometheus has up to it and Kafka lacks is a gap
     */
    static Verdict judge(
            List<ConsumerRecord<String, String>> records,
            PrometheusServer prometheus,
            Path catalog,
            Duration step,
            Instant until) {
        // metric -> container -> timestamp -> the values published for it (more than one: a duplicate)
        Map<String, Map<String, Map<String, List<String>>>> seen = new TreeMap<>();
        Map<String, Instant> first = new TreeMap<>();
        Map<String, Instant> last = new TreeMap<>();
        int inKafka = 0;
        int duplicates = 0;
        for (ConsumerRecord<String, String> record : records) {
            JsonNode message = read(record.value());
            String metric = message.get("metric_type").asText();
            for (JsonNode sample : message.get("data")) {
                inKafka++;
                String timestamp = sample.get("timestamp").asText();
                Instant at = Instant.parse(timestamp);
                first.merge(metric, at, (a, b) -> a.isBefore(b) ? a : b);
                last.merge(metric, at, (a, b) -> a.isAfter(b) ? a : b);
                List<String> values = seen.computeIfAbsent(metric, m -> new HashMap<>())
                        .computeIfAbsent(record.key(), c -> new HashMap<>())
                        .computeIfAbsent(timestamp, t -> new ArrayList<>());
                values.add(sample.get("value").asText());
                if (values.size() > 1) {
                    duplicates++;
                }
            }
        }
        MetricCatalog metrics = new MetricCatalog();
        metrics.setFile(catalog.toString());
        metrics.setRateRange("10s");
        int inPrometheus = 0;
        int gaps = 0;
        int wrongValues = 0;
        for (MetricCatalog.RenderedMetric metric : metrics.metrics()) {
            String name = metric.definition().name();
            Instant from = first.get(name);
            if (from == null) {
                gaps++; // nothing at all of a metric of the catalog
                continue;
            }
            Map<String, Map<String, List<String>>> got = seen.getOrDefault(name, Map.of());
            JsonNode expected =
                    prometheus.queryRange(metric.promql(), from, until, step).get("result");
            for (JsonNode series : expected) {
                String container = series.get("metric").path("label_vim_id").asText();
                if (container.isEmpty()) {
                    continue; // a pod without label_vim_id: skipped by design
                }
                Map<String, List<String>> ofContainer = got.getOrDefault(container, Map.of());
                for (JsonNode value : series.get("values")) {
                    inPrometheus++;
                    String timestamp = Sample.format(
                            Sample.instantOf(new BigDecimal(value.get(0).asText())));
                    List<String> values = ofContainer.get(timestamp);
                    if (values == null) {
                        gaps++;
                    } else if (!values.stream()
                            .allMatch(v -> v.equals(value.get(1).asText()))) {
                        wrongValues++;
                    }
                }
            }
        }
        return new Verdict(inKafka, inPrometheus, gaps, duplicates, wrongValues, first, last);
    }

    static String metricOf(String json) {
        return read(json).get("metric_type").asText();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
