package io.motley.core.scheduler;

import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import java.util.Map;

/**
 * Priority-ordered first-fit scheduling with optional reservations and backfill, as Slurm's main
 * and backfill schedulers do. Jobs are taken by partition tier, priority, then id (submission
 * order); each starts on the first node of its partition (lowest Weight first) where its CPUs,
 * memory and GPUs fit. Once a job of a partition has to wait, the jobs behind it in that partition
 * wait too (reason Priority), so a large job is not starved by a stream of small ones, unless the
 * pass backfills: then a job behind may start if it leaves every reservation intact. The first
 * {@link SchedulerOptions#reservations()} waiting jobs get a reservation, computed from the running
 * jobs' ends (start plus time limit). A pure function: the same snapshot and options always give
 * the same plan.
 */
public final class Scheduler {

    private Scheduler() {}

    /** Priority order and first fit without reservations (sched/builtin). */
    public static Plan plan(Snapshot snap) {
        return plan(snap, SchedulerOptions.FCFS);
    }

    public static Plan plan(Snapshot snap, SchedulerOptions options) {
        return plan(snap, options, JobGate.OPEN);
    }

    /** As {@link #plan(Snapshot, SchedulerOptions)}, with limits beyond the nodes' (association limits) from {@code gate}. */
    public static Plan plan(Snapshot snap, SchedulerOptions options, JobGate gate) {
        // a scheduler with nothing kept from a pass before: the same algorithm, from scratch
        return new IncrementalScheduler().plan(snap, options, gate);
    }

    /** The highest PriorityTier among a job's partitions (0 when none exists): jobs are taken by it first, as in Slurm. */
    public static int tier(QueuedJob q, Map<String, Partition> partitions) {
        int t = Integer.MIN_VALUE;
        for (String name : q.partitions()) {
            Partition p = partitions.get(name);
            if (p != null) t = Math.max(t, p.priorityTier());
        }
        return t == Integer.MIN_VALUE ? 0 : t;
    }

    /** Memory a job gets on a node: what it asked for, else the default per CPU, else the node's per-CPU share. */
    public static long memoryFor(QueuedJob job, NodeView node, long defMemPerCpuMiB) {
        return memoryFor(job, node, defMemPerCpuMiB, job.cpus());
    }

    /**
     * The same for a job given {@code cpus} CPUs on the node (all of them for --exclusive): without
     * --mem, DefMemPerCPU times those CPUs, as Slurm gives an exclusive job 2,000 MB of a 2-CPU node
     * with DefMemPerCPU=1000 rather than the whole node.
     */
    public static long memoryFor(QueuedJob job, NodeView node, long defMemPerCpuMiB, int cpus) {
        if (job.memMiB() >= 0) return job.memMiB() == 0 ? node.memMiB() : job.memMiB();
        long perCpu = defMemPerCpuMiB > 0 ? defMemPerCpuMiB : node.memMiB() / Math.max(1, node.cpus());
        return Math.min(node.memMiB(), perCpu * cpus);
    }
}
