package io.motley.core.simulation;

/**
 * What happened to one job in a simulation: where and when it ran. {@code runSeconds} is the time
 * it actually ran, its run time cut at its time limit when {@code killed}.
 */
public record JobOutcome(
        long id,
        long submitSeconds,
        long startSeconds,
        long endSeconds,
        int cpus,
        String partition,
        String node,
        boolean killed) {

    public long waitSeconds() {
        return startSeconds - submitSeconds;
    }

    public long runSeconds() {
        return endSeconds - startSeconds;
    }

    /**
     * (wait + run) / max(run, threshold), at least 1: slowdown that does not let very short jobs
     * dominate the mean (Feitelson's bounded slowdown).
     */
    public double boundedSlowdown(long thresholdSeconds) {
        double run = runSeconds();
        return Math.max(1.0, (waitSeconds() + run) / Math.max(run, thresholdSeconds));
    }
}
