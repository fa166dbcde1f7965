package io.motley.agent.enforcement;

import java.util.List;

/**
 * What a job may use on this node: memory in MiB (0 or less: no limit), the CPU ids its processes
 * are bound to (empty: not bound) and the most processes it may have (0 or less: no limit).
 */
public record JobLimits(long memMiB, List<Integer> cpus, long pidsMax) {
    public JobLimits {
        cpus = List.copyOf(cpus);
    }

    public long memBytes() {
        return memMiB * 1024 * 1024;
    }
}
