package k8sprom.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import k8sprom.testsupport.PrometheusServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * monitoring/rules through Prometheus' own promtool: the files are valid rules, and the unit tests of
 * monitoring/tests (synthetic series, expected alerts with their rendered annotations) pass.
 */
class PrometheusRulesTest {

    private static final Path RULES = Path.of("monitoring/rules");
    private static final Path TESTS = Path.of("monitoring/tests");

    @Test
    void promtoolAcceptsTheRuleFiles() throws Exception {
        List<String> command =
                new ArrayList<>(List.of(PrometheusServer.promtool().toString(), "check", "rules"));
        command.addAll(files(RULES));

        Result result = run(command);

        assertEquals(0, result.exitCode(), result.output());
        assertFalse(result.output().contains("WARNING"), result.output());
    }

    @Test
    void promtoolUnitTestsOfTheRulesPass() throws Exception {
        List<String> command =
                new ArrayList<>(List.of(PrometheusServer.promtool().toString(), "test", "rules"));
        command.addAll(files(TESTS));

        Result result = run(command);

        assertEquals(0, result.exitCode(), result.output());
    }

    @Test
    void promtoolUnitTestsCanFail(@TempDir Path dir) throws Exception {
        // the same test with the firing alert's severity changed must fail: the unit tests compare labels
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Path tests = Files.createDirectories(dir.resolve("tests"));
        for (String file : files(RULES)) {
            Files.copy(Path.of(file), rules.resolve(Path.of(file).getFileName()));
        }
        Path test = tests.resolve("contiv-exporter_test.yaml");
        Files.writeString(
                test,
                Files.readString(TESTS.resolve("contiv-exporter_test.yaml"))
                        .replace("exp_labels: {severity: warning", "exp_labels: {severity: critical"));

        Result result = run(List.of(PrometheusServer.promtool().toString(), "test", "rules", test.toString()));

        assertEquals(1, result.exitCode(), result.output());
    }

    /** Every alert has a severity, a summary, a description, a runbook section, and a unit test. */
    @Test
    void everyAlertIsDescribedDocumentedAndTested() throws Exception {
        String docs = Files.readString(Path.of("docs/kubernetes.md"));
        StringBuilder tests = new StringBuilder();
        for (String file : files(TESTS)) {
            tests.append(Files.readString(Path.of(file)));
        }
        Set<String> alerts = new HashSet<>();
        for (String file : files(RULES)) {
            for (JsonNode group :
                    new YAMLMapper().readTree(Path.of(file).toFile()).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    String alert = rule.path("alert").asText();
                    alerts.add(alert);
                    assertTrue(
                            Set.of("critical", "warning", "info")
                                    .contains(
                                            rule.path("labels").path("severity").asText()),
                            alert + " severity");
                    assertFalse(
                            rule.path("annotations").path("summary").asText().isBlank(), alert + " summary");
                    assertFalse(
                            rule.path("annotations")
                                    .path("description")
                                    .asText()
                                    .isBlank(),
                            alert);
                    assertTrue(docs.contains("### " + alert), alert + " has no runbook in docs/kubernetes.md");
                    assertTrue(tests.indexOf("alertname: " + alert + "\n") >= 0, alert + " has no promtool test");
                }
            }
        }
        assertEquals(8, alerts.size(), alerts.toString());
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml"))
                    .sorted()
                    .map(Path::toString)
                    .toList();
        }
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool did not finish: " + command);
        }
        return new Result(process.exitValue(), output);
    }
}
