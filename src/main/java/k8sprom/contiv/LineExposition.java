package k8sprom.contiv;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a text exposition (OpenMetrics or 0.0.4) of the statistics table's lines and the other families, exactly as
 * client_java's writer would write all of them, without having client_java write the 60,000 statistics samples.
 * client_java still writes everything but those samples: each statistics family is given to it with one data point,
 * which yields its HELP/TYPE lines (and where it goes in the family order), and that one sample line must equal the
 * table's line for the same point, or the caller falls back to client_java for the whole answer.
 */
final class LineExposition {

    private final List<MetricSnapshot> others;
    private final StatisticsTable.View view;
    private final NetpluginMetrics metrics;
    private final CompressedFamilies compressed;
    private Map<String, Column> columns;

    LineExposition(List<MetricSnapshot> others, StatisticsTable.View view, NetpluginMetrics metrics) {
        this(others, view, metrics, new CompressedFamilies());
    }

    /** compressed: the members of earlier renderings, to serve the families whose lines did not change. */
    LineExposition(
            List<MetricSnapshot> others,
            StatisticsTable.View view,
            NetpluginMetrics metrics,
            CompressedFamilies compressed) {
        this.others = others;
        this.view = view;
        this.metrics = metrics;
        this.compressed = compressed;
    }

    /** Thrown by a writing given up because a newer state is served; whoever waited for it takes that one instead. */
    static final class Superseded extends RuntimeException {
        Superseded() {
            super("a newer state of the sources is served", null, false, false);
        }
    }

    /** Only the text formats are written line by line; protobuf goes through client_java. */
    static boolean writes(ExpositionFormatWriter writer) {
        return !writer.getContentType().startsWith("application/vnd.google.protobuf");
    }

    /**
     * The plain body, or null if client_java writes these families differently (the caller then renders them).
     * superseded tells when a newer state is served: the writing is then given up (see Superseded).
     */
    Exposition plain(ExpositionFormatWriter writer, BooleanSupplier superseded) throws IOException {
        List<Section> sections = sections(writer);
        if (sections == null) {
            return null;
        }
        Buffer body = new Buffer(sections.stream().mapToInt(this::size).sum());
        for (Section section : sections) {
            giveUpIf(superseded);
            section.writeTo(body, section.metric() == null ? null : column(section.metric()));
        }
        return new Exposition(writer.getContentType(), null, body.array(), body.size());
    }

    /**
     * The gzipped body, or null as above: one gzip member per statistics family and one for each run of other
     * families (RFC 1952 section 2.2; Go's reader, which Prometheus uses, and Java's read them as one body). A family
     * whose lines are those of a member compressed before is served from it ({@link CompressedFamilies}); the others
     * are compressed at the same time on two threads, the first part of them by the helper.
     */
    Exposition gzip(ExpositionFormatWriter writer, Executor helper, BooleanSupplier superseded) throws IOException {
        List<Section> sections = sections(writer);
        if (sections == null) {
            return null;
        }
        List<Member> members = members(writer.getContentType(), sections);
        List<Member> toCompress =
                members.stream().filter(member -> member.gzip == null).toList();
        long half = toCompress.stream().mapToLong(member -> member.plainSize).sum() / 2;
        int split = 0;
        for (long counted = 0;
                split < toCompress.size() - 1 && counted + toCompress.get(split).plainSize <= half;
                split++) {
            counted += toCompress.get(split).plainSize;
        }
        List<Member> first = toCompress.subList(0, split);
        List<Member> second = toCompress.subList(split, toCompress.size());
        CompletableFuture<Void> firstPart = first.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(() -> compress(writer.getContentType(), first, superseded), helper);
        compress(writer.getContentType(), second, superseded);
        try {
            firstPart.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (e.getCause() instanceof Superseded newer) {
                throw newer;
            }
            throw e;
        }
        Buffer body = new Buffer(
                members.stream().mapToInt(member -> member.gzip.length).sum());
        for (Member member : members) {
            body.write(member.gzip, 0, member.gzip.length);
        }
        return new Exposition(writer.getContentType(), "gzip", body.array(), body.size());
    }

    /**
     * The answer's gzip members in order, those found in the cache already filled in: each statistics family its own,
     * the fixed sections between them grouped.
     */
    private List<Member> members(String contentType, List<Section> sections) {
        List<Member> members = new ArrayList<>();
        Member fixed = null;
        for (Section section : sections) {
            if (section.metric() == null) {
                if (fixed == null) {
                    fixed = new Member(null, null, 0);
                    members.add(fixed);
                }
                fixed.fixedText.add(section.text());
                fixed.plainSize += section.text().length;
                continue;
            }
            fixed = null;
            Column column = column(section.metric());
            Member member = new Member(section, column, size(section));
            member.gzip = compressed.find(
                    contentType, section.metric(), section.text(), section.name(), column.labels(), column.values());
            members.add(member);
        }
        return members;
    }

