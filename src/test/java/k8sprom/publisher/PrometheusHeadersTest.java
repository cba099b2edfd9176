package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusHeadersTest {

    @Test
    void tenantValuesAndFilesBecomeHeadersAndFilesAreReadAtEveryQuery(@TempDir Path dir) throws IOException {
        Path token = dir.resolve("token");
        Files.writeString(token, "first+token==\n");
        PrometheusHeaders headers = new PrometheusHeaders();
        headers.setTenant("team-a");
        headers.setHeaders("X-Gateway=edge%2C1, X-Plus=a+b");
        headers.setHeaderFiles("X-Token=" + token);

        assertEquals(
                Map.of("X-Scope-OrgID", "team-a", "X-Gateway", "edge,1", "X-Plus", "a+b", "X-Token", "first+token=="),
                headers.current());
        Files.writeString(token, "rotated");
        assertEquals("rotated", headers.current().get("X-Token"));
    }

    @Test
    void nothingIsSentWhenNothingIsSet() {
        PrometheusHeaders headers = new PrometheusHeaders();
        headers.setTenant("");
        headers.setHeaders("");
        headers.setHeaderFiles(" ");
        assertTrue(headers.current().isEmpty());
    }

    @Test
    void badSettingsAreRefusedNamingTheSettingAndHeaderButNeverTheValue(@TempDir Path dir) {
        assertRefused(
                () -> new PrometheusHeaders().setHeaders("X-A=secret-1,Broken"),
                "PROMETHEUS_HEADERS: expected Name=value pairs",
                "secret-1");
        assertRefused(
                () -> new PrometheusHeaders().setHeaders("Bad Name=secret-2"),
                "PROMETHEUS_HEADERS: 'Bad Name' is not a valid header name",
                "secret-2");
        assertRefused(
                () -> new PrometheusHeaders().setHeaders("Authorization=Bearer secret-3"),
                "PROMETHEUS_HEADERS: header Authorization is set by the publisher itself",
                "secret-3");
        assertRefused(
                () -> new PrometheusHeaders().setHeaders("X-A=secret-4%0Ainjected: 1"),
                "PROMETHEUS_HEADERS: the value of header X-A is empty or holds a line break",
                "secret-4");
        assertRefused(
                () -> new PrometheusHeaders().setHeaderFiles("X-T=" + dir.resolve("missing")),
                "PROMETHEUS_HEADER_FILES: the file of header X-T cannot be read",
                "\0");
        PrometheusHeaders twice = new PrometheusHeaders();
        twice.setTenant("secret-5");
        assertRefused(
                () -> twice.setHeaders("x-scope-orgid=secret-6"),
                "PROMETHEUS_HEADERS: header x-scope-orgid is given twice",
                "secret-6");
    }

    private static void assertRefused(Runnable setting, String message, String secret) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, setting::run);
        assertTrue(error.getMessage().startsWith(message), error.getMessage());
        assertFalse(error.getMessage().contains(secret), "the value is not echoed: " + error.getMessage());
    }
}
