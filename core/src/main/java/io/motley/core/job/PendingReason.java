package io.motley.core.job;

/** Why a job is not running, with Slurm's words as squeue prints them in parentheses. */
public enum PendingReason {
    None,
    Resources,
    Priority,
    PartitionTimeLimit,
    PartitionDown,
    PartitionInactive,
    JobHeldUser,
    JobHeldAdmin,
    ReqNodeNotAvail,
    NodeDown,
    TimeLimit,
    OutOfMemory,
    Dependency,
    DependencyNeverSatisfied,
    BeginTime,
    JobArrayTaskLimit,
    /** Slurm's FAIL_DEADLINE, spelled as Slurm prints it. */
    DeadLine;
}
