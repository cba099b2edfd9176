// Camel JBang compiles this package from source; these are the libraries it then needs (Camel Main has them in the pom).
//DEPS io.prometheus:prometheus-metrics-core:1.3.10
//DEPS io.prometheus:prometheus-metrics-exposition-formats:1.3.10
package k8sprom.contiv;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Writes metric families with client_java's writers in the format the scraper's Accept header asks for: OpenMetrics,
 * protobuf, or the classic text format 0.0.4 when nothing else matches.
 */
public class ExpositionRenderer {

    private final ExpositionFormats formats = ExpositionFormats.init();

    public Exposition render(MetricSnapshots families, String accept) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writer.write(body, families);
        return new Exposition(writer.getContentType(), body.toByteArray());
    }
}
