package io.motley.core.job;

/**
 * Why a job's run is killed: the one vocabulary from the controller's decision to the agent's
 * record of the end. It decides the state the run ends in and the line the job's output gets.
 */
public enum KillReason {
    /** A user or operator cancelled the job (scancel): CANCELLED. */
    CANCEL,
    /** The job is requeued (scontrol requeue): the killed run ends CANCELLED "DUE TO JOB REQUEUE". */
    REQUEUE,
    /** An operator set the node DOWN: the controller already ended or requeued the job. */
    NODE_DOWN,
    /** The controller does not believe this run is running on this node (the agent reported it on registration). */
    NOT_RUNNING_HERE,
    /** The agent's own timer: the run reached its time limit. */
    TIME_LIMIT,
    /** The agent's own decision: a newer run of the same job was ordered while this one was still here. */
    SUPERSEDED;

    /** The state the killed run ends in, as Slurm reports it. */
    public JobState endState() {
        return this == TIME_LIMIT ? JobState.TIMEOUT : JobState.CANCELLED;
    }
}
