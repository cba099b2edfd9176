package k8sprom.contiv;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> ExporterMode.parse("netplugin, netmaster"));

        assertEquals("EXPORTER_MODE must be empty (exporter off), netplugin, netmaster or netplugin,netmaster;"
                + " got 'netplugin, netmaster'", failure.getMessage());
    }
}
