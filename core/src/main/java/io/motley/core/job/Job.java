package io.motley.core.job;

import java.util.List;
import java.util.Objects;

/**
 * A job as the controller holds it, in typed parts: the user's request, who submitted it, its
 * state and priority, when it was submitted, started and ended, what it was given, how it ended,
 * what it used, its place in an array, and {@code restarts}, how often it was requeued (Slurm's
 * Restarts=): it also names the current run, so that the end of a run killed by a requeue cannot
 * end the run after it. Build one with {@link #builder(long, JobRequest)}.
 *
 * <p>No part carries a marker number: an unlimited time is {@link TimeLimit.Unlimited}, nobody
 * having cancelled the job a null {@link Outcome#cancelledBy()}, the GPUs a list (the wire codec
 * and the store map them to their forms). The plain accessors below the parts ({@link #user()},
 * {@link #node()}, ...) each read one value of a part as it is.
 */
public record Job(
        long id,
        JobRequest request,
        Owner owner,
        JobState state,
        PendingReason reason,
        long priority,
        Times times,
        Allocation allocation,
        Outcome outcome,
        Usage usage,
        ArrayPart array,
        int restarts) {

    public Job {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(times, "times");
        Objects.requireNonNull(allocation, "allocation");
        Objects.requireNonNull(outcome, "outcome");
        usage = usage == null ? Usage.NONE : usage;
    }

    /** Who submitted the job: the user's name, uid and gid. */
    public record Owner(String user, int uid, int gid) {}

    /**
     * When the job was submitted, started and ended, in epoch seconds (0 when not (yet) reached),
     * and its suspensions: {@code suspendTime} is when it was last suspended or resumed (Slurm's
     * suspend_time, shown as SuspendTime=), {@code suspendedSecs} the seconds it spent suspended
     * in suspensions that are over (Slurm's tot_sus_time, sacct's Suspended).
     */
    public record Times(long submit, long start, long end, long suspendTime, long suspendedSecs) {
        public Times(long submit, long start, long end) {
            this(submit, start, end, 0, 0);
        }

        /** Times of a job submitted at {@code submit} that has not started. */
        public static Times submitted(long submit) {
            return new Times(submit, 0, 0);
        }

        /**
         * Seconds the job has run (or ran) by {@code now}, less the time it spent suspended, as
         * squeue's TIME and sacct's Elapsed show; a job suspended now is stopped at its last
         * suspension (see {@link Job#elapsed}).
         */
        public long elapsed(long now) {
            if (start == 0) return 0;
            long until = end != 0 ? end : now;
            return Math.max(0, until - start - suspendedSecs);
        }
    }

    /**
     * Where the job runs and with what: its partition and effective time limit, which a pending
     * job already has, and per node it was given, the CPUs, memory and GPU device indices it holds
     * there ({@code parts}, empty before it starts). The first part's node is the batch host, where
     * the script runs; a single-node job has one part. The accessors {@link #node()}, {@link
     * #cpus()}, {@link #memMiB()} and {@link #gpuIds()} read the batch host, the totals, and the
     * batch host's GPUs, which is all a single-node caller needs.
     */
    public record Allocation(String partition, List<Part> parts, TimeLimit limit) {
        public Allocation {
            parts = parts == null ? List.of() : List.copyOf(parts);
            Objects.requireNonNull(limit, "limit");
        }

        /** What a job holds on one node. */
        public record Part(String node, int cpus, long memMiB, List<Integer> gpuIds) {
            public Part {
                gpuIds = gpuIds == null ? List.of() : List.copyOf(gpuIds);
            }
        }

        /** One node's worth (none at all when {@code node} is null and nothing is held). */
        public Allocation(String partition, String node, int cpus, long memMiB, List<Integer> gpuIds, TimeLimit limit) {
            this(
                    partition,
                    node == null && cpus == 0 && memMiB == 0 && (gpuIds == null || gpuIds.isEmpty())
                            ? List.of()
                            : List.of(new Part(node, cpus, memMiB, gpuIds)),
                    limit);
        }

        /** A job waiting in {@code partition} under {@code limit}, holding nothing yet. */
        public static Allocation queued(String partition, TimeLimit limit) {
            return new Allocation(partition, List.of(), limit);
        }

        /** The batch host, the node the script runs on (null before the job starts). */
        public String node() {
            return parts.isEmpty() ? null : parts.get(0).node();
        }

        /** CPUs held over all nodes. */
        public int cpus() {
            int c = 0;
            for (Part p : parts) c += p.cpus();
            return c;
        }

        /** Memory held over all nodes. */
        public long memMiB() {
            long m = 0;
            for (Part p : parts) m += p.memMiB();
            return m;
        }

        /** GPU device indices held on the batch host. */
        public List<Integer> gpuIds() {
            return parts.isEmpty() ? List.of() : parts.get(0).gpuIds();
        }

        /** The nodes held, the batch host first. */
        /** The nodes it holds, the batch host first; none before it starts (a part without a node names none). */
        public List<String> nodes() {
            return parts.stream().map(Part::node).filter(Objects::nonNull).toList();
        }

        /** Whether the job was given a node (it runs, or ran). */
        public boolean placed() {
            return node() != null;
        }

        /** The same partition and limit, holding nothing (a job back in the queue). */
        public Allocation released() {
            return queued(partition, limit);
        }
    }

    /**
     * How the job ended: its exit status, the uid that cancelled it (null when nobody did) and
     * Slurm's state_desc, a sentence on why it ended as it did (a launch that failed on its node,
     * say), shown as its Reason (null when there is none).
     */
    public record Outcome(ExitStatus exit, Integer cancelledBy, String stateDesc) {
        /** A job that has not ended, or ended without anything to say. */
        public static final Outcome NONE = new Outcome(ExitStatus.NONE, null, null);

        public Outcome {
            exit = exit == null ? ExitStatus.NONE : exit;
        }
    }

    /**
     * A builder starting from a pending job of uid and gid 1000 ("user"), submitted at time 0, in
     * the partitions its request names (none: null) under the request's limit (none: unlimited).
     */
    public static Builder builder(long id, JobRequest request) {
        return new Builder(id, request);
    }

    /** A builder starting from this job. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    // ---- changes ------------------------------------------------------------------------------

    /**
     * The same job with its text shared with every other job's equal text (its request's
     * payload, user and partition): what the controller keeps in memory, where a long queue of
     * jobs from one user would otherwise hold the same environment once per job.
     */
    public Job shared() {
        Owner o = new Owner(owner.user() == null ? null : owner.user().intern(), owner.uid(), owner.gid());
        Allocation a = allocation;
        String p = a.partition() == null ? null : a.partition().intern();
        return toBuilder()
                .request(request.shared())
                .owner(o)
                .allocation(new Allocation(p, a.parts(), a.limit()))
                .build();
    }

    public Job withState(JobState next, PendingReason why) {
        return toBuilder().state(state.moveTo(next)).reason(why).build();
    }

    public Job withReason(PendingReason why) {
        return toBuilder().reason(why).build();
    }

    public Job withPriority(long p) {
        return toBuilder().priority(p).build();
    }

    /** A pending job moved to other partitions, with the time limit it gets there. */
    public Job withPartition(String p, TimeLimit limit) {
        Allocation a = allocation;
        return toBuilder().allocation(new Allocation(p, a.parts(), limit)).build();
    }

    public Job withRequest(JobRequest r) {
        return toBuilder().request(r).build();
    }

    public Job withArray(ArrayPart a) {
        return toBuilder().array(a).build();
    }

    public Job withUsage(Usage u) {
        return toBuilder().usage(u).build();
    }

    /** The job with Slurm's state_desc set (null clears it). */
    public Job withStateDesc(String desc) {
        return toBuilder()
                .outcome(new Outcome(outcome.exit(), outcome.cancelledBy(), desc))
                .build();
    }

    public Job withPriorityHold(boolean hold) {
        return withPriorityHold(hold, false);
    }

    /** Held or released; a hold by an administrator (root) reads JobHeldAdmin, as in Slurm. */
    public Job withPriorityHold(boolean hold, boolean byAdmin) {
        PendingReason why =
                !hold ? PendingReason.None : byAdmin ? PendingReason.JobHeldAdmin : PendingReason.JobHeldUser;
        return withRequest(request.withHold(hold)).withReason(why);
    }

    /**
     * scontrol suspend at {@code now}: the job keeps what it holds and its clock stops (Slurm's
     * suspend_time is set; the time run so far is its SecsPreSuspend).
     */
    public Job suspended(long now) {
        Times t = times;
        return toBuilder()
                .state(state.moveTo(JobState.SUSPENDED))
                .times(new Times(t.submit(), t.start(), t.end(), now, t.suspendedSecs()))
                .build();
    }

    /** scontrol resume at {@code now}: running again, the suspension counted in its suspended time. */
    public Job resumed(long now) {
        if (state != JobState.SUSPENDED) throw new IllegalStateException("job is not suspended: " + state);
        return toBuilder()
                .state(state.moveTo(JobState.RUNNING))
                .times(new Times(times.submit(), times.start(), times.end(), now, suspendedSecs(now)))
                .build();
    }

    /** The job started on a node at {@code now} with these resources. */
    public Job started(String onPartition, String onNode, int cpus, long memMiB, TimeLimit limit, long now) {
        return started(onPartition, onNode, cpus, memMiB, List.of(), limit, now);
    }

    public Job started(
            String onPartition, String onNode, int cpus, long memMiB, List<Integer> gpus, TimeLimit limit, long now) {
        return started(onPartition, List.of(new Allocation.Part(onNode, cpus, memMiB, gpus)), limit, now);
    }

    /** The job started at {@code now} on these nodes, the first its batch host. */
    public Job started(String onPartition, List<Allocation.Part> parts, TimeLimit limit, long now) {
        return toBuilder()
                .state(state.moveTo(JobState.RUNNING))
                .reason(PendingReason.None)
                .times(new Times(times.submit(), now, 0))
                .allocation(new Allocation(onPartition, parts, limit))
                .outcome(new Outcome(ExitStatus.NONE, outcome.cancelledBy(), null))
                .usage(Usage.NONE)
                .build();
    }

    /** The job ended in {@code finalState} at {@code now}, nobody having cancelled it. */
    public Job ended(JobState finalState, ExitStatus how, long now) {
        return endedBy(finalState, how, now, null);
    }

    /** The job ended in {@code finalState} at {@code now}, cancelled by {@code byUid} (null: by nobody). */
    public Job endedBy(JobState finalState, ExitStatus how, long now, Integer byUid) {
        PendingReason why = switch (finalState) {
            case TIMEOUT -> PendingReason.TimeLimit;
            case OUT_OF_MEMORY -> PendingReason.OutOfMemory;
            case DEADLINE -> PendingReason.DeadLine;
            // as slurmctld: a nonzero exit reads NonZeroExitCode
            case FAILED -> how != null && how.code() != 0 ? PendingReason.NonZeroExitCode : keptReason();
            default -> keptReason();
        };
        return toBuilder()
                .state(state.moveTo(finalState))
                .reason(why)
                .times(new Times(times.submit(), times.start(), now, times.suspendTime(), suspendedSecs(now)))
                .outcome(new Outcome(how, byUid, outcome.stateDesc()))
                .build();
    }

    /**
     * What a job ending keeps of its reason: a pending job's, and a hold put on it while it ran (slurmctld keeps
     * JobHeldAdmin on a held running job that is then cancelled); else none.
     */
    private PendingReason keptReason() {
        return state == JobState.PENDING || heldReason() ? reason : PendingReason.None;
    }

    private boolean heldReason() {
        return reason == PendingReason.JobHeldAdmin || reason == PendingReason.JobHeldUser;
    }

    /** Back to the queue (the node it ran on failed and the job is requeued, or a launch never happened). */
    public Job requeued() {
        return backInQueue(JobState.PENDING, heldReason() ? reason : PendingReason.None, request, restarts);
    }

    /**
     * scontrol requeue (or a failed node under JobRequeue=1): the job waits again under the same id,
     * eligible from {@code eligibleAt} (Slurm holds a requeued job back for a while, as BeginTime),
     * held if {@code hold} (requeuehold), its run counter one higher. What the last run used and how
     * it ended is forgotten, as slurmctld forgets it.
     */
    public Job requeue(long eligibleAt, boolean hold) {
        return backInQueue(
                state.moveTo(JobState.PENDING),
                hold ? PendingReason.JobHeldUser : PendingReason.BeginTime,
                request.withBeginTime(eligibleAt).withHold(hold),
                restarts + 1);
    }

    private Job backInQueue(JobState next, PendingReason why, JobRequest r, int runs) {
        return toBuilder()
                .request(r)
                .state(next)
                .reason(why)
                .times(Times.submitted(times.submit()))
                .allocation(allocation.released())
                .outcome(Outcome.NONE)
                .usage(Usage.NONE)
                .restarts(runs)
                .build();
    }

    // ---- derived values -----------------------------------------------------------------------

    /** GPU device indices the job holds. */
    public List<Integer> gpuList() {
        return allocation.gpuIds();
    }

    /** The id as Slurm's commands print it: {@code 12}, {@code 12_3}, or {@code 12_[4-9]} for pending tasks. */
    public String displayId() {
        if (array == null) return Long.toString(id);
        int throttle =
                request.array() == null ? 0 : ArraySpec.parse(request.array()).throttle();
        return array.display(throttle);
    }

    /**
     * Whether a pending job can no longer end before its --deadline: started now, its time limit
     * would take it past it (Slurm's deadline_ok). A job without a limit never misses it here;
     * submission refuses a deadline for such a job where the partition gives it no limit either.
     */
    public boolean missesDeadline(long now) {
        long deadline = request.deadline();
        if (deadline <= 0) return false;
        return allocation.limit() instanceof TimeLimit.Seconds s && s.seconds() > 0
                ? now + s.seconds() > deadline
                : now > deadline;
    }

    /**
     * Seconds the job has run (or ran), as squeue's TIME and sacct's Elapsed show: suspended time
     * does not count, and a suspended job's clock stands at its SecsPreSuspend (Slurm's
     * job_time_used).
     */
    public long elapsed(long now) {
        return state == JobState.SUSPENDED ? secsPreSuspend() : times.elapsed(now);
    }

    /** Seconds spent suspended by {@code now}, the current suspension included (sacct's Suspended). */
    public long suspendedSecs(long now) {
        long ongoing = state == JobState.SUSPENDED ? Math.max(0, now - times.suspendTime()) : 0;
        return times.suspendedSecs() + ongoing;
    }

    /**
     * Seconds the job ran before its last suspension or resumption (Slurm's pre_sus_time, shown as
     * SecsPreSuspend=); 0 for a job never suspended.
     */
    public long secsPreSuspend() {
        if (times.suspendTime() == 0 || times.start() == 0) return 0;
        return Math.max(0, times.suspendTime() - times.start() - times.suspendedSecs());
    }

    /**
     * When a started job's time limit runs out: its start plus its limit plus the time it spent
     * suspended (Slurm moves a resumed job's end time by the suspension); for a suspended job, as
     * if it were resumed at {@code now}. {@code unlimited} when it has no limit.
     */
    public long limitEnd(long now, long unlimited) {
        long end = timeLimit().endFrom(times.start(), unlimited);
        return end == unlimited ? unlimited : end + suspendedSecs(now);
    }

    /**
     * When the job could start, as Slurm's time_eligible: its submission, or its --begin when
     * later; 0 while it is held or waits on a dependency (and for a held job that ended without
     * being released), so that sacct's time window leaves it out, as it does in Slurm.
     */
    public long eligibleTime() {
        if (request.hold()) return 0;
        if (state() == JobState.PENDING) {
            if (reason == PendingReason.Dependency || reason == PendingReason.DependencyNeverSatisfied) return 0;
            // a stored record keeps the reason it was written with (None at submission): a job with a
            // dependency counts as waiting on it until the scheduler has judged otherwise
            if (request.dependency() != null && reason == PendingReason.None) return 0;
        }
        return Math.max(submitTime(), request.beginTime());
    }

    // ---- plain views of single parts -----------------------------------------------------------

    public String user() {
        return owner.user();
    }

    public int uid() {
        return owner.uid();
    }

    public int gid() {
        return owner.gid();
    }

    public long submitTime() {
        return times.submit();
    }

    public long startTime() {
        return times.start();
    }

    public long endTime() {
        return times.end();
    }

    public String partition() {
        return allocation.partition();
    }

    public String node() {
        return allocation.node();
    }

    /** The nodes the job holds as a hostlist ({@code n[1-3]}), as squeue and scontrol show them; null while it waits. */
    public String nodeList() {
        List<String> all = allocation.nodes();
        if (all.size() < 2) return allocation.node();
        return io.motley.core.hostlist.Hostlist.compress(all);
    }

    /** Memory the job holds on each node (its batch host's share), as squeue's MIN_MEMORY shows it. */
    public long allocMemPerNodeMiB() {
        return allocation.parts().isEmpty() ? 0 : allocation.parts().get(0).memMiB();
    }

    /** CPUs the job holds on its batch host, where the script runs and its agent confines it. */
    public int cpusOnBatchHost() {
        return allocation.parts().isEmpty() ? 0 : allocation.parts().get(0).cpus();
    }

    /** The nodes the job holds, its batch host first (none while it waits). */
    public List<String> nodes() {
        return allocation.nodes();
    }

    public int allocCpus() {
        return allocation.cpus();
    }

    public long allocMemMiB() {
        return allocation.memMiB();
    }

    /**
     * Slurm's pn_min_memory (scontrol's MinMemoryNode=/MinMemoryCPU=, squeue's MIN_MEMORY): --mem's
     * MiB a node, --mem-per-cpu's MiB a CPU, else a CPU's share of what the job holds or, queued,
     * what DefMemPerCPU gave it; null when none of these is known.
     */
    public MemoryRequest minMemory() {
        MemoryRequest asked = request.resources().memory();
        if (asked instanceof MemoryRequest.PerNode || asked instanceof MemoryRequest.PerCpu) return asked;
        int cpus = allocCpus() > 0 ? allocCpus() : request.cpus();
        return allocMemMiB() > 0 && cpus > 0 ? new MemoryRequest.PerCpu(allocMemMiB() / cpus) : null;
    }

    /** The effective time limit, which a pending job already has. */
    public TimeLimit timeLimit() {
        return allocation.limit();
    }

    public ExitStatus exit() {
        return outcome.exit();
    }

    public String stateDesc() {
        return outcome.stateDesc();
    }

    /** Builds a job one named part at a time (tests, and any caller with a few changes). */
    public static final class Builder {
        private final long id;
        private JobRequest request;
        private Owner owner = new Owner("user", 1000, 1000);
        private JobState state = JobState.PENDING;
        private PendingReason reason = PendingReason.None;
        private long priority;
        private Times times = Times.submitted(0);
        private Allocation allocation;
        private Outcome outcome = Outcome.NONE;
        private Usage usage = Usage.NONE;
        private ArrayPart array;
        private int restarts;

        private Builder(long id, JobRequest request) {
            this.id = id;
            this.request = request;
            TimeLimit asked = request.timing().limit();
            allocation = Allocation.queued(
                    request.partitions().isEmpty() ? null : String.join(",", request.partitions()),
                    asked instanceof TimeLimit.Unset ? TimeLimit.UNLIMITED : asked);
        }

        private Builder(Job j) {
            id = j.id;
            request = j.request;
            owner = j.owner;
            state = j.state;
            reason = j.reason;
            priority = j.priority;
            times = j.times;
            allocation = j.allocation;
            outcome = j.outcome;
            usage = j.usage;
            array = j.array;
            restarts = j.restarts;
        }

        public Builder request(JobRequest r) {
            request = r;
            return this;
        }

        public Builder owner(Owner o) {
            owner = o;
            return this;
        }

        public Builder owner(String user, int uid, int gid) {
            return owner(new Owner(user, uid, gid));
        }

        /** The state as given, without checking the transition (see {@link JobState#moveTo}). */
        public Builder state(JobState s) {
            state = s;
            return this;
        }

        public Builder reason(PendingReason r) {
            reason = r;
            return this;
        }

        public Builder priority(long p) {
            priority = p;
            return this;
        }

        public Builder times(Times t) {
            times = t;
            return this;
        }

        public Builder allocation(Allocation a) {
            allocation = a;
            return this;
        }

        public Builder outcome(Outcome o) {
            outcome = o;
            return this;
        }

        public Builder usage(Usage u) {
            usage = u;
            return this;
        }

        public Builder array(ArrayPart a) {
            array = a;
            return this;
        }

        public Builder restarts(int r) {
            restarts = r;
            return this;
        }

        public Job build() {
            return new Job(
                    id, request, owner, state, reason, priority, times, allocation, outcome, usage, array, restarts);
        }
    }
}
