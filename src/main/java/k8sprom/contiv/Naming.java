package k8sprom.contiv;

import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.util.Locale;

/**
 * The two metric namings. DEFAULT follows Prometheus conventions; COMPATIBLE repeats the original Ruby exporter's
 * metric and label names so that existing dashboards keep working.
 */
public enum Naming {
    DEFAULT(
            "container_name",
            "endpoint_group",
            "contiv_tenants",
            "contiv_networks",
            "contiv_endpoint_groups",
            "contiv_policies",
            "contiv_netprofiles"),
    COMPATIBLE(
            "containerName",
            "endpointGroup",
            "count_of_tenants",
            "count_of_networks",
            "count_of_endpointGroups",
            "count_of_policies",
            "count_of_netprofiles");

    // Labels spelled the same way in both namings.
    public static final String TENANT = "tenant";
    public static final String NETWORK = "network";
    public static final String HOST = "host";
    public static final String INTERFACE = "interface";

    private final String containerLabel;
    private final String endpointGroupLabel;
    private final String tenantsMetric;
    private final String networksMetric;
    private final String endpointGroupsMetric;
    private final String policiesMetric;
    private final String netprofilesMetric;

    Naming(
            String containerLabel,
            String endpointGroupLabel,
            String tenantsMetric,
            String networksMetric,
            String endpointGroupsMetric,
            String policiesMetric,
            String netprofilesMetric) {
        this.containerLabel = containerLabel;
        this.endpointGroupLabel = endpointGroupLabel;
        this.tenantsMetric = tenantsMetric;
        this.networksMetric = networksMetric;
        this.endpointGroupsMetric = endpointGroupsMetric;
        this.policiesMetric = policiesMetric;
        this.netprofilesMetric = netprofilesMetric;
    }

    public static Naming parse(String value) {
        if (value == null || value.isBlank() || value.equalsIgnoreCase("default")) {
            return DEFAULT;
        }
        if (value.equalsIgnoreCase("compatible")) {
            return COMPATIBLE;
        }
        throw new IllegalArgumentException("EXPORTER_NAMING must be default or compatible; got '" + value + "'");
    }

    /**
     * The metric family for one OVS statistic, given its key as the container sees it (rx_bytes = bytes the container
     * received). DEFAULT names are counters, to which client_java appends _total.
     */
    public String statisticMetric(String containerKey) {
        if (this == COMPATIBLE) {
            return validMetricName(containerKey);
        }
        String name = containerKey;
        if (name.startsWith("rx_")) {
            name = "receive_" + name.substring(3);
        } else if (name.startsWith("tx_")) {
            name = "transmit_" + name.substring(3);
        }
        return validMetricName("contiv_endpoint_" + name.toLowerCase(Locale.ROOT));
    }

    // Datapaths may add statistics with any spelling; keep them, in a form every exposition format accepts.
    private static String validMetricName(String name) {
        String safe = name.replaceAll("[^a-zA-Z0-9_]", "_");
        if (safe.isEmpty() || Character.isDigit(safe.charAt(0))) {
            safe = "_" + safe;
        }
        return PrometheusNaming.sanitizeMetricName(safe);
    }

    public String containerLabel() {
        return containerLabel;
    }

    public String endpointGroupLabel() {
        return endpointGroupLabel;
    }

    public String tenantsMetric() {
        return tenantsMetric;
    }

    public String networksMetric() {
        return networksMetric;
    }

    public String endpointGroupsMetric() {
        return endpointGroupsMetric;
    }

    public String policiesMetric() {
        return policiesMetric;
    }

    public String netprofilesMetric() {
        return netprofilesMetric;
    }
}
