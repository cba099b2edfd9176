package k8sprom.contiv;

import java.time.Duration;

/**
 * The sentence every Netmaster-derived family adds to its HELP, so readers know how old its labels or values may be.
 */
final class CacheNote {

    private CacheNote() {}

    static String of(Duration metadataTtl) {
        if (metadataTtl.isZero()) {
            return "Netmaster metadata is read at every scrape.";
        }
        return "Netmaster metadata is cached for up to " + metadataTtl.toSeconds() + " s.";
    }
}
