package k8sprom.contiv;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The samples of a text-format exposition, keyed by series exactly as written (name{labels}, labels sorted by
 * client_java), so tests can compare series and values precisely.
 */
final class Exposed {

    private final Map<String, Double> samples = new LinkedHashMap<>();

    private Exposed(String exposition) {
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int split = line.lastIndexOf(' ');
            samples.put(line.substring(0, split), Double.parseDouble(line.substring(split + 1)));
        }
    }

    static Exposed parse(String exposition) {
        return new Exposed(exposition);
    }

    OptionalDouble value(String series) {
        Double value = samples.get(series);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /** The value of a series that must be there. */
    double get(String series) {
        Double value = samples.get(series);
        if (value == null) {
            throw new AssertionError("no series " + series + " in " + samples.keySet());
        }
        return value;
    }

    boolean anySeriesContains(String fragment) {
        return samples.keySet().stream().anyMatch(series -> series.contains(fragment));
    }

    Map<String, Double> samples() {
        return samples;
    }
}
