package io.motley.core.job;

/**
 * A job's place in an array: the array's id, its task index (-1 for the record that still holds
 * the array's pending tasks) and, on that record, the pending indices folded ({@code 4-10,12}).
 * A 10,000-task array is one such record until its tasks start, as in Slurm.
 */
public record ArrayPart(long arrayJobId, int taskId, String pending) {
    public boolean holdsPending() {
        return taskId < 0;
    }

    /** The id as squeue and sacct print it: {@code 123_7}, or {@code 123_[4-10%2]} for pending tasks. */
    public String display(int throttle) {
        if (taskId >= 0) return arrayJobId + "_" + taskId;
        return arrayJobId + "_[" + pending + (throttle > 0 ? "%" + throttle : "") + "]";
    }
}
