package io.motley.protocol;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.PendingReason;
import io.motley.core.size.MemorySize;
import io.motley.protocol.Message.ExpectedStart;
import io.motley.protocol.Message.Queue;
import io.motley.protocol.Message.QueueRow;
import java.util.ArrayList;
import java.util.Comparator;
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

    /**
     * squeue's answer to {@code q}: the jobs it selects, in the order squeue lists them ({@link
     * #ORDER}), in columns, built from the jobs with no object per row. {@code expected} maps a
     * job id to its reservation or null.
     */
    public static Frame answer(Queue q, Iterable<Job> jobs, LongFunction<ExpectedStart> expected) {
        JobRows view = new JobRows(new Wanted(q.fields()), expected);
        int room = jobs instanceof java.util.Collection<?> c ? c.size() : 16;
        QueueFrames.Encoder out = new QueueFrames.Encoder(view, room);
        List<Job> picked = new ArrayList<>();
        // one pass over the jobs while each is at hand: selected, checked against squeue's order and put in the
        // columns. A queue listed by id whose priorities fall with age (or are equal) is in that order already;
        // one that is not is sorted and put in columns anew
        boolean ordered = true;
        Job last = null;
        for (Job j : jobs) {
            if (!selects(q, j)) continue;
            if (ordered && last != null && ORDER.compare(last, j) > 0) ordered = false;
            picked.add(j);
            last = j;
            if (ordered) out.add(view.at(j), 0);
        }
        if (ordered) return out.frame();
        Job[] rows = picked.toArray(new Job[0]);
        java.util.Arrays.sort(rows, ORDER);
        out = new QueueFrames.Encoder(view, rows.length);
        for (Job j : rows) out.add(view.at(j), 0);
        return out.frame();
    }

    /**
     * The order squeue lists jobs in: pending first (highest priority first, a held job's as 0),
     * then running and the rest; by id within each.
     */
    public static final Comparator<Job> ORDER = (a, b) -> {
        boolean pa = a.state() == JobState.PENDING;
        boolean pb = b.state() == JobState.PENDING;
        if (pa != pb) return pa ? -1 : 1;
        if (pa) {
            int c = Long.compare(priority(b), priority(a));
            if (c != 0) return c;
        }
        return Long.compare(a.id(), b.id());
    };

    /** The priority squeue shows: 0 while held. */
    private static long priority(Job j) {
        return j.request().hold() ? 0 : j.priority();
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
        if (q.nodes().isEmpty()) return true;
        for (String n : j.nodes()) if (q.nodes().contains(n)) return true;
        return false;
    }

    /**
     * squeue's node count: the nodes the job holds or held; while it waits (or if it never ran)
     * the fewest it asked for, as Slurm shows 2 for a pending -N 2 or -N 2-4.
     */
    static long nodeCount(Job j) {
        int held = j.nodes().size();
        return held > 0 ? held : Math.max(1, j.request().nodes());
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
                w.any("NB") ? j.nodeList() : null,
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
                w.any("E") ? r.dependency() : null,
                w.any("D") ? nodeCount(j) : 0,
                w.any("MLe") ? paused(j) : 0,
                w.any("c") ? r.minCpusPerNode() : 0);
    }

    /** QueueTable#PAUSED: a suspended job's run time so far, else the seconds it spent suspended. */
    static long paused(Job j) {
        return j.state() == JobState.SUSPENDED ? j.secsPreSuspend() : j.times().suspendedSecs();
    }

    /** A selected job as a row of the answer's columns: each value as {@link #row} would hold it. */
    private static final class JobRows implements QueueFrames.Rows {
        private final Wanted w;
        private final LongFunction<ExpectedStart> expected;
        private final boolean reservations;
        private Job job;
        private ExpectedStart reserved;

        JobRows(Wanted w, LongFunction<ExpectedStart> expected) {
            this.w = w;
            this.expected = expected;
            this.reservations = w.any("SY");
        }

        /** This view on job {@code j}: every row read of it is {@code j}'s. */
        JobRows at(Job j) {
            job = j;
            reserved = reservations && j.state() == JobState.PENDING ? expected.apply(j.id()) : null;
            return this;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public boolean mayHold(boolean number, int c) {
            return number
                    ? switch (c) {
                        case QueueTable.ID, QueueTable.PRIORITY -> true;
                        case QueueTable.ARRAY_JOB_ID -> w.any("A#");
                        case QueueTable.UID -> w.any("U");
                        case QueueTable.GID -> w.any("gG");
                        case QueueTable.START -> w.any("MLeS");
                        case QueueTable.END -> w.any("MLe");
                        case QueueTable.LIMIT -> w.any("lLe");
                        case QueueTable.CPUS -> w.any("Cc");
                        case QueueTable.SUBMIT -> w.any("V");
                        case QueueTable.EXPECTED_START -> w.any("SY");
                        case QueueTable.BEGIN -> w.any("S");
                        case QueueTable.NICE -> w.any("y");
                        case QueueTable.NODES -> w.any("D");
                        case QueueTable.PAUSED -> w.any("MLe");
                        case QueueTable.MIN_CPUS -> w.any("c");
                        default -> throw new IndexOutOfBoundsException(c);
                    }
                    : switch (c) {
                        case QueueTable.STATE -> true;
                        case QueueTable.DISPLAY -> w.any("i");
                        case QueueTable.PENDING -> w.any("#");
                        case QueueTable.PARTITION -> w.any("P");
                        case QueueTable.NAME -> w.any("jo");
                        case QueueTable.USER -> w.any("u");
                        case QueueTable.NODES_OR_REASON -> w.any("R");
                        case QueueTable.NODE -> w.any("NB");
                        case QueueTable.REASON -> w.any("r");
                        case QueueTable.MEMORY -> w.any("m");
                        case QueueTable.SCHED_NODES -> w.any("SY");
                        case QueueTable.WORK_DIR -> w.any("Z");
                        case QueueTable.ACCOUNT -> w.any("a");
                        case QueueTable.COMMENT -> w.any("k");
                        case QueueTable.QOS -> w.any("q");
                        case QueueTable.DEPENDENCY -> w.any("E");
                        default -> throw new IndexOutOfBoundsException(c);
                    };
        }

        @Override
        public long num(int row, int c) {
            Job j = job;
            return switch (c) {
                case QueueTable.ID -> j.id();
                case QueueTable.ARRAY_JOB_ID -> j.array() != null ? j.array().arrayJobId() : 0;
                case QueueTable.PRIORITY -> priority(j);
                case QueueTable.UID -> j.uid();
                case QueueTable.GID -> j.gid();
                case QueueTable.START -> j.startTime();
                case QueueTable.END -> j.endTime();
                case QueueTable.LIMIT -> Codec.limitOnWire(j.timeLimit());
                case QueueTable.CPUS ->
                    j.allocCpus() > 0 ? j.allocCpus() : j.request().cpus();
                case QueueTable.SUBMIT -> j.submitTime();
                case QueueTable.EXPECTED_START -> reserved != null ? reserved.start() : 0;
                case QueueTable.BEGIN -> j.request().beginTime();
                case QueueTable.NICE -> j.request().nice();
                case QueueTable.NODES -> nodeCount(j);
                case QueueTable.PAUSED -> paused(j);
                case QueueTable.MIN_CPUS -> j.request().minCpusPerNode();
                default -> throw new IndexOutOfBoundsException(c);
            };
        }

        @Override
        public String text(int row, int c) {
            Job j = job;
            return switch (c) {
                case QueueTable.DISPLAY -> j.array() != null ? j.displayId() : null;
                case QueueTable.PENDING ->
                    j.array() != null && j.array().holdsPending() ? j.array().pending() : null;
                case QueueTable.STATE -> j.state().name();
                case QueueTable.PARTITION -> j.partition();
                case QueueTable.NAME -> j.request().name();
                case QueueTable.USER -> j.user();
                case QueueTable.NODES_OR_REASON -> nodesOrReason(j);
                case QueueTable.NODE -> j.nodeList();
                case QueueTable.REASON ->
                    j.stateDesc() != null ? j.stateDesc() : j.reason().name();
                case QueueTable.MEMORY -> memory(j);
                case QueueTable.SCHED_NODES -> reserved != null ? reserved.nodes() : null;
                case QueueTable.WORK_DIR -> j.request().workDir();
                case QueueTable.ACCOUNT -> j.request().account();
                case QueueTable.COMMENT -> j.request().comment();
                case QueueTable.QOS -> j.request().qos();
                case QueueTable.DEPENDENCY -> j.request().dependency();
                default -> throw new IndexOutOfBoundsException(c);
            };
        }
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
        // as Slurm's %R: these states show why (NonZeroExitCode, TimeLimit, ...) rather than where they ran
        if (shown) return j.stateDesc() != null ? "(" + j.stateDesc() + ")" : IN_PARENS.get(j.reason());
        return j.node() == null ? "" : j.nodeList();
    }

    /** squeue's %m: memory a node (--mem) or a CPU, "0" when the job named none and holds none. */
    static String memory(Job j) {
        MemoryRequest m = j.minMemory();
        if (m instanceof MemoryRequest.PerNode n) return MemorySize.format(n.mib());
        if (m instanceof MemoryRequest.PerCpu c) return MemorySize.format(c.mib());
        if (j.allocMemPerNodeMiB() > 0) return MemorySize.format(j.allocMemPerNodeMiB());
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
