package k8sprom.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import k8sprom.contiv.NetmasterSimulator;
import k8sprom.contiv.OvsFixture;
import k8sprom.testsupport.EtcdServer;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.KafkaBroker;
import k8sprom.testsupport.OvsdbServer;
import k8sprom.testsupport.PrometheusServer;
import k8sprom.testsupport.SharedEtcd;
import k8sprom.testsupport.SharedKafka;
import k8sprom.testsupport.SharedOvsdb;
import k8sprom.testsupport.SyntheticCluster;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboards and alerting rules against the real thing: the application (publisher and netplugin exporter in one
 * process, the shipped application.properties and routes/) reads a real Prometheus scraping a synthetic cluster,
 * writes to a real Kafka broker, and exports OVS statistics of a real ovsdb-server labelled through a real etcd and
 * the simulated Netmaster. The same Prometheus scrapes the application with the scrape configuration the
 * prometheus-operator derives from the chart's rendered ServiceMonitors (job, namespace, service, pod, container and
 * endpoint labels), and kube-state-metrics' pod readiness. Then every dashboard query, its variables resolved
 * through Prometheus' label API, and every rule expression is evaluated.
 */
@ExtendWith({SharedOvsdb.class, SharedEtcd.class, SharedKafka.class})
class PanelDataIT {

    /**
     * What Grafana gives $__rate_interval here: max(4 x scrape interval, step + scrape interval), with the 1 s scrape
     * interval of this test and a step of a few seconds.
     */
    private static final String RATE_INTERVAL = "10s";

    private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * Panels allowed to be empty because the application does not expose their metrics: none since the replicas work
     * (publisher_shards_owned, publisher_shards, publisher_rebalances_total, publisher_fencings_total,
     * publisher_shard_position_age_seconds), whose panels must return data like the others.
     */
    static final Set<String> QUERIES_NEEDING_REPLICA_METRICS = Set.of();

    /**
     * Panels of error counters, which exist from the first error on: empty in this healthy run, and checked to be.
     */
    static final Set<String> QUERIES_EMPTY_WHEN_HEALTHY = Set.of(
            "k8sprom-publisher / Query errors per second, by reason", "k8sprom-publisher / Kafka errors per second");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POD = Chart.RELEASE + "-k8s-prometheus-publisher-5d8f7b9c4-x2k7q";

    @TempDir
    static Path work;

    static OvsdbServer ovs;
    static EtcdServer etcd;
    static NetmasterSimulator netmaster;
    static KafkaBroker kafka;
    static SyntheticCluster cluster;
    static KubeStateReadiness kubeState;
    static PrometheusServer prometheus;
    static Main app;
    static int managementPort;
    static int exporterPort;
    static Chart.Rendered chart;
    /** job label (the Service's name, as the operator sets it) of each rendered ServiceMonitor, by component. */
    static Map<String, String> jobs = new LinkedHashMap<>();

