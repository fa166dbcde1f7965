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
    /** The agent runs a run the controller does not believe is there (after a restart, say). */
    STRAY,
    /** The run passed its time limit (the agent decides this itself): TIMEOUT. */
    TIMEOUT;

    /** The state the killed run ends in. */
    public JobState endState() {
        return this == TIMEOUT ? JobState.TIMEOUT : JobState.CANCELLED;
    }
}
