package k8sprom.contiv;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real `promtool check metrics` on an exposition and returns what it printed (nothing when it is happy).
 */
final class Promtool {

    private Promtool() {
    }

    static String checkMetrics(String exposition) throws IOException, InterruptedException {
        Process promtool = new ProcessBuilder("/usr/bin/promtool", "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!promtool.waitFor(30, TimeUnit.SECONDS)) {
            promtool.destroyForcibly();
            throw new IOException("promtool did not finish");
        }
        return output + (promtool.exitValue() == 0 ? "" : "(exit " + promtool.exitValue() + ")");
    }
}
