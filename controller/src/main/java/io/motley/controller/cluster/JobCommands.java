package io.motley.controller.cluster;

import io.motley.controller.store.Store;
import io.motley.controller.store.StoreException;
import io.motley.core.accounts.LimitCheck;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.config.ClusterConfig;
import io.motley.core.dependency.Dependency;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.JobUpdate;
import io.motley.core.job.KillReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.queue.ArrayTasks;
import io.motley.core.scheduler.Admission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What users and operators do to jobs: submit, cancel, hold and release, requeue, update and
 * top. Each command takes the caller and returns a typed outcome with Slurm's words; changes are
 * committed to the store before the outcome is returned. Holds the tables' lock while it works.
 */
final class JobCommands {
    private static final Logger log = LoggerFactory.getLogger(JobCommands.class);

    private final ClusterState state;
    private final ClusterConfig config;
    private final LongSupplier clock;
    private final Priorities priorities;
    private final Accounts accounts;
    private final LongFunction<Optional<Dependency.Target>> dependencyTarget;
    /**
     * Accepted submissions whose group commit is still under way, by association: not in the
     * tables yet, but MaxSubmitJobs counts them, or clients submitting together could pass it.
     * Under the tables' lock.
     */
    private final Map<LimitCheck.Owner, Integer> committing = new HashMap<>();

    /**
     * @param dependencyTarget what a dependency on a job id finds (the job, its array tasks, or
     *     its record in the store), empty when no such job exists; called under the lock
     */
    JobCommands(
            ClusterState state,
            ClusterConfig config,
            LongSupplier clock,
            Priorities priorities,
            Accounts accounts,
            LongFunction<Optional<Dependency.Target>> dependencyTarget) {
        this.state = state;
        this.config = config;
        this.clock = clock;
        this.priorities = priorities;
        this.accounts = accounts;
        this.dependencyTarget = dependencyTarget;
    }

    /**
     * Accepts or refuses a submission; an id is answered only once the job is committed. The
     * request is judged under the tables' lock, and its job queued for the store's next group
     * commit there (so ids follow the order of the checks); the commit is awaited without the lock,
     * so that other requests and the scheduler go on meanwhile, and the job enters the tables once
     * committed. A refused group commit leaves nothing in memory.
     */
    Submission submit(JobRequest submitted, Caller caller) {
        java.util.Optional<String> staging =
                io.motley.core.job.Staging.refusal(submitted, config.limits().maxStageInBytes());
        if (staging.isPresent()) return new Submission.Refused("Invalid stage-in or stage-out", staging.get());
        // the controller alone says whether a job waits for its stage-in files: those announced, never a client's word
        submitted = io.motley.core.job.Staging.awaitingUpload(
                submitted, io.motley.core.job.Staging.manifest(submitted).isPresent());
        Admitted a;
        synchronized (state) {
            a = admitAndQueue(submitted, caller);
        }
        if (a.answer() != null) return a.answer();
        Job job = null;
        try {
            job = Store.await(a.inserted());
        } catch (StoreException e) {
            // the store's message says what happened and what to do (disk full, database gone); nothing was saved
            log.error("submission not saved user={} error=\"{}\"", caller.user(), e.getMessage());
            return new Submission.Refused(e.getMessage(), null);
        } finally {
            if (job == null) {
                synchronized (state) {
                    committed(a.counted());
                }
            }
        }
        if (a.refused() != null) {
            log.info("submission refused job={} user={} why=\"{}\"", job.id(), caller.user(), a.why());
            return a.refused();
        }
        synchronized (state) {
            // committed: memory follows, its text shared with the other jobs', and the job counts from the tables
            committed(a.counted());
            state.note(job.shared());
            state.statistics.submitted();
        }
        log.info(
                "job submitted job={} user={} name={} partition={}",
                job.id(),
                caller.user(),
                job.request().name(),
                job.partition());
        return new Submission.Accepted(job.id());
    }

    /**
     * A submission after its check: {@code answer} when it is answered without the store, or the
     * job {@code inserted} into the store's next group, with {@code refused} (and its reason) when
     * that job is the FAILED record of a refusal; {@code counted} is the association whose
     * {@link #committing} count it holds until its commit ends, or null.
     */
    private record Admitted(
            Submission answer,
            CompletableFuture<Job> inserted,
            Submission.Refused refused,
            String why,
            LimitCheck.Owner counted) {}

    /** A submission's group commit ended (saved or not): it no longer counts as committing. */
    private void committed(LimitCheck.Owner counted) {
        if (counted != null) committing.computeIfPresent(counted, (k, n) -> n == 1 ? null : n - 1);
    }

    /**
     * sbatch --priority=N from an operator: the job's priority is N and stays so (Slurm's
     * direct_set_prio), as scontrol update Priority= sets it. From anyone else it stays an
     * unenforced option; 0 is a hold either way, TOP is not a number here.
     */
    private JobRequest operatorsPriority(JobRequest req, Caller caller) {
        String p = req.options().get("priority");
        if (p == null || !p.strip().matches("[0-9]+") || !operator(caller)) return req;
        long n;
        try {
            n = Long.parseLong(p.strip());
        } catch (NumberFormatException e) {
            return req;
        }
        return n > 0 && n < JobUpdate.PRIORITY_RESET ? JobUpdate.withFixedPriority(req, n) : req;
    }

