package k8sprom.publisher;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns a query_range response into messages, reading it as a stream so that memory holds one series at a time
 * rather than the whole response tree.
 *
 * <p>A response that is not JSON, whose status is not "success" or whose resultType is not "matrix" throws
 * {@link BadPrometheusResponseException} and yields nothing. Within a good response, a series without
 * {@code label_vim_id} and a sample that is not a finite number are skipped and counted; the rest is published.
 */
public class QueryRangeTranslator {

    static final String CONTAINER_LABEL = "label_vim_id";
    private static final JsonFactory JSON = new JsonFactory();
    /** How Prometheus writes non-finite values; Java's parser does not read "+Inf". */
    private static final Set<String> PROMETHEUS_NON_FINITE = Set.of("NaN", "+Inf", "-Inf", "Inf");

    /**
     * What one response gave: the messages, what was skipped, and the warnings the answer carried (a distributed
     * engine's sign of a partial answer; empty for a complete one).
     */
    public record Translation(
            List<OutboundMessage> messages,
            int seriesWithoutContainer,
            int nonFiniteSamples,
            int malformedSamples,
            List<String> warnings) {

        public boolean skippedAnything() {
            return seriesWithoutContainer + nonFiniteSamples + malformedSamples > 0;
        }
    }

    /** Whole-second timestamps below this are read without BigDecimal (about year 33658). */
    private static final long MAX_PLAIN_EPOCH_SECONDS = 1_000_000_000_000L;

    private boolean latestOnly;
    private int maxSamplesPerMessage = 100;

    /**
     * @param samples "latest": one sample per series, its latest finite one (the original service's behaviour);
     *                "all": every sample of the window, in timestamp order
     */
    public void setSamples(String samples) {
        switch (samples) {
            case "latest" -> latestOnly = true;
            case "all" -> latestOnly = false;
            default -> throw new IllegalArgumentException("samples must be latest or all, not " + samples);
        }
    }

    public void setMaxSamplesPerMessage(int maxSamplesPerMessage) {
        if (maxSamplesPerMessage < 1) {
            throw new IllegalArgumentException("maxSamplesPerMessage must be at least 1");
        }
        this.maxSamplesPerMessage = maxSamplesPerMessage;
    }

