package k8sprom.publisher;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * One point of a Prometheus series: its timestamp and the value text exactly as Prometheus wrote it.
 */
public record Sample(Instant timestamp, String value) {

    private static final DateTimeFormatter MICROS_UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** Prometheus timestamps are decimal seconds ("1550052872.897"); BigDecimal keeps the millis exact. */
    public static Instant instantOf(BigDecimal epochSeconds) {
        BigDecimal nanos = epochSeconds.movePointRight(9);
        long totalNanos = nanos.longValue();
        return Instant.ofEpochSecond(
                Math.floorDiv(totalNanos, 1_000_000_000L), Math.floorMod(totalNanos, 1_000_000_000L));
    }

    /** Formatted timestamps of this thread: the series of a window share their few step timestamps. */
    private static final ThreadLocal<Map<Instant, String>> FORMATTED = ThreadLocal.withInitial(HashMap::new);

    /** The message timestamp format of the original service: UTC, six fractional digits, Z. */
    public static String format(Instant timestamp) {
        Map<Instant, String> formatted = FORMATTED.get();
        String text = formatted.get(timestamp);
        if (text == null) {
            if (formatted.size() >= 4096) {
                formatted.clear();
            }
            text = MICROS_UTC.format(timestamp);
            formatted.put(timestamp, text);
        }
        return text;
    }

    public double number() {
        return Double.parseDouble(value);
    }
}
