package k8sprom.publisher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * The Authorization header for Prometheus: a bearer token (given, or read from a file such as a Kubernetes service
 * account token, re-read on every call because those tokens rotate), or basic auth, or nothing.
 * The header value is never logged.
 */
public class PrometheusAuth {

    private String bearerToken = "";
    private String bearerTokenFile = "";
    private String username = "";
    private String password = "";

    public Optional<String> header() {
        if (!bearerToken.isBlank()) {
            return Optional.of("Bearer " + bearerToken.strip());
        }
        if (!bearerTokenFile.isBlank()) {
            try {
                return Optional.of(
                        "Bearer " + Files.readString(Path.of(bearerTokenFile)).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Prometheus bearer token file " + bearerTokenFile, e);
            }
        }
        if (!username.isBlank()) {
            String pair = username + ":" + password;
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    public void setBearerToken(String bearerToken) {
        this.bearerToken = bearerToken == null ? "" : bearerToken;
    }

    public void setBearerTokenFile(String bearerTokenFile) {
        this.bearerTokenFile = bearerTokenFile == null ? "" : bearerTokenFile;
    }

    public void setUsername(String username) {
        this.username = username == null ? "" : username;
    }

    public void setPassword(String password) {
        this.password = password == null ? "" : password;
    }

    @Override
    public String toString() {
        return "PrometheusAuth[" + (bearerToken.isBlank() ? "" : "bearer token, ")
                + (bearerTokenFile.isBlank() ? "" : "token file " + bearerTokenFile + ", ")
                + (username.isBlank() ? "" : "basic auth as " + username) + "]";
    }
}