    /** The check of {@link #submit}, under the tables' lock, and the job it queues for the store. */
    private Admitted admitAndQueue(JobRequest submitted, Caller caller) {
        long now = clock.getAsLong();
        // only root raises a job's priority with a negative nice; sbatch already ignores it for others, as
        // Slurm's does
        JobRequest asked = submitted.nice() < 0 && !caller.isRoot() ? submitted.withNice(0) : submitted;
        asked = operatorsPriority(asked, caller);
        Verdict admitted = admit(asked, caller.uid(), caller.user(), caller.groupsToCheck(), now);
        Verdict v = admitted.rejection() == null ? overSubmitLimit(admitted, caller.user()) : admitted;
        JobRequest req = v.request();
        if (v.rejection() != null) {
            Admission.Rejection no = v.rejection();
            String why = no.detail() == null ? no.failure() : no.detail();
            Submission.Refused refused = new Submission.Refused(no.failure(), no.detail());
            if (v.beforeStore()) {
                // text and sizes are judged before anything is stored, as Slurm's _validate_job_desc: no id is spent
                log.info("submission refused user={} why=\"{}\"", caller.user(), why);
                return new Admitted(refused, null, null, null, null);
            }
            // Slurm spends a job id on a refused submission and records it as FAILED; so do we
            CompletableFuture<Job> failed = state.store.insertGrouped(id -> Job.builder(id, req)
                    .owner(caller.user(), caller.uid(), caller.gid())
                    .state(JobState.FAILED)
                    .times(new Job.Times(now, now, now))
                    .allocation(Job.Allocation.queued(v.partition(), v.timeLimit()))
                    .outcome(new Job.Outcome(new ExitStatus(1, 0), null, null))
                    .build());
            return new Admitted(null, failed, refused, why, null);
        }
        ArraySpec spec = req.array() == null ? null : ArraySpec.parse(req.array());
        CompletableFuture<Job> job = state.store.insertGrouped(id -> {
            Job j = Job.builder(id, req)
                    .owner(caller.user(), caller.uid(), caller.gid())
                    .priority(priorities.initial(req))
                    .times(Job.Times.submitted(now))
                    .allocation(queued(v, req))
                    .build();
            // squeue shows why at once, before the first pass looks at it
            if (io.motley.core.job.Staging.awaitingUpload(req))
                j = j.withReason(io.motley.core.job.PendingReason.StageIn);
            // one record holds all of an array's pending tasks, however many
            return spec == null ? j : j.withArray(new ArrayPart(id, -1, ArraySpec.fold(spec.indices())));
        });
        LimitCheck.Owner counted = limited(req, caller.user());
        if (counted != null) committing.merge(counted, 1, Integer::sum);
        return new Admitted(null, job, null, null, counted);
    }

    /** sbatch --test-only: the job a submission would make (never stored), or why it would be refused. */
    record Trial(Job job, Admission.Rejection rejection) {}

    /**
     * The job {@code submitted} would make, judged as {@link #submit} judges it; its id is the
     * next one above the jobs in view, and is not reserved.
     */
    Trial trial(JobRequest submitted, Caller caller) {
        synchronized (state) {
            long now = clock.getAsLong();
            JobRequest asked = submitted.nice() < 0 && !caller.isRoot() ? submitted.withNice(0) : submitted;
            Verdict v = admit(asked, caller.uid(), caller.user(), caller.groupsToCheck(), now);
            if (v.rejection() == null) v = overSubmitLimit(v, caller.user());
            if (v.rejection() != null) return new Trial(null, v.rejection());
            long id = state.jobs.keySet().stream()
                            .mapToLong(Long::longValue)
                            .max()
                            .orElse(0)
                    + 1;
            Job j = Job.builder(id, v.request())
                    .owner(caller.user(), caller.uid(), caller.gid())
                    .priority(priorities.initial(v.request()))
                    .times(Job.Times.submitted(now))
                    .allocation(queued(v, v.request()))
                    .build();
            return new Trial(j, null);
        }
    }

    /**
     * slurmctld's words for an update that leaves a job no node can run: its job_limits_check after an update
     * answers "Requested partition configuration not available now" where a submission says "Requested node
     * configuration is not available".
     */
    private static String updateRefusal(String failure) {
        return failure.equals("Requested node configuration is not available")
                ? "Requested partition configuration not available now"
                : failure;
    }

    /**
     * A queued job's allocation. Without --mem it carries the memory DefMemPerCPU gives its CPUs,
     * as slurmctld fills in a job's memory at submission: sacct's ReqMem of a job cancelled before
     * it ran shows it, as Slurm's does.
     */
    private Job.Allocation queued(Verdict v, JobRequest req) {
        Job.Allocation a = Job.Allocation.queued(v.partition(), v.timeLimit());
        long def = config.defMemPerCpuMiB();
        if (req.resources().memory().given() || def <= 0) return a;
        long mem = def > Long.MAX_VALUE / Math.max(1, req.cpus()) ? Long.MAX_VALUE : def * req.cpus();
        return new Job.Allocation(a.partition(), a.node(), a.cpus(), mem, a.gpuIds(), a.limit());
    }

    /**
     * What the shared check made of a request: the request as charged (its account and QOS
     * resolved), the partitions it may run in and the time limit it gets there, or why it is
     * refused; {@code beforeStore} when the refusal comes before anything may be stored (its text
     * or size), so that no job id is spent on it.
     */
    record Verdict(
            JobRequest request,
            String partition,
            TimeLimit timeLimit,
            Admission.Rejection rejection,
            boolean beforeStore) {}

