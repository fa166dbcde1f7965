package io.motley.core.accounting;

import io.motley.core.job.ExitStatus;

/**
 * One run of a job, as the store keeps it: {@code run} is the job's restart count when it ran,
 * {@code state} Slurm's state name ({@code REQUEUED} for a run a requeue ended). What
 * {@code sacct -D} lists as a line of its own.
 */
public record JobRun(
        int run, long startTime, long endTime, String state, ExitStatus exit, String nodeList, int allocCpus) {
    public static final String REQUEUED = "REQUEUED";

    public JobRun {
        exit = exit == null ? ExitStatus.NONE : exit;
    }
}
