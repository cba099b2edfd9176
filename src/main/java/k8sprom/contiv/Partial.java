package k8sprom.contiv;

import java.util.List;

/**
 * What could be read from a source, with the problems met on the way; a source with problems reports up = 0 but
 * still contributes what it read.
 */
record Partial<T>(T value, List<String> problems) {

    Partial {
        problems = List.copyOf(problems);
    }
}
