// Camel JBang compiles this package from source; these are the libraries it then needs (Camel Main has them in the
// pom). The formatter must leave the directives as they are.
// spotless:off
//DEPS io.prometheus:prometheus-metrics-core:1.3.10
//DEPS io.prometheus:prometheus-metrics-exposition-formats:1.3.10
// spotless:on
package k8sprom.contiv;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes metric families with client_java's writers in the format the scraper's Accept header asks for: OpenMetrics,
 * protobuf, or the classic text format 0.0.4 when nothing else matches; gzipped when asked.
 */
public class ExpositionRenderer {

    private final ExpositionFormats formats = ExpositionFormats.init();
    // The previous answer's size: the next one is about as large, so its buffer starts there instead of growing to it
    // by doubling (each step a copy of everything written so far).
    private final AtomicInteger lastSize = new AtomicInteger(8192);

    public Exposition render(MetricSnapshots families, String accept) throws IOException {
        return render(families, writerFor(accept), false);
    }

    ExpositionFormatWriter writerFor(String accept) {
        return formats.findWriter(accept);
    }

    Exposition render(MetricSnapshots families, ExpositionFormatWriter writer, boolean gzip) throws IOException {
        Body body = new Body(lastSize.get() + lastSize.get() / 8);
        writer.write(body, families);
        lastSize.set(body.size());
        Exposition plain = new Exposition(writer.getContentType(), null, body.array(), body.size());
        return gzip ? gzip(plain) : plain;
    }

    /** The same answer gzipped. */
    Exposition gzip(Exposition plain) throws IOException {
        Body body = new Body(Math.max(8192, plain.length() / 8));
        // The fastest level: a 5,000-endpoint exposition shrinks about 15-fold anyway, and scrapes wait for it.
        try (OutputStream zipped = new GZIPOutputStream(body, 65536) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            zipped.write(plain.buffer(), 0, plain.length());
        }
        return new Exposition(plain.contentType(), "gzip", body.array(), body.size());
    }

    // Hands out its array as it is, without the copy toByteArray() makes.
    private static final class Body extends ByteArrayOutputStream {
        Body(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }
}
