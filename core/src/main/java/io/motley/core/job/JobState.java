package io.motley.core.job;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** A job's state, with Slurm's names and compact codes and the transitions Motley allows. */
public enum JobState {
    PENDING("PD"),
    RUNNING("R"),
    /**
     * Stopped by scontrol suspend: its processes are frozen, it keeps its nodes, CPUs and memory,
     * and its time limit does not run until scontrol resume.
     */
    SUSPENDED("S"),
    COMPLETED("CD"),
    FAILED("F"),
    CANCELLED("CA"),
    TIMEOUT("TO"),
    NODE_FAIL("NF"),
    OUT_OF_MEMORY("OOM"),
    /** Removed because it could no longer end before its --deadline. */
    DEADLINE("DL");

    private final String code;

    JobState(String code) {
        this.code = code;
    }

    /** Slurm's short code as squeue's %t prints it. */
    public String code() {
        return code;
    }

    public boolean isTerminal() {
        return this != PENDING && this != RUNNING && this != SUSPENDED;
    }

    /** Whether a job in this state holds its allocation: it runs, or it is suspended (and keeps it, as in Slurm). */
    public boolean holdsAllocation() {
        return this == RUNNING || this == SUSPENDED;
    }

    public boolean canMoveTo(JobState next) {
        return switch (this) {
            // FAILED: its --stage-in files never arrived whole (docs/files.md)
            case PENDING -> next == RUNNING || next == CANCELLED || next == DEADLINE || next == FAILED;
            // NODE_FAIL, scontrol requeue and a restart of the controller can send a running job back to the queue
            case RUNNING -> next != RUNNING;
            // resumed, cancelled, requeued, or ended by its node's failure while its processes are stopped
            case SUSPENDED -> next != SUSPENDED;
            // scontrol requeue takes a finished batch job back to the queue, as Slurm's does
            default -> next == PENDING;
        };
    }

    /** Validates a transition; the message names both states so a log line explains itself. */
    public JobState moveTo(JobState next) {
        if (!canMoveTo(next)) {
            throw new IllegalStateException("job cannot go from " + this + " to " + next);
        }
        return next;
    }

    /** Parses a state as squeue -t and sacct -s accept it: full name or code, any case. */
    public static Optional<JobState> parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        for (JobState s : values()) {
            if (s.name().equals(t) || s.code.equals(t)) {
                return Optional.of(s);
            }
        }
        if (t.equals("CANCELED")) {
            return Optional.of(CANCELLED);
        }
        return Optional.empty();
    }

    public static final Set<JobState> ACTIVE = Set.of(PENDING, RUNNING, SUSPENDED);
}
