package io.motley.core.scheduler;

import io.motley.core.job.PendingReason;
import java.util.List;
import java.util.Map;

/**
 * The scheduler's answer: jobs to start now, why every other pending job waits, and for jobs
 * holding a reservation where and when they are expected to start (squeue --start).
 */
public record Plan(List<Start> starts, Map<Long, PendingReason> reasons, Map<Long, Reservation> reservations) {
    public Plan {
        starts = List.copyOf(starts);
        // a pass's own table is immutable already; copying 100,000 reasons would cost a tenth of the pass
        reasons = reasons instanceof ReasonTable ? reasons : Map.copyOf(reasons);
        reservations = Map.copyOf(reservations);
    }

    public Plan(List<Start> starts, Map<Long, PendingReason> reasons) {
        this(starts, reasons, Map.of());
    }

    /** A waiting job's expected start: epoch seconds, node, and the time limit it was planned with. */
    public record Reservation(long jobId, long start, String node, long timeLimitSeconds) {}
}
