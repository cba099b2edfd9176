package k8sprom.contiv;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;

/**
 * A rendered /metrics answer: its Content-Type, its Content-Encoding (null, or "gzip") and its body, the first
 * {@code length} bytes of {@code buffer}. Shared by every scrape that asks for the same variant of the same data, so
 * nobody writes into the buffer.
 */
public record Exposition(String contentType, String contentEncoding, byte[] buffer, int length) {

    /**
     * The body as platform-http writes it fastest: a Vert.x Buffer is handed to the response as it is, while a
     * ByteBuffer is first copied into a new buffer of its size (10 MB of garbage per plain scrape at 5,000 endpoints)
     * and a byte[] is pumped as an InputStream in 4 KB reads through a worker thread. This one wraps the shared bytes
     * without copying them; a wrapper of its own per scrape keeps concurrent scrapes' read positions apart.
     */
    public Buffer body() {
        return Buffer.buffer(Unpooled.wrappedBuffer(buffer, 0, length));
    }

    /** A copy of the body. */
    public byte[] bytes() {
        return Arrays.copyOf(buffer, length);
    }
}
