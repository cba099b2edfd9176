package k8sprom;

import org.apache.camel.main.Main;

/**
 * Starts Camel Main. Routes, beans and settings live in routes/ and application.properties,
 * so the same files also run under Camel JBang.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(Application.class);
        main.run(args);
    }
}
