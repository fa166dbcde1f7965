package io.motley.core.queue;

import io.motley.core.job.ArrayPart;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * A task of an array starting: it becomes a job of its own with a new id, as Slurm does, and
 * leaves the array's pending set; the last task takes the array's own id (and record).
 */
public final class ArrayTasks {
    private ArrayTasks() {}

    /** Whether array record {@code meta} still holds task {@code index} pending. */
    public static boolean holds(Job meta, int index) {
        return meta.array() != null
                && meta.array().holdsPending()
                && ArraySpec.unfold(meta.array().pending()).contains(index);
    }

    /** Whether {@code index} is the only task {@code meta} still holds: starting it ends the array's pending set. */
    public static boolean isLast(Job meta, int index) {
        return rest(meta, index).isEmpty();
    }

    /** The array's record once task {@code index} has left its pending set (not for the last task). */
    public static Job remaining(Job meta, int index) {
        return meta.withArray(new ArrayPart(meta.id(), -1, ArraySpec.fold(rest(meta, index))));
    }

    /** The last task, which keeps the array's id and record. */
    public static Job lastTask(Job meta, int index) {
        return meta.withRequest(own(meta)).withArray(new ArrayPart(meta.id(), index, ""));
    }

    /** Task {@code index} as a pending job of its own under {@code id} (not for the last task). */
    public static Job task(Job meta, int index, long id) {
        return Job.builder(id, own(meta))
                .owner(meta.owner())
                .priority(meta.priority())
                .times(Job.Times.submitted(meta.submitTime()))
                .allocation(Job.Allocation.queued(meta.partition(), meta.timeLimit()))
                .array(new ArrayPart(meta.id(), index, ""))
                .build();
    }

    private static List<Integer> rest(Job meta, int index) {
        List<Integer> rest = new ArrayList<>(ArraySpec.unfold(meta.array().pending()));
        rest.remove(Integer.valueOf(index));
        return rest;
    }

    /** A started task no longer waits on anything: its dependency (per task, for aftercorr) was met. */
    private static JobRequest own(Job meta) {
        return meta.request().dependency() == null
                ? meta.request()
                : meta.request().withDependency(null);
    }
}
