package k8sprom.publisher;

/**
 * The shard was revoked, lost or fenced while a window of it was on its way: nothing of the window was committed, and
 * whoever owns the shard now publishes it from the positions it reads.
 */
public class ShardUnavailableException extends RuntimeException {

    public ShardUnavailableException(String message) {
        super(message);
    }
}
