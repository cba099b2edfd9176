package k8sprom.publisher;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
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

    /** A message for samples read from Prometheus: values stay the strings Prometheus returned. */
    public static String samples(String containerId, MetricDefinition metric, List<Sample> samples) {
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
