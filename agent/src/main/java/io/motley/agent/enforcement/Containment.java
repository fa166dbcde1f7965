package io.motley.agent.enforcement;

import java.io.IOException;
import java.util.List;

/**
 * How this agent holds jobs to their limits and kills them whole, chosen once at start-up from
 * what the host offers: cgroup v2, cgroup v1, or tracking processes without cgroups. Each
 * strategy makes a {@link JobBox} per job.
 */
public sealed interface Containment permits CgroupV2, CgroupV1, ProcessTracking {
    /** What Slurm users and operators see: "cgroup2", "cgroup1" or "process". */
    String name();

    /** One line for the log: where job groups live and how memory, CPUs, accounting and kills are done. */
    String summary();

    /** Makes the box for a new job. */
    JobBox open(long jobId, JobLimits limits) throws IOException;

    /**
     * Picks the strategy for {@code mode} ("auto", "cgroup2", "cgroup1" or "process") and logs every
     * attempt, why it was refused and what was chosen. Never throws: a forced mode that cannot work
     * here falls back to the next that can, with a warning; tracking processes always works.
     */
    static Containment choose(String mode, String node) {
        return Choice.choose(mode, node);
    }

    /**
     * Finds the box of a job an earlier agent process started, from what {@link JobBox#strategy()}
     * and {@link JobBox#location()} recorded, whatever strategy this agent uses now.
     */
    static JobBox reopen(String strategy, long jobId, String node, JobLimits limits, List<String> location) {
        return switch (strategy) {
            case "cgroup2" ->
                location.isEmpty()
                        ? new ProcessTracking.Box(jobId, node, limits)
                        : CgroupV2.reopen(jobId, node, limits, location);
            case "cgroup1" ->
                location.isEmpty()
                        ? new ProcessTracking.Box(jobId, node, limits)
                        : CgroupV1.reopen(jobId, node, limits, location);
            default -> new ProcessTracking.Box(jobId, node, limits);
        };
    }
}
