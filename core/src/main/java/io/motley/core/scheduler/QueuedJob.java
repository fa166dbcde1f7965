package io.motley.core.scheduler;

import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import io.motley.core.time.Durations;
import java.util.List;
import java.util.Set;

/**
 * A pending job as the scheduler sees it. {@code memMiB} is -2 when the user named no memory (the
 * job then gets a per-CPU share of its node); {@code timeLimitSeconds} is -2 when not given;
 * {@code gpus} GPUs of {@code gpuType} (any type when null) on its node; {@code placement} where
 * it may go. {@code submitOrder} breaks priority ties, as Slurm's submission order does: the job's
 * id, or for an array task (queued under a synthetic id) the array's id.
 */
public record QueuedJob(
        long id,
        long priority,
        List<String> partitions,
        int cpus,
        long memMiB,
        long timeLimitSeconds,
        boolean held,
        int gpus,
        String gpuType,
        Placement placement,
        long submitOrder) {

    /**
     * -C, -w, -x, --exclusive and the node count: which nodes a job accepts, whether it wants each
     * to itself, and over how many nodes it spreads. A single-node job runs on one of the -w nodes;
     * a multi-node job holds every -w node and others up to its count, as in Slurm.
     */
    public record Placement(
            Constraint constraint,
            Set<String> nodes,
            Set<String> excluded,
            boolean exclusive,
            Span span,
            Constraint prefer) {
        public static final Placement ANY = new Placement(null, Set.of(), Set.of(), false);

        public Placement {
            nodes = nodes == null
                    ? Set.of()
                    : java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(nodes));
            excluded = excluded == null ? Set.of() : Set.copyOf(excluded);
            if (span == null) span = Span.ONE;
        }

        public Placement(Constraint constraint, Set<String> nodes, Set<String> excluded, boolean exclusive) {
            this(constraint, nodes, excluded, exclusive, Span.ONE);
        }

        public Placement(Constraint constraint, Set<String> nodes, Set<String> excluded, boolean exclusive, Span span) {
            this(constraint, nodes, excluded, exclusive, span, null);
        }

        /** The same placement with --prefer's features, which a node is tried with first (null: none). */
        public Placement preferring(Constraint features) {
            return new Placement(constraint, nodes, excluded, exclusive, span, features);
        }

        /**
         * Whether the job may hold node n on its first try: with --prefer, as Slurm's, the preferred
         * features stand in for -C's (the second try, {@link #accepts}, is -C's alone).
         */
        public boolean preferred(io.motley.core.cluster.NodeView n) {
            if (prefer == null) return accepts(n);
            if (!span.multiNode() && !nodes.isEmpty() && !nodes.contains(n.name())) return false;
            return !excluded.contains(n.name()) && prefer.matches(n.features());
        }

        /** Whether the job may hold node n (for a multi-node job, besides the -w nodes it must hold). */
        public boolean accepts(io.motley.core.cluster.NodeView n) {
            if (!span.multiNode() && !nodes.isEmpty() && !nodes.contains(n.name())) return false;
            if (excluded.contains(n.name())) return false;
            return constraint == null || constraint.matches(n.features());
        }
    }

    /**
     * A job's node count and how its tasks fall on the nodes: between {@code minNodes} and {@code
     * maxNodes} nodes, {@code tasks} tasks of {@code cpusPerTask} CPUs (when {@code tasksGiven};
     * else one task, or {@code tasksPerNode}, per node), at most {@code tasksPerNode} per node
     * when above 0, the fewest nodes that serve unless {@code spread} (--spread-job) asks for the
     * most.
     */
    public record Span(
            int minNodes,
            int maxNodes,
            int tasks,
            int cpusPerTask,
            int tasksPerNode,
            boolean tasksGiven,
            boolean spread) {
        /** One node, the job's CPUs there. */
        public static final Span ONE = new Span(1, 1, 1, 1, 0, true, false);

        public Span {
            minNodes = Math.max(1, minNodes);
            maxNodes = Math.max(minNodes, maxNodes);
        }

        /** Whether the job spans (or may span) more than one node. */
        public boolean multiNode() {
            return maxNodes > 1;
        }

        /** Node counts to try, in the order wanted: fewest first, or most first with --spread-job. */
        public int[] nodeCounts() {
            int n = maxNodes - minNodes + 1;
            int[] out = new int[n];
            for (int k = 0; k < n; k++) out[k] = spread ? maxNodes - k : minNodes + k;
            return out;
        }

        /** Tasks per node on {@code k} nodes (largest first), or null when the tasks cannot use k nodes. */
        public int[] tasksOn(int k) {
            if (!tasksGiven) {
                int[] each = new int[k];
                java.util.Arrays.fill(each, tasksPerNode > 0 ? tasksPerNode : 1);
                return each;
            }
            if (tasks < k || (tasksPerNode > 0 && (long) tasksPerNode * k < tasks)) return null;
            return io.motley.core.layout.TaskLayout.tasksPerNode(tasks, k, tasksPerNode);
        }
    }

    public QueuedJob {
        partitions = List.copyOf(partitions);
        if (placement == null) placement = Placement.ANY;
    }

    /** A job that is its own submission (not an array task). */
    public QueuedJob(
            long id,
            long priority,
            List<String> partitions,
            int cpus,
            long memMiB,
            long timeLimitSeconds,
            boolean held,
            int gpus,
            String gpuType,
            Placement placement) {
        this(id, priority, partitions, cpus, memMiB, timeLimitSeconds, held, gpus, gpuType, placement, id);
    }

    public QueuedJob(
            long id,
            long priority,
            List<String> partitions,
            int cpus,
            long memMiB,
            long timeLimitSeconds,
            boolean held,
            int gpus,
            String gpuType) {
        this(id, priority, partitions, cpus, memMiB, timeLimitSeconds, held, gpus, gpuType, Placement.ANY);
    }

    public QueuedJob(
            long id,
            long priority,
            List<String> partitions,
            int cpus,
            long memMiB,
            long timeLimitSeconds,
            boolean held) {
        this(id, priority, partitions, cpus, memMiB, timeLimitSeconds, held, 0, null, Placement.ANY);
    }

    /** The scheduler's number for a value the user did not give (memory, time limit). */
    public static final long NOT_GIVEN = -2;

    /** The memory a request names on its node, as the scheduler reads it ({@link #NOT_GIVEN} for none). */
    public static long memMiB(JobRequest r) {
        return r.requestedMemMiB(NOT_GIVEN);
    }

    /** A time limit as the scheduler reads it: seconds, -1 unlimited, {@link #NOT_GIVEN} not given. */
    public static long timeLimitSeconds(TimeLimit limit) {
        if (!limit.given()) return NOT_GIVEN;
        return limit.secondsOr(Durations.UNLIMITED);
    }
}
