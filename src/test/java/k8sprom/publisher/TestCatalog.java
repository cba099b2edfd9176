package k8sprom.publisher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A metric catalog for a test: the shipped query template and default function, with the test's own entries. */
final class TestCatalog {

    private TestCatalog() {
    }

    /** Writes {@code dir/metrics.yaml}; each entry is one YAML list item, e.g. "{name: m, type: gauge, unit: x}". */
    static Path write(Path dir, String... entries) {
        try {
            String shipped = Files.readString(Path.of("routes/metrics.yaml"));
            StringBuilder catalog = new StringBuilder(shipped.substring(0, shipped.indexOf("\nmetrics:") + 1))
                    .append("metrics:\n");
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
