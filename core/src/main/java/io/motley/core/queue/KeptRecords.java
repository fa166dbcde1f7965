package io.motley.core.queue;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.scheduler.QueuedJob;
import java.util.HashMap;
import java.util.Map;

/**
 * The queue records of the last pass, by job, for a caller that builds a queue pass after pass
 * (the controller): a job queued as itself whose request, priority and partitions are those it
 * was queued with last time gets the very same {@link QueuedJob} again, so that the scheduler,
 * which compares records by identity first, reads an unchanged queue at the cost of a glance.
 * Only a cache: a job that changed gets a new record, and a job not queued in a pass is forgotten.
 * Used by one pass at a time.
 */
public final class KeptRecords {
    private record Kept(JobRequest request, long priority, String partition, QueuedJob record) {}

    private Map<Long, Kept> last = new HashMap<>();
    private Map<Long, Kept> next = new HashMap<>();

    /** Job {@code j}'s record: last pass's when nothing it was made from changed, else a new one. */
    QueuedJob record(Job j) {
        Kept k = last.get(j.id());
        if (k == null
                || k.request() != j.request()
                || k.priority() != j.priority()
                || !k.partition().equals(j.partition())) {
            k = new Kept(j.request(), j.priority(), j.partition(), QueueBuilder.queued(j));
        }
        next.put(j.id(), k);
        return k.record();
    }

    /** The pass is built: what it queued is what the next one may reuse. */
    void passDone() {
        last = next;
        next = new HashMap<>(Math.max(16, last.size() * 4 / 3 + 1));
    }
}
