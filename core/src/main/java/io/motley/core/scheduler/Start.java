package io.motley.core.scheduler;

import io.motley.core.job.Job;
import java.util.List;

/**
 * A decision to start a pending job now, in a partition, on one or more nodes ({@code parts}, the
 * first the batch host) with these resources on each. {@link #node()}, {@link #cpus()}, {@link
 * #memMiB()} and {@link #gpuIds()} read the batch host, the totals and the batch host's GPUs.
 */
public record Start(long jobId, String partition, List<Job.Allocation.Part> parts, long timeLimitSeconds) {
    public Start {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) throw new IllegalArgumentException("a job starts on at least one node");
    }

    /** A start on one node. */
    public Start(
            long jobId,
            String partition,
            String node,
            int cpus,
            long memMiB,
            long timeLimitSeconds,
            List<Integer> gpuIds) {
        this(jobId, partition, List.of(new Job.Allocation.Part(node, cpus, memMiB, gpuIds)), timeLimitSeconds);
    }

    /** The batch host. */
    public String node() {
        return parts.get(0).node();
    }

    /** CPUs over all nodes. */
    public int cpus() {
        return parts.stream().mapToInt(Job.Allocation.Part::cpus).sum();
    }

    /** Memory over all nodes. */
    public long memMiB() {
        return parts.stream().mapToLong(Job.Allocation.Part::memMiB).sum();
    }

    /** The batch host's GPUs. */
    public List<Integer> gpuIds() {
        return parts.get(0).gpuIds();
    }

    /** What the job holds on each node, as the scheduler's running allocations until {@code end}. */
    public List<Allocation> allocations(long end) {
        return parts.stream()
                .map(p -> new Allocation(jobId, p.node(), p.cpus(), p.memMiB(), p.gpuIds(), end))
                .toList();
    }
}
