package k8sprom.contiv;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gzip members of the statistics families as the last renderings compressed them, kept across states of the
 * sources: a family whose every line is the same as in its member is not compressed again. ovs-vswitchd rewrites
 * every interface's statistics at each round, but most counters (errors, drops, collisions) do not move, so most
 * families are served from here. Each member checks itself against the lines it was made of, so a rendering of an
 * older state can only miss, never serve a wrong member. Shared by the renderings of one exporter, on any thread.
 */
final class CompressedFamilies {

    /** One family's member: what it was compressed from, and the compressed bytes. */
    record Member(byte[] text, byte[] name, byte[][] labels, byte[][] values, byte[] gzip) {

        boolean holds(byte[] otherText, byte[] otherName, byte[][] otherLabels, byte[][] otherValues) {
            if (labels.length != otherLabels.length
                    || !Arrays.equals(text, otherText)
                    || !Arrays.equals(name, otherName)) {
                return false;
            }
            for (int i = 0; i < labels.length; i++) {
                // the rows that did not change share their arrays with the last state: most checks stop at ==
                if (!same(labels[i], otherLabels[i]) || !same(values[i], otherValues[i])) {
                    return false;
                }
            }
            return true;
        }

        private static boolean same(byte[] a, byte[] b) {
            return a == b || Arrays.equals(a, b);
        }
    }

    private static final int MAX_MEMBERS = 512;

    private final Map<String, Member> members = new ConcurrentHashMap<>();
    private final AtomicLong reused = new AtomicLong();

    /** The member of this family in this format if it holds exactly these lines, else null. */
    byte[] find(String contentType, String metric, byte[] text, byte[] name, byte[][] labels, byte[][] values) {
        Member member = members.get(contentType + ' ' + metric);
        if (member != null && member.holds(text, name, labels, values)) {
            reused.incrementAndGet();
            return member.gzip();
        }
        return null;
    }

    void keep(String contentType, String metric, Member member) {
        if (members.size() >= MAX_MEMBERS) {
            // statistic keys coming and going without end must not keep their members without end
            members.clear();
        }
        members.put(contentType + ' ' + metric, member);
    }

    /** How many members were served again instead of compressed: for tests and the benchmark. */
    long reused() {
        return reused.get();
    }
}
