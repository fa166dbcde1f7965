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
    /** The last pass's pending job ids in snapshot order, and its queue as positions in that list. */
    private long[] lastIds;

    private int[] lastQueue;
    /** Whether the last pass's pending ids were all different. */
    private boolean lastUnique;

    public Plan plan(Snapshot snap, SchedulerOptions options) {
        return plan(snap, options, JobGate.OPEN);
    }

    /** As {@link #plan(Snapshot, SchedulerOptions)}, with limits beyond the nodes' (association limits) from {@code gate}. */
    public Plan plan(Snapshot snap, SchedulerOptions options, JobGate gate) {
        if (layout == null || !layout.describes(snap.nodes())) layout = new NodeLayout(snap.nodes());
        if (table == null || !table.describes(snap.partitions(), layout))
            table = new PartitionTable(snap.partitions(), layout);
        return new SchedulingPass(snap, options, gate, layout, table, queue(snap.pending())).run();
    }

    /**
     * The queue in pass order. The jobs are laid out in the last pass's order first (new ones at
     * the end), so that sorting, which merges runs already in order, costs little when few jobs
     * moved; the keys are unique (the job id breaks ties), so the result is the same from any
     * starting order. Two jobs of one id would make it depend on that order: then the jobs are
     * sorted from the snapshot's, as a fresh pass would.
     */
    private PassQueue queue(List<QueuedJob> pending) {
        PassQueue queue = new PassQueue(pending, table);
        long[] ids = queue.ids;
        int n = ids.length;
        int[] order = new int[n];
        boolean sameJobs = lastIds != null && Arrays.equals(ids, lastIds);
        if (sameJobs) {
            // the same jobs in the same snapshot order (the common case: a job ended, a node changed)
            System.arraycopy(lastQueue, 0, order, 0, n);
        } else if (lastIds != null) {
            Ranks ranks = new Ranks(n);
            for (int k = 0; k < n; k++) ranks.put(ids[k], k);
            int at = 0;
            boolean[] placed = new boolean[n];
            for (int last : lastQueue) {
                int k = ranks.get(lastIds[last]);
                if (k >= 0 && !placed[k]) {
                    placed[k] = true;
                    order[at++] = k;
                }
            }
            for (int k = 0; k < n; k++) {
                if (!placed[k]) order[at++] = k;
            }
        } else {
            for (int k = 0; k < n; k++) order[k] = k;
        }
        boolean unique = sameJobs ? lastUnique : allDifferent(ids);
        if (!unique) {
            for (int k = 0; k < n; k++) order[k] = k;
        }
        queue.sort(order);
        queue.order = order;
        queue.idsUnique = unique;
        lastIds = ids;
        lastQueue = order;
        lastUnique = unique;
        return queue;
    }

    private static boolean allDifferent(long[] ids) {
        Ranks seen = new Ranks(ids.length);
        for (long id : ids) {
            if (!seen.put(id, 0)) return false;
        }
        return true;
    }

    /** Job id to place in a pass's order, without boxing. */
    private static final class Ranks {
        private final long[] ids;
        private final int[] ranks;
        private final int shift;
        private int size;

        Ranks(int expected) {
            int bits = 1;
            while ((1 << bits) < 2L * Math.max(1, expected) && bits < 30) bits++;
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

        int get(long id) {
            int mask = ids.length - 1;
            for (int s = slot(id); ranks[s] >= 0; s = (s + 1) & mask) {
                if (ids[s] == id) return ranks[s];
            }
            return -1;
        }
    }
}
