package k8sprom.contiv;

/**
 * A rendered /metrics answer: its body and the Content-Type that describes it.
 */
public record Exposition(String contentType, byte[] bytes) {
}
