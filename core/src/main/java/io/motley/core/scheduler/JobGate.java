package io.motley.core.scheduler;

import io.motley.core.job.PendingReason;

/**
 * Limits outside the nodes that decide whether a job may start in a pass (association limits,
 * as Slurm's acct_policy does): asked before a job is placed and again once a place is found.
 * An implementation is made for one pass and counts the starts it admits; it must be pure.
 */
public interface JobGate {
    /** No limits. */
    JobGate OPEN = new JobGate() {
        @Override
        public PendingReason before(QueuedJob job) {
            return null;
        }

        @Override
        public PendingReason admit(QueuedJob job, int cpus, long memMiB, int gpus) {
            return null;
        }
    };

    /** Why the job may not start whatever the nodes hold (MaxJobs, MaxWall), or null. */
    PendingReason before(QueuedJob job);

    /** Why the job may not start with these resources (GrpTRES), or null: then the start is counted. */
    PendingReason admit(QueuedJob job, int cpus, long memMiB, int gpus);
}
