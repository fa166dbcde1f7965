package io.motley.bench.scheduler;

import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.Snapshot;

/**
 * Prints what a generated workload looks like and the heap it holds (heap used after a full GC,
 * before and after building its snapshot), and one timed pass: {@code bench/jmh --footprint [JOBS [NODES]]}.
 */
public final class SnapshotFootprint {

    private SnapshotFootprint() {}

    public static void main(String[] args) {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        long before = usedAfterGc();
        Workloads.Workload w = Workloads.generate(42, nodes, jobs);
        Snapshot snap = w.snapshot();
        long after = usedAfterGc();
        System.out.printf(
                "workload: %,d pending jobs, %,d nodes, %,d running allocations, %d partitions%n",
                w.pending().size(),
                w.nodes().size(),
                w.running().size(),
                w.partitions().size());
        System.out.printf("heap held by the workload and its snapshot: %,.1f MiB%n", (after - before) / 1048576.0);
        long t0 = System.nanoTime();
        Plan p = Scheduler.plan(snap);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(
                "one cold pass: %,d ms, %,d starts, %,d pending with a reason%n",
                ms, p.starts().size(), p.reasons().size());
        // keep the workload reachable until after the measurement
        if (w.pending().isEmpty()) System.out.println();
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
