package io.motley.protocol;

import io.motley.core.job.FreeText;
import io.motley.core.job.JobState;
import io.motley.protocol.Message.QueueRow;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * squeue's answer in columns: one field per column, the rows' values in order. A number column
 * holds each row's difference from the row before, comma-separated, an empty item for no change
 * (job ids count up; times and limits repeat). A text column holds each row's index into its
 * dictionary (field NAME.d: the distinct values, each as LENGTH:VALUE; index 0 is null),
 * again empty for the same as the row before. A column that is 0 or null in every row is left
 * out. A million pending jobs of one user take a few bytes a job, not a whole record each.
 */
final class QueueFrames {
    private QueueFrames() {}

    private static final String COUNT = "n";

    // columns by index (QueueTable's constants), read with a switch rather than a table of getters: every squeue
    // starts by loading this class, and a method reference costs a class spun at start
    static final String[] NUMS = {
        "id", "aj", "prio", "uid", "gid", "start", "end", "limit", "cpus", "submit", "xstart", "begin", "nice", "nodes",
        "paused", "mincpus"
    };

    static final String[] TEXTS = {
        "disp", "pend", "state", "part", "name", "user", "nr", "node", "reason", "mem", "xnodes", "wd", "acct", "cmt",
        "qos", "dep"
    };

    /** The rows an answer is made of, read a column at a time. */
    interface Rows {
        int size();

        /** Whether the column may hold anything but 0 or null (false: it is left out without a look). */
        default boolean mayHold(boolean number, int column) {
            return true;
        }

        long num(int row, int column);

        String text(int row, int column);
    }

    static long num(QueueRow r, int column) {
        return switch (column) {
            case 0 -> r.id();
            case 1 -> r.arrayJobId();
            case 2 -> r.priority();
            case 3 -> r.uid();
            case 4 -> r.gid();
            case 5 -> r.start();
            case 6 -> r.end();
            case 7 -> r.limit();
            case 8 -> r.cpus();
            case 9 -> r.submit();
            case 10 -> r.expectedStart();
            case 11 -> r.begin();
            case 12 -> r.nice();
            case 13 -> r.nodes();
            case 14 -> r.paused();
            case 15 -> r.minCpus();
            default -> throw new IndexOutOfBoundsException(column);
        };
    }

    static String text(QueueRow r, int column) {
        return switch (column) {
            case 0 -> r.display();
            case 1 -> r.pending();
            case 2 -> r.state().name();
            case 3 -> r.partition();
            case 4 -> r.name();
            case 5 -> r.user();
            case 6 -> r.nodesOrReason();
            case 7 -> r.node();
            case 8 -> r.reason();
            case 9 -> r.memory();
            case 10 -> r.schedNodes();
            case 11 -> r.workDir();
            case 12 -> r.account();
            case 13 -> r.comment();
            case 14 -> r.qos();
            case 15 -> r.dependency();
            default -> throw new IndexOutOfBoundsException(column);
        };
    }

    static Frame encode(List<QueueRow> rows) {
        return encode(new Rows() {
            @Override
            public int size() {
                return rows.size();
            }

            @Override
            public long num(int row, int column) {
                return QueueFrames.num(rows.get(row), column);
            }

            @Override
            public String text(int row, int column) {
                return QueueFrames.text(rows.get(row), column);
            }
        });
    }

    static Frame encode(Rows rows) {
        Encoder e = new Encoder(rows, rows.size());
        for (int i = 0; i < rows.size(); i++) e.add(rows, i);
        return e.frame();
    }

    /**
     * An answer built a row at a time, every column of it: a job's parts are read from memory
     * once, not once a column, and rows can be added as they are found.
     */
    static final class Encoder {
        private final Numbers[] numbers;
        private final Texts[] words;
        private int n;

        /** Columns for what {@code shape} may hold; room for about {@code rows} rows. */
        Encoder(Rows shape, int rows) {
            List<Numbers> nums = new ArrayList<>();
            for (int c = 0; c < NUMS.length; c++) if (shape.mayHold(true, c)) nums.add(new Numbers(c, rows));
            List<Texts> texts = new ArrayList<>();
            for (int c = 0; c < TEXTS.length; c++) if (shape.mayHold(false, c)) texts.add(new Texts(c, rows));
            numbers = nums.toArray(new Numbers[0]);
            words = texts.toArray(new Texts[0]);
        }