    /**
     * The one check every request that creates or changes a job passes (sbatch, scontrol update):
     * its text and sizes and DisableRootJobs ({@link Admission#validate}), its account and QOS,
     * its partitions (state, AllowAccounts, AllowGroups against {@code callerGroups}, null to skip,
     * MaxNodes) and the nodes that could run it, its --deadline against the time limit it would
     * get, and the jobs its --dependency names. {@code ownerUid} and {@code owner} are the job's.
     */
    private Verdict admit(JobRequest asked, int ownerUid, String owner, List<String> callerGroups, long now) {
        Optional<Admission.Rejection> invalid = Admission.validate(asked, config.limits(), ownerUid);
        if (invalid.isPresent())
            return new Verdict(asked, String.join(",", asked.partitions()), TimeLimit.UNLIMITED, invalid.get(), true);
        List<NodeView> views = state.nodes.values().stream().map(Node::view).toList();
        // the account (-A or the user's default) and QOS the job is charged to, checked when accounts are declared
        Admission.Charge charge = Admission.charge(asked, owner, accounts.associations());
        JobRequest req = charge.rejection() == null ? asked.charged(charge.account(), charge.qos()) : asked;
        Optional<Admission.Rejection> no = charge.rejection() != null
                ? Optional.of(charge.rejection())
                : Admission.check(req, state.partitions(config), views, callerGroups);
        if (no.isEmpty() && charge.account() != null && accounts.associations().enforced()) {
            // a job without a time limit gets its association's MaxWall, as slurmctld sets it
            long maxWall = LimitCheck.maxWall(accounts.db(), new LimitCheck.Owner(charge.account(), owner));
            if (maxWall > 0 && !req.timing().limit().given()) req = req.withTimeLimit(new TimeLimit.Seconds(maxWall));
        }
        List<Partition> partitions = state.partitions(config);
        List<String> parts = Admission.resolvePartitions(req, partitions);
        Partition first = partitions.stream()
                .filter(p -> !parts.isEmpty() && p.name().equals(parts.get(0)))
                .findFirst()
                .orElse(null);
        TimeLimit own = req.timing().limit();
        TimeLimit limit = first == null ? own : first.effectiveTimeLimit(own);
        if (!limit.given()) limit = TimeLimit.UNLIMITED;
        String partition = String.join(",", parts.isEmpty() ? req.partitions() : parts);
        if (no.isEmpty()) no = Admission.checkDeadline(req, limit, now);
        if (no.isEmpty() && req.dependency() != null) {
            try {
                for (long id : Dependency.parse(req.dependency()).jobIds()) {
                    if (dependencyTarget.apply(id).isEmpty()) {
                        no = Optional.of(new Admission.Rejection(
                                "dependency names job " + id + ", which does not exist", "Job dependency problem"));
                    }
                }
            } catch (IllegalArgumentException e) {
                no = Optional.of(new Admission.Rejection(e.getMessage(), "Job dependency problem"));
            }
        }
        return new Verdict(req, partition, limit, no.orElse(null), false);
    }

    /**
     * MaxSubmitJobs: a submission that would give its association more pending and running jobs
     * than that is refused before anything is stored, as slurmctld's acct_policy_validate does.
     */
    private Verdict overSubmitLimit(Verdict v, String owner) {
        LimitCheck.Owner assoc = limited(v.request(), owner);
        if (assoc == null) return v;
        long active = state.jobs.values().stream()
                        .filter(j -> !j.state().isTerminal()
                                && j.user().equals(owner)
                                && assoc.account().equals(j.request().account()))
                        .count()
                + committing.getOrDefault(assoc, 0);
        return LimitCheck.atSubmit(accounts.db(), assoc, active)
                .map(why -> new Verdict(
                        v.request(), v.partition(), v.timeLimit(), new Admission.Rejection(null, why), true))
                .orElse(v);
    }

    /** The association whose limits a request of {@code owner}'s is held to, or null when none are enforced. */
    private LimitCheck.Owner limited(JobRequest req, String owner) {
        String account = req.account();
        return account == null || !accounts.associations().enforced() ? null : new LimitCheck.Owner(account, owner);
    }

    /** Slurm's words for acting on a job that does not exist or is someone else's (only its owner and root may); null when allowed. */
    private String refusal(Job j, Caller caller) {
        if (j == null) return "Invalid job id specified";
        if (caller.uid() != j.uid() && !operator(caller)) return "Access/permission denied";
        return null;
    }

    /**
     * Whether the caller acts on any user's jobs, holds them as an administrator and lowers nice
     * values: root, and users whose AdminLevel (sacctmgr) is Operator or Administrator, as in Slurm.
     * Called under the lock.
     */
    boolean operator(Caller caller) {
        if (caller.isRoot()) return true;
        return caller.user() != null
                && accounts.db()
                        .user(caller.user())
                        .map(u -> u.adminLevel() != io.motley.core.accounts.AccountsDb.AdminLevel.None)
                        .orElse(false);
    }

    /**
     * Ends running job {@code id} for the command that holds its allocation (srun outside an allocation, its step
     * done; salloc, its command done): the job ends COMPLETED when {@code code} is 0, else FAILED with that exit
     * code, recorded now as slurmctld records the end its srun asks for, and its run is killed as a cancel kills it;
     * its nodes stay its own in the scheduler's view until that run's end is reported ({@link ClusterState#releasing}).
     * Where the store cannot record the end now, it is recorded when the run's end is reported. A pending job is
     * cancelled.
     */
    Outcome complete(long id, int code, Caller caller) {
        synchronized (state) {
            Job j = state.jobs.get(id);
            boolean mine = refusal(j, caller) == null;
            // a cancel already on its way keeps the job CANCELLED
            if (mine && state.cancelling.containsKey(id))
                return new Outcome(id, "Job/step already completing or completed", false);
            if (mine && j.state().holdsAllocation()) {
                JobState how = code == 0 ? JobState.COMPLETED : JobState.FAILED;
                try {
                    state.save(
                            j.endedBy(how, new ExitStatus(code, 0), Math.max(clock.getAsLong(), j.startTime()), null));
                } catch (StoreException e) {
                    // the kill is a cancel's; the run's end records the job's (RunEnds)
                    state.completing.put(id, code);
                    log.warn(
                            "job end not recorded, the store failed; recorded at its run's end job={} error=\"{}\"",
                            id,
                            e.getMessage());
                    return cancel(List.of(id), Map.of(), caller).get(0);
                }
                state.releasing.put(id, j);
                AgentChannel link = state.links.get(j.node());
                if (link != null) link.kill(j.id(), j.restarts(), KillReason.CANCEL);
                AllocationHolds.release(state, j, KillReason.CANCEL);
                log.info("job completed by its holder job={} node={} state={} code={}", id, j.node(), how, code);
                return Outcome.ok(id);
            }
            return cancel(List.of(id), Map.of(), caller).get(0);
        }
    }

