package k8sprom.contiv;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a TLS client context from PEM files, the form OVS tools (ovs-pki), etcd and most Kubernetes secrets use:
 * a CA bundle to trust, and optionally a client certificate (chain) with its private key (PKCS#8 "PRIVATE KEY" or
 * PKCS#1 "RSA PRIVATE KEY", unencrypted). Every problem names the setting that points at the file.
 */
final class PemTls {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final char[] NO_PASSWORD = new char[0];

    /** A file given by a setting: the setting's name is what error messages show. */
    record File(String setting, Path path) {}

    private PemTls() {}

    /**
     * The context trusting the CA file; with a key and certificate it also presents them. Either both of key and
     * certificate or neither (null).
     */
    static SSLContext context(File ca, File certificate, File privateKey) {
        if ((certificate == null) != (privateKey == null)) {
            File given = certificate != null ? certificate : privateKey;
            throw new IllegalArgumentException(given.setting() + " is set, but a client certificate needs both "
                    + "a certificate and its private key");
        }
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            List<Certificate> authorities = certificates(ca);
            for (int i = 0; i < authorities.size(); i++) {
                trusted.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            KeyManager[] keys = null;
            if (certificate != null) {
                KeyStore own = KeyStore.getInstance("PKCS12");
                own.load(null, null);
                own.setKeyEntry(
                        "client",
                        privateKey(privateKey),
                        NO_PASSWORD,
                        certificates(certificate).toArray(Certificate[]::new));
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(own, NO_PASSWORD);
                keys = factory.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "TLS settings " + ca.setting()
                            + (certificate == null ? "" : ", " + certificate.setting() + ", " + privateKey.setting())
                            + " cannot be used: " + e.getMessage(),
                    e);
        }
    }

    private static List<Certificate> certificates(File file) {
        List<byte[]> blocks = blocks(file, "CERTIFICATE");
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<Certificate> certificates = new ArrayList<>();
            for (byte[] der : blocks) {
                certificates.add(factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file.setting() + ": " + file.path() + " holds a certificate that "
                    + "cannot be read: " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(File file) {
        String text = read(file);
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            String type = block.group(1);
            byte[] der = Base64.getMimeDecoder().decode(block.group(2));
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(file, der);
                case "RSA PRIVATE KEY":
                    return pkcs8(file, rsaPkcs1ToPkcs8(der));
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException(file.setting() + ": " + file.path() + " is encrypted; give an"
                            + " unencrypted key (openssl pkcs8 -topk8 -nocrypt)");
                case "EC PRIVATE KEY":
                    throw new IllegalArgumentException(file.setting() + ": " + file.path() + " is a SEC1 EC key;"
                            + " convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
                default:
                // another block (a certificate next to the key): keep looking
            }
        }
        throw new IllegalArgumentException(file.setting() + ": " + file.path() + " holds no PEM private key");
    }

    private static PrivateKey pkcs8(File file, byte[] der) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(
                file.setting() + ": " + file.path() + " holds a private key that is neither RSA, EC nor Ed25519");
    }

    // PKCS#8 wraps a PKCS#1 RSA key as SEQUENCE { INTEGER 0, SEQUENCE { rsaEncryption OID, NULL }, OCTET STRING key }.
    private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] algorithm = {
            0x30,
            0x0d,
            0x06,
            0x09,
            0x2a,
            (byte) 0x86,
            0x48,
            (byte) 0x86,
            (byte) 0xf7,
            0x0d,
            0x01,
            0x01,
            0x01,
            0x05,
            0x00
        };
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(algorithm);
        body.writeBytes(derTag(0x04, pkcs1));
        return derTag(0x30, body.toByteArray());
    }

    private static byte[] derTag(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static List<byte[]> blocks(File file, String wanted) {
        Matcher block = BLOCK.matcher(read(file));
        List<byte[]> blocks = new ArrayList<>();
        while (block.find()) {
            if (wanted.equals(block.group(1))) {
                blocks.add(Base64.getMimeDecoder().decode(block.group(2)));
            }
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(file.setting() + ": " + file.path() + " holds no PEM " + wanted);
        }
        return blocks;
    }

    private static String read(File file) {
        try {
            return Files.readString(file.path(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(file.setting() + ": cannot read " + file.path() + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file.setting() + ": " + file.path() + " is not a PEM text file");
        }
    }
}
