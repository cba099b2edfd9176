package k8sprom.contiv;

import java.util.Map;

/**
 * Which Contiv exporters run in this process, from EXPORTER_MODE.
 */
public record ExporterMode(boolean netplugin, boolean netmaster) {

    public static final ExporterMode OFF = new ExporterMode(false, false);

    // The server's switch and port come from lookup tables in application.properties (camel.server.* takes plain
    // values, and Camel JBang runs the same file); ExporterModeTest fails when those tables and this map disagree.
    static final Map<String, ExporterMode> BY_NAME = Map.of(
            "", OFF,
            "netplugin", new ExporterMode(true, false),
            "netmaster", new ExporterMode(false, true),
            "netplugin,netmaster", new ExporterMode(true, true),
            "netmaster,netplugin", new ExporterMode(true, true));

    public static ExporterMode parse(String value) {
        ExporterMode mode = BY_NAME.get(value == null ? "" : value);
        if (mode == null) {
            throw new IllegalArgumentException("EXPORTER_MODE must be empty (exporter off), netplugin, netmaster"
                    + " or netplugin,netmaster; got '" + value + "'");
        }
        return mode;
    }

    public boolean enabled() {
        return netplugin || netmaster;
    }

    @Override
    public String toString() {
        if (netplugin && netmaster) {
            return "netplugin,netmaster";
        }
        return netplugin ? "netplugin" : netmaster ? "netmaster" : "off";
    }
}