    /**
     * Cancels jobs by id (an array's id takes all its tasks with it, as in Slurm) and single array
     * tasks ({@code tasks}: array id to task indices): a running task is cancelled like a job, a
     * pending one leaves the array's pending set.
     */
    List<Outcome> cancel(List<Long> requested, Map<Long, List<Integer>> tasks, Caller caller) {
        int uid = caller.uid();
        List<Outcome> out = new ArrayList<>();
        synchronized (state) {
            long now = clock.getAsLong();
            List<Long> ids = withArrayTasks(requested, t -> !t.state().isTerminal());
            tasks.forEach((arrayId, indices) -> {
                for (int index : indices) {
                    Optional<Job> task = arrayTask(arrayId, index);
                    if (task.isPresent()) {
                        ids.add(task.get().id());
                        continue;
                    }
                    Job meta = state.jobs.get(arrayId);
                    if (meta == null
                            || meta.array() == null
                            || !meta.array().holdsPending()
                            || !ArraySpec.unfold(meta.array().pending()).contains(index)) {
                        out.add(new Outcome(arrayId, "Invalid job id specified", false));
                        continue;
                    }
                    if (uid != meta.uid() && !operator(caller)) {
                        out.add(Outcome.refused(arrayId, "Access/permission denied"));
                        continue;
                    }
                    List<Integer> rest =
                            new ArrayList<>(ArraySpec.unfold(meta.array().pending()));
                    rest.remove(Integer.valueOf(index));
                    Job next = rest.isEmpty()
                            ? meta.withArray(new ArrayPart(arrayId, index, ""))
                                    .endedBy(JobState.CANCELLED, ExitStatus.NONE, now, uid)
                            : meta.withArray(new ArrayPart(arrayId, -1, ArraySpec.fold(rest)));
                    state.save(next);
                    out.add(Outcome.ok(arrayId));
                }
            });
            for (long id : new LinkedHashSet<>(ids)) {
                Job j = state.jobs.get(id);
                String refused = refusal(j, caller);
                if (refused != null) {
                    // scancel reports an unknown id only when asked to be verbose, as Slurm's does
                    out.add(new Outcome(id, refused, j != null));
                } else if (j.state().isTerminal()) {
                    out.add(new Outcome(id, "Job/step already completing or completed", false));
                } else if (j.state() == JobState.PENDING) {
                    state.save(j.endedBy(JobState.CANCELLED, ExitStatus.NONE, now, uid));
                    log.info("job cancelled while pending job={} by_uid={}", id, uid);
                    out.add(Outcome.ok(id));
                } else {
                    state.cancelling.put(id, uid);
                    AgentChannel link = state.links.get(j.node());
                    if (link != null) link.kill(j.id(), j.restarts(), KillReason.CANCEL);
                    AllocationHolds.release(state, j, KillReason.CANCEL);
                    log.info("job cancel sent job={} node={} by_uid={}", id, j.node(), uid);
                    out.add(Outcome.ok(id));
                }
            }
        }
        return out;
    }

    /**
     * The ids asked for, each array's id followed by those of its tasks that {@code keep} takes (the caller holds
     * the state's lock).
     */
    private List<Long> withArrayTasks(List<Long> requested, java.util.function.Predicate<Job> keep) {
        List<Long> ids = new ArrayList<>(requested);
        for (long id : requested) {
            for (Job t : state.jobs.values()) {
                if (t.array() != null && t.array().arrayJobId() == id && t.id() != id && keep.test(t)) ids.add(t.id());
            }
        }
        return ids;
    }

    /**
     * scancel -s: sends {@code signal} to running jobs ({@code requested}, an array's id taking its
     * running tasks) and running array tasks, on every node of each, to the processes {@code scope}
     * names. As in Slurm, a pending job cannot be signalled ("Job can not be altered now"), and
     * an ended one or one being cancelled is "already completing or completed".
     */
    List<Outcome> signal(
            List<Long> requested,
            Map<Long, List<Integer>> tasks,
            int signal,
            io.motley.protocol.Message.SignalScope scope,
            Caller caller) {
        List<Outcome> out = new ArrayList<>();
        synchronized (state) {
            List<Long> ids = withArrayTasks(requested, t -> t.state().holdsAllocation());
            tasks.forEach((arrayId, indices) -> {
                for (int index : indices) {
                    Optional<Job> task = arrayTask(arrayId, index);
                    if (task.isPresent()) {
                        ids.add(task.get().id());
                        continue;
                    }
                    Job meta = state.jobs.get(arrayId);
                    boolean pending = meta != null
                            && meta.array() != null
                            && meta.array().holdsPending()
                            && ArraySpec.unfold(meta.array().pending()).contains(index);
                    out.add(
                            pending
                                    ? Outcome.refused(arrayId, NOT_NOW)
                                    : new Outcome(arrayId, "Invalid job id specified", false));
                }
            });
            for (long id : new LinkedHashSet<>(ids)) {
                Job j = state.jobs.get(id);
                String refused = refusal(j, caller);
                if (refused != null) {
                    out.add(new Outcome(id, refused, j != null));
                } else if (j.state().isTerminal() || state.cancelling.containsKey(id)) {
                    out.add(new Outcome(id, "Job/step already completing or completed", false));
                } else if (j.state() == JobState.PENDING) {
                    out.add(Outcome.refused(id, NOT_NOW));
                } else {
                    List<String> nodes =
                            scope == io.motley.protocol.Message.SignalScope.BATCH ? List.of(j.node()) : j.nodes();
                    for (String node : nodes) {
                        AgentChannel link = state.links.get(node);
                        if (link != null) link.signal(j.id(), j.restarts(), signal, scope);
                    }
                    log.info(
                            "job signal sent job={} signal={} scope={} nodes={} by_uid={}",
                            id,
                            signal,
                            scope,
                            nodes,
                            caller.uid());
                    out.add(Outcome.ok(id));
                }
            }
        }
        return out;
    }

