package io.motley.core.simulation;

/**
 * What happened to one job in a simulation: where and when it ran. {@code runSeconds} is the time
 * it actually ran, its run time cut at its time limit when {@code killed}; {@code arrayTask} is the
 * task's index for a task of an array job {@code id}, else -1.
 */
public record JobOutcome(
        long id,
        long submitSeconds,
        long startSeconds,
        long endSeconds,
        int cpus,
        String partition,
        String node,
        boolean killed,
        int arrayTask) {

    public JobOutcome(
            long id,
            long submitSeconds,
            long startSeconds,
            long endSeconds,
            int cpus,
            String partition,
            String node,
            boolean killed) {
        this(id, submitSeconds, startSeconds, endSeconds, cpus, partition, node, killed, -1);
    }

    /** The id as Slurm prints it: {@code 12}, or {@code 12_3} for a task of an array. */
    public String displayId() {
        return arrayTask < 0 ? Long.toString(id) : id + "_" + arrayTask;
    }

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