    @BeforeAll
    static void startEverything(OvsdbServer sharedOvs, EtcdServer sharedEtcd, KafkaBroker sharedKafka)
            throws Exception {
        ovs = sharedOvs;
        OvsFixture.populate(ovs);
        etcd = sharedEtcd;
        netmaster = NetmasterSimulator.start();
        etcd.put("contiv.io/lock/netmaster/leader", netmaster.hostPort());
        kafka = sharedKafka;
        cluster = SyntheticCluster.start(4, SyntheticCluster.LabelStyle.MODERN);
        managementPort = FreePort.find();
        exporterPort = FreePort.find();

        chart = Chart.render(Chart.DIR.resolve("ci/monitoring-values.yaml"));
        Deployment publisher = chart.one(Deployment.class, Chart.RELEASE + "-k8s-prometheus-publisher");
        String readinessPath = publisher
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getReadinessProbe()
                .getHttpGet()
                .getPath();
        kubeState = KubeStateReadiness.start(
                URI.create("http://127.0.0.1:" + managementPort + readinessPath), Chart.NAMESPACE, POD);
        prometheus = PrometheusServer.startWithConfig(work.resolve("prometheus"), scrapeConfig(), 4);

        app = new Main(k8sprom.Application.class);
        app.setPropertyPlaceholderLocations("file:application.properties");
        app.configure().withRoutesIncludePattern(k8sprom.Application.ROUTES);
        Properties settings = new Properties();
        settings.put("camel.management.port", String.valueOf(managementPort));
        settings.put("prometheus.url", prometheus.baseUrl());
        settings.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        // a topic of its own on the shared broker (the default one is PublisherIT's)
        settings.put("kafka.topic", "panels.kubernetes");
        settings.put("publisher.cycle-seconds", "2");
        settings.put("publisher.step", "2s");
        settings.put("publisher.settle-delay", "2s");
        settings.put("publisher.rate-range", "10s");
        settings.put("contiv.mode", "netplugin");
        settings.put("contiv.netplugin-port", String.valueOf(exporterPort));
        settings.put("contiv.etcd", "etcd://" + etcd.clientUrl().substring("http://".length()));
        settings.put("contiv.ovsdb", ovs.tcpTarget());
        app.setOverrideProperties(settings);
        app.start();
    }

