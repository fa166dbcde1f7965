package io.motley.core.job;

/**
 * A job as the controller holds it: the user's request plus who submitted it and what happened
 * to it since. Times are epoch seconds, 0 when not yet reached. {@code timeLimitSeconds} is the
 * effective limit (-1 unlimited), {@code cancelledBy} the uid that cancelled it or -1,
 * {@code restarts} how often it was requeued (Slurm's Restarts=): it also names the current run,
 * so that the end of a run killed by a requeue cannot end the run after it. {@code stateDesc} is
 * Slurm's state_desc: a sentence on why the job ended as it did (a launch that failed on its
 * node, say), shown as its Reason; null when there is none.
 */
public record Job(
        long id,
        JobRequest request,
        String user,
        int uid,
        int gid,
        JobState state,
        PendingReason reason,
        long priority,
        long submitTime,
        long startTime,
        long endTime,
        String partition,
        String node,
        int allocCpus,
        long allocMemMiB,
        long timeLimitSeconds,
        ExitStatus exit,
        int cancelledBy,
        String gpuIds,
        Usage usage,
        ArrayPart array,
        int restarts,
        String stateDesc) {

    public Job {
        gpuIds = gpuIds == null ? "" : gpuIds;
        usage = usage == null ? Usage.NONE : usage;
    }

    /** A job without a state description. */
    public Job(
            long id,
            JobRequest request,
            String user,
            int uid,
            int gid,
            JobState state,
            PendingReason reason,
            long priority,
            long submitTime,
            long startTime,
            long endTime,
            String partition,
            String node,
            int allocCpus,
            long allocMemMiB,
            long timeLimitSeconds,
            ExitStatus exit,
            int cancelledBy,
            String gpuIds,
            Usage usage,
            ArrayPart array,
            int restarts) {
        this(
                id,
                request,
                user,
                uid,
                gid,
                state,
                reason,
                priority,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                array,
                restarts,
                null);
    }

    /** A job that was never requeued. */
    public Job(
            long id,
            JobRequest request,
            String user,
            int uid,
            int gid,
            JobState state,
            PendingReason reason,
            long priority,
            long submitTime,
            long startTime,
            long endTime,
            String partition,
            String node,
            int allocCpus,
            long allocMemMiB,
            long timeLimitSeconds,
            ExitStatus exit,
            int cancelledBy,
            String gpuIds,
            Usage usage,
            ArrayPart array) {
        this(
                id,
                request,
                user,
                uid,
                gid,
                state,
                reason,
                priority,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                array,
                0);
    }

    /** A job without GPUs or measured usage yet. */
    public Job(
            long id,
            JobRequest request,
            String user,
            int uid,
            int gid,
            JobState state,
            PendingReason reason,
            long priority,
            long submitTime,
            long startTime,
            long endTime,
            String partition,
            String node,
            int allocCpus,
            long allocMemMiB,
            long timeLimitSeconds,
            ExitStatus exit,
            int cancelledBy) {
        this(
                id,
                request,
                user,
                uid,
                gid,
                state,
                reason,
                priority,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                "",
                Usage.NONE,
                null);
    }

    /**
     * The same job with its text shared with every other job's equal text (its request's
     * payload, user and partition): what the controller keeps in memory, where a long queue of
     * jobs from one user would otherwise hold the same environment once per job.
     */
    public Job shared() {
        return new Job(
                id,
                request.shared(),
                user == null ? null : user.intern(),
                uid,
                gid,
                state,
                reason,
                priority,
                submitTime,
                startTime,
                endTime,
                partition == null ? null : partition.intern(),
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                array,
                restarts,
                stateDesc);
    }

    public Job withState(JobState next, PendingReason why) {
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                state.moveTo(next),
                why,
                priority,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                array,
                restarts,
                stateDesc);
    }

    public Job withReason(PendingReason why) {
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                state,
                why,
                priority,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                array,
                restarts,
                stateDesc);
    }

    public Job withPriority(long p) {
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                state,
                reason,
                p,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                array,
                restarts,
                stateDesc);
    }

    /** A pending job moved to other partitions, with the time limit it gets there. */
    public Job withPartition(String p, long limit) {
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                state,
                reason,
                priority,
                submitTime,
                startTime,
                endTime,
                p,
                node,
                allocCpus,
                allocMemMiB,
                limit,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                array,
                restarts,
                stateDesc);
    }

    public Job withRequest(JobRequest r) {
        return new Job(
                id,
                r,
                user,
                uid,
                gid,
                state,
                reason,
                priority,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                array,
                restarts,
                stateDesc);
    }

    /** The job started on a node at {@code now} with these resources. */
    public Job started(String onPartition, String onNode, int cpus, long memMiB, long limit, long now) {
        return started(onPartition, onNode, cpus, memMiB, java.util.List.of(), limit, now);
    }

    public Job started(
            String onPartition,
            String onNode,
            int cpus,
            long memMiB,
            java.util.List<Integer> gpus,
            long limit,
            long now) {
        String ids = String.join(",", gpus.stream().map(String::valueOf).toList());
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                state.moveTo(JobState.RUNNING),
                PendingReason.None,
                priority,
                submitTime,
                now,
                0,
                onPartition,
                onNode,
                cpus,
                memMiB,
                limit,
                ExitStatus.NONE,
                cancelledBy,
                ids,
                Usage.NONE,
                array,
                restarts,
                null);
    }

    /** GPU device indices the job holds. */
    public java.util.List<Integer> gpuList() {
        if (gpuIds.isEmpty()) return java.util.List.of();
        return java.util.Arrays.stream(gpuIds.split(",")).map(Integer::parseInt).toList();
    }

    public Job withArray(ArrayPart a) {
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                state,
                reason,
                priority,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                a,
                restarts,
                stateDesc);
    }

    /** The id as Slurm's commands print it: {@code 12}, {@code 12_3}, or {@code 12_[4-9]} for pending tasks. */
    public String displayId() {
        if (array == null) return Long.toString(id);
        int throttle =
                request.array() == null ? 0 : ArraySpec.parse(request.array()).throttle();
        return array.display(throttle);
    }

    public Job withUsage(Usage u) {
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                state,
                reason,
                priority,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                u,
                array,
                restarts,
                stateDesc);
    }

    /** The job ended in {@code finalState} at {@code now}. */
    public Job ended(JobState finalState, ExitStatus how, long now, int byUid) {
        PendingReason why = finalState == JobState.TIMEOUT
                ? PendingReason.TimeLimit
                : finalState == JobState.OUT_OF_MEMORY
                        ? PendingReason.OutOfMemory
                        : finalState == JobState.DEADLINE
                                ? PendingReason.DeadLine
                                : state == JobState.PENDING ? reason : PendingReason.None;
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                state.moveTo(finalState),
                why,
                priority,
                submitTime,
                startTime,
                now,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                how,
                byUid,
                gpuIds,
                usage,
                array,
                restarts,
                stateDesc);
    }

    /** Back to the queue (the node it ran on failed and the job is requeued, or a launch never happened). */
    public Job requeued() {
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                JobState.PENDING,
                PendingReason.None,
                priority,
                submitTime,
                0,
                0,
                partition,
                null,
                0,
                0,
                timeLimitSeconds,
                ExitStatus.NONE,
                -1,
                "",
                Usage.NONE,
                array,
                restarts,
                null);
    }

    /**
     * scontrol requeue (or a failed node under JobRequeue=1): the job waits again under the same id,
     * eligible from {@code eligibleAt} (Slurm holds a requeued job back for a while, as BeginTime),
     * held if {@code hold} (requeuehold), its run counter one higher. What the last run used and how
     * it ended is forgotten, as slurmctld forgets it.
     */
    public Job requeue(long eligibleAt, boolean hold) {
        JobState next = state.moveTo(JobState.PENDING);
        JobRequest r = request.withBeginTime(eligibleAt).withHold(hold);
        return new Job(
                id,
                r,
                user,
                uid,
                gid,
                next,
                hold ? PendingReason.JobHeldUser : PendingReason.BeginTime,
                priority,
                submitTime,
                0,
                0,
                partition,
                null,
                0,
                0,
                timeLimitSeconds,
                ExitStatus.NONE,
                -1,
                "",
                Usage.NONE,
                array,
                restarts + 1,
                null);
    }

    /**
     * Whether a pending job can no longer end before its --deadline: started now, its time limit
     * would take it past it (Slurm's deadline_ok). A job without a limit never misses it here;
     * submission refuses a deadline for such a job where the partition gives it no limit either.
     */
    public boolean missesDeadline(long now) {
        long deadline = request.deadline();
        if (deadline <= 0) return false;
        return timeLimitSeconds > 0 ? now + timeLimitSeconds > deadline : now > deadline;
    }

    /** The job with Slurm's state_desc set (null clears it). */
    public Job withStateDesc(String desc) {
        return new Job(
                id,
                request,
                user,
                uid,
                gid,
                state,
                reason,
                priority,
                submitTime,
                startTime,
                endTime,
                partition,
                node,
                allocCpus,
                allocMemMiB,
                timeLimitSeconds,
                exit,
                cancelledBy,
                gpuIds,
                usage,
                array,
                restarts,
                desc);
    }

    public Job withPriorityHold(boolean hold) {
        return withRequest(request.withHold(hold)).withReason(hold ? PendingReason.JobHeldUser : PendingReason.None);
    }

    /** Seconds the job has run (or ran), as squeue's TIME and sacct's Elapsed show. */
    public long elapsed(long now) {
        if (startTime == 0) return 0;
        long end = endTime != 0 ? endTime : now;
        return Math.max(0, end - startTime);
    }
}
