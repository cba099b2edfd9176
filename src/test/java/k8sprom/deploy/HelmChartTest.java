package k8sprom.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PodMetricsEndpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import k8sprom.publisher.MetricCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart, linted strictly and rendered by Helm's own code for the default values and every ci/*-values.yaml,
 * every object read into fabric8's Kubernetes and prometheus-operator types, then checked against the policy of
 * docs/kubernetes.md and against the application itself (application.properties, Dockerfile, routes/, monitoring/).
 */
class HelmChartTest {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final String FULLNAME = Chart.RELEASE + "-k8s-prometheus-publisher";
    private static final String SA_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    /**
     * Native memory of the JVM beyond the heap, from docs/benchmark.md: peak RSS 296 MB with -Xmx128m at 10,000 pods
     * (without MALLOC_ARENA_MAX; 270 MB with it), so up to 168 MB of metaspace, code cache, threads and buffers.
     */
    private static final long JVM_NATIVE_BYTES = 168L * 1024 * 1024;

    static List<Path> variants() {
        return Chart.valuesVariants();
    }

    /** A workload's pod template, whatever its kind. */
    record Workload(String kind, String name, LabelSelector selector, PodTemplateSpec template) {
        PodSpec spec() {
            return template.getSpec();
        }
    }

    private static List<Workload> workloads(Chart.Rendered rendered) {
        List<Workload> workloads = new ArrayList<>();
        rendered.all(Deployment.class)
                .forEach(d -> workloads.add(new Workload(
                        "Deployment",
                        d.getMetadata().getName(),
                        d.getSpec().getSelector(),
                        d.getSpec().getTemplate())));
        rendered.all(DaemonSet.class)
                .forEach(d -> workloads.add(new Workload(
                        "DaemonSet",
                        d.getMetadata().getName(),
                        d.getSpec().getSelector(),
                        d.getSpec().getTemplate())));
        return workloads;
    }

