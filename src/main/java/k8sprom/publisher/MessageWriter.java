package k8sprom.publisher;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes the JSON message the MAPE loop consumes:
 * {"container_id", "metric_type", "type", "data": [{"type", "name", "timestamp", "unit", "value"}, ...]}.
 *
 * <p>This is the publisher's hottest path (one call per series per window), so it appends to a StringBuilder instead
 * of opening a JsonGenerator per message; strings are escaped exactly as Jackson escapes them, and numbers are
 * written as Jackson writes them (MessageWriterTest compares the text with Jackson's generator).
 */
public final class MessageWriter {

    /** RFC 8259's number grammar: Prometheus' value text is written unchanged when it already is one. */
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private MessageWriter() {}

    /** A message with the samples of one series, their values written as the catalog entry says. */
    public static String samples(String containerId, MetricDefinition metric, List<Sample> samples) {
        String type = quote(metric.type());
        String name = quote(metric.name());
        String unit = quote(metric.unit());
        boolean numbers = metric.value() == MetricDefinition.ValueFormat.NUMBER;
        StringBuilder json = new StringBuilder(
                96 + containerId.length() + 2 * name.length() + samples.size() * (90 + name.length() + unit.length()));
        json.append("{\"container_id\":\"")
                .append(quote(containerId))
                .append("\",\"metric_type\":\"")
                .append(name)
                .append("\",\"type\":\"")
                .append(type)
                .append("\",\"data\":[");
        for (int i = 0; i < samples.size(); i++) {
            Sample sample = samples.get(i);
            json.append(i == 0 ? "{\"type\":\"" : ",{\"type\":\"")
                    .append(type)
                    .append("\",\"name\":\"")
                    .append(name)
                    .append("\",\"timestamp\":\"")
                    .append(Sample.format(sample.timestamp()))
                    .append("\",\"unit\":\"")
                    .append(unit);
            if (numbers) {
                json.append("\",\"value\":").append(number(sample.value())).append('}');
            } else {
                json.append("\",\"value\":\"").append(quote(sample.value())).append("\"}");
            }
        }
        return json.append("]}").toString();
    }

    /**
     * A finite value (the translator lets no other through) as JSON number text: Prometheus' own text when it is one
     * (it writes the shortest decimal that reads back as the same double), else the double as Java prints it.
     */
    static String number(String value) {
        return JSON_NUMBER.matcher(value).matches() ? value : Double.toString(Double.parseDouble(value));
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
}