        /** Adds row {@code i} of {@code rows} as the next row. */
        void add(Rows rows, int i) {
            for (Numbers c : numbers) c.add(n, rows.num(i, c.column));
            for (Texts c : words) c.add(n, rows.text(i, c.column));
            n++;
        }

        Frame frame() {
            Frame f = Frame.op(Ops.OK).put(COUNT, n);
            // most columns are not printed, so 0 or null in every row: left out
            for (Numbers c : numbers) if (c.any) f.put(NUMS[c.column], c.text());
            for (Texts c : words)
                if (!c.index.isEmpty()) f.put(TEXTS[c.column], c.text()).put(TEXTS[c.column] + ".d", c.dict.toString());
            return f;
        }
    }

    /**
     * A column's items as they are built. The commas before items that are empty (the same as the
     * row before) are counted and written in one go when the next item that says something comes,
     * or at the end: most columns repeat their value down the rows, and cost a count a row.
     */
    abstract static class Items {
        final int column;
        private final StringBuilder items;
        private int commas;

        Items(int column, int rows) {
            this.column = column;
            this.items = new StringBuilder(Math.min(rows, 1 << 16) * 2);
        }

        /** Starts row {@code row}'s item. */
        final void next(int row) {
            if (row > 0) commas++;
        }

        /** The item of this row, after the commas before it. */
        final StringBuilder item() {
            if (commas > 0) {
                items.repeat(',', commas);
                commas = 0;
            }
            return items;
        }

        /** The column's items, comma-separated. */
        final String text() {
            return item().toString();
        }
    }

    /** A number column as it is built: each row's difference from the one before. */
    static final class Numbers extends Items {
        long prev;
        boolean any;

        Numbers(int column, int rows) {
            super(column, rows);
        }

        void add(int row, long v) {
            next(row);
            if (v != prev) item().append(v - prev);
            any |= v != 0;
            prev = v;
        }
    }

    /** A text column as it is built: each row's index into the dictionary of its distinct values. */
    static final class Texts extends Items {
        final StringBuilder dict = new StringBuilder();
        final Map<String, Integer> index = new HashMap<>();
        int prev;
        String before;

        Texts(int column, int rows) {
            super(column, rows);
        }

        void add(int row, String v) {
            int at = 0;
            if (v != null && (v == before || v.equals(before))) {
                at = prev; // a queue's rows repeat their neighbours': no lookup
            } else if (v != null) {
                Integer known = index.get(v);
                if (known == null) {
                    known = index.size() + 1;
                    index.put(v, known);
                    dict.append(v.length()).append(':').append(v);
                }
                at = known;
            }
            next(row);
            if (at != prev) item().append(at);
            prev = at;
            before = v;
        }
    }

    static List<QueueRow> decode(Frame f) {
        QueueTable t = table(f);
        List<QueueRow> out = new ArrayList<>(t.size());
        for (int i = 0; i < t.size(); i++) out.add(t.row(i));
        return out;
    }

    /** The answer's columns as they came, each row's values found by index. */
    static QueueTable table(Frame f) {
        long count = number(f.str(COUNT, "0"), COUNT);
        if (count < 0 || count > Bounds.ANSWERS.maxBytes())
            throw new MalformedMessage(COUNT + ": '" + count + "' is no row count");
        int n = (int) count;
        long[][] nums = new long[NUMS.length][];
        for (int c = 0; c < NUMS.length; c++) nums[c] = numbers(f.str(NUMS[c]), n, NUMS[c]);
        int[][] at = new int[TEXTS.length][];
        String[][] dicts = new String[TEXTS.length][];
        for (int c = 0; c < TEXTS.length; c++) {
            dicts[c] = dictionary(f.str(TEXTS[c] + ".d"), TEXTS[c]);
            at[c] = indices(f.str(TEXTS[c]), n, TEXTS[c], dicts[c].length);
        }
        String[] stateNames = dicts[QueueTable.STATE];
        JobState[] states = new JobState[stateNames.length];
        for (int d = 1; d < stateNames.length; d++) states[d] = state(stateNames[d]);
        int[] stateAt = at[QueueTable.STATE];
        for (int i = 0; i < n; i++)
            if (stateAt == null || stateAt[i] == 0) throw new MalformedMessage("state: missing in row " + i);
        return new QueueTable(n, nums, at, dicts, states);
    }

    private static JobState state(String s) {
        try {
            return JobState.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("state: '" + FreeText.quote(s, 64) + "' is no job state");
        }
    }

