package k8sprom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists exactly the environment variables the application reads. */
class ConfigurationDocTest {

    @Test
    void theConfigurationTableListsEveryVariableTheApplicationReadsAndNoOther() throws IOException {
        Set<String> read = new TreeSet<>();
        collect(Files.readString(Path.of("application.properties")), "\\{\\{env:([A-Z0-9_]+)", read);
        collect(
                Files.readString(Path.of("src/main/java/k8sprom/Application.java")),
                "getenv\\(\\)\\.getOrDefault\\(\"([A-Z0-9_]+)\"|getenv\\(\"([A-Z0-9_]+)\"\\)",
                read);
        Set<String> documented = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("docs/configuration.md"))) {
            Matcher row = Pattern.compile("^\\| `([A-Z0-9_]+)` \\|").matcher(line);
            if (row.find()) {
                documented.add(row.group(1));
            }
        }
        assertFalse(read.isEmpty());
        assertEquals(read, documented, "docs/configuration.md against application.properties and Application");
    }

    private static void collect(String text, String regex, Set<String> into) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        while (matcher.find()) {
            for (int group = 1; group <= matcher.groupCount(); group++) {
                if (matcher.group(group) != null) {
                    into.add(matcher.group(group));
                }
            }
        }
    }
}
