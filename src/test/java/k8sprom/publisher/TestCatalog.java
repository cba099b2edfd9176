package k8sprom.publisher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A metric catalog for a test: the shipped query template and default function, with the test's own entries. */
final class TestCatalog {

    private TestCatalog() {}

    /** Copies the shipped catalog, all 26 entries, to {@code dir/metrics.yaml}. */
    static Path shipped(Path dir) {
        try {
            return Files.copy(Path.of("routes/metrics.yaml"), dir.resolve("metrics.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One entry of the shipped catalog as a one-line entry for {@link #write}: its PromQL rendered for the default
     * namespace and the given rate range, as a whole query, with the entry's type, unit and value format.
     */
    static String shippedEntry(String name, String rateRange) {
        MetricCatalog catalog = new MetricCatalog();
        catalog.setFile("routes/metrics.yaml");
        catalog.setRateRange(rateRange);
        MetricCatalog.RenderedMetric metric = catalog.metrics().stream()
                .filter(m -> m.definition().name().equals(name))
                .findFirst()
                .orElseThrow();
        MetricDefinition definition = metric.definition();
        return "{name: " + name + ", type: " + definition.type() + ", unit: '" + definition.unit() + "', value: "
                + definition.value().name().toLowerCase() + ", query: '"
                + metric.promql().replace("'", "''") + "'}";
    }

    /** Writes {@code dir/metrics.yaml}; each entry is one YAML list item, e.g. "{name: m, type: gauge, unit: x}". */
    static Path write(Path dir, String... entries) {
        try {
            String shipped = Files.readString(Path.of("routes/metrics.yaml"));
            StringBuilder catalog =
                    new StringBuilder(shipped.substring(0, shipped.indexOf("\nmetrics:") + 1)).append("metrics:\n");
            for (String entry : entries) {
                catalog.append("  - ").append(entry).append('\n');
            }
            Path file = dir.resolve("metrics.yaml");
            Files.writeString(file, catalog);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
