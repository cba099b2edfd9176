package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartialAnswersTest {

    private static final List<OutboundMessage> MESSAGES = List.of(new OutboundMessage("vim-0", "{}"));

    private static QueryRangeTranslator.Translation answer(String... warnings) {
        return new QueryRangeTranslator.Translation(MESSAGES, 0, 0, 0, List.of(warnings));
    }

    @Test
    void aCompleteAnswerIsPublished() {
        assertEquals(MESSAGES, new PartialAnswers().admit("m", answer()));
    }

    @Test
    void anAnswerWithWarningsIsRefusedWithThemAsAPartialResponse() {
        BadPrometheusResponseException refused = assertThrows(
                BadPrometheusResponseException.class,
                () -> new PartialAnswers().admit("m", answer("store A unreachable", "ingester B timed out")));
        assertEquals("partial_response", refused.reason());
        assertTrue(refused.getMessage().contains("store A unreachable; ingester B timed out"), refused.getMessage());
    }

    @Test
    void acceptedWarningsArePublishedAndCounted() {
        PublisherMetrics metrics = new PublisherMetrics();
        PartialAnswers answers = new PartialAnswers();
        answers.setAcceptWarnings(true);
        answers.setMetrics(metrics);

        assertEquals(MESSAGES, answers.admit("m", answer("store A unreachable")));
        assertEquals(
                1.0,
                metrics.registry()
                        .get("publisher.query.warnings.accepted")
                        .tag("metric", "m")
                        .counter()
                        .count());
        assertTrue(metrics.registry() instanceof SimpleMeterRegistry);
    }
}