    private void compress(String contentType, List<Member> members, BooleanSupplier superseded) {
        for (Member member : members) {
            giveUpIf(superseded);
            Buffer zipped = new Buffer(Math.max(512, member.plainSize / 8));
            // The fastest level: the statistics text shrinks about tenfold anyway, and a scrape may be waiting for it.
            try (OutputStream out = new BufferedOutputStream(
                    new GZIPOutputStream(zipped, 65536) {
                        {
                            def.setLevel(Deflater.BEST_SPEED);
                        }
                    },
                    65536)) {
                member.writeTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            member.gzip = Arrays.copyOf(zipped.array(), zipped.size());
            if (member.section != null) {
                compressed.keep(
                        contentType,
                        member.section.metric(),
                        new CompressedFamilies.Member(
                                member.section.text(),
                                member.section.name(),
                                member.column.labels(),
                                member.column.values(),
                                member.gzip));
            }
        }
    }

    /**
     * One gzip member of the answer: a statistics family (its section and column) or a run of fixed text; gzip is
     * null until compressed or found.
     */
    private static final class Member {
        final Section section;
        final Column column;
        final List<byte[]> fixedText = new ArrayList<>();
        int plainSize;
        byte[] gzip;

        Member(Section section, Column column, int plainSize) {
            this.section = section;
            this.column = column;
            this.plainSize = plainSize;
        }

        void writeTo(OutputStream out) throws IOException {
            if (section == null) {
                for (byte[] text : fixedText) {
                    out.write(text);
                }
                return;
            }
            section.writeTo(out, column);
        }
    }

    // A section takes a millisecond or two: checking between them keeps a stale writing from competing for long
    // with the one scrapes now wait for.
    private static void giveUpIf(BooleanSupplier superseded) {
        if (superseded.getAsBoolean()) {
            throw new Superseded();
        }
    }

    private int size(Section section) {
        if (section.metric() == null) {
            return section.text().length;
        }
        Column column = column(section.metric());
        return (int) (section.text().length + (long) column.labels().length * section.name().length + column.bytes());
    }

    /**
     * A statistics family's lines in the order they are written: per series that has the metric, the text of its
     * labels and of its value; the first such series; the bytes of both texts together. The same for every format.
     */
    private record Column(byte[][] labels, byte[][] values, StatisticsTable.Series first, long bytes) {
        static final Column EMPTY = new Column(new byte[0][], new byte[0][], null, 0);
    }

    private Column column(String metric) {
        return columns().getOrDefault(metric, Column.EMPTY);
    }

    // Every metric's column in one pass over the series, shared by the formats, instead of a lookup of each metric in
    // every series per family and format (JMH: a few percent faster and 10 % less garbage per rebuild).
    private synchronized Map<String, Column> columns() {
        if (columns != null) {
            return columns;
        }
        List<StatisticsTable.Series> sorted = view.sorted();
        Map<String, ColumnBuilder> builders = new HashMap<>();
        for (StatisticsTable.Series series : sorted) {
            for (Map.Entry<String, byte[]> entry : series.values().entrySet()) {
                byte[] value = entry.getValue();
                if (value != null && value != StatisticsTable.LEFT_OUT) {
                    ColumnBuilder builder = builders.get(entry.getKey());
                    if (builder == null) {
                        builder = new ColumnBuilder(series, sorted.size());
                        builders.put(entry.getKey(), builder);
                    }
                    builder.add(series.labelsText(), value);
                }
            }
        }
        Map<String, Column> built = new HashMap<>();
        builders.forEach((metric, builder) -> built.put(metric, builder.build()));
        columns = built;
        return columns;
    }

    private static final class ColumnBuilder {
        private final StatisticsTable.Series first;
        private final byte[][] labels;
        private final byte[][] values;
        private int count;
        private long bytes;

        ColumnBuilder(StatisticsTable.Series first, int capacity) {
            this.first = first;
            this.labels = new byte[capacity][];
            this.values = new byte[capacity][];
        }

        void add(byte[] labelsText, byte[] value) {
            labels[count] = labelsText;
            values[count] = value;
            count++;
            bytes += labelsText.length + value.length;
        }

        Column build() {
            return new Column(Arrays.copyOf(labels, count), Arrays.copyOf(values, count), first, bytes);
        }
    }

    /**
     * The answer in client_java's order: the families as MetricSnapshots sorts them, each one as client_java writes it
     * alone, then what the writer adds at the end (OpenMetrics' "# EOF"). Null if a statistics family's sample line
     * is not the table's.
     */
    private List<Section> sections(ExpositionFormatWriter writer) throws IOException {
        Map<MetricSnapshot, String> metricOfFamily = new IdentityHashMap<>();
        List<MetricSnapshot> families = new ArrayList<>(others);
        view.statisticOfMetric().forEach((metric, statistic) -> {
            StatisticsTable.Series firstSeries = firstWith(metric);
            // a metric whose every value was left out has no data points, and client_java writes no such family
            if (firstSeries != null) {
                MetricSnapshot family = metrics.family(
                        metric,
                        metrics.help(statistic),
                        Map.of(firstSeries.labels(), value(firstSeries.value(metric))));
                metricOfFamily.put(family, metric);
                families.add(family);
            }
        });
        MetricSnapshots ordered;
        try {
            ordered = new MetricSnapshots(families);
        } catch (IllegalArgumentException sameName) {
            // a statistic named like one of the exporter's own families: the full build leaves it out
            return null;
        }
        byte[] end = written(writer, new MetricSnapshots());
        List<Section> sections = new ArrayList<>();
        for (MetricSnapshot family : ordered) {
            byte[] alone = written(writer, MetricSnapshots.of(family));
            if (!endsWith(alone, end)) {
                return null;
            }
            byte[] text = Arrays.copyOf(alone, alone.length - end.length);
            String metric = metricOfFamily.get(family);
            if (metric == null) {
                sections.add(new Section(text, null, null));
                continue;
            }
            Section section = statisticsSection(text, metric);
            if (section == null) {
                return null;
            }
            sections.add(section);
        }
        sections.add(new Section(end, null, null));
        return sections;
    }

    // The family as client_java wrote it with one point: its comment lines, that point's line, and nothing else.
    private Section statisticsSection(byte[] text, String metric) {
        int headerEnd = 0;
        while (headerEnd < text.length && text[headerEnd] == '#') {
            headerEnd = lineEnd(text, headerEnd);
        }
        int sampleEnd = lineEnd(text, headerEnd);
        if (sampleEnd != text.length) {
            return null;
        }
        StatisticsTable.Series firstSeries = firstWith(metric);
        int nameEnd = headerEnd
                + (text.length - headerEnd)
                - firstSeries.labelsText().length
                - firstSeries.value(metric).length;
        if (nameEnd <= headerEnd) {
            return null;
        }
        byte[] name = Arrays.copyOfRange(text, headerEnd, nameEnd);
        byte[] sample = Arrays.copyOfRange(text, headerEnd, text.length);
        byte[] ours = concat(name, firstSeries.labelsText(), firstSeries.value(metric));
        if (!Arrays.equals(sample, ours)) {
            return null;
        }
        return new Section(Arrays.copyOf(text, headerEnd), name, metric);
    }

    private StatisticsTable.Series firstWith(String metric) {
        return column(metric).first();
    }

    // The long a value line was written from, read back: " 1234.0\n".
    private static long value(byte[] valueText) {
        return (long) Double.parseDouble(new String(valueText, 1, valueText.length - 2, StandardCharsets.US_ASCII));
    }

    /**
     * A run of the answer: fixed text (a whole family client_java wrote, or the end), or a statistics family: its
     * comment lines, then per series that has the metric the metric's name, the series' labels and its value.
     */
    private record Section(byte[] text, byte[] name, String metric) {

        void writeTo(OutputStream out, Column column) throws IOException {
            out.write(text);
            if (metric == null) {
                return;
            }
            for (int i = 0; i < column.labels().length; i++) {
                out.write(name);
                out.write(column.labels()[i]);
                out.write(column.values()[i]);
            }
        }
    }

    private static byte[] written(ExpositionFormatWriter writer, MetricSnapshots families) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        writer.write(out, families);
        return out.toByteArray();
    }

    private static int lineEnd(byte[] text, int from) {
        for (int i = from; i < text.length; i++) {
            if (text[i] == '\n') {
                return i + 1;
            }
        }
        return text.length;
    }

    private static boolean endsWith(byte[] text, byte[] end) {
        return text.length >= end.length
                && Arrays.equals(text, text.length - end.length, text.length, end, 0, end.length);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }

    // Hands out its array as it is, without the copy toByteArray() makes.
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }

    /**
     * The gzip members of the statistics families as the last renderings compressed them, kept across states of the
     * sources: a family whose every line is the same as in its member is not compressed again. ovs-vswitchd rewrites
     * every interface's statistics at each round, but most counters (errors, drops, collisions) do not move, so most
     * families are served from here. Each member checks itself against the lines it was made of, so a rendering of an
     * older state can only miss, never serve a wrong member. Shared by the renderings of one exporter, on any thread.
     * Nested because Camel JBang, which runs this package from its sources, instantiates every top-level class that
     * has a no-argument constructor.
     */
    static final class CompressedFamilies {

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
}
