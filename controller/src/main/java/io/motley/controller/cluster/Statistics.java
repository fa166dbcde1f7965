package io.motley.controller.cluster;

import io.motley.core.job.Job;
import io.motley.core.job.JobState;

/**
 * What sdiag reports: jobs submitted, started and ended since the controller started, and how
 * long the scheduling passes took. Counted where job records are saved and passes run; read
 * as one consistent {@link Figures} copy.
 */
public final class Statistics {
    /** A copy of the figures at one moment; times in microseconds, {@code since} in epoch seconds. */
    public record Figures(
            long since,
            long submitted,
            long started,
            long completed,
            long canceled,
            long failed,
            Cycles main,
            Cycles backfill) {}

    /** Scheduling passes of one kind: how many, the last and longest, their total, the last queue and when. */
    public record Cycles(
            long count, long lastMicros, long maxMicros, long totalMicros, long lastQueueLength, long lastWhen) {
        static final Cycles NONE = new Cycles(0, 0, 0, 0, 0, 0);

        Cycles plus(long micros, long queueLength, long when) {
            return new Cycles(count + 1, micros, Math.max(maxMicros, micros), totalMicros + micros, queueLength, when);
        }
    }

    private final long since;
    private long submitted;
    private long started;
    private long completed;
    private long canceled;
    private long failed;
    private Cycles main = Cycles.NONE;
    private Cycles backfill = Cycles.NONE;

    Statistics(long since) {
        this.since = since;
    }

    /** A submission was accepted and committed. */
    synchronized void submitted() {
        submitted++;
    }

    /** Counts what a saved job record changed: a start, an end by how it ended. */
    synchronized void saved(Job before, Job after) {
        JobState now = after.state();
        boolean wasRunning = before != null && before.state().holdsAllocation();
        if (now == JobState.RUNNING && !wasRunning) started++;
        if (now.isTerminal() && (before == null || !before.state().isTerminal())) {
            switch (now) {
                case COMPLETED -> completed++;
                case CANCELLED -> canceled++;
                default -> failed++;
            }
        }
    }

    /** One scheduling pass over {@code queueLength} waiting jobs took {@code micros}; it could backfill or not. */
    synchronized void pass(long micros, int queueLength, boolean backfilling, long when) {
        main = main.plus(micros, queueLength, when);
        if (backfilling) backfill = backfill.plus(micros, queueLength, when);
    }

    synchronized Figures figures() {
        return new Figures(since, submitted, started, completed, canceled, failed, main, backfill);
    }
}
