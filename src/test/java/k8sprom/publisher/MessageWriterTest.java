package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fast message writer must write exactly what Jackson's generator writes, escaping included. */
class MessageWriterTest {

    private static final List<String> STRINGS = List.of(
            "vim-0",
            "",
            "a\"quote",
            "back\\slash",
            "new\nline",
            "tab\tand\rcr\bbs\ff",
            "ctrl\u0001\u001f",
            "unicode é ü 漢字 \uD83D\uDE00",
            "slash/</script>",
            "\u007f\u2028");
    private static final Instant T = Instant.parse("2019-02-13T10:14:32.897Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fastPathWritesTheSameTextAsTheGenerator() throws IOException {
        for (String text : STRINGS) {
            MetricDefinition metric = new MetricDefinition("m" + text, "gauge", "u" + text, null, null);
            List<Sample> samples = List.of(new Sample(T, "1.5" + text), new Sample(T.plusSeconds(20), text));
            assertEquals(
                    withGenerator(text, metric, samples), MessageWriter.samples(text, metric, samples), "for " + text);
            assertEquals(
                    withGenerator(text, metric, List.of()),
                    MessageWriter.samples(text, metric, List.of()),
                    "for " + text);
        }
    }

    @Test
    void numberEntriesWriteJsonNumbersOfTheSameValue() throws IOException {
        MetricDefinition percentage =
                new MetricDefinition("loss", "counter", "%", null, "q", MetricDefinition.ValueFormat.NUMBER, List.of());
        // Prometheus' own forms, then forms Java reads as numbers but JSON does not allow
        List<String> values = List.of("0", "12.5", "33.333333333333336", "-0.25", "1e-7", "100", "0x1p3", "1d", "07");
        List<Sample> samples = values.stream().map(v -> new Sample(T, v)).toList();

        JsonNode message = JSON.readTree(MessageWriter.samples("vim-1", percentage, samples));

        assertEquals(values.size(), message.get("data").size());
        for (int i = 0; i < values.size(); i++) {
            JsonNode value = message.get("data").get(i).get("value");
            assertTrue(value.isNumber(), "a JSON number for " + values.get(i) + ": " + value);
            assertEquals(Double.parseDouble(values.get(i)), value.doubleValue(), "for " + values.get(i));
        }
        assertEquals("12.5", message.get("data").get(1).get("value").toString(), "Prometheus' text is kept");
    }

    @Test
    void timestampsAreFormattedWithMicrosecondsInUtc() {
        assertEquals("2019-02-13T10:14:32.897000Z", Sample.format(Instant.parse("2019-02-13T10:14:32.897Z")));
        assertEquals("2019-02-13T10:14:32.897000Z", Sample.format(Instant.parse("2019-02-13T10:14:32.897Z")));
        assertEquals("1970-01-01T00:00:00.000000Z", Sample.format(Instant.EPOCH));
    }

    /** The reference: the same message written field by field with Jackson's generator. */
    private static String withGenerator(String containerId, MetricDefinition metric, List<Sample> samples)
            throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("container_id", containerId);
            json.writeStringField("metric_type", metric.name());
            json.writeStringField("type", metric.type());
            json.writeArrayFieldStart("data");
            for (Sample sample : samples) {
                json.writeStartObject();
                json.writeStringField("type", metric.type());
                json.writeStringField("name", metric.name());
                json.writeStringField("timestamp", Sample.format(sample.timestamp()));
                json.writeStringField("unit", metric.unit());
                json.writeStringField("value", sample.value());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        return out.toString();
    }
}
