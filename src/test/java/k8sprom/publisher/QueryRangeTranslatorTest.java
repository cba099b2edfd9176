package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryRangeTranslatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MetricDefinition CPU =
            new MetricDefinition("container_cpu_system_seconds_total", "counter", "seconds", "rate", null);

    private QueryRangeTranslator.Translation translate(String resource, String samples) {
        QueryRangeTranslator translator = new QueryRangeTranslator();
        translator.setSamples(samples);
        try (InputStream in = getClass().getResourceAsStream("/responses/" + resource)) {
            return translator.translate(in, CPU);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode parse(OutboundMessage message) throws IOException {
        return JSON.readTree(message.json());
    }

    @Test
    void everySampleModeWritesOneMessagePerSeriesWithAllItsSamplesInOrder() throws IOException {
        List<OutboundMessage> messages = translate("two-pods.json", "all").messages();

        assertEquals(2, messages.size());
        assertEquals("vim-0", messages.get(0).containerId());
        JsonNode first = parse(messages.get(0));
        assertEquals("vim-0", first.get("container_id").asText());
        assertEquals(
                "container_cpu_system_seconds_total", first.get("metric_type").asText());
        assertEquals("counter", first.get("type").asText());
        assertEquals(2, first.get("data").size());
        JsonNode sample = first.get("data").get(0);
        assertEquals("counter", sample.get("type").asText());
        assertEquals("container_cpu_system_seconds_total", sample.get("name").asText());
        assertEquals("2019-02-13T10:14:32.897000Z", sample.get("timestamp").asText());
        assertEquals("seconds", sample.get("unit").asText());
        assertEquals("0.21000000000000016", sample.get("value").asText());
        assertTrue(sample.get("value").isTextual(), "values stay the strings Prometheus returned");
        assertEquals(
                "2019-02-13T10:14:52.897000Z",
                first.get("data").get(1).get("timestamp").asText());
    }

    @Test
    void latestModeKeepsOnlyTheLatestSampleOfEachSeries() throws IOException {
        List<OutboundMessage> messages = translate("two-pods.json", "latest").messages();

        JsonNode first = parse(messages.get(0));
        assertEquals(1, first.get("data").size());
        assertEquals("0.25", first.get("data").get(0).get("value").asText());
        assertEquals(
                "2019-02-13T10:14:52.897000Z",
                first.get("data").get(0).get("timestamp").asText());
    }

    @Test
    void messageFieldsComeInTheDocumentedOrder() {
        String json = translate("two-pods.json", "latest").messages().get(1).json();
        assertEquals(
                "{\"container_id\":\"vim-1\",\"metric_type\":\"container_cpu_system_seconds_total\","
                        + "\"type\":\"counter\",\"data\":[{\"type\":\"counter\",\"name\":\"container_cpu_system_seconds_total\","
                        + "\"timestamp\":\"2019-02-13T10:14:32.897000Z\",\"unit\":\"seconds\",\"value\":\"3\"}]}",
                json);
    }

    @Test
    void seriesWithoutLabelVimIdAreSkippedAndCounted() {
        QueryRangeTranslator.Translation translation = translate("missing-vim-id.json", "all");

        assertEquals(1, translation.messages().size());
        assertEquals("vim-1", translation.messages().get(0).containerId());
        assertEquals(2, translation.seriesWithoutContainer());
    }

    @Test
    void nanInfinityAndMalformedSamplesAreSkippedButTheirSeriesKeepsTheGoodOnes() throws IOException {
        QueryRangeTranslator.Translation translation = translate("non-finite.json", "all");

        assertEquals(1, translation.messages().size(), "vim-0 has no finite sample left, so no message");
        JsonNode message = parse(translation.messages().get(0));
        assertEquals("vim-1", message.get("container_id").asText());
        assertEquals(1, message.get("data").size());
        assertEquals("7", message.get("data").get(0).get("value").asText());
        assertEquals(4, translation.nonFiniteSamples());
        assertEquals(3, translation.malformedSamples());
    }

    @Test
    void errorStatusIsRejectedWithPrometheusErrorText() {
        BadPrometheusResponseException error =
                assertThrows(BadPrometheusResponseException.class, () -> translate("error-status.json", "all"));
        assertEquals("status", error.reason());
        assertTrue(error.getMessage().contains("parse error"), error.getMessage());
    }

    @Test
    void vectorResultTypeIsRejected() {
        BadPrometheusResponseException error =
                assertThrows(BadPrometheusResponseException.class, () -> translate("vector.json", "all"));
        assertEquals("result_type", error.reason());
    }

    @Test
    void htmlIsRejectedAsNotJson() {
        BadPrometheusResponseException error =
                assertThrows(BadPrometheusResponseException.class, () -> translate("not-json.html", "all"));
        assertEquals("not_json", error.reason());
    }

    @Test
    void truncatedResponseYieldsNothing() {
        BadPrometheusResponseException error =
                assertThrows(BadPrometheusResponseException.class, () -> translate("truncated.json", "all"));
        assertEquals("not_json", error.reason());
    }

    @Test
    void fieldOrderDoesNotMatter() throws IOException {
        List<OutboundMessage> messages =
                translate("data-before-status.json", "all").messages();

        assertEquals(1, messages.size());
        assertEquals(
                "2019-02-13T10:14:32.500000Z",
                parse(messages.get(0)).get("data").get(0).get("timestamp").asText());
    }

    @Test
    void unknownSampleModeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new QueryRangeTranslator().setSamples("some"));
    }

    @Test
    void recordedPrometheusAnswerBecomesOneMessagePerContainerAndSkipsThePodWithoutVimId() throws IOException {
        // recorded from Prometheus 2.42 querying the synthetic cluster (legacy pod_name labels) with the shipped query
        QueryRangeTranslator.Translation translation =
                translate("recorded-container_cpu_usage_seconds_total.json", "all");

        assertEquals(
                List.of("vim-0", "vim-1", "vim-2"),
                translation.messages().stream()
                        .map(OutboundMessage::containerId)
                        .sorted()
                        .toList());
        assertEquals(1, translation.seriesWithoutContainer(), "pod-novim has no label_vim_id");
        JsonNode first = parse(translation.messages().get(0));
        assertEquals(3, first.get("data").size());
        assertEquals("5.395066666666668", first.get("data").get(0).get("value").asText());
        assertEquals(
                "2026-11-21T09:20:46.000000Z",
                first.get("data").get(0).get("timestamp").asText());
        assertEquals("8", first.get("data").get(2).get("value").asText());
    }

    @Test
    void recordedPrometheusErrorForBadPromqlIsRejectedWithItsMessage() {
        BadPrometheusResponseException error =
                assertThrows(BadPrometheusResponseException.class, () -> translate("recorded-bad-promql.json", "all"));
        assertEquals("status", error.reason());
        assertTrue(error.getMessage().contains("unexpected <by> in aggregation"), error.getMessage());
    }

    @Test
    void warningsOfAPartialAnswerAreReadWhereverTheyStand() {
        QueryRangeTranslator.Translation partial = translate("partial-with-warnings.json", "all");
        assertEquals(
                List.of(
                        "receiving partial response: store 10.0.0.7:10901 unreachable",
                        "PromQL info: metric might not be a counter"),
                partial.warnings());
        assertEquals(1, partial.messages().size());

        assertEquals(
                List.of("the answer is marked isPartial (some storage nodes did not answer)"),
                translate("victoriametrics-partial.json", "all").warnings());
        assertEquals(List.of(), translate("null-warnings.json", "all").warnings());
        assertEquals(List.of(), translate("two-pods.json", "all").warnings());
    }
}
