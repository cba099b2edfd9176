package k8sprom.contiv;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A source (etcd, Netmaster, OVSDB) could not be read or sent something unusable. The message is written for the log
 * as it is, so it names the source, the address and what went wrong.
 */
public final class SourceException extends RuntimeException {

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Waits for a source read running elsewhere, rethrowing its {@link SourceException} as it is. */
    static <T> T await(CompletableFuture<T> read) {
        try {
            return read.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof SourceException failure) {
                throw failure;
            }
            throw e;
        }
    }
}