    /** A text column's dictionary: entry 0 is null, then each LENGTH:VALUE in order. */
    static String[] dictionary(String dictionary, String key) {
        List<String> dict = new ArrayList<>();
        dict.add(null);
        String d = dictionary == null ? "" : dictionary;
        int pos = 0;
        while (pos < d.length()) {
            int colon = d.indexOf(':', pos);
            if (colon < 0) throw new MalformedMessage(key + ".d: an entry without its length");
            long len = number(d, pos, colon, key + ".d");
            if (len < 0 || len > d.length() - colon - 1)
                throw new MalformedMessage(key + ".d: an entry runs past the end");
            dict.add(d.substring(colon + 1, colon + 1 + (int) len));
            pos = colon + 1 + (int) len;
        }
        return dict.toArray(new String[0]);
    }

    /** A text column's {@code n} dictionary indices (null when the column is absent: every row null). */
    static int[] indices(String column, int n, String key, int entries) {
        if (column == null) return null;
        int[] out = new int[n];
        if (n == 0 && column.isEmpty()) return out;
        byte[] s = column.getBytes(StandardCharsets.ISO_8859_1);
        int len = s.length;
        int pos = 0;
        int prev = 0;
        for (int i = 0; i < n; i++) {
            if (pos > len) throw new MalformedMessage(key + ": " + i + " of " + n + " rows");
            int end = pos;
            long v = 0;
            while (end < len && s[end] != ',') {
                int d = s[end] - '0';
                if (d < 0 || d > 9) throw notANumber(column, pos, key);
                if (v < entries) v = v * 10 + d;
                end++;
            }
            if (end > pos) {
                if (v >= entries) {
                    String item = column.substring(pos, Math.min(end, pos + 20));
                    throw new MalformedMessage(
                            key + ": index " + item + " is not in its dictionary of " + (entries - 1));
                }
                prev = (int) v;
            }
            out[i] = prev;
            pos = end + 1;
        }
        if (pos <= len) throw new MalformedMessage(key + ": more than " + n + " rows");
        return out;
    }

    /** A number column's {@code n} values (null when the column is absent: 0 in every row). */
    static long[] numbers(String column, int n, String key) {
        return column == null ? null : items(column, n, key);
    }

    /**
     * {@code n} comma-separated items, an empty one for the same value as the row before: each a
     * difference from that row's value. Read as bytes
     * (the column is ASCII when well formed; anything else is no digit and refused).
     */
    private static long[] items(String column, int n, String key) {
        long[] out = new long[n];
        if (n == 0 && column.isEmpty()) return out;
        byte[] s = column.getBytes(StandardCharsets.ISO_8859_1);
        int len = s.length;
        int pos = 0;
        long prev = 0;
        for (int i = 0; i < n; i++) {
            if (pos > len) throw new MalformedMessage(key + ": " + i + " of " + n + " rows");
            int end = pos;
            boolean negative = false;
            if (end < len && s[end] == '-') {
                negative = true;
                end++;
            }
            int digits = end;
            long v = 0;
            boolean overflow = false;
            while (end < len && s[end] != ',') {
                int d = s[end] - '0';
                if (d < 0 || d > 9) throw notANumber(column, pos, key);
                // accumulated negatively, so that Long.MIN_VALUE reads
                if (v < Long.MIN_VALUE / 10 || v * 10 < Long.MIN_VALUE + d) overflow = true;
                v = v * 10 - d;
                end++;
            }
            if (end > pos) {
                if (end == digits || overflow || (!negative && v == Long.MIN_VALUE)) throw notANumber(column, pos, key);
                long x = negative ? v : -v;
                prev += x;
            }
            out[i] = prev;
            pos = end + 1;
        }
        if (pos <= len) throw new MalformedMessage(key + ": more than " + n + " rows");
        return out;
    }

    private static MalformedMessage notANumber(String s, int from, String key) {
        int to = s.indexOf(',', from);
        if (to < 0) to = s.length();
        return new MalformedMessage(key + ": '" + FreeText.quote(s.substring(from, Math.min(to, from + 64)), 64)
                + "' is not a number");
    }

    private static long number(String s, String key) {
        return number(s, 0, s.length(), key);
    }

    private static long number(String s, int from, int to, String key) {
        try {
            return Long.parseLong(s, from, to, 10);
        } catch (NumberFormatException e) {
            throw new MalformedMessage(key + ": '" + FreeText.quote(s.substring(from, Math.min(to, from + 64)), 64)
                    + "' is not a number");
        }
    }
}
