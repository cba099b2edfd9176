package k8sprom.publisher;

/**
 * A query_range response that cannot be trusted as a whole: not JSON, status not "success",
 * resultType not "matrix". Nothing of such a response is published.
 */
public class BadPrometheusResponseException extends RuntimeException {

    private final String reason;

    public BadPrometheusResponseException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BadPrometheusResponseException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** A short, stable label for the error counter: not_json, status, result_type. */
    public String reason() {
        return reason;
    }
}
