package k8sprom.publisher;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes the JSON message the MAPE loop consumes:
 * {"container_id", "metric_type", "type", "data": [{"type", "name", "timestamp", "unit", "value"}, ...]}.
 */
public final class MessageWriter {

    private static final JsonFactory JSON = new JsonFactory();

    private MessageWriter() {
    }

    /**
     * A message for samples read from Prometheus: values stay the strings Prometheus returned.
     *
     * <p>This is the publisher's hottest path (one call per series per window), so it appends to a StringBuilder
     * instead of opening a JsonGenerator per message; strings are escaped exactly as Jackson escapes them, so the
     * text is the same as {@link #write}'s (MessageWriterTest compares the two).
     */
    public static String samples(String containerId, MetricDefinition metric, List<Sample> samples) {
        String type = quote(metric.type());
        String name = quote(metric.name());
        String unit = quote(metric.unit());
        StringBuilder json = new StringBuilder(96 + containerId.length() + 2 * name.length()
                + samples.size() * (90 + name.length() + unit.length()));
        json.append("{\"container_id\":\"").append(quote(containerId))
                .append("\",\"metric_type\":\"").append(name)
                .append("\",\"type\":\"").append(type)
                .append("\",\"data\":[");
        for (int i = 0; i < samples.size(); i++) {
            Sample sample = samples.get(i);
            json.append(i == 0 ? "{\"type\":\"" : ",{\"type\":\"").append(type)
                    .append("\",\"name\":\"").append(name)
                    .append("\",\"timestamp\":\"").append(Sample.format(sample.timestamp()))
                    .append("\",\"unit\":\"").append(unit)
                    .append("\",\"value\":\"").append(quote(sample.value()))
                    .append("\"}");
        }
        return json.append("]}").toString();
    }

    /** The text between the quotes of a JSON string, escaped as Jackson's generator escapes it. */
    static String quote(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return new String(JsonStringEncoder.getInstance().quoteAsString(text));
            }
        }
        return text;
    }

    /** The same message written with Jackson's generator; kept as the reference the fast path is tested against. */
    static String samplesWithGenerator(String containerId, MetricDefinition metric, List<Sample> samples) {
        return write(containerId, metric.name(), metric.type(), metric.unit(), samples, null);
    }

    /** A message for a value computed here (packet loss): the value is a JSON number. */
    public static String computed(String containerId, String name, String type, String unit, Sample at, double value) {
        return write(containerId, name, type, unit, List.of(at), value);
    }

    private static String write(String containerId, String name, String type, String unit, List<Sample> samples,
                                Double computedValue) {
        StringWriter out = new StringWriter(160 + 120 * samples.size());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("container_id", containerId);
            json.writeStringField("metric_type", name);
            json.writeStringField("type", type);
            json.writeArrayFieldStart("data");
            for (Sample sample : samples) {
                json.writeStartObject();
                json.writeStringField("type", type);
                json.writeStringField("name", name);
                json.writeStringField("timestamp", Sample.format(sample.timestamp()));
                json.writeStringField("unit", unit);
                if (computedValue != null) {
                    json.writeNumberField("value", computedValue);
                } else {
                    json.writeStringField("value", sample.value());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
