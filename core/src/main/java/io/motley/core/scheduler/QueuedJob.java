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

    /** -C, -w, -x and --exclusive: which nodes a job accepts and whether it wants one to itself. */
    public record Placement(Constraint constraint, Set<String> nodes, Set<String> excluded, boolean exclusive) {
        public static final Placement ANY = new Placement(null, Set.of(), Set.of(), false);

        public Placement {
            nodes = nodes == null ? Set.of() : Set.copyOf(nodes);
            excluded = excluded == null ? Set.of() : Set.copyOf(excluded);
        }

        public boolean accepts(io.motley.core.cluster.NodeView n) {
            if (!nodes.isEmpty() && !nodes.contains(n.name())) return false;
            if (excluded.contains(n.name())) return false;
            return constraint == null || constraint.matches(n.features());
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
