package k8sprom;

import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Starts Camel Main with the routes under routes/ and the settings in application.properties, both read from the
 * file system so that users (and ConfigMaps) can change them without rebuilding. The same files run under Camel
 * JBang.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        // DEBUG=1 is how the Python service this replaces was switched to debug logging.
        String debug = System.getenv("DEBUG");
        if (debug != null && (debug.equals("1") || debug.equalsIgnoreCase("true"))) {
            Configurator.setLevel("k8sprom", Level.DEBUG);
        }
        String properties = System.getenv().getOrDefault("APPLICATION_PROPERTIES", "application.properties");
        Main main = new Main(Application.class);
        main.setPropertyPlaceholderLocations("file:" + properties);
        main.run(args);
    }
}
