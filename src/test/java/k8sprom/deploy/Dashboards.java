package k8sprom.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The Grafana dashboards of monitoring/dashboards: their variables and the PromQL of every panel. */
final class Dashboards {

    static final Path DIR = Path.of("monitoring/dashboards");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One panel target. */
    record Query(String dashboard, String panel, String expr) {
        @Override
        public String toString() {
            return dashboard + " / " + panel + ": " + expr;
        }
    }

    /** A query variable: its name and its label_values(...) definition. */
    record Variable(String dashboard, String name, String definition) {}

    private Dashboards() {}

    static List<JsonNode> all() {
        try (Stream<Path> files = Files.list(DIR)) {
            List<JsonNode> dashboards = new ArrayList<>();
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                dashboards.add(JSON.readTree(file.toFile()));
            }
            return dashboards;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (JsonNode dashboard : all()) {
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    queries.add(new Query(
                            dashboard.path("uid").asText(),
                            panel.path("title").asText(),
                            target.path("expr").asText()));
                }
            }
        }
        return queries;
    }

    static List<Variable> queryVariables() {
        List<Variable> variables = new ArrayList<>();
        for (JsonNode dashboard : all()) {
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                if (variable.path("type").asText().equals("query")) {
                    variables.add(new Variable(
                            dashboard.path("uid").asText(),
                            variable.path("name").asText(),
                            variable.path("definition").asText()));
                }
            }
        }
        return variables;
    }
}
