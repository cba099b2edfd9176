package k8sprom.contiv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * GETs JSON documents from etcd and Netmaster, each call bounded by the same timeout. Every failure ends as a
 * {@link SourceException} whose message says which source, which URL and what went wrong.
 */
final class JsonHttp {

    private static final int BODY_EXCERPT = 200;

    private final HttpClient client;
    private final Duration timeout;
    private final ObjectMapper mapper = new ObjectMapper();

    JsonHttp(Duration timeout) {
        this(timeout, null);
    }

    /** With a TLS context for https:// (the CA to trust, and a client certificate when the server asks for one). */
    JsonHttp(Duration timeout, SSLContext tls) {
        this.timeout = timeout;
        // Netmaster and etcd v2 speak plain HTTP/1.1; an h2c upgrade attempt would only add a round of negotiation.
        HttpClient.Builder builder =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
    }

    /** Completes with the parsed document, or exceptionally with a {@link SourceException}. */
    CompletableFuture<JsonNode> get(String source, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        // The request timeout stops at the response headers; orTimeout also bounds reading the body.
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw new SourceException(source + " GET " + uri + " failed: " + describe(failure));
                    }
                    return parse(source, uri, response);
                });
    }

    private JsonNode parse(String source, URI uri, HttpResponse<byte[]> response) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() != 200) {
            throw new SourceException(
                    source + " GET " + uri + " answered HTTP " + response.statusCode() + excerpt(body));
        }
        try {
            JsonNode document = mapper.readTree(body);
            if (document == null || document.isMissingNode()) {
                throw new SourceException(source + " GET " + uri + " answered an empty body");
            }
            return document;
        } catch (JsonProcessingException e) {
            throw new SourceException(
                    source + " GET " + uri + " answered invalid JSON: " + e.getOriginalMessage() + excerpt(body));
        }
    }

    private String describe(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        String reason = cause.getMessage();
        if (reason == null || reason.isBlank()) {
            // HttpClient's ConnectException carries no message: refused, or nothing routes to the address.
            return cause instanceof ConnectException
                    ? "cannot connect"
                    : cause.getClass().getSimpleName();
        }
        return cause.getClass().getSimpleName() + ": " + reason;
    }

    private static String excerpt(String body) {
        String oneLine = body.strip().replaceAll("\\s+", " ");
        if (oneLine.isEmpty()) {
            return "";
        }
        return " (body: " + (oneLine.length() > BODY_EXCERPT ? oneLine.substring(0, BODY_EXCERPT) + "..." : oneLine)
                + ")";
    }
}
