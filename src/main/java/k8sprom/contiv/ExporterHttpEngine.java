package k8sprom.contiv;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * The platform-http engine of the exporter's /metrics route, bound to the exporter's server port.
 *
 * <p>The stock engine finds its server by type, which fails as soon as the management server (health and the
 * publisher's metrics, on its own port) runs next to the exporter's server: it then falls back to port 8080 and the
 * route cannot start. This engine names the port instead.
 */
public class ExporterHttpEngine extends VertxPlatformHttpEngine {

    @Override
    public int getServerPort() {
        return Integer.parseInt(getCamelContext().resolvePropertyPlaceholders("{{camel.server.port}}"));
    }
}