    @AfterAll
    static void stopEverything() {
        for (AutoCloseable closeable :
                new AutoCloseable[] {() -> app.stop(), prometheus, kubeState, cluster, netmaster}) {
            try {
                closeable.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }
    }

    /**
     * prometheus.yml equivalent to what the prometheus-operator generates for the rendered ServiceMonitors: one job
     * per monitor endpoint, the pod's address as instance, the Service's name as job, and the namespace, service,
     * pod, container and endpoint labels; plus the synthetic cluster and kube-state-metrics.
     */
    private static String scrapeConfig() {
        StringBuilder yaml = new StringBuilder(PrometheusServer.scrapeConfig(SCRAPE_INTERVAL, cluster.target()));
        yaml.append("  - job_name: kube-state-metrics\n    honor_labels: true\n    static_configs:\n")
                .append("      - targets: ['")
                .append(kubeState.target())
                .append("']\n");
        List<ServiceMonitor> monitors = chart.all(ServiceMonitor.class);
        assertEquals(2, monitors.size(), "publisher and netplugin exporter monitors");
        for (ServiceMonitor monitor : monitors) {
            Service service = chart.all(Service.class).stream()
                    .filter(s -> s.getMetadata()
                            .getLabels()
                            .entrySet()
                            .containsAll(monitor.getSpec()
                                    .getSelector()
                                    .getMatchLabels()
                                    .entrySet()))
                    .findFirst()
                    .orElseThrow();
            String component = service.getMetadata().getLabels().get("app.kubernetes.io/component");
            jobs.put(component, service.getMetadata().getName());
            int i = 0;
            for (Endpoint endpoint : monitor.getSpec().getEndpoints()) {
                int port = switch (component + "/" + endpoint.getPort()) {
                    case "publisher/management" -> managementPort;
                    case "exporter-netplugin/metrics" -> exporterPort;
                    default -> throw new AssertionError("no local port for " + component + "/" + endpoint.getPort());
                };
                String container = component.equals("publisher") ? "publisher" : "exporter";
                yaml.append("  - job_name: serviceMonitor/")
                        .append(Chart.NAMESPACE)
                        .append('/')
                        .append(monitor.getMetadata().getName())
                        .append('/')
                        .append(i++)
                        .append('\n')
                        .append("    metrics_path: ")
                        .append(endpoint.getPath())
                        .append('\n')
                        .append("    static_configs:\n")
                        .append("      - targets: ['127.0.0.1:")
                        .append(port)
                        .append("']\n")
                        .append("        labels: {namespace: ")
                        .append(Chart.NAMESPACE)
                        .append(", service: ")
                        .append(service.getMetadata().getName())
                        .append(", pod: ")
                        .append(POD)
                        .append(", container: ")
                        .append(container)
                        .append(", endpoint: ")
                        .append(endpoint.getPort())
                        .append("}\n")
                        .append("    relabel_configs:\n")
                        .append("      - {target_label: job, replacement: ")
                        .append(service.getMetadata().getName())
                        .append("}\n");
            }
        }
        return yaml.toString();
    }

    @Test
    void everyDashboardQueryReturnsDataExceptTheDocumentedFew() {
        Map<String, Map<String, String>> variables = resolveVariables();
        List<Dashboards.Query> queries = Dashboards.queries();
        assertTrue(queries.size() > 20, "only " + queries.size() + " queries");

        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<String> empty = new ArrayList<>();
            for (Dashboards.Query query : queries) {
                String key = query.dashboard() + " / " + query.panel();
                int series = evaluate(query.expr(), variables.get(query.dashboard()))
                        .path("result")
                        .size();
                if (series == 0
                        && !QUERIES_NEEDING_REPLICA_METRICS.contains(key)
                        && !QUERIES_EMPTY_WHEN_HEALTHY.contains(key)) {
                    empty.add(query.toString());
                }
                if (series > 0 && QUERIES_EMPTY_WHEN_HEALTHY.contains(key)) {
                    throw new AssertionError("errors in a healthy run: " + query);
                }
            }
            assertEquals(List.of(), empty, "queries without data");
        });
    }

    @Test
    void variablesResolveToWhatTheRenderedMonitorsScrape() {
        Map<String, Map<String, String>> variables = resolveVariables();

        Map<String, String> publisher = variables.get("k8sprom-publisher");
        assertEquals(regex(List.of(jobs.get("publisher"))), publisher.get("job"));
        assertEquals(regex(List.of("127.0.0.1:" + managementPort)), publisher.get("instance"));
        Map<String, String> contiv = variables.get("k8sprom-contiv");
        assertEquals(regex(List.of(jobs.get("exporter-netplugin"))), contiv.get("job"));
        assertEquals(regex(List.of("127.0.0.1:" + exporterPort)), contiv.get("instance"));
        // the tenants and networks of the Netmaster fixture that have endpoints on this node
        assertEquals(regex(List.of("blue", "default")), contiv.get("tenant"));
        assertEquals(regex(List.of("blue-net", "web-net")), contiv.get("network"));
    }

    @Test
    void everyRuleExpressionEvaluatesAndStaysQuietInAHealthySystem() throws Exception {
        awaitPublishing();
        List<JsonNode> rules = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("monitoring/rules"))) {
            for (Path file : files.toList()) {
                for (JsonNode group : new YAMLMapper().readTree(file.toFile()).path("groups")) {
                    group.path("rules").forEach(rules::add);
                }
            }
        }
        assertEquals(8, rules.size());
        Set<String> exposed = new TreeSet<>(labelValues("__name__", null));
        Set<String> allowedMissing = metricNames(Dashboards.queries().stream()
                .filter(q -> QUERIES_NEEDING_REPLICA_METRICS.contains(q.dashboard() + " / " + q.panel())
                        || QUERIES_EMPTY_WHEN_HEALTHY.contains(q.dashboard() + " / " + q.panel()))
                .map(Dashboards.Query::expr)
                .collect(Collectors.joining(" ")));
        Set<String> checked = new TreeSet<>();
        for (JsonNode rule : rules) {
            String expr = rule.path("expr").asText();
            JsonNode result = prometheus.query(expr);
            assertEquals(0, result.path("result").size(), rule.path("alert").asText() + " fires: " + result);
            // quiet, but not because it reads a metric that does not exist
            for (String metric : metricNames(expr)) {
                checked.add(metric);
                assertTrue(
                        exposed.contains(metric) || allowedMissing.contains(metric),
                        rule.path("alert").asText() + " reads " + metric + ", which nothing exposes");
            }
        }
        assertEquals(10, checked.size(), checked.toString());
        // and the publisher pod is ready as kube-state-metrics reports it, so PublisherNotReady's join is exercised
        assertEquals(
                1,
                prometheus.queryValue("kube_pod_status_ready{condition=\"true\",pod=\"" + POD + "\"} "
                        + "and on (namespace, pod) publisher_last_successful_cycle_timestamp_seconds"));
    }

    /** The metric names of this application and of kube-state-metrics in a PromQL expression. */
    private static Set<String> metricNames(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(?:publisher|contiv|kube)_[a-z0-9_]+").matcher(promql);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    @Test
    void everyRenderedMonitorsTargetIsUp() {
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String job : jobs.values()) {
                assertEquals(
                        1,
                        prometheus.queryValue("up{job=\"" + job + "\", namespace=\"" + Chart.NAMESPACE + "\"}"),
                        job);
            }
        });
    }

    @Test
    void probesOfTheRenderedChartAnswerOnTheApplication() {
        Deployment publisher = chart.one(Deployment.class, Chart.RELEASE + "-k8s-prometheus-publisher");
        Container container =
                publisher.getSpec().getTemplate().getSpec().getContainers().get(0);
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String path : List.of(
                    container.getStartupProbe().getHttpGet().getPath(),
                    container.getLivenessProbe().getHttpGet().getPath(),
                    container.getReadinessProbe().getHttpGet().getPath())) {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), path + " " + response.body());
            }
        });
    }

    private static void awaitPublishing() {
        await().atMost(WAIT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> prometheus
                                .query(
                                        "publisher_last_successful_cycle_timestamp_seconds > 0 and on (pod) kube_pod_status_ready{condition=\"true\"} == 1")
                                .path("result")
                                .size()
                        == 1);
    }

    /** Each dashboard's query variables in order, resolved as Grafana does: label_values through the label API. */
    private static Map<String, Map<String, String>> resolveVariables() {
        Map<String, Map<String, String>> byDashboard = new LinkedHashMap<>();
        Pattern labelValues = Pattern.compile("label_values\\((?:(.*),\\s*)?(\\w+)\\)");
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            byDashboard.clear();
            for (Dashboards.Variable variable : Dashboards.queryVariables()) {
                Map<String, String> resolved =
                        byDashboard.computeIfAbsent(variable.dashboard(), d -> new LinkedHashMap<>());
                Matcher m = labelValues.matcher(variable.definition());
                assertTrue(m.matches(), variable.definition());
                String selector = m.group(1) == null ? null : substitute(m.group(1), resolved);
                List<String> values = labelValues(m.group(2), selector);
                assertFalse(values.isEmpty(), variable + " has no values");
                resolved.put(variable.name(), regex(values));
            }
        });
        return byDashboard;
    }

    private static JsonNode evaluate(String expr, Map<String, String> variables) {
        return prometheus.query(substitute(expr, variables));
    }

    private static String substitute(String expr, Map<String, String> variables) {
        String result = expr.replace("$__rate_interval", RATE_INTERVAL);
        List<String> names = variables.keySet().stream()
                .sorted(Comparator.comparing(String::length).reversed())
                .toList();
        for (String name : names) {
            result = result.replace("$" + name, variables.get(name));
        }
        assertFalse(result.contains("$"), "unresolved variable in " + result);
        return result;
    }

    /** A multi-value variable with every value selected, as Grafana writes it into a =~ matcher. */
    private static String regex(List<String> values) {
        return values.stream()
                .sorted()
                .map(v -> v.replaceAll("[.*+?^${}()|\\[\\]\\\\]", "\\\\\\\\$0"))
                .collect(Collectors.joining("|", "(", ")"));
    }

    private static List<String> labelValues(String label, String selector) throws IOException, InterruptedException {
        String uri = prometheus.baseUrl() + "/api/v1/label/" + label + "/values"
                + (selector == null ? "" : "?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(response.body());
        assertEquals("success", json.path("status").asText(), uri + " " + response.body());
        Set<String> values = new TreeSet<>();
        json.path("data").forEach(v -> values.add(v.asText()));
        return List.copyOf(values);
    }
}
