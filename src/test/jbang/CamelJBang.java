import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;

/**
 * What the `camel` command of Camel JBang runs: CamelJBangMain with the command line. CamelJBangRunIT starts it in a
 * JVM of its own, in Java's source-file mode, on the classpath of camel-jbang-core alone (see pom.xml). Not compiled
 * by Maven.
 */
public class CamelJBang {

    public static void main(String... args) {
        CamelJBangMain.run(args);
    }
}
