package io.motley.core.scheduler;

import io.motley.core.job.PendingReason;
import java.util.List;
import java.util.Map;

/** The scheduler's answer: jobs to start now, and why every other pending job waits. */
public record Plan(List<Start> starts, Map<Long, PendingReason> reasons) {
    public Plan {
        starts = List.copyOf(starts);
        reasons = Map.copyOf(reasons);
    }
}
