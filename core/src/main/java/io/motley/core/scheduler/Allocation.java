package io.motley.core.scheduler;

import java.util.List;

/** Resources a running job holds on one node: CPUs, memory and GPU device indices. */
public record Allocation(long jobId, String node, int cpus, long memMiB, List<Integer> gpuIds) {
    public Allocation {
        gpuIds = gpuIds == null ? List.of() : List.copyOf(gpuIds);
    }

    public Allocation(long jobId, String node, int cpus, long memMiB) {
        this(jobId, node, cpus, memMiB, List.of());
    }
}
