package k8sprom.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * What usually stands between a publisher and a cluster's Prometheus: an HTTPS ingress with its own CA, a path
 * prefix, and authentication. It forwards authorised requests under {@code prefix} to the real Prometheus and
 * answers 401 to the others. The key pair and the matching trust store are made with the JDK's keytool.
 */
public final class TlsReverseProxy implements AutoCloseable {

    private static final String STORE_PASSWORD = "changeit";

    private final HttpsServer server;
    private final Path trustStore;
    private final List<Integer> statuses = new CopyOnWriteArrayList<>();

    private TlsReverseProxy(HttpsServer server, Path trustStore) {
        this.server = server;
        this.trustStore = trustStore;
    }

    /**
     * @param acceptedAuthorization the Authorization header values let through, e.g. "Basic dTpw" or "Bearer t"
     */
    public static TlsReverseProxy start(Path dir, String target, String prefix, Set<String> acceptedAuthorization) {
        try {
            Path keyStore = dir.resolve("proxy-key.p12");
            Path certificate = dir.resolve("proxy.crt");
            Path trustStore = dir.resolve("proxy-trust.p12");
            keytool(
                    "-genkeypair",
                    "-alias",
                    "proxy",
                    "-keyalg",
                    "RSA",
                    "-keysize",
                    "2048",
                    "-validity",
                    "2",
                    "-dname",
                    "CN=127.0.0.1",
                    "-ext",
                    "SAN=ip:127.0.0.1,dns:localhost",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    keyStore.toString(),
                    "-storepass",
                    STORE_PASSWORD);
            keytool(
                    "-exportcert",
                    "-alias",
                    "proxy",
                    "-keystore",
                    keyStore.toString(),
                    "-storepass",
                    STORE_PASSWORD,
                    "-rfc",
                    "-file",
                    certificate.toString());
            keytool(
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    "proxy-ca",
                    "-file",
                    certificate.toString(),
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    trustStore.toString(),
                    "-storepass",
                    STORE_PASSWORD);

            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(keyStore.toFile())) {
                keys.load(in, STORE_PASSWORD.toCharArray());
            }
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, STORE_PASSWORD.toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keyManagers.getKeyManagers(), null, null);

            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", FreePort.find()), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            server.setExecutor(Executors.newFixedThreadPool(4));
            TlsReverseProxy proxy = new TlsReverseProxy(server, trustStore);
            HttpClient client = HttpClient.newHttpClient();
            server.createContext(
                    prefix + "/", exchange -> proxy.forward(exchange, client, target, prefix, acceptedAuthorization));
            server.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the TLS proxy", e);
        }
    }

    private void forward(
            HttpExchange exchange, HttpClient client, String target, String prefix, Set<String> acceptedAuthorization)
            throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !acceptedAuthorization.contains(authorization)) {
                statuses.add(401);
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String path = exchange.getRequestURI().getRawPath().substring(prefix.length());
            String query = exchange.getRequestURI().getRawQuery();
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create(target + path + (query == null ? "" : "?" + query)))
                    .method(
                            exchange.getRequestMethod(),
                            HttpRequest.BodyPublishers.ofByteArray(
                                    exchange.getRequestBody().readAllBytes()));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            statuses.add(response.statusCode());
            response.headers()
                    .firstValue("Content-Type")
                    .ifPresent(value -> exchange.getResponseHeaders().set("Content-Type", value));
            exchange.sendResponseHeaders(response.statusCode(), response.body().length);
            exchange.getResponseBody().write(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String baseUrl(String prefix) {
        return "https://127.0.0.1:" + server.getAddress().getPort() + prefix;
    }

    /** A PKCS12 trust store holding the proxy's certificate, and its password. */
    public Path trustStore() {
        return trustStore;
    }

    public String trustStorePassword() {
        return STORE_PASSWORD;
    }

    /** Status codes answered so far, 401 for refused requests. */
    public List<Integer> statuses() {
        return List.copyOf(statuses);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
