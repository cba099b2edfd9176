package k8sprom.publisher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Properties;
import k8sprom.testsupport.FreePort;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The real application (application.properties and routes/ of this repository) started inside the test JVM, with
 * some settings overridden the way a user would with environment variables.
 */
final class PublisherApp implements AutoCloseable {

    private final Main main;
    private final int managementPort = FreePort.find();

    private PublisherApp(Map<String, String> overrides) {
        main = new Main(k8sprom.Application.class);
        main.setPropertyPlaceholderLocations("file:application.properties");
        main.configure().withRoutesIncludePattern(k8sprom.Application.ROUTES);
        Properties properties = new Properties();
        properties.put("camel.management.port", String.valueOf(managementPort));
        properties.put("publisher.first-cycle-delay", "0");
        properties.putAll(overrides);
        main.setOverrideProperties(properties);
    }

    static PublisherApp start(Map<String, String> overrides) {
        PublisherApp app = new PublisherApp(overrides);
        try {
            app.main.start();
        } catch (Exception e) {
            throw new IllegalStateException("the publisher did not start", e);
        }
        return app;
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    /** GET on the management server, e.g. /observe/health/ready; returns status code and body. */
    HttpResponse<String> management(String path) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
