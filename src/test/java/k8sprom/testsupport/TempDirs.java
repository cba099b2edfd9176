package k8sprom.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of the directories that run-wide fixtures create outside JUnit's @TempDir. */
final class TempDirs {

    private TempDirs() {}

    /** Deletes dir and everything in it; a failure is reported, not thrown, so that closing goes on. */
    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e);
        }
    }
}