    /** Slurm's ESLURM_TRANSITION_STATE_NO_UPDATE: a signal for a job that is not running. */
    static final String NOT_NOW = "Job can not be altered now, try again later";

    /**
     * scontrol suspend / resume, as slurmctld's job_suspend2: only operators, administrators and
     * root may (others get "Access/permission denied", as in Slurm, even for their own jobs). A
     * suspended job keeps its allocation and its time limit stops; every node of the job is told
     * to stop (or continue) the run's processes. Refusals carry Slurm's words: a pending job "Job
     * is pending execution", an ended one "Job/step already completing or completed", resuming a
     * job that is not suspended "Job is not suspended"; suspending a suspended job succeeds and
     * changes nothing, as Slurm's does for an administrator's suspension. An array's id takes its
     * running and suspended tasks, as Slurm's takes every task of the array; the array's tasks
     * still pending are then no error.
     */
    List<Outcome> suspend(List<Long> ids, Caller caller, boolean resume) {
        List<Outcome> out = new ArrayList<>();
        synchronized (state) {
            long now = clock.getAsLong();
            boolean allowed = operator(caller);
            List<Long> all = new ArrayList<>();
            for (long id : ids) {
                List<Long> with = withArrayTasks(
                        List.of(id), t -> t.state() == JobState.RUNNING || t.state() == JobState.SUSPENDED);
                Job meta = state.jobs.get(id);
                if (with.size() > 1 && meta != null && meta.state() == JobState.PENDING) with.remove(0);
                all.addAll(with);
            }
            for (long id : all) {
                Job j = state.jobs.get(id);
                if (!allowed) {
                    out.add(Outcome.refused(id, "Access/permission denied"));
                } else if (j == null) {
                    out.add(Outcome.refused(id, "Invalid job id specified"));
                } else if (j.state() == JobState.PENDING) {
                    out.add(Outcome.refused(id, "Job is pending execution"));
                } else if (j.state().isTerminal() || state.cancelling.containsKey(id)) {
                    out.add(Outcome.refused(id, "Job/step already completing or completed"));
                } else if (resume && j.state() != JobState.SUSPENDED) {
                    out.add(Outcome.refused(id, "Job is not suspended"));
                } else if (!resume && j.state() == JobState.SUSPENDED) {
                    out.add(Outcome.ok(id));
                } else {
                    state.save(resume ? j.resumed(now) : j.suspended(now));
                    for (String node : j.nodes()) {
                        AgentChannel link = state.links.get(node);
                        if (link != null) link.suspend(j.id(), j.restarts(), resume);
                    }
                    log.info(
                            "job {} job={} nodes={} by_uid={}",
                            resume ? "resumed" : "suspended",
                            id,
                            j.nodes(),
                            caller.uid());
                    out.add(Outcome.ok(id));
                }
            }
        }
        return out;
    }

    /** scontrol hold / release of jobs by id (an array's id reaching all its tasks: see {@link #hold(List, Map, Caller, boolean)}). */
    List<Outcome> hold(List<Long> ids, Caller caller, boolean hold) {
        return hold(ids, Map.of(), caller, hold);
    }

    /**
     * scontrol hold / release: a job's priority hold set or cleared (a running job's too), on the records {@link #reach} finds
     * for {@code ids} and array {@code tasks} (a pending task named alone is split off first, as in Slurm).
     */
    List<Outcome> hold(List<Long> ids, Map<Long, List<Integer>> tasks, Caller caller, boolean hold) {
        return hold(ids, tasks, caller, hold, false);
    }

    /** {@code asUser}: scontrol uhold, JobHeldUser whoever holds (the owner may release it). */
    List<Outcome> hold(List<Long> ids, Map<Long, List<Integer>> tasks, Caller caller, boolean hold, boolean asUser) {
        List<Outcome> out = new ArrayList<>();
        synchronized (state) {
            for (Reached r : reach(ids, tasks, caller, out)) {
                Job j = state.jobs.get(r.id());
                String refused = refusal(j, caller);
                if (refused != null) {
                    out.add(r.outcome(refused, true));
                } else if (j.state().isTerminal() && r.tasks() != null) {
                    // Slurm's _update_job on a finished task of the array named: ESLURM_JOB_FINISHED
                    out.add(r.outcome("Job has already finished", true));
                } else if (j.state().isTerminal()) {
                    out.add(r.outcome("Job is no longer pending execution", true));
                } else if (!hold && !j.request().hold() && j.state() != JobState.PENDING) {
                    // a started job that is not held: slurmctld ignores the release, and so does this
                    out.add(r.outcome(null, false));
                } else {
                    // a job that has started takes the hold too, as in Slurm: it reads JobHeldAdmin (or
                    // JobHeldUser) from then on, and waits held should it be requeued
                    Job next = j.withPriorityHold(hold, operator(caller) && !asUser);
                    // released, a priority an operator set is computed again, as Slurm's release does
                    if (!hold) next = next.withRequest(JobUpdate.withFixedPriority(next.request(), null));
                    // under priority/basic a held job has priority 0 in Slurm: released, it takes the next one down
                    if (!hold && j.request().hold() && !priorities.multifactor())
                        next = next.withPriority(priorities.next());
                    state.save(next);
                    out.add(r.outcome(null, false));
                }
            }
        }
        return out;
    }

