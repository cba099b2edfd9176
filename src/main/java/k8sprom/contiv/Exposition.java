package k8sprom.contiv;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A rendered /metrics answer: its Content-Type, its Content-Encoding (null, or "gzip") and its body, the first
 * {@code length} bytes of {@code buffer}. Shared by every scrape that asks for the same variant of the same data, so
 * nobody writes into the buffer.
 */
public record Exposition(String contentType, String contentEncoding, byte[] buffer, int length) {

    /**
     * The body as platform-http writes it fastest: a ByteBuffer goes to Vert.x in one piece with a Content-Length,
     * while a byte[] is turned into an InputStream and pumped in 4 KB reads, each a round trip through a worker thread.
     * A view of its own (position and limit), so concurrent scrapes of the same bytes do not disturb each other.
     */
    public ByteBuffer body() {
        return ByteBuffer.wrap(buffer, 0, length).slice();
    }

    /** A copy of the body. */
    public byte[] bytes() {
        return Arrays.copyOf(buffer, length);
    }
}
