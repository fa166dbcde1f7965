package io.motley.core.scheduler;

import java.util.List;

/** A decision to start a pending job now, in a partition, on a node, with these resources. */
public record Start(
        long jobId, String partition, String node, int cpus, long memMiB, long timeLimitSeconds, List<Integer> gpuIds) {
    public Start {
        gpuIds = List.copyOf(gpuIds);
    }
}
