package io.motley.core.step;

import java.util.List;
import java.util.Objects;

/**
 * What one task of a running step has used on its node so far, as that node's agent last sampled
 * it (sstat): its live processes, resident and virtual memory now and at their peak (KiB, the sum
 * over the task's processes), major page faults, CPU time (ms) and bytes read and written, each
 * counting the task's processes that already exited; {@code systemCpuMs} is the part of
 * {@code cpuMs} spent in the kernel. {@code cpuFreq} is the task's average CPU frequency, each
 * sampled stretch of its CPU time weighted by the frequency of the CPU it ran on, in the unit
 * the node tells it (kHz from cpufreq, MHz from /proc/cpuinfo, as Slurm's AveCPUFreq); 0 where
 * unknown. {@code step} is {@link #BATCH} for the batch script's own processes.
 */
public record TaskUsage(
        int step,
        int task,
        String node,
        List<Long> pids,
        long rssKiB,
        long maxRssKiB,
        long vmKiB,
        long maxVmKiB,
        long pages,
        long cpuMs,
        long readBytes,
        long writeBytes,
        long systemCpuMs,
        long cpuFreq) {
    /** The batch step's id here (Slurm's SLURM_BATCH_SCRIPT is 0xfffffffb; ours stays an int). */
    public static final int BATCH = -5;

    public TaskUsage {
        Objects.requireNonNull(node, "node");
        pids = List.copyOf(pids);
    }

    /** A task's figures without the kernel's part of its CPU time and its CPU frequency (an agent that tells neither). */
    public TaskUsage(
            int step,
            int task,
            String node,
            List<Long> pids,
            long rssKiB,
            long maxRssKiB,
            long vmKiB,
            long maxVmKiB,
            long pages,
            long cpuMs,
            long readBytes,
            long writeBytes) {
        this(step, task, node, pids, rssKiB, maxRssKiB, vmKiB, maxVmKiB, pages, cpuMs, readBytes, writeBytes, 0, 0);
    }

    /** CPU time in user mode, ms. */
    public long userCpuMs() {
        return Math.max(0, cpuMs - systemCpuMs);
    }

    /** "12.0" or "12.batch": how Slurm names the task's step. */
    public static String stepName(long jobId, int step) {
        return jobId + "." + (step == BATCH ? "batch" : Integer.toString(step));
    }
}
