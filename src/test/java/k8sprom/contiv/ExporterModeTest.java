package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileReader;
import java.io.IOException;
import java.io.Reader;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ExporterModeTest {

    @Test
    void emptyOrMissingModeTurnsTheExporterOff() {
        assertFalse(ExporterMode.parse("").enabled());
        assertFalse(ExporterMode.parse(null).enabled());
    }

    @Test
    void singleModesSelectOneExporter() {
        assertEquals(new ExporterMode(true, false), ExporterMode.parse("netplugin"));
        assertEquals(new ExporterMode(false, true), ExporterMode.parse("netmaster"));
    }

    @Test
    void combinedModeWorksInEitherOrder() {
        assertEquals(new ExporterMode(true, true), ExporterMode.parse("netplugin,netmaster"));
        assertEquals(new ExporterMode(true, true), ExporterMode.parse("netmaster,netplugin"));
        assertTrue(ExporterMode.parse("netmaster,netplugin").enabled());
    }

    @Test
    void unknownModeIsRefusedWithTheValidOnes() {
        IllegalArgumentException failure =
                assertThrows(IllegalArgumentException.class, () -> ExporterMode.parse("netplugin, netmaster"));

        assertEquals(
                "EXPORTER_MODE must be empty (exporter off), netplugin, netmaster or netplugin,netmaster;"
                        + " got 'netplugin, netmaster'",
                failure.getMessage());
    }

    @Test
    void applicationPropertiesEnablesAServerForExactlyTheModesTheBeanAccepts() throws IOException {
        Properties properties = new Properties();
        try (Reader file = new FileReader("application.properties")) {
            properties.load(file);
        }
        Set<String> enabled = new TreeSet<>();
        Set<String> withPort = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("contiv.enabled-for.")
                    && properties.getProperty(key).equals("true")) {
                enabled.add(key.substring("contiv.enabled-for.".length()));
            }
            if (key.startsWith("contiv.port-for.")) {
                withPort.add(key.substring("contiv.port-for.".length()));
            }
        }
        Set<String> accepted = new TreeSet<>();
        ExporterMode.BY_NAME.forEach((name, mode) -> {
            if (mode.enabled()) {
                accepted.add(name);
            }
        });
        assertEquals(accepted, enabled);
        assertEquals(accepted, withPort);
        assertEquals("false", properties.getProperty("contiv.enabled-for."), "an empty mode starts no server");
    }
}
