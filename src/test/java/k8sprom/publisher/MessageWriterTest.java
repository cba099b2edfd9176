package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fast message writer must write exactly what Jackson's generator writes, escaping included. */
class MessageWriterTest {

    private static final List<String> STRINGS = List.of("vim-0", "", "a\"quote", "back\\slash", "new\nline",
            "tab\tand\rcr\bbs\ff", "ctrl\u0001\u001f", "unicode é ü 漢字 \uD83D\uDE00", "slash/</script>", "\u007f\u2028");

    @Test
    void fastPathWritesTheSameTextAsTheGenerator() {
        Instant t = Instant.parse("2019-02-13T10:14:32.897Z");
        for (String text : STRINGS) {
            MetricDefinition metric = new MetricDefinition("m" + text, "gauge", "u" + text, null, null);
            List<Sample> samples = List.of(new Sample(t, "1.5" + text), new Sample(t.plusSeconds(20), text));
            assertEquals(MessageWriter.samplesWithGenerator(text, metric, samples),
                    MessageWriter.samples(text, metric, samples), "for " + text);
            assertEquals(MessageWriter.samplesWithGenerator(text, metric, List.of()),
                    MessageWriter.samples(text, metric, List.of()), "for " + text);
        }
    }

    @Test
    void timestampsAreFormattedWithMicrosecondsInUtc() {
        assertEquals("2019-02-13T10:14:32.897000Z", Sample.format(Instant.parse("2019-02-13T10:14:32.897Z")));
        assertEquals("2019-02-13T10:14:32.897000Z", Sample.format(Instant.parse("2019-02-13T10:14:32.897Z")));
        assertEquals("1970-01-01T00:00:00.000000Z", Sample.format(Instant.EPOCH));
    }
}