    /**
     * A record a command on jobs reaches: {@code tasks} (with {@code arrayId}) when it was reached through its
     * array, the indices its outcome names, as slurmctld's per-task replies do; null for a job named by its own id.
     */
    private record Reached(long id, long arrayId, String tasks) {
        Outcome outcome(String error, boolean always) {
            return tasks == null ? new Outcome(id, error, always) : new Outcome(arrayId, error, always, tasks);
        }
    }

    /**
     * The records a command (hold, release, update) acts on, as slurmctld's update_job_str finds them. An array's
     * id reaches every record of the array in view: the one holding its pending tasks and each task of its own,
     * finished ones too (they answer that they have finished), lowest task first. A task named ARRAY_INDEX
     * reaches its own record; one still pending in the array's record is split off into a record of its own
     * ({@link ArraySplit}), unless it is the array's only pending task, whose record is then the array's. A
     * task that is neither, or whose array is someone else's, is answered in {@code out} (a refused caller
     * splits nothing). Any other id reaches its job, or is answered as unknown by the command. Under the lock.
     */
    private List<Reached> reach(List<Long> ids, Map<Long, List<Integer>> tasks, Caller caller, List<Outcome> out) {
        List<Reached> reached = new ArrayList<>();
        // the records of the arrays named, in one pass over the jobs however many ids are named
        java.util.Set<Long> named = new java.util.HashSet<>(ids);
        Map<Long, List<Job>> families = new HashMap<>();
        for (Job t : state.jobs.values()) {
            if (t.array() != null && named.contains(t.array().arrayJobId()))
                families.computeIfAbsent(t.array().arrayJobId(), k -> new ArrayList<>())
                        .add(t);
        }
        for (long id : ids) {
            List<Job> family = families.getOrDefault(id, List.of()).stream()
                    .sorted(java.util.Comparator.comparingInt(JobCommands::firstTask))
                    .toList();
            if (family.isEmpty()) reached.add(new Reached(id, id, null));
            for (Job t : family) reached.add(new Reached(t.id(), id, taskLabel(t)));
        }
        tasks.forEach((arrayId, indices) -> {
            for (int index : indices) {
                String label = Integer.toString(index);
                Optional<Job> own = arrayTask(arrayId, index);
                Job meta = state.jobs.get(arrayId);
                String refused = meta == null ? null : refusal(meta, caller);
                if (own.isPresent()) {
                    reached.add(new Reached(own.get().id(), arrayId, label));
                } else if (meta == null || !ArrayTasks.holds(meta, index)) {
                    out.add(new Outcome(arrayId, "Invalid job id specified", true, label));
                } else if (refused != null) {
                    out.add(new Outcome(arrayId, refused, true, label));
                } else if (ArrayTasks.isLast(meta, index)) {
                    reached.add(new Reached(meta.id(), arrayId, label));
                } else {
                    Job task = ArraySplit.splitOff(state, meta, index);
                    log.info(
                            "array task split off job={} array={} task={} by_uid={}",
                            task.id(),
                            arrayId,
                            index,
                            caller.uid());
                    reached.add(new Reached(task.id(), arrayId, label));
                }
            }
        });
        return reached;
    }

    /** The task indices an array's record stands for, folded: its own, or those it holds pending. */
    private static String taskLabel(Job t) {
        return t.array().holdsPending()
                ? t.array().pending()
                : Integer.toString(t.array().taskId());
    }

    private static int firstTask(Job t) {
        if (!t.array().holdsPending()) return t.array().taskId();
        List<Integer> pending = ArraySpec.unfold(t.array().pending());
        return pending.isEmpty() ? Integer.MAX_VALUE : pending.get(0);
    }

    /**
     * scontrol requeue / requeuehold: a running batch job is killed and a finished one taken back;
     * either waits again under its id with its run counter one higher, eligible only after
     * RequeueDelay (Slurm's BeginTime hold), held as well for requeuehold. Refused, with Slurm's
     * words, for a pending job and for one submitted with --no-requeue.
     */
    List<Outcome> requeue(List<Long> ids, Caller caller, boolean hold) {
        List<Outcome> out = new ArrayList<>();
        synchronized (state) {
            long now = clock.getAsLong();
            for (long id : ids) {
                Job j = state.jobs.get(id);
                String refused = refusal(j, caller);
                if (refused != null) {
                    out.add(Outcome.refused(id, refused));
                } else if (j.state() == JobState.PENDING) {
                    out.add(Outcome.refused(id, "Job is pending execution"));
                } else if (!j.request().requeue()) {
                    out.add(Outcome.refused(id, "Requested operation is presently disabled"));
                } else {
                    if (j.state().holdsAllocation()) {
                        state.cancelling.remove(id);
                        state.completing.remove(id);
                        state.endingRuns.put(id, j.node());
                        AgentChannel link = state.links.get(j.node());
                        if (link != null) link.kill(j.id(), j.restarts(), KillReason.REQUEUE);
                        AllocationHolds.release(state, j, KillReason.REQUEUE);
                    }
                    Job next = j.requeue(now + config.requeueDelaySeconds(), hold);
                    state.save(next);
                    log.info(
                            "job requeued job={} was={} run={} by_uid={} hold={}",
                            id,
                            j.state(),
                            next.restarts(),
                            caller.uid(),
                            hold);
                    out.add(Outcome.ok(id));
                }
            }
        }
        return out;
    }

