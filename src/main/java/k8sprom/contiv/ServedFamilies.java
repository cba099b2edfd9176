package k8sprom.contiv;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metric families built from one state of the sources, and their renderings: each format (and its gzip) is
 * written the first time a scrape asks for it and then served as the same bytes until the sources change. Scrapes
 * asking for a variant that is being written wait for that writing instead of starting another.
 */
final class ServedFamilies {

    /** What the families were built from: a change to either means building again. */
    record Inputs(NetmasterMetadata metadata, long replicaVersion) {
    }

    record Variant(String contentType, boolean gzip) {
    }

    private final Inputs inputs;
    private final MetricSnapshots families;
    private final ExpositionRenderer renderer;
    private final Map<Variant, Exposition> rendered = new ConcurrentHashMap<>();

    ServedFamilies(Inputs inputs, MetricSnapshots families, ExpositionRenderer renderer) {
        this.inputs = inputs;
        this.families = families;
        this.renderer = renderer;
    }

    Inputs inputs() {
        return inputs;
    }

    MetricSnapshots families() {
        return families;
    }

    Exposition render(ExpositionFormatWriter writer, boolean gzip) {
        Variant variant = new Variant(writer.getContentType(), gzip);
        Exposition done = rendered.get(variant);
        if (done != null) {
            return done;
        }
        // The gzip variant compresses the plain one, so a format is written once however many encodings are asked.
        Exposition plain = gzip ? render(writer, false) : null;
        return rendered.computeIfAbsent(variant, v -> {
            try {
                return gzip ? renderer.gzip(plain) : renderer.render(families, writer, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