    public Translation translate(InputStream response, MetricDefinition metric) {
        try (JsonParser json = JSON.createParser(response)) {
            return new ResponseReader(json, metric).read();
        } catch (JsonParseException e) {
            throw new BadPrometheusResponseException(
                    "not_json", "response is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final class ResponseReader {
        private final JsonParser json;
        private final MetricDefinition metric;
        private final List<OutboundMessage> messages = new ArrayList<>();
        private String status;
        private String resultType;
        private String error;
        private final List<String> warnings = new ArrayList<>();
        private int seriesWithoutContainer;
        private int nonFiniteSamples;
        private int malformedSamples;

        ResponseReader(JsonParser json, MetricDefinition metric) {
            this.json = json;
            this.metric = metric;
        }

        Translation read() throws IOException {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new BadPrometheusResponseException("not_json", "response is not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "status" -> status = json.getValueAsString();
                    case "error" -> error = json.getValueAsString();
                    case "data" -> readData();
                    case "warnings" -> readWarnings();
                    // VictoriaMetrics' vmselect marks a partial answer this way instead of with warnings
                    case "isPartial" -> {
                        if (json.currentToken() == JsonToken.VALUE_TRUE) {
                            warnings.add("the answer is marked isPartial (some storage nodes did not answer)");
                        }
                    }
                    default -> json.skipChildren();
                }
            }
            if (!"success".equals(status)) {
                throw new BadPrometheusResponseException(
                        "status", "status is " + status + (error != null ? ": " + error : ""));
            }
            if (!"matrix".equals(resultType)) {
                throw new BadPrometheusResponseException("result_type", "resultType is " + resultType + ", not matrix");
            }
            return new Translation(
                    List.copyOf(messages),
                    seriesWithoutContainer,
                    nonFiniteSamples,
                    malformedSamples,
                    List.copyOf(warnings));
        }

        /** Prometheus and its distributed successors list warnings as strings; null or [] means none. */
        private void readWarnings() throws IOException {
            JsonToken token = json.currentToken();
            if (token == JsonToken.START_ARRAY) {
                for (token = json.nextToken(); token != JsonToken.END_ARRAY; token = json.nextToken()) {
                    addWarning(token);
                }
            } else if (token != JsonToken.VALUE_NULL) {
                addWarning(token);
            }
        }

        private void addWarning(JsonToken token) throws IOException {
            if (token.isStructStart()) {
                warnings.add("(a warning that is not a string)");
                json.skipChildren();
            } else {
                warnings.add(json.getText());
            }
        }

        private void readData() throws IOException {
            if (json.currentToken() != JsonToken.START_OBJECT) {
                json.skipChildren();
                return;
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                if ("resultType".equals(field)) {
                    resultType = json.getValueAsString();
                } else if ("result".equals(field) && json.currentToken() == JsonToken.START_ARRAY) {
                    while (json.nextToken() == JsonToken.START_OBJECT) {
                        readSeries();
                    }
                } else {
                    json.skipChildren();
                }
            }
        }

        private void readSeries() throws IOException {
            String containerId = null;
            List<Sample> samples = new ArrayList<>();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                if ("metric".equals(field) && json.currentToken() == JsonToken.START_OBJECT) {
                    containerId = readContainerLabel();
                } else if ("values".equals(field) && json.currentToken() == JsonToken.START_ARRAY) {
                    while (json.nextToken() == JsonToken.START_ARRAY) {
                        readSample(samples);
                    }
                } else {
                    json.skipChildren();
                }
            }
            if (containerId == null || containerId.isEmpty()) {
                seriesWithoutContainer++;
                return;
            }
            if (samples.isEmpty()) {
                return;
            }
            if (samples.size() > 1) {
                samples.sort((a, b) -> a.timestamp().compareTo(b.timestamp()));
            }
            if (latestOnly) {
                samples = List.of(samples.get(samples.size() - 1));
            }
            // long windows (catching up) are cut into several messages, in order, to stay far below Kafka's 1 MB
            for (int from = 0; from < samples.size(); from += maxSamplesPerMessage) {
                List<Sample> part = samples.subList(from, Math.min(samples.size(), from + maxSamplesPerMessage));
                messages.add(new OutboundMessage(containerId, MessageWriter.samples(containerId, metric, part)));
            }
        }

        /** The series' label_vim_id (the last one, should a label repeat); the other labels are only skipped. */
        private String readContainerLabel() throws IOException {
            String containerId = null;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = CONTAINER_LABEL.equals(json.currentName());
                JsonToken value = json.nextToken();
                if (wanted) {
                    containerId = json.getValueAsString();
                } else if (value.isStructStart()) {
                    json.skipChildren();
                }
            }
            return containerId;
        }

        /** Reads one [timestamp, "value"] pair; keeps it only when both parts are well formed and finite. */
        private void readSample(List<Sample> into) throws IOException {
            BigDecimal timestamp = null;
            long epochSeconds = Long.MIN_VALUE;
            String value = null;
            int position = 0;
            for (JsonToken token = json.nextToken(); token != JsonToken.END_ARRAY; token = json.nextToken()) {
                if (position == 0
                        && token == JsonToken.VALUE_NUMBER_INT
                        && json.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                        && Math.abs(json.getLongValue()) < MAX_PLAIN_EPOCH_SECONDS) {
                    // whole seconds, as step-aligned windows give: no BigDecimal needed
                    epochSeconds = json.getLongValue();
                    timestamp = null;
                } else if (position == 0 && token.isNumeric()) {
                    timestamp = json.getDecimalValue();
                } else if (position == 1 && token == JsonToken.VALUE_STRING) {
                    value = json.getText();
                } else {
                    json.skipChildren();
                    timestamp = null;
                    epochSeconds = Long.MIN_VALUE;
                }
                position++;
            }
            if ((timestamp == null && epochSeconds == Long.MIN_VALUE) || value == null || position != 2) {
                malformedSamples++;
                return;
            }
            if (PROMETHEUS_NON_FINITE.contains(value)) {
                nonFiniteSamples++;
                return;
            }
            double number;
            try {
                number = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                malformedSamples++;
                return;
            }
            if (!Double.isFinite(number)) {
                nonFiniteSamples++;
                return;
            }
            into.add(new Sample(
                    timestamp != null ? Sample.instantOf(timestamp) : Instant.ofEpochSecond(epochSeconds), value));
        }
    }
}
