package io.motley.core.job;

/**
 * A job as the controller holds it: the user's request plus who submitted it and what happened
 * to it since. Times are epoch seconds, 0 when not yet reached. {@code timeLimitSeconds} is the
 * effective limit (-1 unlimited), {@code cancelledBy} the uid that cancelled it or -1.
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
        ArrayPart array) {

    public Job {
        gpuIds = gpuIds == null ? "" : gpuIds;
        usage = usage == null ? Usage.NONE : usage;
    }

    /** A job without GPUs or measured usage yet. */
    public Job(long id, JobRequest request, String user, int uid, int gid, JobState state, PendingReason reason, long priority,
            long submitTime, long startTime, long endTime, String partition, String node, int allocCpus, long allocMemMiB,
            long timeLimitSeconds, ExitStatus exit, int cancelledBy) {
        this(id, request, user, uid, gid, state, reason, priority, submitTime, startTime, endTime, partition, node, allocCpus,
                allocMemMiB, timeLimitSeconds, exit, cancelledBy, "", Usage.NONE, null);
    }

    public Job withState(JobState next, PendingReason why) {
        return new Job(id, request, user, uid, gid, state.moveTo(next), why, priority, submitTime, startTime, endTime,
                partition, node, allocCpus, allocMemMiB, timeLimitSeconds, exit, cancelledBy, gpuIds, usage, array);
    }

    public Job withReason(PendingReason why) {
        return new Job(id, request, user, uid, gid, state, why, priority, submitTime, startTime, endTime,
                partition, node, allocCpus, allocMemMiB, timeLimitSeconds, exit, cancelledBy, gpuIds, usage, array);
    }

    public Job withPriority(long p) {
        return new Job(id, request, user, uid, gid, state, reason, p, submitTime, startTime, endTime,
                partition, node, allocCpus, allocMemMiB, timeLimitSeconds, exit, cancelledBy, gpuIds, usage, array);
    }

    /** A pending job moved to other partitions, with the time limit it gets there. */
    public Job withPartition(String p, long limit) {
        return new Job(id, request, user, uid, gid, state, reason, priority, submitTime, startTime, endTime,
                p, node, allocCpus, allocMemMiB, limit, exit, cancelledBy, gpuIds, usage, array);
    }

    public Job withRequest(JobRequest r) {
        return new Job(id, r, user, uid, gid, state, reason, priority, submitTime, startTime, endTime,
                partition, node, allocCpus, allocMemMiB, timeLimitSeconds, exit, cancelledBy, gpuIds, usage, array);
    }

    /** The job started on a node at {@code now} with these resources. */
    public Job started(String onPartition, String onNode, int cpus, long memMiB, long limit, long now) {
        return started(onPartition, onNode, cpus, memMiB, java.util.List.of(), limit, now);
    }

    public Job started(String onPartition, String onNode, int cpus, long memMiB, java.util.List<Integer> gpus, long limit, long now) {
        String ids = String.join(",", gpus.stream().map(String::valueOf).toList());
        return new Job(id, request, user, uid, gid, state.moveTo(JobState.RUNNING), PendingReason.None, priority,
                submitTime, now, 0, onPartition, onNode, cpus, memMiB, limit, ExitStatus.NONE, cancelledBy, ids, Usage.NONE, array);
    }

    /** GPU device indices the job holds. */
    public java.util.List<Integer> gpuList() {
        if (gpuIds.isEmpty()) return java.util.List.of();
        return java.util.Arrays.stream(gpuIds.split(",")).map(Integer::parseInt).toList();
    }

    public Job withArray(ArrayPart a) {
        return new Job(id, request, user, uid, gid, state, reason, priority, submitTime, startTime, endTime,
                partition, node, allocCpus, allocMemMiB, timeLimitSeconds, exit, cancelledBy, gpuIds, usage, a);
    }

    /** The id as Slurm's commands print it: {@code 12}, {@code 12_3}, or {@code 12_[4-9]} for pending tasks. */
    public String displayId() {
        if (array == null) return Long.toString(id);
        int throttle = request.array() == null ? 0 : ArraySpec.parse(request.array()).throttle();
        return array.display(throttle);
    }

    public Job withUsage(Usage u) {
        return new Job(id, request, user, uid, gid, state, reason, priority, submitTime, startTime, endTime,
                partition, node, allocCpus, allocMemMiB, timeLimitSeconds, exit, cancelledBy, gpuIds, u, array);
    }

    /** The job ended in {@code finalState} at {@code now}. */
    public Job ended(JobState finalState, ExitStatus how, long now, int byUid) {
        PendingReason why = finalState == JobState.TIMEOUT ? PendingReason.TimeLimit
                : finalState == JobState.OUT_OF_MEMORY ? PendingReason.OutOfMemory
                : state == JobState.PENDING ? reason : PendingReason.None;
        return new Job(id, request, user, uid, gid, state.moveTo(finalState), why, priority, submitTime,
                startTime, now, partition, node, allocCpus, allocMemMiB, timeLimitSeconds, how, byUid, gpuIds, usage, array);
    }

    /** Back to the queue (the node it ran on failed and the job is requeued, or a launch never happened). */
    public Job requeued() {
        return new Job(id, request, user, uid, gid, JobState.PENDING, PendingReason.None, priority, submitTime, 0, 0,
                partition, null, 0, 0, timeLimitSeconds, ExitStatus.NONE, -1, "", Usage.NONE, array);
    }

    public Job withPriorityHold(boolean hold) {
        return withRequest(request.withHold(hold))
                .withReason(hold ? PendingReason.JobHeldUser : PendingReason.None);
    }

    /** Seconds the job has run (or ran), as squeue's TIME and sacct's Elapsed show. */
    public long elapsed(long now) {
        if (startTime == 0) return 0;
        long end = endTime != 0 ? endTime : now;
        return Math.max(0, end - startTime);
    }
}