    /** Task {@code index} of array {@code arrayId} as a job of its own, once it has been split off (the lock is held). */
    private Optional<Job> arrayTask(long arrayId, int index) {
        return state.jobs.values().stream()
                .filter(t -> t.array() != null
                        && t.array().arrayJobId() == arrayId
                        && t.array().taskId() == index)
                .findFirst();
    }

    /**
     * scontrol update JobId=N KEY=VALUE...: changes a job's fields (those {@link JobUpdate#parse}
     * reads). A pending job's request is checked by the same check as a new submission; a job that
     * has started takes only the keys Slurm takes then ({@link JobUpdate#fitsStartedJob}), and an
     * ended one only ArrayTaskThrottle. Permissions are Slurm's: a user may lower a running job's
     * time limit, an operator may also raise it; only an operator sets a priority that lasts or a
     * negative nice value. Returns Slurm's error text, or empty on success.
     */
    Optional<String> update(long id, Map<String, String> pairs, Caller caller) {
        synchronized (state) {
            return update(state.jobs.get(id), pairs, caller);
        }
    }

    /**
     * scontrol update on the records {@link #reach} finds for {@code ids} and array {@code tasks} (a pending task
     * named alone is split off first, as in Slurm): one outcome for each, Slurm's error text or success.
     */
    List<Outcome> update(List<Long> ids, Map<Long, List<Integer>> tasks, Map<String, String> pairs, Caller caller) {
        List<Outcome> out = new ArrayList<>();
        synchronized (state) {
            for (Reached r : reach(ids, tasks, caller, out)) {
                Job j = state.jobs.get(r.id());
                String error = update(j, pairs, caller).orElse(null);
                out.add(r.outcome(error, error != null));
            }
        }
        return out;
    }

