package io.motley.core.scheduler;

import java.util.List;

/**
 * Resources a running job holds on one node: CPUs, memory and GPU device indices, until
 * {@code end} (epoch seconds: its start plus its time limit; {@link #NO_END} when it has none),
 * which is when reservations may count on them.
 */
public record Allocation(long jobId, String node, int cpus, long memMiB, List<Integer> gpuIds, long end) {
    /** The end of a job without a time limit. */
    public static final long NO_END = Long.MAX_VALUE;

    public Allocation {
        gpuIds = gpuIds == null ? List.of() : List.copyOf(gpuIds);
    }

    public Allocation(long jobId, String node, int cpus, long memMiB, List<Integer> gpuIds) {
        this(jobId, node, cpus, memMiB, gpuIds, NO_END);
    }

    public Allocation(long jobId, String node, int cpus, long memMiB) {
        this(jobId, node, cpus, memMiB, List.of(), NO_END);
    }
}
