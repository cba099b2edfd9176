package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PrometheusDurationTest {

    @Test
    void plainNumbersAreSeconds() {
        assertEquals(Duration.ofSeconds(20), PrometheusDuration.parse("20"));
        assertEquals(Duration.ofMillis(500), PrometheusDuration.parse("0.5"));
    }

    @Test
    void unitsAndCombinationsAreRead() {
        assertEquals(Duration.ofSeconds(20), PrometheusDuration.parse("20s"));
        assertEquals(Duration.ofSeconds(90), PrometheusDuration.parse("1m30s"));
        assertEquals(Duration.ofMillis(5), PrometheusDuration.parse("5ms"));
        assertEquals(Duration.ofHours(2), PrometheusDuration.parse("2h"));
    }

    @Test
    void anythingElseIsAClearError() {
        for (String bad : new String[] {"", "s", "20x", "20 s", "-5s", "0s", "1m 30s"}) {
            IllegalArgumentException error =
                    assertThrows(IllegalArgumentException.class, () -> PrometheusDuration.parse(bad), bad);
            assertEquals(true, error.getMessage().contains("not a Prometheus duration"));
        }
    }
}