    /** {@link #update(long, Map, Caller)} on job {@code j} (null: none such); the lock is held. */
    private Optional<String> update(Job j, Map<String, String> pairs, Caller caller) {
        String refused = refusal(j, caller);
        if (refused != null) return Optional.of(refused);
        long id = j.id();
        JobUpdate change;
        try {
            change = JobUpdate.parse(
                    pairs,
                    java.time.ZonedDateTime.ofInstant(
                            java.time.Instant.ofEpochSecond(clock.getAsLong()), java.time.ZoneId.systemDefault()));
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        boolean operator = operator(caller);
        Job next = j;
        if (change.arrayTaskThrottle() != null) {
            next = throttled(next, change.arrayTaskThrottle());
            // as in Slurm, an ended array's throttle may still change (for its other tasks)
            if (j.state().isTerminal() && pairs.size() == 1) {
                state.save(next);
                log.info("job updated job={} by_uid={} changes={}", id, caller.uid(), pairs);
                return Optional.empty();
            }
        }
        if (j.state().isTerminal()) return Optional.of("Job has already finished");
        if (j.state() != JobState.PENDING && !change.fitsStartedJob())
            return Optional.of("Job is no longer pending execution");
        JobRequest r = j.request();
        if ((change.lowersNice(r) || change.wantsOperator(r)) && !operator)
            return Optional.of("Access/permission denied");
        String warning = null;
        if (j.state() == JobState.PENDING) {
            JobRequest asked =
                    change.apply(next.request(), List.of(j.partition().split(",")));
            // everything a submission is checked for, with the caller's groups: a job goes nowhere by update that
            // sbatch would refuse
            Verdict v = admit(asked, j.uid(), j.user(), caller.groupsToCheck(), clock.getAsLong());
            if (v.rejection() != null)
                return Optional.of(updateRefusal(v.rejection().failure()));
            // the memory DefMemPerCPU gives follows its CPUs, as slurmctld's per-CPU default does
            next = next.withRequest(v.request()).toBuilder()
                    .allocation(queued(v, v.request()))
                    .build();
        } else {
            TimeLimit limit = j.timeLimit();
            if (change.timeLimitSeconds() != null) {
                limit = TimeLimit.of(change.timeLimitSeconds());
                // Slurm's rule: anyone may shorten a running job's limit, only an operator lengthen it
                if (!limit.equals(j.timeLimit()) && !operator && !shorter(limit, j.timeLimit()))
                    return Optional.of("Access/permission denied");
            }
            next = next.withRequest(
                            change.apply(next.request(), List.of(j.partition().split(","))))
                    .withPartition(j.partition(), limit);
        }
        int niceBefore = j.request().nice();
        if (change.priority() != null) {
            Prioritized p = prioritized(next, j, change.priority(), operator);
            if (p.error() != null && p.job() == null) return Optional.of(p.error());
            next = p.job();
            warning = p.error();
            if (p.niceReset()) niceBefore = 0;
        }
        if (change.nice() != null) next = niced(next, niceBefore, change.nice());
        state.save(next);
        log.info("job updated job={} by_uid={} changes={}", id, caller.uid(), pairs);
        if (!next.timeLimit().equals(j.timeLimit()) && j.state().holdsAllocation()) {
            // the agents enforce the limit: each node of the job is told, and told again when its agent registers
            for (String node : j.nodes()) {
                AgentChannel link = state.links.get(node);
                if (link != null) link.timeLimit(j.id(), j.restarts(), next.timeLimit());
            }
            log.info(
                    "job time limit changed job={} was={} now={} nodes={}",
                    id,
                    j.timeLimit().secondsOr(-1),
                    next.timeLimit().secondsOr(-1),
                    j.nodes());
        }
        return Optional.ofNullable(warning);
    }

    /** Whether {@code a} ends a job sooner than {@code b} (no limit is the longest). */
    private static boolean shorter(TimeLimit a, TimeLimit b) {
        long x = a.secondsOr(Long.MAX_VALUE);
        long y = b.secondsOr(Long.MAX_VALUE);
        return x < y;
    }

    /** An array's record with its %N throttle set (0: none); a job that is no array keeps its request, as in Slurm. */
    private static Job throttled(Job j, int throttle) {
        String spec = j.request().array();
        if (spec == null || j.array() == null) return j;
        return j.withRequest(j.request().toBuilder()
                .array(io.motley.core.job.ArraySpec.withThrottle(spec, throttle))
                .build());
    }

    /** The job after Priority=, or the refusal (job null); a job with an error too is changed but told so. */
    private record Prioritized(Job job, String error, boolean niceReset) {
        Prioritized(Job job, String error) {
            this(job, error, false);
        }
    }

    /**
     * Priority=N as Slurm's update takes it: 0 holds the job (an operator's hold is an
     * administrator's), {@link JobUpdate#PRIORITY_RESET} lets the plugin set it again (and releases
     * a held job, as scontrol release does); any other value is the job's priority, kept fixed when
     * an operator set it. A user may only lower the priority, and is told that it will not last; a
     * held job's priority is not changed, only released. A set priority brings the nice back to 0.
     */
    private Prioritized prioritized(Job next, Job was, long asked, boolean operator) {
        long current = was.request().hold() ? 0 : was.priority();
        if (asked == current) {
            if (current == 0 && operator) next = next.withPriorityHold(true, true);
            return new Prioritized(next, null);
        }
        if (current == 0) {
            if (asked != JobUpdate.PRIORITY_RESET)
                return new Prioritized(null, "Job is in held state, pending scheduler release");
            if (!operator && was.reason() != io.motley.core.job.PendingReason.JobHeldUser)
                return new Prioritized(null, "Access/permission denied");
            return new Prioritized(released(next), null);
        }
        if (asked == JobUpdate.PRIORITY_RESET) {
            if (!operator) return new Prioritized(next, null); // already released: nothing to do, as in Slurm
            JobRequest r = JobUpdate.withFixedPriority(next.request(), null).withNice(0);
            long p = priorities.multifactor() ? next.priority() : priorities.next();
            return new Prioritized(next.withRequest(r).withPriority(p), null, true);
        }
        if (!operator && asked > current) return new Prioritized(null, "Access/permission denied");
        if (asked == 0) {
            Job held = next.withRequest(JobUpdate.withFixedPriority(next.request(), null));
            return new Prioritized(held.withPriorityHold(true, operator).withPriority(0), null);
        }
        JobRequest r = next.request().withNice(0);
        if (operator) {
            return new Prioritized(
                    next.withRequest(JobUpdate.withFixedPriority(r, asked)).withPriority(asked), null, true);
        }
        return new Prioritized(
                next.withRequest(r).withPriority(asked),
                "Changes to job priority are not persistent, change nice instead",
                true);
    }

    /** A held job released, as scontrol release does it. */
    private Job released(Job j) {
        Job next = j.withRequest(JobUpdate.withFixedPriority(j.request(), null)).withPriorityHold(false, false);
        // under priority/basic a held job has priority 0 in Slurm: released, it takes the next one down
        if (!priorities.multifactor()) next = next.withPriority(priorities.next());
        return next;
    }

    /**
     * Nice= from {@code before} (the nice when Slurm reaches the key: 0 after a Priority= that reset
     * it): as in Slurm, a priority an operator fixed ignores it (the
     * nice stays), and under priority/basic the priority moves by the difference (never under 2).
     */
    private Job niced(Job next, int before, int nice) {
        if (JobUpdate.fixedPriority(next.request()).isPresent() && next.priority() != 0)
            return next.withRequest(next.request().withNice(before));
        next = next.withRequest(next.request().withNice(nice));
        if (!priorities.multifactor() && !next.request().hold() && next.priority() != 0)
            return next.withPriority(Math.max(2, next.priority() + before - nice));
        return next;
    }

    /**
     * scontrol top: the job goes ahead of the same user's other pending jobs in its partition
     * (under multifactor through nice values, as Slurm does).
     */
    Optional<String> top(long id, Caller caller) {
        synchronized (state) {
            Job j = state.jobs.get(id);
            String refused = refusal(j, caller);
            if (refused != null) return Optional.of(refused);
            if (j.state() != JobState.PENDING) return Optional.of("Job is no longer pending execution");
            if (j.request().hold()) return Optional.of("Job is in held state, pending scheduler release");
            List<Job> peers = state.jobs.values().stream()
                    .filter(o -> o.state() == JobState.PENDING
                            && o.uid() == j.uid()
                            && o.partition().equals(j.partition()))
                    .toList();
            if (!priorities.multifactor()) {
                // as slurmctld's _set_top: the jobs that may give priority up share the account and QOS, and
                // neither a held one nor one at priority 1 does
                List<Job> others = peers.stream()
                        .filter(o -> o.id() != id
                                && !o.request().hold()
                                && o.priority() > 1
                                && java.util.Objects.equals(
                                        o.request().account(), j.request().account())
                                && java.util.Objects.equals(
                                        o.request().qos(), j.request().qos()))
                        .sorted(java.util.Comparator.comparingLong(Job::id))
                        .toList();
                state.saveAll(Priorities.topBasic(j, others));
                return Optional.empty();
            }
            long highest = peers.stream().mapToLong(Job::priority).max().orElse(j.priority());
            // swap with the user's top job so the user's share of the queue does not grow
            Optional<Job> topJob = peers.stream()
                    .filter(o -> o.id() != id && o.priority() == highest)
                    .findFirst();
            if (highest > j.priority() || topJob.isPresent()) {
                int cpus = state.nodes.values().stream().mapToInt(Node::cpus).sum();
                state.saveAll(
                        priorities.top(j, topJob.orElseThrow(), highest, clock.getAsLong(), state.jobs.values(), cpus));
            }
        }
        return Optional.empty();
    }
}
