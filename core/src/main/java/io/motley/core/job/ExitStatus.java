package io.motley.core.job;

/** A job's exit as Slurm reports it: the exit code and the signal that ended it ("code:signal"). */
public record ExitStatus(int code, int signal) {
    public static final ExitStatus NONE = new ExitStatus(0, 0);

    @Override
    public String toString() {
        return code + ":" + signal;
    }

    /** The job state a finished batch script leads to. */
    public JobState finalState() {
        return code == 0 && signal == 0 ? JobState.COMPLETED : JobState.FAILED;
    }
}
