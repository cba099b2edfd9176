package k8sprom.contiv;

import java.net.URI;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * Turns the TLS settings of the exporter's sources (OVSDB over ssl:, etcd and Netmaster over https) into SSL
 * contexts, so that a missing or mismatched file stops start-up with a message naming the setting.
 */
final class SourceTls {

    private SourceTls() {}

    /**
     * The context for an ssl: OVSDB address, which needs all three files as OVS's own tools do; null for tcp: and
     * unix:, where setting any of them is a mistake.
     */
    static SSLContext ovsdb(OvsdbAddress address, String privateKey, String certificate, String caCert) {
        boolean anyFile = !(privateKey.isBlank() && certificate.isBlank() && caCert.isBlank());
        if (!address.ssl()) {
            if (anyFile) {
                throw new IllegalArgumentException("CONTIV_OVSDB_PRIVATE_KEY, CONTIV_OVSDB_CERTIFICATE and"
                        + " CONTIV_OVSDB_CA_CERT are only used with CONTIV_OVSDB=ssl:host:port; got " + address);
            }
            return null;
        }
        for (String[] setting : new String[][] {
            {"CONTIV_OVSDB_PRIVATE_KEY", privateKey},
            {"CONTIV_OVSDB_CERTIFICATE", certificate},
            {"CONTIV_OVSDB_CA_CERT", caCert}
        }) {
            if (setting[1].isBlank()) {
                throw new IllegalArgumentException("CONTIV_OVSDB=" + address + " needs " + setting[0]
                        + " (OVS's ssl: takes a private key, a certificate and a CA certificate)");
            }
        }
        return PemTls.context(
                new PemTls.File("CONTIV_OVSDB_CA_CERT", Path.of(caCert)),
                new PemTls.File("CONTIV_OVSDB_CERTIFICATE", Path.of(certificate)),
                new PemTls.File("CONTIV_OVSDB_PRIVATE_KEY", Path.of(privateKey)));
    }

    /**
     * The TLS context for an https source (prefix names its settings: prefix_CA_CERT...), or null when none of its
     * files is set; the JDK's default trust then applies to an https URL. url is null when the source is not used
     * directly (Netmaster found through etcd); its scheme follows the settings then.
     */
    static SSLContext https(String prefix, URI url, String caCert, String certificate, String privateKey) {
        String base = prefix.replace("_URL", "");
        if (caCert.isBlank()) {
            if (!certificate.isBlank() || !privateKey.isBlank()) {
                throw new IllegalArgumentException(
                        base + "_CERTIFICATE and " + base + "_PRIVATE_KEY need " + base + "_CA_CERT");
            }
            return null;
        }
        if (url != null && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException(
                    base + "_CA_CERT is set, so " + prefix + " must be an https:// URL; got " + url);
        }
        return PemTls.context(
                new PemTls.File(base + "_CA_CERT", Path.of(caCert)),
                certificate.isBlank() ? null : new PemTls.File(base + "_CERTIFICATE", Path.of(certificate)),
                privateKey.isBlank() ? null : new PemTls.File(base + "_PRIVATE_KEY", Path.of(privateKey)));
    }
}
