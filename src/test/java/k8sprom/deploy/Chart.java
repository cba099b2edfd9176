package k8sprom.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Helm chart of deploy/helm, linted and rendered by Helm's own code (helm-java runs Helm's Go library in-process,
 * no helm binary), and the rendered manifests read into fabric8's model types.
 */
final class Chart {

    static final Path DIR = Path.of("deploy/helm/k8s-prometheus-publisher");
    static final String RELEASE = "pub";
    static final String NAMESPACE = "monitoring";
    /** A Kubernetes version within the chart's kubeVersion; Helm's default (1.20) is older. */
    static final String KUBE_VERSION = "1.31.0";

    private static final ObjectMapper YAML = new YAMLMapper();
    /** Strict reading: fabric8 keeps unknown fields in additionalProperties, checked after reading. */
    private static final ObjectMapper MODEL = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/DaemonSet", DaemonSet.class,
            "v1/Service", Service.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
            "monitoring.coreos.com/v1/PodMonitor", PodMonitor.class,
            "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class);

    private Chart() {}

    /** The values files the chart is checked with: null (the defaults) and every ci/*-values.yaml. */
    static List<Path> valuesVariants() {
        List<Path> variants = new ArrayList<>();
        variants.add(null);
        try (Stream<Path> files = Files.list(DIR.resolve("ci"))) {
            files.filter(f -> f.getFileName().toString().endsWith("-values.yaml"))
                    .sorted()
                    .forEach(variants::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return variants;
    }

    static LintResult lint() {
        return new Helm(DIR).lint().strict().call();
    }

    /** helm template with the values file (null: the defaults) and extra --set values. */
    static String template(Path values, Map<String, Object> set) {
        TemplateCommand command = new Helm(DIR)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        if (values != null) {
            command = command.withValuesFile(values);
        }
        for (Map.Entry<String, Object> entry : set.entrySet()) {
            command = command.set(entry.getKey(), entry.getValue());
        }
        return command.call();
    }

    static Rendered render(Path values) {
        return parse(template(values, Map.of()));
    }

    /** Every document of the rendered output as its fabric8 type; fails on an unknown kind or an unknown field. */
    static Rendered parse(String manifests) {
        List<HasMetadata> objects = new ArrayList<>();
        try {
            for (JsonNode document :
                    YAML
                            .readerFor(JsonNode.class)
                            .readValues(new YAMLFactory().createParser(manifests))
                            .readAll()
                            .stream()
                            .map(JsonNode.class::cast)
                            .toList()) {
                if (document == null || document.isNull() || document.isEmpty()) {
                    continue;
                }
                String key = document.path("apiVersion").asText() + "/"
                        + document.path("kind").asText();
                Class<? extends HasMetadata> type = KINDS.get(key);
                if (type == null) {
                    throw new AssertionError("the chart renders a kind this test does not know: " + key);
                }
                HasMetadata object = MODEL.treeToValue(document, type);
                List<String> unknown = new ArrayList<>();
                collectUnknownFields(
                        object, key + " " + object.getMetadata().getName(), unknown, new IdentityHashMap<>());
                if (!unknown.isEmpty()) {
                    throw new AssertionError("unknown fields (not in the Kubernetes API): " + unknown);
                }
                objects.add(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Rendered(objects);
    }

    /** fabric8 keeps fields it does not know in additionalProperties maps: every one must be empty. */
    private static void collectUnknownFields(
            Object value, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> type = value.getClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                Object fieldValue;
                try {
                    fieldValue = field.get(value);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                if (field.getName().equals("additionalProperties")) {
                    if (fieldValue instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": " + extra.keySet());
                    }
                } else {
                    collectUnknownFields(fieldValue, path + "." + field.getName(), unknown, seen);
                }
            }
        }
    }

    /** A values file as a tree (empty for the defaults), to know what the test should expect from it. */
    static JsonNode values(Path values) {
        try {
            return values == null ? YAML.createObjectNode() : YAML.readTree(values.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of one rendering. */
    record Rendered(List<HasMetadata> objects) {

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type, String name) {
            return all(type).stream()
                    .filter(o -> o.getMetadata().getName().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " rendered"));
        }

        Set<String> names(Class<? extends HasMetadata> type) {
            return Set.copyOf(
                    all(type).stream().map(o -> o.getMetadata().getName()).toList());
        }
    }
}
