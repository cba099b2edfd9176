package k8sprom.publisher;

/**
 * A window was planned from a position that is no longer the shard's committed one (the shard changed hands or its
 * positions were read again meanwhile): publishing it could repeat or skip steps, so it is dropped and planned again.
 */
public class StaleWindowException extends RuntimeException {

    public StaleWindowException(String message) {
        super(message);
    }
}
