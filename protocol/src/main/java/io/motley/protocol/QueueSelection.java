package io.motley.protocol;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.size.MemorySize;
import io.motley.protocol.Message.ExpectedStart;
import io.motley.protocol.Message.Queue;
import io.motley.protocol.Message.QueueRow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * What squeue's request selects and how each selected job reads in its rows: pure, so that the
 * controller answers with it and the command's tests fake the controller with the same code.
 */
public final class QueueSelection {
    private QueueSelection() {}

    /** The rows of the jobs {@code q} selects, in the order given; {@code expected} maps a job id to its reservation or null. */
    public static List<QueueRow> select(Queue q, Iterable<Job> jobs, LongFunction<ExpectedStart> expected) {
        List<QueueRow> out = new ArrayList<>();
        Wanted w = new Wanted(q.fields());
        for (Job j : jobs) {
            if (selects(q, j)) out.add(row(j, j.state() == JobState.PENDING ? expected.apply(j.id()) : null, w));
        }
        return out;
    }

    /** Whether squeue's filters in {@code q} let {@code j} through. */
    public static boolean selects(Queue q, Job j) {
        if (!q.ids().isEmpty()
                && !q.ids().contains(j.id())
                && (j.array() == null || !q.ids().contains(j.array().arrayJobId()))) return false;
        if (q.states() != null && !q.states().contains(j.state())) return false;
        if (!q.users().isEmpty() && !q.users().contains(j.user()) && !q.users().contains(Integer.toString(j.uid())))
            return false;
        if (!q.partitions().isEmpty() && !anyOf(q.partitions(), j.partition())) return false;
        if (!q.names().isEmpty() && !q.names().contains(j.request().name())) return false;
        if (!q.accounts().isEmpty()
                && (j.request().account() == null
                        || !q.accounts().contains(j.request().account()))) return false;
        return q.nodes().isEmpty() || (j.node() != null && q.nodes().contains(j.node()));
    }

    /** A job pending in several partitions ("a,b") is in each of them. */
    private static boolean anyOf(java.util.Set<String> wanted, String partitions) {
        if (partitions == null) return false;
        for (String p : partitions.split(",")) if (wanted.contains(p)) return true;
        return false;
    }

    /** {@code j} as squeue prints it with the format codes in {@code fields}. */
    public static QueueRow row(Job j, ExpectedStart expected, String fields) {
        return row(j, expected, new Wanted(fields));
    }

    private static QueueRow row(Job j, ExpectedStart e, Wanted w) {
        JobRequest r = j.request();
        boolean times = w.any("MLe");
        return new QueueRow(
                j.id(),
                // a job outside an array is shown by its id, which travels anyway
                w.any("i") && j.array() != null ? j.displayId() : null,
                w.any("A#") && j.array() != null ? j.array().arrayJobId() : 0,
                w.any("#") && j.array() != null && j.array().holdsPending()
                        ? j.array().pending()
                        : null,
                j.state(),
                r.hold() ? 0 : j.priority(),
                w.any("P") ? j.partition() : null,
                w.any("jo") ? r.name() : null,
                w.any("u") ? j.user() : null,
                w.any("U") ? j.uid() : 0,
                w.any("gG") ? j.gid() : 0,
                times || w.any("S") ? j.startTime() : 0,
                times ? j.endTime() : 0,
                w.any("lLe") ? Codec.limitOnWire(j.timeLimit()) : 0,
                w.any("R") ? nodesOrReason(j) : null,
                w.any("NB") ? j.node() : null,
                w.any("r") ? (j.stateDesc() != null ? j.stateDesc() : j.reason().name()) : null,
                w.any("Cc") ? (j.allocCpus() > 0 ? j.allocCpus() : r.cpus()) : 0,
                w.any("m") ? memory(j) : null,
                w.any("V") ? j.submitTime() : 0,
                w.any("SY") && e != null ? e.start() : 0,
                w.any("SY") && e != null ? e.nodes() : null,
                w.any("S") ? r.beginTime() : 0,
                w.any("Z") ? r.workDir() : null,
                w.any("a") ? r.account() : null,
                w.any("k") ? r.comment() : null,
                w.any("q") ? r.qos() : null,
                w.any("y") ? r.nice() : 0,
                w.any("E") ? r.dependency() : null);
    }

    /** Every pending reason as %R shows it, made once rather than once a job. */
    private static final java.util.Map<PendingReason, String> IN_PARENS = new java.util.EnumMap<>(PendingReason.class);

    static {
        for (PendingReason r : PendingReason.values()) IN_PARENS.put(r, "(" + r.name() + ")");
    }

    /**
     * squeue's %R: a pending job's reason in parentheses, else its node list; a job that failed,
     * timed out, ran out of memory or missed its deadline with a state description shows that.
     */
    static String nodesOrReason(Job j) {
        if (j.state() == JobState.PENDING)
            return j.stateDesc() != null ? "(" + j.stateDesc() + ")" : IN_PARENS.get(j.reason());
        boolean shown = switch (j.state()) {
            case FAILED, TIMEOUT, OUT_OF_MEMORY, DEADLINE -> true;
            default -> false;
        };
        if (shown && j.stateDesc() != null) return "(" + j.stateDesc() + ")";
        return j.node() == null ? "" : j.node();
    }

    /** Memory per node: what it holds, else what it asked for, "0" when it named none. */
    static String memory(Job j) {
        if (j.allocMemMiB() > 0) return MemorySize.format(j.allocMemMiB());
        return MemorySize.format(j.request().requestedMemMiB(0));
    }

    /** The format codes a request names, as a set of chars to test quickly. */
    private static final class Wanted {
        private final boolean[] named = new boolean[128];

        Wanted(String fields) {
            for (int i = 0; i < fields.length(); i++) {
                char c = fields.charAt(i);
                if (c < named.length) named[c] = true;
            }
        }

        boolean any(String codes) {
            for (int i = 0; i < codes.length(); i++) if (named[codes.charAt(i)]) return true;
            return false;
        }
    }
}
