package io.motley.core.scheduler;

import java.util.List;

/**
 * A pending job as the scheduler sees it. {@code memMiB} is -2 when the user named no memory (the
 * job then gets a per-CPU share of its node); {@code timeLimitSeconds} is -2 when not given;
 * {@code gpus} GPUs of {@code gpuType} (any type when null) on its node.
 */
public record QueuedJob(
        long id, long priority, List<String> partitions, int cpus, long memMiB, long timeLimitSeconds, boolean held,
        int gpus, String gpuType) {
    public QueuedJob {
        partitions = List.copyOf(partitions);
    }

    public QueuedJob(long id, long priority, List<String> partitions, int cpus, long memMiB, long timeLimitSeconds, boolean held) {
        this(id, priority, partitions, cpus, memMiB, timeLimitSeconds, held, 0, null);
    }
}
