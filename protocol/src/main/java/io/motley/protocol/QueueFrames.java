package io.motley.protocol;

import io.motley.core.job.FreeText;
import io.motley.core.job.JobState;
import io.motley.protocol.Message.QueueRow;
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

    // columns by index, read with a switch rather than a table of getters: every squeue starts by loading this
    // class, and a method reference costs a class spun at start
    private static final String[] NUMS = {
        "id", "aj", "prio", "uid", "gid", "start", "end", "limit", "cpus", "submit", "xstart", "begin", "nice"
    };

    private static final String[] TEXTS = {
        "disp", "pend", "state", "part", "name", "user", "nr", "node", "reason", "mem", "xnodes", "wd", "acct", "cmt",
        "qos", "dep"
    };

    private static long num(QueueRow r, int column) {
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
            default -> throw new IndexOutOfBoundsException(column);
        };
    }

    private static String text(QueueRow r, int column) {
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
        Frame f = Frame.op(Ops.OK).put(COUNT, rows.size());
        StringBuilder b = new StringBuilder(rows.size() * 2);
        for (int c = 0; c < NUMS.length; c++) {
            // most columns are not printed, so 0 in every row: found with a look, never built
            if (allZero(rows, c)) continue;
            b.setLength(0);
            long prev = 0;
            for (int i = 0; i < rows.size(); i++) {
                long v = num(rows.get(i), c);
                if (i > 0) b.append(',');
                if (v != prev) b.append(v - prev);
                prev = v;
            }
            f.put(NUMS[c], b.toString());
        }
        StringBuilder dict = new StringBuilder();
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < TEXTS.length; c++) {
            if (allNull(rows, c)) continue;
            b.setLength(0);
            dict.setLength(0);
            index.clear();
            int prev = 0;
            String before = null;
            for (int i = 0; i < rows.size(); i++) {
                String v = text(rows.get(i), c);
                int at = 0;
                if (v != null && v.equals(before)) {
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
                if (i > 0) b.append(',');
                if (at != prev) b.append(at);
                prev = at;
                before = v;
            }
            if (!index.isEmpty()) f.put(TEXTS[c], b.toString()).put(TEXTS[c] + ".d", dict.toString());
        }
        return f;
    }

    private static boolean allZero(List<QueueRow> rows, int column) {
        for (QueueRow r : rows) if (num(r, column) != 0) return false;
        return true;
    }

    private static boolean allNull(List<QueueRow> rows, int column) {
        for (QueueRow r : rows) if (text(r, column) != null) return false;
        return true;
    }

    static List<QueueRow> decode(Frame f) {
        long count = number(f.str(COUNT, "0"), COUNT);
        if (count < 0 || count > Bounds.ANSWERS.maxBytes())
            throw new MalformedMessage(COUNT + ": '" + count + "' is no row count");
        int n = (int) count;
        Map<String, long[]> nums = new HashMap<>();
        for (String c : NUMS) nums.put(c, numbers(f.str(c), n, c, false));
        Map<String, String[]> texts = new HashMap<>();
        for (String c : TEXTS) texts.put(c, texts(f.str(c), f.str(c + ".d"), n, c));
        String[] states = texts.get("state");
        List<QueueRow> out = new ArrayList<>(n);
        Map<String, JobState> stateOf = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String s = states[i];
            if (s == null) throw new MalformedMessage("state: missing in row " + i);
            JobState state = stateOf.computeIfAbsent(s, QueueFrames::state);
            out.add(new QueueRow(
                    nums.get("id")[i],
                    texts.get("disp")[i],
                    nums.get("aj")[i],
                    texts.get("pend")[i],
                    state,
                    nums.get("prio")[i],
                    texts.get("part")[i],
                    texts.get("name")[i],
                    texts.get("user")[i],
                    nums.get("uid")[i],
                    nums.get("gid")[i],
                    nums.get("start")[i],
                    nums.get("end")[i],
                    nums.get("limit")[i],
                    texts.get("nr")[i],
                    texts.get("node")[i],
                    texts.get("reason")[i],
                    nums.get("cpus")[i],
                    texts.get("mem")[i],
                    nums.get("submit")[i],
                    nums.get("xstart")[i],
                    texts.get("xnodes")[i],
                    nums.get("begin")[i],
                    texts.get("wd")[i],
                    texts.get("acct")[i],
                    texts.get("cmt")[i],
                    texts.get("qos")[i],
                    nums.get("nice")[i],
                    texts.get("dep")[i]));
        }
        return out;
    }

    private static JobState state(String s) {
        try {
            return JobState.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("state: '" + FreeText.quote(s, 64) + "' is no job state");
        }
    }

    /** A text column: {@code n} comma-separated dictionary indices (0 null), an empty item for the same as before. */
    private static String[] texts(String column, String dictionary, int n, String key) {
        String[] out = new String[n];
        if (column == null) return out;
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
        long[] at = numbers(column, n, key, true);
        for (int i = 0; i < n; i++) {
            if (at[i] < 0 || at[i] >= dict.size())
                throw new MalformedMessage(
                        key + ": index " + at[i] + " is not in its dictionary of " + (dict.size() - 1));
            out[i] = dict.get((int) at[i]);
        }
        return out;
    }

    /**
     * {@code n} comma-separated items, an empty one for the same value as the row before: each a
     * difference from that row's value, or with {@code absolute} the value itself.
     */
    private static long[] numbers(String column, int n, String key, boolean absolute) {
        long[] out = new long[n];
        if (column == null || (n == 0 && column.isEmpty())) return out;
        int pos = 0;
        long prev = 0;
        for (int i = 0; i < n; i++) {
            int end = column.indexOf(',', pos);
            if (end < 0) end = column.length();
            if (end > pos) prev = absolute ? number(column, pos, end, key) : prev + number(column, pos, end, key);
            out[i] = prev;
            pos = end + 1;
            if (i < n - 1 && pos > column.length())
                throw new MalformedMessage(key + ": " + (i + 1) + " of " + n + " rows");
        }
        if (pos <= column.length()) throw new MalformedMessage(key + ": more than " + n + " rows");
        return out;
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
