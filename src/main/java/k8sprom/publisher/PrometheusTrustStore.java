package k8sprom.publisher;

import java.io.IOException;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/**
 * TLS settings of the Prometheus queries: the JVM's trusted CAs, or the trust store given by PROMETHEUS_TRUSTSTORE
 * (PKCS12 or JKS) for a Prometheus behind a private CA, as in most clusters.
 *
 * <p>It is set on the https component by class name (application.properties) and reads its two settings from the
 * properties when the first https endpoint needs it, so it does not depend on the publisher's routes being loaded.
 */
public class PrometheusTrustStore extends SSLContextParameters {

    @Override
    public SSLContext createSSLContext(CamelContext camelContext) throws GeneralSecurityException, IOException {
        String file = camelContext
                .getPropertiesComponent()
                .resolveProperty("prometheus.truststore")
                .orElse("");
        String password = camelContext
                .getPropertiesComponent()
                .resolveProperty("prometheus.truststore-password")
                .orElse("");
        if (!file.isBlank() && getTrustManagers() == null) {
            KeyStoreParameters store = new KeyStoreParameters();
            store.setResource("file:" + file);
            store.setPassword(password.isEmpty() ? null : password);
            store.setType(file.endsWith(".jks") ? "JKS" : "PKCS12");
            TrustManagersParameters trust = new TrustManagersParameters();
            trust.setKeyStore(store);
            setTrustManagers(trust);
        }
        return super.createSSLContext(camelContext);
    }
}
