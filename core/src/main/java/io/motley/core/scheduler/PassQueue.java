package io.motley.core.scheduler;

import java.util.List;

/**
 * A snapshot's pending jobs as a pass reads them: the fields it needs for every job in flat
 * arrays by snapshot position (so that walking 100,000 jobs touches a few arrays, not 100,000
 * records), and {@link #order}, the positions in pass order.
 */
final class PassQueue {
    final List<QueuedJob> jobs;
    final long[] ids;
    final long[] priority;
    final long[] submitOrder;
    final boolean[] held;
    final long[] timeLimit;
    final PartitionTable.Route[] routes;
    /** Positions in pass order: tier, then priority, then submission, then id. */
    int[] order;
    /** Whether no two jobs share an id. */
    boolean idsUnique;
    /**
     * What a pass reads of every job, in pass order (index r for the job at {@code order[r]}), so
     * that the walk down the queue reads memory in sequence rather than jumping about 100,000
     * jobs; set by {@link #layOut}.
     */
    long[] idByRank;

    long[] timeLimitByRank;
    boolean[] heldByRank;
    PartitionTable.Route[] routeByRank;

    PassQueue(List<QueuedJob> jobs, PartitionTable table) {
        this(jobs);
        for (int k = 0; k < jobs.size(); k++) read(k, jobs.get(k), table);
    }

    /** This queue over another list of the very same records: its arrays (which no pass changes) shared. */
    PassQueue over(List<QueuedJob> same) {
        return new PassQueue(this, same);
    }

    private PassQueue(PassQueue from, List<QueuedJob> jobs) {
        this.jobs = jobs;
        ids = from.ids;
        priority = from.priority;
        submitOrder = from.submitOrder;
        held = from.held;
        timeLimit = from.timeLimit;
        routes = from.routes;
        order = from.order;
        idsUnique = from.idsUnique;
        idByRank = from.idByRank;
        timeLimitByRank = from.timeLimitByRank;
        heldByRank = from.heldByRank;
        routeByRank = from.routeByRank;
    }

    /** Sets the pass order and lays the fields a pass reads of every job out in it. */
    void layOut(int[] order) {
        this.order = order;
        int n = order.length;
        idByRank = new long[n];
        timeLimitByRank = new long[n];
        heldByRank = new boolean[n];
        routeByRank = new PartitionTable.Route[n];
        for (int r = 0; r < n; r++) {
            int at = order[r];
            idByRank[r] = ids[at];
            timeLimitByRank[r] = timeLimit[at];
            heldByRank[r] = held[at];
            routeByRank[r] = routes[at];
        }
    }

    /** A queue of these jobs whose positions are yet to be filled, by {@link #read} or {@link #copy}. */
    PassQueue(List<QueuedJob> jobs) {
        this.jobs = jobs;
        int n = jobs.size();
        ids = new long[n];
        priority = new long[n];
        submitOrder = new long[n];
        held = new boolean[n];
        timeLimit = new long[n];
        routes = new PartitionTable.Route[n];
    }

    /** Fills position k from its job. */
    void read(int k, QueuedJob job, PartitionTable table) {
        ids[k] = job.id();
        priority[k] = job.priority();
        submitOrder[k] = job.submitOrder();
        held[k] = job.held();
        timeLimit[k] = job.timeLimitSeconds();
        routes[k] = table.route(job.partitions());
    }

    /** Fills position k from position p of a queue read over the same partition table from an equal job. */
    void copy(int k, PassQueue from, int p) {
        ids[k] = from.ids[p];
        priority[k] = from.priority[p];
        submitOrder[k] = from.submitOrder[p];
        held[k] = from.held[p];
        timeLimit[k] = from.timeLimit[p];
        routes[k] = from.routes[p];
    }

    /** Whether the job at position a goes before the one at b (ties: neither). */
    int compare(int a, int b) {
        if (routes[a].tier() != routes[b].tier()) return Integer.compare(routes[b].tier(), routes[a].tier());
        if (priority[a] != priority[b]) return Long.compare(priority[b], priority[a]);
        if (submitOrder[a] != submitOrder[b]) return Long.compare(submitOrder[a], submitOrder[b]);
        return Long.compare(ids[a], ids[b]);
    }

    /**
     * Sorts positions stably by {@link #compare}, merging the runs already in order: an order
     * that is still right costs one comparison per job, a few new jobs a merge.
     */
    void sort(int[] positions) {
        int n = positions.length;
        if (n < 2) return;
        int[] runs = new int[n + 1];
        int count = 0;
        runs[count++] = 0;
        for (int k = 1; k < n; k++) {
            if (compare(positions[k - 1], positions[k]) > 0) runs[count++] = k;
        }
        runs[count] = n;
        int[] from = positions;
        int[] to = new int[n];
        while (count > 1) {
            int merged = 0;
            for (int r = 0; r < count; r += 2) {
                int lo = runs[r];
                int mid = runs[Math.min(r + 1, count)];
                int hi = runs[Math.min(r + 2, count)];
                int i = lo, j = mid, o = lo;
                while (i < mid && j < hi) to[o++] = compare(from[j], from[i]) < 0 ? from[j++] : from[i++];
                while (i < mid) to[o++] = from[i++];
                while (j < hi) to[o++] = from[j++];
                runs[merged++] = lo;
            }
            runs[merged] = n;
            count = merged;
            int[] t = from;
            from = to;
            to = t;
        }
        if (from != positions) System.arraycopy(from, 0, positions, 0, n);
    }
}
