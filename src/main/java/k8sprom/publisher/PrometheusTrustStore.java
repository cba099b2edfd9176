package k8sprom.publisher;

import java.security.GeneralSecurityException;
import java.io.IOException;
import javax.net.ssl.SSLContext;
import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/**
 * TLS settings of the Prometheus queries: the JVM's trusted CAs, or the trust store given by PROMETHEUS_TRUSTSTORE
 * (PKCS12 or JKS) for a Prometheus behind a private CA, as in most clusters.
 */
public class PrometheusTrustStore extends SSLContextParameters {

    private String file = "";
    private String password = "";

    @Override
    public SSLContext createSSLContext(CamelContext camelContext) throws GeneralSecurityException, IOException {
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

    public void setFile(String file) {
        this.file = file == null ? "" : file;
    }

    public void setPassword(String password) {
        this.password = password == null ? "" : password;
    }

    @Override
    public String toString() {
        return "PrometheusTrustStore[" + (file.isBlank() ? "JVM default CAs" : file) + "]";
    }
}
