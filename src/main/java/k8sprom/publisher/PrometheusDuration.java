package k8sprom.publisher;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a step the way Prometheus does: a plain number of seconds ("20", "0.5") or a duration such as "20s",
 * "1m30s", "500ms". PROMETHEUS_POLLING_STEP has always been passed straight to Prometheus, so both forms occur.
 */
public final class PrometheusDuration {

    private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");

    private PrometheusDuration() {}

    public static Duration parse(String text) {
        String value = text == null ? "" : text.strip();
        if (SECONDS.matcher(value).matches()) {
            return Duration.ofMillis(
                    new java.math.BigDecimal(value).movePointRight(3).longValueExact());
        }
        Matcher part = PART.matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(
                    switch (part.group(2)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        case "d" -> Duration.ofDays(amount);
                        case "w" -> Duration.ofDays(7 * amount);
                        default -> Duration.ofDays(365 * amount);
                    });
            end = part.end();
        }
        if (end == 0 || end != value.length() || total.isZero()) {
            throw new IllegalArgumentException("not a Prometheus duration: '" + text + "' (examples: 20, 20s, 1m30s)");
        }
        return total;
    }
}
