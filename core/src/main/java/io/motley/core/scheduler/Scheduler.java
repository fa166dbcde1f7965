package io.motley.core.scheduler;

import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.PendingReason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Priority-ordered first-fit scheduling, as Slurm's main scheduler does without backfill: jobs are
 * taken by priority (then by id, i.e. submission order); each starts on the first node of its
 * partition where its CPUs and memory fit; once a job of a partition has to wait for resources,
 * the jobs behind it in that partition wait too (reason Priority), so a large job is not starved
 * by a stream of small ones. A pure function: the same snapshot always gives the same plan.
 */
public final class Scheduler {

    private Scheduler() {}

    public static Plan plan(Snapshot snap) {
        Map<String, NodeView> nodes = new LinkedHashMap<>();
        // lower Weight is filled first, as in Slurm; then by name
        snap.nodes().stream().sorted(Comparator.comparingInt(NodeView::weight).thenComparing(NodeView::name))
                .forEach(n -> nodes.put(n.name(), n));
        Map<String, int[]> freeCpus = new HashMap<>();
        Map<String, long[]> freeMem = new HashMap<>();
        Map<String, Set<Integer>> usedGpus = new HashMap<>();
        for (NodeView n : nodes.values()) {
            freeCpus.put(n.name(), new int[] {n.cpus()});
            freeMem.put(n.name(), new long[] {n.memMiB()});
            usedGpus.put(n.name(), new HashSet<>());
        }
        for (Allocation a : snap.running()) {
            int[] c = freeCpus.get(a.node());
            if (c != null) {
                c[0] -= a.cpus();
                freeMem.get(a.node())[0] -= a.memMiB();
                usedGpus.get(a.node()).addAll(a.gpuIds());
            }
        }
        Map<String, Partition> partitions = new HashMap<>();
        for (Partition p : snap.partitions()) partitions.put(p.name(), p);

        List<QueuedJob> queue = new ArrayList<>(snap.pending());
        // jobs of higher PriorityTier partitions go first, as in Slurm; then priority, then submission
        queue.sort(Comparator.comparingInt((QueuedJob q) -> -tier(q, partitions))
                .thenComparing(Comparator.comparingLong(QueuedJob::priority).reversed()).thenComparingLong(QueuedJob::id));

        List<Start> starts = new ArrayList<>();
        Map<Long, PendingReason> reasons = new HashMap<>();
        Set<String> blocked = new HashSet<>();
        for (QueuedJob job : queue) {
            if (job.held()) {
                reasons.put(job.id(), PendingReason.JobHeldUser);
                continue;
            }
            PendingReason reason = null;
            Start start = null;
            for (String pname : byTier(job.partitions(), partitions)) {
                Partition p = partitions.get(pname);
                PendingReason here = null;
                if (p == null) {
                    here = PendingReason.PartitionInactive;
                } else if (!p.state().startsJobs()) {
                    here = p.state() == PartitionState.INACTIVE
                            ? PendingReason.PartitionInactive
                            : PendingReason.PartitionDown;
                } else if (!p.allowsTimeLimit(p.effectiveTimeLimit(job.timeLimitSeconds()))) {
                    here = PendingReason.PartitionTimeLimit;
                } else if (blocked.contains(pname)) {
                    here = PendingReason.Priority;
                } else {
                    start = firstFit(job, p, nodes, freeCpus, freeMem, usedGpus, snap.defMemPerCpuMiB());
                    if (start == null) {
                        here = PendingReason.Resources;
                        blocked.add(pname);
                    }
                }
                if (start != null) break;
                if (reason == null) reason = here;
            }
            if (start != null) {
                starts.add(start);
                freeCpus.get(start.node())[0] -= start.cpus();
                freeMem.get(start.node())[0] -= start.memMiB();
                usedGpus.get(start.node()).addAll(start.gpuIds());
            } else {
                reasons.put(job.id(), reason == null ? PendingReason.Resources : reason);
            }
        }
        return new Plan(starts, reasons);
    }

    /** A job's partitions, higher tier first, otherwise in the order the user gave them. */
    private static List<String> byTier(List<String> names, Map<String, Partition> partitions) {
        if (names.size() < 2) return names;
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(Comparator.comparingInt(n -> partitions.containsKey(n) ? -partitions.get(n).priorityTier() : 0));
        return sorted;
    }

    private static int tier(QueuedJob q, Map<String, Partition> partitions) {
        int t = Integer.MIN_VALUE;
        for (String name : q.partitions()) {
            Partition p = partitions.get(name);
            if (p != null) t = Math.max(t, p.priorityTier());
        }
        return t == Integer.MIN_VALUE ? 0 : t;
    }

    /** Memory a job gets on a node: what it asked for, else the default per CPU, else the node's per-CPU share. */
    public static long memoryFor(QueuedJob job, NodeView node, long defMemPerCpuMiB) {
        if (job.memMiB() >= 0) return job.memMiB() == 0 ? node.memMiB() : job.memMiB();
        long perCpu = defMemPerCpuMiB > 0 ? defMemPerCpuMiB : node.memMiB() / Math.max(1, node.cpus());
        return Math.min(node.memMiB(), perCpu * job.cpus());
    }

    private static Start firstFit(
            QueuedJob job,
            Partition p,
            Map<String, NodeView> nodes,
            Map<String, int[]> freeCpus,
            Map<String, long[]> freeMem,
            Map<String, Set<Integer>> usedGpus,
            long defMemPerCpu) {
        for (NodeView n : nodes.values()) {
            if (!n.schedulable() || !p.contains(n.name()) || !job.placement().accepts(n)) continue;
            boolean exclusive = job.placement().exclusive();
            // an exclusive job takes the whole node, so it needs the node idle
            if (exclusive && (freeCpus.get(n.name())[0] < n.cpus() || !usedGpus.get(n.name()).isEmpty())) continue;
            long mem = exclusive ? n.memMiB() : memoryFor(job, n, defMemPerCpu);
            int cpus = exclusive ? n.cpus() : job.cpus();
            if (freeCpus.get(n.name())[0] < cpus || freeMem.get(n.name())[0] < mem) continue;
            List<Integer> gpus = freeGpus(job, n, usedGpus.get(n.name()));
            if (gpus == null) continue;
            return new Start(job.id(), p.name(), n.name(), cpus, mem, p.effectiveTimeLimit(job.timeLimitSeconds()), gpus);
        }
        return null;
    }

    /** The lowest free device indices of the wanted type, or null when too few are free. */
    private static List<Integer> freeGpus(QueuedJob job, NodeView n, Set<Integer> used) {
        if (job.gpus() <= 0) return List.of();
        List<Integer> picked = new ArrayList<>();
        for (Gpu g : n.gpus().stream().sorted(Comparator.comparingInt(Gpu::index)).toList()) {
            if (picked.size() == job.gpus()) break;
            if (used.contains(g.index())) continue;
            if (job.gpuType() != null && !job.gpuType().equals(g.type())) continue;
            picked.add(g.index());
        }
        return picked.size() == job.gpus() ? picked : null;
    }
}
