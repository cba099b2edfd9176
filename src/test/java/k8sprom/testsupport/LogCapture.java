package k8sprom.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Records what is logged (by default the exporter's loggers under k8sprom.contiv), so tests can check that bad input
 * is explained in the log, that no stack trace is printed for it, and that no secret is ever written.
 */
public final class LogCapture implements AutoCloseable {

    /** One log line: level, message, and whether a stack trace came with it. */
    public record Line(Level level, String message, boolean withStackTrace) {}

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    private LogCapture(String loggerPrefix) {
        appender = new AbstractAppender("contiv-test-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLoggerName().startsWith(loggerPrefix)) {
                    lines.add(new Line(
                            event.getLevel(), event.getMessage().getFormattedMessage(), event.getThrown() != null));
                }
            }
        };
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    /** The exporter's log lines. */
    public static LogCapture start() {
        return new LogCapture("k8sprom.contiv");
    }

    /** Every logger's lines, Camel's and Kafka's included. */
    public static LogCapture everything() {
        return new LogCapture("");
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    public void clear() {
        lines.clear();
    }

    /** The first line containing every fragment, waiting up to the timeout for it to appear. */
    public Line await(Duration timeout, String... fragments) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            for (Line line : lines) {
                if (containsAll(line.message(), fragments)) {
                    return line;
                }
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no log line containing " + List.of(fragments) + " in " + lines);
    }

    public boolean anyStackTrace() {
        return lines.stream().anyMatch(Line::withStackTrace);
    }

    private static boolean containsAll(String message, String... fragments) {
        for (String fragment : fragments) {
            if (!message.contains(fragment)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
