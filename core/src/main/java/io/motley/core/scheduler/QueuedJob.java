package io.motley.core.scheduler;

import java.util.List;

/**
 * A pending job as the scheduler sees it. {@code memMiB} is -2 when the user named no memory (the
 * job then gets a per-CPU share of its node); {@code timeLimitSeconds} is -2 when not given.
 */
public record QueuedJob(
        long id, long priority, List<String> partitions, int cpus, long memMiB, long timeLimitSeconds, boolean held) {
    public QueuedJob {
        partitions = List.copyOf(partitions);
    }
}