    @Test
    void passesHelmsStrictLint() {
        LintResult result = Chart.lint();

        assertFalse(result.isFailed(), result.getMessages().toString());
        assertTrue(
                result.getMessages().stream().noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]")),
                result.getMessages().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void rendersOnlyKnownKindsAndFields(Path values) {
        Chart.Rendered rendered = Chart.render(values);

        assertFalse(workloads(rendered).isEmpty(), "no workload rendered");
        rendered.objects()
                .forEach(o -> assertNotNull(
                        o.getMetadata().getLabels().get("app.kubernetes.io/name"),
                        o.getKind() + " " + o.getMetadata().getName() + " lacks the app.kubernetes.io labels"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyContainerIsHardened(Path values) {
        assertHardened(Chart.render(values));
    }

    @Test
    void hardeningCheckCatchesAWritableRootFileSystem() {
        Chart.Rendered writable =
                Chart.parse(Chart.template(null, Map.of("securityContext.readOnlyRootFilesystem", false)));
        AssertionError error = assertThrows(AssertionError.class, () -> assertHardened(writable));
        assertTrue(error.getMessage().contains("readOnlyRootFilesystem"), error.getMessage());
    }

    @Test
    void memoryCheckCatchesALimitBelowTheHeap() {
        Chart.Rendered small = Chart.parse(
                Chart.template(null, Map.of("resources.limits.memory", "256Mi", "resources.requests.memory", "256Mi")));
        AssertionError error = assertThrows(AssertionError.class, () -> assertMemoryHoldsTheJvm(small));
        assertTrue(error.getMessage().contains(": limit 268435456 < heap"), error.getMessage());
    }

    @Test
    void strictReadingRejectsAFieldKubernetesDoesNotHave() {
        AssertionError error = assertThrows(
                AssertionError.class,
                () -> Chart.parse(
                        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{name: a, port: 1, targetPortt: a}]}\n"));
        assertTrue(error.getMessage().contains("targetPortt"), error.getMessage());
    }

    private static void assertHardened(Chart.Rendered rendered) {
        for (Workload workload : workloads(rendered)) {
            PodSecurityContext pod = workload.spec().getSecurityContext();
            assertEquals(Boolean.TRUE, pod.getRunAsNonRoot(), workload.name());
            // the image's user is a name; the kubelet can only verify a numeric, non-zero one
            assertTrue(pod.getRunAsUser() != null && pod.getRunAsUser() > 0, workload.name() + " runAsUser");
            assertEquals("RuntimeDefault", pod.getSeccompProfile().getType(), workload.name());
            for (Container container : workload.spec().getContainers()) {
                String where = workload.name() + "/" + container.getName();
                SecurityContext security = container.getSecurityContext();
                assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation(), where);
                assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem(), where + " readOnlyRootFilesystem");
                assertNotEquals(Boolean.TRUE, security.getPrivileged(), where);
                assertEquals(List.of("ALL"), security.getCapabilities().getDrop(), where);
                assertTrue(
                        security.getCapabilities().getAdd() == null
                                || security.getCapabilities().getAdd().isEmpty(),
                        where);
                // the JVM and Vert.x write under /tmp: a writable emptyDir there
                String tmpVolume = container.getVolumeMounts().stream()
                        .filter(m -> m.getMountPath().equals("/tmp"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(where + " has no /tmp"))
                        .getName();
                assertNotNull(volume(workload, tmpVolume).getEmptyDir(), where + " /tmp is not an emptyDir");
            }
            assertTrue(
                    !Boolean.TRUE.equals(workload.spec().getHostNetwork())
                            || workload.kind().equals("DaemonSet"),
                    "only the netplugin exporter uses the host network: " + workload.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void mountsAServiceAccountTokenOnlyForPrometheusBearerAuth(Path values) {
        for (Workload workload : workloads(Chart.render(values))) {
            boolean usesToken = workload.spec().getContainers().stream()
                    .anyMatch(c -> SA_TOKEN.equals(env(c).get("PROMETHEUS_BEARER_TOKEN_FILE")));
            assertEquals(usesToken, workload.spec().getAutomountServiceAccountToken(), workload.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void selectorsMatchTheLabelsTheySelect(Path values) {
        Chart.Rendered rendered = Chart.render(values);
        List<Workload> workloads = workloads(rendered);
        for (Workload workload : workloads) {
            assertTrue(
                    matches(
                            workload.selector(),
                            workload.template().getMetadata().getLabels()),
                    workload.name() + " selects no pod of its own template");
        }
        for (Service service : rendered.all(Service.class)) {
            Workload selected = selectedWorkload(workloads, service.getSpec().getSelector(), service);
            Set<String> containerPorts = containerPorts(selected).keySet();
            for (ServicePort port : service.getSpec().getPorts()) {
                assertTrue(
                        containerPorts.contains(port.getTargetPort().getStrVal()),
                        service.getMetadata().getName() + " targets a port its pods lack: " + port.getTargetPort());
            }
        }
        for (PodDisruptionBudget budget : rendered.all(PodDisruptionBudget.class)) {
            assertTrue(
                    workloads.stream()
                            .anyMatch(w -> matches(
                                    budget.getSpec().getSelector(),
                                    w.template().getMetadata().getLabels())),
                    "the PodDisruptionBudget protects no pod");
        }
        for (ServiceMonitor monitor : rendered.all(ServiceMonitor.class)) {
            List<Service> services = rendered.all(Service.class).stream()
                    .filter(s -> matches(
                            monitor.getSpec().getSelector(), s.getMetadata().getLabels()))
                    .toList();
            assertEquals(1, services.size(), monitor.getMetadata().getName() + " selects " + services.size());
            Set<String> portNames = services.get(0).getSpec().getPorts().stream()
                    .map(ServicePort::getName)
                    .collect(Collectors.toSet());
            monitor.getSpec()
                    .getEndpoints()
                    .forEach(e -> assertTrue(
                            portNames.contains(e.getPort()),
                            monitor.getMetadata().getName() + " scrapes a port its Service lacks: " + e.getPort()));
            assertEquals(
                    List.of(Chart.NAMESPACE),
                    monitor.getSpec().getNamespaceSelector().getMatchNames());
        }
        for (PodMonitor monitor : rendered.all(PodMonitor.class)) {
            List<Workload> selected = workloads.stream()
                    .filter(w -> matches(
                            monitor.getSpec().getSelector(),
                            w.template().getMetadata().getLabels()))
                    .toList();
            assertEquals(1, selected.size(), monitor.getMetadata().getName() + " selects " + selected.size());
            for (PodMetricsEndpoint endpoint : monitor.getSpec().getPodMetricsEndpoints()) {
                assertTrue(
                        containerPorts(selected.get(0)).containsKey(endpoint.getPort()),
                        monitor.getMetadata().getName() + " scrapes a port its pods lack: " + endpoint.getPort());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void portsProbesAndMetricsPathsAreTheApplications(Path values) throws IOException {
        Chart.Rendered rendered = Chart.render(values);
        Map<String, String> defaults = applicationEnvDefaults();
        for (Workload workload : workloads(rendered)) {
            Container container = workload.spec().getContainers().get(0);
            Map<String, String> env = env(container);
            Map<String, Integer> ports = containerPorts(workload);
            String managementPort = env.getOrDefault("MANAGEMENT_PORT", defaults.get("MANAGEMENT_PORT"));
            assertEquals(Integer.valueOf(managementPort), ports.get("management"), workload.name());
            assertProbe(container.getLivenessProbe(), "/observe/health/live", workload.name());
            String mode = env.getOrDefault("EXPORTER_MODE", "");
            // exporter-only processes too: with the publisher disabled its check reports UP (JarLaunchIT)
            assertProbe(container.getReadinessProbe(), "/observe/health/ready", workload.name());
            if (mode.equals("netplugin")) {
                assertEquals(
                        Integer.valueOf(
                                env.getOrDefault("EXPORTER_NETPLUGIN_PORT", defaults.get("EXPORTER_NETPLUGIN_PORT"))),
                        ports.get("metrics"));
            } else if (mode.equals("netmaster")) {
                assertEquals(
                        Integer.valueOf(
                                env.getOrDefault("EXPORTER_NETMASTER_PORT", defaults.get("EXPORTER_NETMASTER_PORT"))),
                        ports.get("metrics"));
            } else {
                assertEquals("true", env.get("PUBLISHER_ENABLED"), workload.name() + " runs neither");
                assertEquals(Set.of("management"), ports.keySet());
            }
        }
        for (ServiceMonitor monitor : rendered.all(ServiceMonitor.class)) {
            String expected = monitor.getMetadata().getName().endsWith("-publisher") ? "/observe/metrics" : "/metrics";
            monitor.getSpec().getEndpoints().forEach(e -> assertEquals(expected, e.getPath()));
        }
        for (PodMonitor monitor : rendered.all(PodMonitor.class)) {
            String expected = monitor.getMetadata().getName().endsWith("-publisher") ? "/observe/metrics" : "/metrics";
            monitor.getSpec().getPodMetricsEndpoints().forEach(e -> assertEquals(expected, e.getPath()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void setsOnlyVariablesTheApplicationReads(Path values) throws IOException {
        Set<String> known = new HashSet<>(applicationEnvDefaults().keySet());
        known.addAll(dockerfileEnv().keySet());
        for (Workload workload : workloads(Chart.render(values))) {
            for (Container container : workload.spec().getContainers()) {
                Set<String> unknown = new TreeMap<>(env(container))
                        .keySet().stream().filter(name -> !known.contains(name)).collect(Collectors.toSet());
                assertEquals(Set.of(), unknown, workload.name() + " sets variables nothing reads");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyReferencedConfigMapAndSecretIsRenderedOrDeclaredExisting(Path values) {
        Chart.Rendered rendered = Chart.render(values);
        JsonNode given = Chart.values(values);
        Set<String> existing = new HashSet<>();
        Optional.ofNullable(given.path("existingSecret").textValue()).ifPresent(existing::add);
        Optional.ofNullable(given.path("routes").path("existingConfigMap").textValue())
                .ifPresent(existing::add);
        for (JsonNode volume : given.path("extraVolumes")) {
            Optional.ofNullable(volume.path("secret").path("secretName").textValue())
                    .ifPresent(existing::add);
            Optional.ofNullable(volume.path("configMap").path("name").textValue())
                    .ifPresent(existing::add);
        }
        Set<String> configMaps = rendered.names(ConfigMap.class);
        Set<String> secrets = rendered.names(Secret.class);
        for (Workload workload : workloads(rendered)) {
            for (Volume volume : workload.spec().getVolumes()) {
                if (volume.getConfigMap() != null) {
                    assertReferenced(volume.getConfigMap().getName(), configMaps, existing, workload);
                }
                if (volume.getSecret() != null) {
                    assertReferenced(volume.getSecret().getSecretName(), secrets, existing, workload);
                }
            }
            for (Container container : workload.spec().getContainers()) {
                container.getEnvFrom().forEach(from -> {
                    if (from.getSecretRef() != null) {
                        assertReferenced(from.getSecretRef().getName(), secrets, existing, workload);
                    }
                    if (from.getConfigMapRef() != null) {
                        assertReferenced(from.getConfigMapRef().getName(), configMaps, existing, workload);
                    }
                });
                for (EnvVar var : container.getEnv()) {
                    assertTrue(var.getValueFrom() == null, "values come from the Secret as a whole: " + var);
                }
            }
        }
        Set<String> serviceAccounts = rendered.names(io.fabric8.kubernetes.api.model.ServiceAccount.class);
        workloads(rendered)
                .forEach(w -> assertTrue(
                        serviceAccounts.contains(w.spec().getServiceAccountName()),
                        w.name() + " runs as a ServiceAccount the chart does not create"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void memoryLimitHoldsTheJvmItConfigures(Path values) throws IOException {
        assertMemoryHoldsTheJvm(Chart.render(values));
    }

    private static void assertMemoryHoldsTheJvm(Chart.Rendered rendered) throws IOException {
        String imageJavaOpts = dockerfileEnv().get("JAVA_OPTS");
        for (Workload workload : workloads(rendered)) {
            for (Container container : workload.spec().getContainers()) {
                String where = workload.name() + "/" + container.getName();
                String javaOpts = env(container).getOrDefault("JAVA_OPTS", imageJavaOpts);
                long heap = jvmSize(javaOpts, "-Xmx");
                long limit = bytes(container.getResources().getLimits().get("memory"));
                long request = bytes(container.getResources().getRequests().get("memory"));
                assertTrue(
                        limit >= heap + JVM_NATIVE_BYTES,
                        where + ": limit " + limit + " < heap " + heap + " + native " + JVM_NATIVE_BYTES + " ("
                                + javaOpts + ")");
                assertTrue(jvmSize(javaOpts, "-XX:MaxMetaspaceSize=") < JVM_NATIVE_BYTES, where + " metaspace");
                // an out-of-memory kill instead of a slow eviction: request what the limit allows
                assertEquals(limit, request, where + " memory request and limit");
                assertTrue(javaOpts.contains("-XX:+ExitOnOutOfMemoryError"), where + " " + javaOpts);
            }
        }
    }

    @Test
    void defaultsAreTwoReplicasRolledOneAtATimeUnderADisruptionBudget() {
        Chart.Rendered rendered = Chart.render(null);
        Deployment publisher = rendered.one(Deployment.class, FULLNAME);

        assertEquals(2, publisher.getSpec().getReplicas());
        assertEquals("RollingUpdate", publisher.getSpec().getStrategy().getType());
        assertEquals(
                0,
                publisher
                        .getSpec()
                        .getStrategy()
                        .getRollingUpdate()
                        .getMaxUnavailable()
                        .getIntVal());
        PodDisruptionBudget budget = rendered.one(PodDisruptionBudget.class, FULLNAME);
        assertEquals(1, budget.getSpec().getMaxUnavailable().getIntVal());
        assertTrue(matches(
                budget.getSpec().getSelector(),
                publisher.getSpec().getTemplate().getMetadata().getLabels()));
        assertEquals(Set.of(), rendered.names(DaemonSet.class), "the exporter is off by default");
        assertEquals(Set.of(), rendered.names(ServiceMonitor.class), "monitors are off by default");
        assertEquals(Set.of(), rendered.names(Secret.class), "no credentials, no Secret");
    }

    @Test
    void routesConfigMapIsTheShippedRoutesDirectory() throws IOException {
        ConfigMap routes = Chart.render(null).one(ConfigMap.class, FULLNAME + "-routes");

        Map<String, String> shipped = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                shipped.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        assertEquals(shipped, new TreeMap<>(routes.getData()));
        Deployment publisher = Chart.render(null).one(Deployment.class, FULLNAME);
        assertTrue(publisher.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts().stream()
                .anyMatch(m ->
                        m.getMountPath().equals("/app/routes") && m.getName().equals("routes")));
    }

    @Test
    void extraMetricsFromValuesAreAddedToTheCatalogTheApplicationLoads(@TempDir Path dir) throws IOException {
        Path values = Chart.DIR.resolve("ci/credentials-values.yaml");
        ConfigMap routes = Chart.render(values).one(ConfigMap.class, FULLNAME + "-routes");
        Path rendered = dir.resolve("metrics.yaml");
        Files.writeString(rendered, routes.getData().get("metrics.yaml"));
        MetricCatalog shipped = new MetricCatalog();
        shipped.setFile("routes/metrics.yaml");
        MetricCatalog withExtra = new MetricCatalog();
        withExtra.setFile(rendered.toString());

        List<String> expected = new ArrayList<>(
                shipped.metrics().stream().map(m -> m.definition().name()).toList());
        for (JsonNode extra : Chart.values(values).path("publisher").path("extraMetrics")) {
            expected.add(extra.path("name").asText());
        }
        assertEquals(
                expected,
                withExtra.metrics().stream().map(m -> m.definition().name()).toList());
        assertEquals(
                "sum by (label_vim_id) (my_ratio{job=\"x\"})",
                withExtra.metrics().get(expected.size() - 1).promql());
    }

    @Test
    void prometheusRuleAndDashboardsAreTheFilesOfMonitoring() throws IOException {
        Chart.Rendered rendered = Chart.render(Chart.DIR.resolve("ci/monitoring-values.yaml"));

        List<JsonNode> groups = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("monitoring/rules"))) {
            for (Path file : files.sorted().toList()) {
                YAML.readTree(file.toFile()).path("groups").forEach(groups::add);
            }
        }
        PrometheusRule rule = rendered.one(PrometheusRule.class, FULLNAME);
        assertEquals(groups, toList(YAML.valueToTree(rule.getSpec().getGroups())));
        try (Stream<Path> files = Files.list(Path.of("monitoring/dashboards"))) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                ConfigMap map = rendered.one(
                        ConfigMap.class,
                        FULLNAME + "-dashboard-" + name.substring(0, name.length() - ".json".length()));
                assertEquals("1", map.getMetadata().getLabels().get("grafana_dashboard"));
                assertEquals(
                        YAML.readTree(file.toFile()),
                        YAML.readTree(map.getData().get(name)));
            }
        }
    }

    /** Helm cannot read outside the chart: its copies of routes/ and monitoring/ must stay the same files. */
    @Test
    void chartCopiesAreIdenticalToTheRepositoryFiles() throws IOException {
        assertSameFiles(Path.of("routes"), Chart.DIR.resolve("files/routes"), ".yaml");
        assertSameFiles(Path.of("monitoring/rules"), Chart.DIR.resolve("files/rules"), ".yaml");
        assertSameFiles(Path.of("monitoring/dashboards"), Chart.DIR.resolve("files/dashboards"), ".json");
    }

    @Test
    void schemaRejectsAMisspelledValue() {
        RuntimeException error =
                assertThrows(RuntimeException.class, () -> Chart.template(null, Map.of("replicaCont", 3)));
        assertTrue(error.getMessage().contains("replicaCont"), error.getMessage());
    }

    @Test
    void refusesAnExporterWithoutContiv() {
        RuntimeException error = assertThrows(
                RuntimeException.class, () -> Chart.template(null, Map.of("exporter.netmaster.enabled", true)));
        assertTrue(error.getMessage().contains("contiv.etcd or contiv.netmasterUrl"), error.getMessage());
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static void assertSameFiles(Path original, Path copy, String suffix) throws IOException {
        Map<String, String> expected = readAll(original, suffix);
        assertFalse(expected.isEmpty(), "nothing in " + original);
        assertEquals(expected, readAll(copy, suffix), copy + " differs from " + original + ": run scripts/sync-chart");
    }

    private static Map<String, String> readAll(Path dir, String suffix) throws IOException {
        Map<String, String> contents = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(suffix)).toList()) {
                contents.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        return contents;
    }

    private static void assertReferenced(String name, Set<String> rendered, Set<String> existing, Workload workload) {
        assertTrue(
                rendered.contains(name) || existing.contains(name),
                workload.name() + " references " + name + ", neither rendered nor given as existing");
    }

    private static void assertProbe(Probe probe, String path, String where) {
        assertNotNull(probe, where + " has no probe for " + path);
        HTTPGetAction get = probe.getHttpGet();
        assertEquals(path, get.getPath(), where);
        assertEquals("management", get.getPort().getStrVal(), where);
    }

    private static Volume volume(Workload workload, String name) {
        return workload.spec().getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(workload.name() + " mounts a missing volume " + name));
    }

    private static Workload selectedWorkload(List<Workload> workloads, Map<String, String> selector, Service service) {
        List<Workload> selected = workloads.stream()
                .filter(w -> w.template().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .toList();
        assertEquals(
                1, selected.size(), service.getMetadata().getName() + " selects " + selected.size() + " workloads");
        return selected.get(0);
    }

    private static boolean matches(LabelSelector selector, Map<String, String> labels) {
        assertTrue(selector.getMatchExpressions() == null
                || selector.getMatchExpressions().isEmpty());
        return !selector.getMatchLabels().isEmpty()
                && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }

    private static Map<String, Integer> containerPorts(Workload workload) {
        return workload.spec().getContainers().stream()
                .flatMap(c -> c.getPorts().stream())
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    /** Every {{env:NAME:default}} of application.properties, with its default (empty when none). */
    static Map<String, String> applicationEnvDefaults() throws IOException {
        Map<String, String> defaults = new TreeMap<>();
        Matcher m = Pattern.compile("\\{\\{env:([A-Z0-9_]+)(?::([^{}]*))?")
                .matcher(Files.readString(Path.of("application.properties")));
        while (m.find()) {
            defaults.put(m.group(1), Objects.requireNonNullElse(m.group(2), ""));
        }
        return defaults;
    }

    /** The ENV of the Dockerfile's runtime image: NAME=value pairs, quoted values unquoted. */
    static Map<String, String> dockerfileEnv() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile")).replace("\\\n", " ");
        Map<String, String> env = new TreeMap<>();
        for (String line : dockerfile.lines().filter(l -> l.startsWith("ENV ")).toList()) {
            Matcher m = Pattern.compile("([A-Z_]+)=(\"[^\"]*\"|\\S+)").matcher(line);
            while (m.find()) {
                env.put(m.group(1), m.group(2).replace("\"", ""));
            }
        }
        return env;
    }

    /** -Xmx128m, -XX:MaxMetaspaceSize=96m and the like, in bytes. */
    private static long jvmSize(String javaOpts, String option) {
        Matcher m = Pattern.compile(Pattern.quote(option) + "(\\d+)([kKmMgG]?)").matcher(javaOpts);
        assertTrue(m.find(), option + " not in " + javaOpts);
        long number = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "k" -> number * 1024;
            case "m" -> number * 1024 * 1024;
            case "g" -> number * 1024 * 1024 * 1024;
            default -> number;
        };
    }

    private static long bytes(Quantity quantity) {
        assertNotNull(quantity, "no memory quantity");
        BigDecimal amount = Quantity.getAmountInBytes(quantity);
        return amount.longValueExact();
    }
}
