package k8sprom.contiv;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric families built from one state of the sources, and their renderings: each format (and its gzip) is
 * written the first time a scrape asks for it and then served as the same bytes until the sources change. Scrapes
 * asking for a variant that is being written wait for that writing instead of starting another. The text formats are
 * assembled from the statistics table's lines when there are some ({@link LineExposition}); everything else, and
 * anything the lines cannot reproduce exactly, is written by client_java from the full families.
 */
final class ServedFamilies {

    private static final Logger LOG = LoggerFactory.getLogger(ServedFamilies.class);
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    /** What the families were built from: a change to either means building again. */
    record Inputs(NetmasterMetadata metadata, long replicaVersion) {}

    record Variant(String contentType, boolean gzip) {}

    private final Inputs inputs;
    private final Supplier<MetricSnapshots> build;
    private final LineExposition lines;
    private final ExpositionRenderer renderer;
    private final Executor helper;
    private final Map<Variant, Exposition> rendered = new ConcurrentHashMap<>();
    private volatile MetricSnapshots families;
    private volatile boolean superseded;

    /** Families client_java writes whole. */
    ServedFamilies(Inputs inputs, MetricSnapshots families, ExpositionRenderer renderer) {
        this(inputs, () -> families, null, renderer, Runnable::run);
        this.families = families;
    }

    /**
     * Families whose text formats are assembled from lines (given up when {@link #supersede}d);
     * build makes the full families, only when a format or a filter needs them. helper compresses half of a gzip
     * answer while the caller does the other half. Rendering may throw {@link LineExposition.Superseded}.
     */
    ServedFamilies(
            Inputs inputs,
            Supplier<MetricSnapshots> build,
            LineExposition lines,
            ExpositionRenderer renderer,
            Executor helper) {
        this.inputs = inputs;
        this.build = build;
        this.lines = lines;
        this.renderer = renderer;
        this.helper = helper;
    }

    /** A newer state is served now: renderings of this one still running are given up. */
    void supersede() {
        superseded = true;
    }

    boolean superseded() {
        return superseded;
    }

    Inputs inputs() {
        return inputs;
    }

    MetricSnapshots families() {
        MetricSnapshots built = families;
        if (built == null) {
            synchronized (this) {
                if (families == null) {
                    families = build.get();
                }
                built = families;
            }
        }
        return built;
    }

    Exposition render(ExpositionFormatWriter writer, boolean gzip) {
        Variant variant = new Variant(writer.getContentType(), gzip);
        Exposition done = rendered.get(variant);
        if (done != null) {
            return done;
        }
        if (lines != null && LineExposition.writes(writer)) {
            return rendered.computeIfAbsent(variant, v -> fromLines(writer, gzip));
        }
        // The gzip variant compresses the plain one, so a format is written once however many encodings are asked.
        Exposition plain = gzip ? render(writer, false) : null;
        return rendered.computeIfAbsent(variant, v -> {
            try {
                return gzip ? renderer.gzip(plain) : renderer.render(families(), writer, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private Exposition fromLines(ExpositionFormatWriter writer, boolean gzip) {
        try {
            Exposition assembled =
                    gzip ? lines.gzip(writer, helper, this::superseded) : lines.plain(writer, this::superseded);
            if (assembled != null) {
                return assembled;
            }
            if (FALLBACK_LOGGED.compareAndSet(false, true)) {
                LOG.warn(
                        "The {} answer is written by client_java in full, not from the statistics' lines: a"
                                + " statistic is named like one of the exporter's own families, or client_java writes a line"
                                + " differently (logged once)",
                        writer.getContentType());
            }
            Exposition full = renderer.render(families(), writer, false);
            return gzip ? renderer.gzip(full) : full;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
