package io.motley.core.job;

/**
 * What a job used, as its agent measured it: peak resident and virtual memory (KiB) and CPU time
 * (ms) in user and kernel mode. Zero where not measured.
 */
public record Usage(long maxRssKiB, long maxVmKiB, long userCpuMs, long systemCpuMs) {
    public static final Usage NONE = new Usage(0, 0, 0, 0);

    public long totalCpuMs() {
        return userCpuMs + systemCpuMs;
    }
}
