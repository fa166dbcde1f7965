package io.motley.core.simulation;

import java.util.Arrays;
import java.util.List;

/**
 * The summary of a simulation: how many jobs ran, their mean and 95th-percentile wait, their mean
 * bounded slowdown (threshold {@value #SLOWDOWN_THRESHOLD_SECONDS} s), the share of the cluster's
 * CPU time they used between the first submission and the last end, and that span (the makespan).
 * The percentile is the nearest-rank one: the smallest wait at least 95% of the jobs did not exceed.
 */
public record Figures(
        int jobs,
        double meanWaitSeconds,
        long p95WaitSeconds,
        double meanBoundedSlowdown,
        double utilization,
        long makespanSeconds) {

    public static final long SLOWDOWN_THRESHOLD_SECONDS = 10;

    /** Figures of the jobs that ran on a cluster of {@code totalCpus} CPUs; all zero when none ran. */
    public static Figures of(List<JobOutcome> outcomes, long totalCpus) {
        int n = outcomes.size();
        if (n == 0) return new Figures(0, 0, 0, 0, 0, 0);
        long[] waits = new long[n];
        double waitSum = 0;
        double slowdownSum = 0;
        double cpuSeconds = 0;
        long firstSubmit = Long.MAX_VALUE;
        long lastEnd = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            JobOutcome o = outcomes.get(i);
            waits[i] = o.waitSeconds();
            waitSum += o.waitSeconds();
            slowdownSum += o.boundedSlowdown(SLOWDOWN_THRESHOLD_SECONDS);
            cpuSeconds += (double) o.cpus() * o.runSeconds();
            firstSubmit = Math.min(firstSubmit, o.submitSeconds());
            lastEnd = Math.max(lastEnd, o.endSeconds());
        }
        Arrays.sort(waits);
        long p95 = waits[(int) Math.ceil(0.95 * n) - 1];
        long makespan = lastEnd - firstSubmit;
        return new Figures(
                n, waitSum / n, p95, slowdownSum / n, cpuSeconds / ((double) totalCpus * makespan), makespan);
    }
}
