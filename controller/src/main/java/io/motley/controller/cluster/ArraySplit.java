package io.motley.controller.cluster;

import io.motley.core.job.Job;
import io.motley.core.queue.ArrayTasks;

/**
 * A task leaving its array's folded record of pending tasks for a record of its own, as Slurm's
 * job_array_split does: when it starts, and when a command (hold, release, update) names it alone.
 */
final class ArraySplit {
    private ArraySplit() {}

    /**
     * Task {@code index} of {@code meta} (which holds it pending) as a job of its own: a new id, stored
     * with the array's record that keeps the other pending tasks, so that a restarted controller finds
     * both; for the last pending task, the array's own record and id, returned unsaved for the caller
     * to change and save (the lock is held).
     */
    static Job splitOff(ClusterState state, Job meta, int index) {
        if (ArrayTasks.isLast(meta, index)) return ArrayTasks.lastTask(meta, index);
        state.save(ArrayTasks.remaining(meta, index));
        Job task = state.store.insertNew(id -> ArrayTasks.task(meta, index, id));
        state.note(task);
        return task;
    }
}
