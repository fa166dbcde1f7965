package io.motley.core.queue;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.scheduler.QueuedJob;
import java.util.List;
import java.util.Map;

/**
 * One pass's queue, as {@link QueueBuilder#build} made it.
 *
 * @param queue what the scheduler is offered ({@code Scheduler.plan}'s pending jobs), in the order built
 * @param entries what each queued id stands for: a whole job, or a task of an array (synthetic negative ids)
 * @param asked each queued job's request as it was judged, so that a commit can tell a job changed since
 * @param updated every job whose record the pass changed (reason, request or state), its last value, by id
 * @param toPersist the changes that must be made durable, each as it was decided: a job that ended (removed
 *     for its --deadline, or cancelled under --kill-on-invalid-dep) or whose request changed (a satisfied
 *     dependency cleared). A change of pending reason alone is not: every pass sets reasons again.
 * @param arraysCut whether some array had more tasks ready than one pass offers ({@link QueueBuilder#TASKS_PER_PASS})
 * @param nextChange the earliest time after the pass's at which a waiting job may become eligible by time
 *     alone (--begin, after:JOB+MINUTES), or {@link Long#MAX_VALUE}
 */
public record QueuePass(
        List<QueuedJob> queue,
        Map<Long, QueueEntry> entries,
        Map<Long, JobRequest> asked,
        Map<Long, Job> updated,
        List<Job> toPersist,
        boolean arraysCut,
        long nextChange) {

    public QueuePass {
        queue = List.copyOf(queue);
        entries = Map.copyOf(entries);
        asked = Map.copyOf(asked);
        updated = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(updated));
        toPersist = List.copyOf(toPersist);
    }

    /** What queued id {@code id} (a job's own, or an array task's synthetic one) stands for. */
    public QueueEntry entry(long id) {
        QueueEntry e = entries.get(id);
        if (e == null) throw new IllegalArgumentException("no queued job " + id + " in this pass");
        return e;
    }

    /** The jobs the pass ended (for its log: removed for a deadline, cancelled for a dependency never satisfied). */
    public List<Job> ended() {
        return toPersist.stream().filter(j -> j.state().isTerminal()).toList();
    }
}
