package k8sprom.publisher;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.concurrent.TimeoutException;
import org.apache.camel.http.base.HttpOperationFailedException;

/** Names and describes failures for counters and log lines, without ever writing credentials. */
final class Failures {

    private Failures() {}

    /** A short, stable label for the error counters: http_503, timeout, unreachable, not_json, partial_response... */
    static String reasonOf(Throwable error) {
        if (error instanceof BadPrometheusResponseException bad) {
            return bad.reason();
        }
        if (error instanceof HttpOperationFailedException http) {
            return "http_" + http.getStatusCode();
        }
        if (error instanceof SocketTimeoutException
                || error instanceof TimeoutException
                || (error != null && error.getClass().getSimpleName().contains("Timeout"))) {
            return "timeout";
        }
        if (error instanceof IOException) {
            return "unreachable";
        }
        return "other";
    }

    /** One line: the HTTP status and the start of the body, or the chain of causes. */
    static String describe(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        if (error instanceof HttpOperationFailedException http) {
            String body =
                    http.getResponseBody() == null ? "" : http.getResponseBody().strip();
            return "HTTP " + http.getStatusCode() + (body.isEmpty() ? "" : " " + abbreviate(body));
        }
        StringBuilder text = new StringBuilder(error.getClass().getSimpleName() + ": " + error.getMessage());
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" <- ")
                    .append(cause.getClass().getSimpleName())
                    .append(": ")
                    .append(cause.getMessage());
        }
        return text.toString();
    }

    /** The URL without any user:password@, for log lines. */
    static String redact(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getUserInfo() == null) {
                return url;
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (Exception e) {
            return "<unparseable URL>";
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
