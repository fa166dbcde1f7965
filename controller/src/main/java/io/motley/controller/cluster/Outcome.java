package io.motley.controller.cluster;

/**
 * The result of a command on one job: {@code error} null for success, else Slurm's words;
 * {@code alwaysShown} when the command prints the error even without --verbose (scancel says
 * nothing of an unknown id unless asked to be verbose, as Slurm's does).
 */
public record Outcome(long id, String error, boolean alwaysShown) {
    static Outcome ok(long id) {
        return new Outcome(id, null, false);
    }

    static Outcome refused(long id, String error) {
        return new Outcome(id, error, true);
    }
}
