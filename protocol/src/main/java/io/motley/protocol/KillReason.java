package io.motley.protocol;

import io.motley.core.job.JobState;

/** Why a run is killed: the one vocabulary the controller's orders, the agent and its kill records share. */
public enum KillReason {
    /** A user's scancel. */
    CANCEL,
    /** scontrol requeue (or requeuehold): the run ends, and the job goes back to the queue. */
    REQUEUE,
    /** An operator set the node DOWN. */
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
