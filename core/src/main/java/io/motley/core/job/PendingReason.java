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
    DeadLine,
    /** The association's MaxJobs: as many of its jobs run as it may run at once. */
    AssocMaxJobsLimit,
    /** The association's (or an account's above it) GrpTRES for cpu. */
    AssocGrpCpuLimit,
    /** The association's (or an account's above it) GrpTRES for mem. */
    AssocGrpMemLimit,
    /** The association's (or an account's above it) GrpTRES for a GRES (gres/gpu). */
    AssocGrpGRES,
    /** The job's time limit is over its association's MaxWall. */
    AssocMaxWallDurationPerJobLimit,
    /** Slurm's FAIL_EXIT_CODE: the job ended FAILED because its script exited nonzero. */
    NonZeroExitCode,
    /** Motley's: the job's sbatch --stage-in files are still on their way to the controller (docs/files.md). */
    StageIn;
}
