package io.motley.core.accounting;

import io.motley.core.job.Job;
import java.util.List;

/**
 * One job as sacct lists it: the job as it is now ({@code run} null), or, with {@code -D}, one of
 * its earlier runs that a requeue ended ({@code run} that run). {@code steps} are the steps of that
 * instance (empty with {@code -X}).
 */
public record AccountingRecord(Job job, JobRun run, List<JobStep> steps) {
    public AccountingRecord {
        steps = List.copyOf(steps);
    }

    /** Whether this is an earlier run of the job rather than the job as it is now. */
    public boolean earlier() {
        return run != null;
    }

    /** The state sacct shows on the job's line: Slurm's name, REQUEUED for an earlier run. */
    public String state() {
        return run != null ? run.state() : job.state().name();
    }

    public long startTime() {
        return run != null ? run.startTime() : job.startTime();
    }

    public long endTime() {
        return run != null ? run.endTime() : job.endTime();
    }

    public String nodeList() {
        return run != null ? run.nodeList() : job.node();
    }
}
