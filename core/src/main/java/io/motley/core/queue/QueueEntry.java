package io.motley.core.queue;

/**
 * What one entry of the scheduler's queue stands for: a whole job (queued under its own id) or one
 * pending task of an array (queued under a synthetic negative id, since the task has no job id of
 * its own until it starts).
 */
public sealed interface QueueEntry {

    /** The job the entry belongs to: the job itself, or the array whose task it is. */
    long jobId();

    /** Whether the scheduler's reason for this entry is the job's reason: a whole job, or an array's first offered task. */
    boolean speaksForJob();

    /** A job queued as itself. */
    record Whole(long jobId) implements QueueEntry {
        @Override
        public boolean speaksForJob() {
            return true;
        }
    }

    /** Task {@code key} of an array, the {@code position}-th of that array offered in this pass (0 first). */
    record Task(TaskKey key, int position) implements QueueEntry {
        @Override
        public long jobId() {
            return key.arrayJobId();
        }

        @Override
        public boolean speaksForJob() {
            return position == 0;
        }
    }
}
