package io.motley.controller.cluster;

/**
 * The result of a command on one job: {@code error} null for success, else Slurm's words;
 * {@code alwaysShown} when the command prints the error even without --verbose (scancel says
 * nothing of an unknown id unless asked to be verbose, as Slurm's does). {@code tasks}: when the
 * job was reached through its array (the array's id, or ARRAY_INDEX), the task indices it stands
 * for, folded ({@code 2-4}), and {@code id} is the array's id, as Slurm's per-task replies name
 * them; null otherwise.
 */
public record Outcome(long id, String error, boolean alwaysShown, String tasks) {
    public Outcome(long id, String error, boolean alwaysShown) {
        this(id, error, alwaysShown, null);
    }

    static Outcome ok(long id) {
        return new Outcome(id, null, false);
    }

    static Outcome refused(long id, String error) {
        return new Outcome(id, error, true);
    }
}
