package k8sprom.contiv;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records what the exporter logs (loggers under k8sprom.contiv), so tests can check that bad input is explained in
 * the log and that no stack trace is printed for it.
 */
final class LogCapture implements AutoCloseable {

    /** One log line: level, message, and whether a stack trace came with it. */
    record Line(Level level, String message, boolean withStackTrace) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    private LogCapture() {
        appender = new AbstractAppender("contiv-test-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLoggerName().startsWith("k8sprom.contiv")) {
                    lines.add(new Line(event.getLevel(), event.getMessage().getFormattedMessage(),
                            event.getThrown() != null));
                }
            }
        };
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    static LogCapture start() {
        return new LogCapture();
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    void clear() {
        lines.clear();
    }

    /** The first line containing every fragment, waiting up to the timeout for it to appear. */
    Line await(Duration timeout, String... fragments) throws InterruptedException {
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

    boolean anyStackTrace() {
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
