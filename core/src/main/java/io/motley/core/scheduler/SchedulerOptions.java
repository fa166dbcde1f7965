package io.motley.core.scheduler;

/**
 * How a scheduling pass treats jobs that cannot start at once. {@code reservations} is how many of
 * them (the highest in priority order) get a reservation: the earliest time and node where they
 * can start given the running jobs' time limits; every start in the pass must leave those
 * reservations intact. {@code backfill} lets jobs behind a waiting job start out of priority
 * order (EASY backfill when {@code reservations} is 1); without it they wait with reason Priority,
 * as in Slurm's main scheduler. {@code maxJobTest} bounds how many jobs behind a waiting job a
 * backfill pass tries (Slurm's bf_max_job_test), which bounds the cost of a pass.
 */
public record SchedulerOptions(boolean backfill, int reservations, int maxJobTest) {

    /** Slurm's bf_max_job_test default. */
    public static final int DEFAULT_MAX_JOB_TEST = 500;

    /** Priority order, first fit, no reservations: Slurm's sched/builtin. */
    public static final SchedulerOptions FCFS = new SchedulerOptions(false, 0, 0);

    public SchedulerOptions {
        if (reservations < 0) throw new IllegalArgumentException("reservations must not be negative");
        if (maxJobTest < 0) throw new IllegalArgumentException("maxJobTest must not be negative");
    }

    /** EASY backfill: the top waiting job holds a reservation, others may start if they leave it intact. */
    public static SchedulerOptions easyBackfill() {
        return new SchedulerOptions(true, 1, DEFAULT_MAX_JOB_TEST);
    }

    /** The same reservations without backfill: a pass between backfill passes. */
    public SchedulerOptions withoutBackfill() {
        return new SchedulerOptions(false, reservations, maxJobTest);
    }
}
