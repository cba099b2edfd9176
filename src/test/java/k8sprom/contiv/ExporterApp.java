package k8sprom.contiv;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import k8sprom.testsupport.FreePort;
import org.apache.camel.main.Main;

/**
 * The application as it runs in production (Camel Main, application.properties and routes/ from the file system),
 * limited to the exporter's route file and started in the test's JVM with settings given as property overrides.
 */
final class ExporterApp implements AutoCloseable {

    private final Main main;
    private final int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ExporterApp(Main main, int port) {
        this.main = main;
        this.port = port;
    }

    /**
     * Starts the app with the given contiv.* (or camel.*) properties; the server port is a free one unless a
     * setting names it.
     */
    static ExporterApp start(Map<String, String> settings) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        int port = FreePort.find();
        properties.put("contiv.netplugin-port", String.valueOf(port));
        properties.put("contiv.netmaster-port", String.valueOf(port));
        properties.put("camel.main.routes-include-pattern", "file:routes/contiv-exporter.camel.yaml");
        // the management server's fixed default port would collide with other test JVMs on this machine
        properties.put("camel.management.port", String.valueOf(FreePort.find()));
        properties.putAll(settings);
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:application.properties");
        properties.forEach(main::addOverrideProperty);
        main.start();
        return new ExporterApp(main, port);
    }

    int port() {
        return port;
    }

    URI metricsUri() {
        return URI.create("http://127.0.0.1:" + port + "/metrics");
    }

    HttpResponse<String> scrape() throws IOException, InterruptedException {
        return scrape(null);
    }

    /** GET /metrics with the given Accept header (none when null). */
    HttpResponse<String> scrape(String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(metricsUri()).timeout(Duration.ofSeconds(15));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    ContivExporter exporter() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("contivExporter", ContivExporter.class);
    }

    @Override
    public void close() {
        main.stop();
    }
}
