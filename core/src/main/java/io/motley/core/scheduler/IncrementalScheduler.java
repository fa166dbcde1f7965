package io.motley.core.scheduler;

import java.util.Arrays;
import java.util.List;

/**
 * {@link Scheduler#plan} for a controller that plans pass after pass: it keeps what a pass
 * worked out that the next one can reuse (the nodes in fill order, each partition's members,
 * the routes of jobs' partition lists, the queue's priority order) and checks it against each
 * new snapshot, so the pass after a small change (a job ended, one submitted, a node changed)
 * costs a fraction of the first. Its plan is always exactly {@code Scheduler.plan}'s for the
 * same snapshot and options: what it keeps is only a cache, checked before use, and a new
 * instance gives the same plans. Pure (no clock, no I/O, no threads); one pass at a time.
 */
public final class IncrementalScheduler {
    private NodeLayout layout;
    private PartitionTable table;
    /** What the running jobs held at the last pass, per node of {@link #layout}. */
    private HeldResources held;
    /** The last pass's queue, read over {@link #lastTable}. */
    private PassQueue lastQueue;

    private PartitionTable lastTable;

    public Plan plan(Snapshot snap, SchedulerOptions options) {
        return plan(snap, options, JobGate.OPEN);
    }

    /** As {@link #plan(Snapshot, SchedulerOptions)}, with limits beyond the nodes' (association limits) from {@code gate}. */
    public Plan plan(Snapshot snap, SchedulerOptions options, JobGate gate) {
        if (layout == null || !layout.describes(snap.nodes())) layout = new NodeLayout(snap.nodes());
        if (table == null || !table.describes(snap.partitions(), layout))
            table = new PartitionTable(snap.partitions(), layout);
        if (held == null || held.layout != layout) held = new HeldResources(layout);
        held.update(snap.running());
        return new SchedulingPass(snap, options, gate, layout, table, held, queue(snap.pending())).run();
    }

    /** Whether a job of the last pass may stand for this one: the same record, or an equal one. */
    private static boolean same(QueuedJob last, QueuedJob job) {
        return last == job || last.equals(job);
    }

    /**
     * The queue in pass order. A job equal to one of the last pass (the same record, as the
     * controller's queue keeps them, or an equal one) is copied from it rather than read again; the
     * jobs are then laid out in the last pass's order first (new ones at the end), so that sorting,
     * which merges runs already in order, costs little when few jobs moved; the keys are unique
     * (the job id breaks ties), so the result is the same from any starting order. Two jobs of one
     * id would make it depend on that order: then the jobs are sorted from the snapshot's, as a
     * fresh pass would.
     */
    private PassQueue queue(List<QueuedJob> pending) {
        int n = pending.size();
        PassQueue last = lastTable == table ? lastQueue : null;
        if (last != null && sameRecords(last.jobs, pending)) {
            // the controller keeps a job's record while it does not change: then the last queue is this one
            lastQueue = last.over(pending);
            return lastQueue;
        }
        PassQueue queue = new PassQueue(pending);
        // per position, the last pass's position of the same job, or -1 when read anew
        int[] lastAt = new int[n];
        int m = last == null ? 0 : last.ids.length;
        boolean[] kept = new boolean[m];
        Ranks lastIds = null;
        int j = 0;
        for (int k = 0; k < n; k++) {
            QueuedJob job = pending.get(k);
            int p = -1;
            if (last != null) {
                // the jobs mostly follow in the last pass's order, a few gone (started, cancelled) between them
                for (int ahead = j; ahead < Math.min(m, j + 4); ahead++) {
                    if (!kept[ahead] && same(last.jobs.get(ahead), job)) {
                        p = ahead;
                        break;
                    }
                }
                if (p < 0) {
                    if (lastIds == null) lastIds = positions(last.ids);
                    int q = lastIds.get(job.id());
                    if (q >= 0 && !kept[q] && same(last.jobs.get(q), job)) p = q;
                }
            }
            lastAt[k] = p;
            if (p >= 0) {
                kept[p] = true;
                queue.copy(k, last, p);
                j = p + 1;
            } else {
                queue.read(k, job, table);
            }
        }
        int[] order = new int[n];
        int at = 0;
        if (last != null) {
            int[] now = new int[m];
            Arrays.fill(now, -1);
            for (int k = 0; k < n; k++) {
                if (lastAt[k] >= 0) now[lastAt[k]] = k;
            }
            for (int p : last.order) {
                if (now[p] >= 0) order[at++] = now[p];
            }
        }
        for (int k = 0; k < n; k++) {
            if (lastAt[k] < 0) order[at++] = k;
        }
        boolean unique;
        if (last != null && last.idsUnique) {
            // the kept jobs' ids differed in the last pass: only one read anew can repeat an id
            unique = true;
            Ranks fresh = null;
            for (int k = 0; k < n && unique; k++) {
                if (lastAt[k] >= 0) continue;
                if (lastIds == null) lastIds = positions(last.ids);
                if (fresh == null) fresh = new Ranks(16);
                int q = lastIds.get(queue.ids[k]);
                unique = (q < 0 || !kept[q]) && fresh.put(queue.ids[k], k);
            }
        } else {
            unique = allDifferent(queue.ids);
        }
        if (!unique) {
            for (int k = 0; k < n; k++) order[k] = k;
        }
        queue.sort(order);
        queue.layOut(order);
        queue.idsUnique = unique;
        lastQueue = queue;
        lastTable = table;
        return queue;
    }

