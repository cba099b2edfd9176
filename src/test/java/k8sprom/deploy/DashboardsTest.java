package k8sprom.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The monitoring-mixin conventions of the dashboards: a datasource variable every panel uses, job and instance
 * variables from label_values, stable uids, $__rate_interval in every range function, no job name written out.
 * Whether the queries return data is PanelDataIT's job.
 */
class DashboardsTest {

    private static final Pattern RANGE = Pattern.compile("\\b(rate|irate|increase)\\([^\\[]*\\[([^\\]]+)\\]");

    @Test
    void eachDashboardHasAStableUidAndTheDatasourceJobAndInstanceVariables() {
        List<JsonNode> dashboards = Dashboards.all();
        assertEquals(2, dashboards.size());
        Set<String> uids = new HashSet<>();
        for (JsonNode dashboard : dashboards) {
            String uid = dashboard.path("uid").asText();
            assertTrue(uid.matches("[a-z0-9-]{1,40}"), "uid " + uid);
            assertTrue(uids.add(uid), "duplicate uid " + uid);
            assertTrue(
                    dashboard.path("id").isMissingNode() || dashboard.path("id").isNull(), uid + " has an id");
            JsonNode variables = dashboard.path("templating").path("list");
            assertEquals("datasource", variables.get(0).path("type").asText(), uid);
            assertEquals("prometheus", variables.get(0).path("query").asText(), uid);
            for (String name : List.of("job", "instance")) {
                JsonNode variable = find(variables, name);
                assertTrue(variable.path("definition").asText().startsWith("label_values("), uid + " $" + name);
                assertEquals(
                        "${datasource}", variable.path("datasource").path("uid").asText(), uid + " $" + name);
            }
        }
    }

    @Test
    void everyPanelQueriesTheChosenDatasourceAndJob() {
        for (JsonNode dashboard : Dashboards.all()) {
            for (JsonNode panel : dashboard.path("panels")) {
                String where = dashboard.path("uid").asText() + " / "
                        + panel.path("title").asText();
                assertEquals(
                        "${datasource}", panel.path("datasource").path("uid").asText(), where);
                assertFalse(panel.path("targets").isEmpty(), where);
                for (JsonNode target : panel.path("targets")) {
                    assertEquals(
                            "${datasource}",
                            target.path("datasource").path("uid").asText(),
                            where);
                }
            }
        }
        for (Dashboards.Query query : Dashboards.queries()) {
            assertFalse(query.expr().matches("(?s).*\\bjob\\s*=\\s*\".*"), "job name written out: " + query);
            // kube-state-metrics' series carry its own job; every other selector is narrowed to $job
            for (String selector : query.expr().split("(?=\\{)")) {
                if (selector.startsWith("{") && !selector.startsWith("{condition=")) {
                    assertTrue(selector.startsWith("{job=~\"$job\""), "not narrowed to $job: " + query);
                }
            }
        }
    }

    @Test
    void rangeFunctionsUseTheRateInterval() {
        int ranges = 0;
        for (Dashboards.Query query : Dashboards.queries()) {
            Matcher m = RANGE.matcher(query.expr());
            while (m.find()) {
                ranges++;
                assertEquals("$__rate_interval", m.group(2), query.toString());
            }
        }
        assertTrue(ranges > 10, "found only " + ranges + " range functions");
    }

    private static JsonNode find(JsonNode variables, String name) {
        for (JsonNode variable : variables) {
            if (variable.path("name").asText().equals(name)) {
                return variable;
            }
        }
        throw new AssertionError("no variable " + name);
    }
}
