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

    /**
     * Where the routes are read from unless camel.main.routes-include-pattern says otherwise. It is a default here
     * rather than a line of application.properties because under Camel JBang that line would replace the files given
     * to {@code camel run}, Java beans included, and those would then not be compiled.
     */
    public static final String ROUTES = "file:routes/*.camel.yaml";

    private Application() {}

    public static void main(String[] args) throws Exception {
        // DEBUG=1 is how the Python service this replaces was switched to debug logging.
        String debug = System.getenv("DEBUG");
        if (debug != null && (debug.equals("1") || debug.equalsIgnoreCase("true"))) {
            Configurator.setLevel("k8sprom", Level.DEBUG);
        }
        String properties = System.getenv().getOrDefault("APPLICATION_PROPERTIES", "application.properties");
        Main main = new Main(Application.class);
        main.setPropertyPlaceholderLocations("file:" + properties);
        main.configure().withRoutesIncludePattern(ROUTES);
        main.run(args);
    }
}
