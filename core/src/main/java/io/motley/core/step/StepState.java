package io.motley.core.step;

/**
 * A job step's state, Slurm's names: a step is created RUNNING (Motley has no pending steps: one
 * that does not fit yet is refused as busy and srun asks again) and ends once, in one of the others.
 */
public enum StepState {
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this != RUNNING;
    }

    /** Whether a step in this state may move to {@code next}: only a running step ends, and only once. */
    public boolean canBecome(StepState next) {
        return this == RUNNING && next.isTerminal();
    }

    /** The state of a step whose tasks ended with these codes: Slurm's FAILED for any non-zero exit or signal. */
    public static StepState ofExit(int exitCode, int signal) {
        return exitCode == 0 && signal == 0 ? COMPLETED : FAILED;
    }
}