    /** Whether the lists hold the very same records in the same order. */
    private static boolean sameRecords(List<QueuedJob> last, List<QueuedJob> now) {
        if (last == now) return true;
        int n = now.size();
        if (last.size() != n) return false;
        for (int k = 0; k < n; k++) {
            if (last.get(k) != now.get(k)) return false;
        }
        return true;
    }

    /** Each id's position (the first, when an id repeats). */
    static Ranks positions(long[] ids) {
        Ranks r = new Ranks(ids.length);
        for (int k = 0; k < ids.length; k++) r.put(ids[k], k);
        return r;
    }

    private static boolean allDifferent(long[] ids) {
        Ranks seen = new Ranks(ids.length);
        for (long id : ids) {
            if (!seen.put(id, 0)) return false;
        }
        return true;
    }

    /** Job id to a position (at least 0), without boxing; it grows as ids are put. */
    static final class Ranks {
        private long[] ids;
        private int[] ranks;
        private int shift;
        private int size;

        Ranks(int expected) {
            int bits = 1;
            while ((1 << bits) < 2L * Math.max(1, expected) && bits < 30) bits++;
            allocate(bits);
        }

        private void allocate(int bits) {
            ids = new long[1 << bits];
            ranks = new int[1 << bits];
            Arrays.fill(ranks, -1);
            shift = 64 - bits;
        }

        int size() {
            return size;
        }

        private int slot(long id) {
            return (int) ((id * 0x9E3779B97F4A7C15L) >>> shift);
        }

        /** False when the id is there already. */
        boolean put(long id, int rank) {
            if (2 * (size + 1) > ids.length) grow();
            int mask = ids.length - 1;
            for (int s = slot(id); ; s = (s + 1) & mask) {
                if (ranks[s] < 0) {
                    ids[s] = id;
                    ranks[s] = rank;
                    size++;
                    return true;
                }
                if (ids[s] == id) return false;
            }
        }

        private void grow() {
            long[] oldIds = ids;
            int[] oldRanks = ranks;
            allocate(Integer.numberOfTrailingZeros(ids.length) + 1);
            size = 0;
            for (int s = 0; s < oldIds.length; s++) {
                if (oldRanks[s] >= 0) put(oldIds[s], oldRanks[s]);
            }
        }

        int get(long id) {
            int mask = ids.length - 1;
            for (int s = slot(id); ranks[s] >= 0; s = (s + 1) & mask) {
                if (ids[s] == id) return ranks[s];
            }
            return -1;
        }
    }
}
