package io.motley.controller.cluster;

import io.motley.controller.store.Store;
import io.motley.controller.store.StoreException;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.config.ClusterConfig;
import io.motley.core.dependency.Dependency;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.scheduler.Admission;
import io.motley.core.scheduler.Allocation;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.QueuedJob;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.scheduler.Snapshot;
import io.motley.core.scheduler.Start;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's live view of the cluster, put together from its parts: the tables
 * ({@link ClusterState}, written through to the store), the commands users and operators give
 * on jobs ({@link JobCommands}), the nodes and their agents ({@link NodeRegistry}), the ends of
 * runs ({@link RunEnds}) and the scheduling loop below, whose decisions come from the pure
 * {@link Scheduler}. Every part holds the tables' lock while it reads or changes them.
 */
public final class Cluster {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    private final ClusterConfig config;
    private final ClusterState state;
    private final Store store;
    private final LongSupplier clock;
    private final Map<Long, Job> jobs;
    private final Map<String, Node> nodes;
    private final Map<String, AgentChannel> links;
    private final Map<Long, String> endingRuns;
    private final JobCommands commands;
    private final NodeRegistry registry;
    private final RunEnds ends;

    private final Object wake = new Object();
    private final Object passes = new Object();
    private boolean scheduleWanted;
    private final Priorities priorities;
    /** When the last pass that could backfill ran (epoch seconds). */
    private long lastBackfill = Long.MIN_VALUE / 2;
    /** The last pass's reservations by job id (an array's under its own id). */
    private Map<Long, Plan.Reservation> expected = Map.of();

    public Cluster(ClusterConfig config, Store store, LongSupplier clockSeconds) {
        this.config = config;
        this.store = store;
        this.clock = clockSeconds;
        this.state = new ClusterState(store);
        this.jobs = state.jobs;
        this.nodes = state.nodes;
        this.links = state.links;
        this.endingRuns = state.endingRuns;
        long now = clock.getAsLong();
        for (Node n : store.nodes()) state.note(n);
        for (Job j : store.endedSince(now - config.minJobAgeSeconds())) state.note(j);
        for (Job j : store.activeJobs()) state.note(j);
        // fair share needs the usage of jobs that ended before this start, decayed from their ends
        priorities = new Priorities(config, store.endedSince(Priorities.historySince(config, now)), this::job);
        ends = new RunEnds(state, config, clock);
        registry = new NodeRegistry(state, config, clock, ends, this::wakeScheduler);
        commands = new JobCommands(state, config, clock, priorities, this::dependencyTarget);
        log.info(
                "state loaded jobs_active={} nodes={}",
                jobs.values().stream().filter(j -> !j.state().isTerminal()).count(),
                nodes.size());
    }

    public ClusterConfig config() {
        return config;
    }

    // ---- user requests -------------------------------------------------------------------

    /** Accepts or refuses a submission; an id is answered only once the job is committed. */
    public Submission submit(JobRequest req, Caller caller) {
        Submission s = commands.submit(req, caller);
        if (s instanceof Submission.Accepted) wakeScheduler();
        return s;
    }

    /**
     * Cancels jobs by id (an array's id takes all its tasks with it, as in Slurm) and single array
     * tasks ({@code tasks}: array id to task indices).
     */
    public List<Outcome> cancel(List<Long> ids, Map<Long, List<Integer>> tasks, Caller caller) {
        List<Outcome> out = commands.cancel(ids, tasks, caller);
        wakeScheduler();
        return out;
    }

    /** scontrol hold (true) / release (false). */
    public List<Outcome> hold(List<Long> ids, Caller caller, boolean hold) {
        List<Outcome> out = commands.hold(ids, caller, hold);
        wakeScheduler();
        return out;
    }

    /** scontrol requeue / requeuehold. */
    public List<Outcome> requeue(List<Long> ids, Caller caller, boolean hold) {
        List<Outcome> out = commands.requeue(ids, caller, hold);
        wakeScheduler();
        return out;
    }

    /** scontrol update JobId=N KEY=VALUE...: Slurm's error text, or empty on success. */
    public Optional<String> updateJob(long id, Map<String, String> changes, Caller caller) {
        Optional<String> out = commands.update(id, changes, caller);
        if (out.isEmpty()) wakeScheduler();
        return out;
    }

    /** scontrol top: Slurm's error text, or empty on success. */
    public Optional<String> top(long id, Caller caller) {
        Optional<String> out = commands.top(id, caller);
        if (out.isEmpty()) wakeScheduler();
        return out;
    }

    /** What makes the job database unusable now (gone, replaced, not writable, disk full), for scontrol ping; empty when none. */
    public Optional<String> storeProblem() {
        return store.problem();
    }

    /** Jobs in view: every active one and those that ended within MinJobAge. */
    public List<Job> jobs() {
        synchronized (state) {
            return List.copyOf(jobs.values());
        }
    }

    /** Looks a job up in memory, then in the store (scontrol show job of an older one). */
    public Optional<Job> job(long id) {
        synchronized (state) {
            Job j = jobs.get(id);
            if (j != null) return Optional.of(j);
            List<Job> found = store.accounting(0, Long.MAX_VALUE, -1, List.of(id));
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** Nodes with what is allocated on them now. */
    public List<Node> nodes() {
        return registry.withAllocations();
    }

    public List<Job> accounting(long start, long end, int uid, List<Long> ids) {
        return store.accounting(start, end, uid, ids);
    }

    // ---- agents --------------------------------------------------------------------------

    /** An agent (re)connected: record its node, then reconcile what it runs with what we believe. */
    public void register(AgentChannel link, AgentReport.Registration reg) {
        registry.register(link, reg);
    }

    public long heartbeatSeconds() {
        return registry.heartbeatSeconds();
    }

    public void heartbeat(String node, AgentReport.Load hb) {
        registry.heartbeat(node, hb);
    }

    /** scontrol update NodeName=... State=...: Slurm's error text, or empty on success. */
    public Optional<String> updateNode(String name, String stateWord, String reason, Caller caller) {
        return registry.update(name, stateWord, reason, caller);
    }

    /** The agent reports that a job's run ended. Idempotent: a repeat is acknowledged and ignored. */
    public void jobEnded(String node, AgentReport.RunEnded f) {
        synchronized (state) {
            ends.ended(node, f);
        }
        wakeScheduler();
    }

    public void disconnected(AgentChannel link) {
        registry.disconnected(link);
    }

    /** Marks nodes whose heartbeats stopped DOWN (their jobs end as NODE_FAIL) and forgets old finished jobs. */
    public void checkNodes() {
        registry.checkTimeouts();
        synchronized (state) {
            long horizon = clock.getAsLong() - config.minJobAgeSeconds();
            jobs.values().removeIf(j -> j.state().isTerminal() && j.endTime() < horizon);
        }
    }

    private int weight(String node) {
        ClusterConfig.NodeOverride o = config.overrideFor(node);
        return o == null ? 1 : o.weight();
    }

    // ---- scheduling ----------------------------------------------------------------------

    public void wakeScheduler() {
        synchronized (wake) {
            scheduleWanted = true;
            wake.notifyAll();
        }
    }

    /** Runs passes when woken (submit, end, registration) and at least every second. */
    public void scheduleLoop() {
        String lastFailure = null;
        while (!Thread.currentThread().isInterrupted()) {
            synchronized (wake) {
                if (!scheduleWanted) {
                    try {
                        wake.wait(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                scheduleWanted = false;
            }
            try {
                schedulePass();
                lastFailure = null;
            } catch (RuntimeException e) {
                // a pass that keeps failing the same way (a full disk, a lost database) is said once, not every second
                String failure = e.toString();
                if (failure.equals(lastFailure)) {
                    log.debug("scheduling pass failed again: {}", failure);
                } else if (e instanceof StoreException) {
                    log.error("scheduling pass failed: {}", e.getMessage());
                } else {
                    log.error("scheduling pass failed", e);
                }
                lastFailure = failure;
            }
        }
    }

    /** What a pass planned from: the snapshot, array tasks behind synthetic ids, and each job's request then. */
    record PassInput(
            Snapshot snapshot, SchedulerOptions options, Map<Long, long[]> tasks, Map<Long, JobRequest> asked) {}

    /**
     * One pass: a snapshot taken under the lock, a plan made outside it (so submissions and
     * queries are answered while a large queue is planned), then the starts that still hold are
     * committed and their launch orders sent.
     */
    public Plan schedulePass() {
        // one pass at a time: a second one planning from the same snapshot could place two jobs on the same CPUs
        synchronized (passes) {
            PassInput in = snapshotForPass();
            if (in == null) return new Plan(List.of(), Map.of());
            Plan plan = Scheduler.plan(in.snapshot(), in.options());
            commitPass(in, plan);
            return plan;
        }
    }

    PassInput snapshotForPass() {
        synchronized (state) {
            long now = clock.getAsLong();
            refreshPriorities(now);
            List<NodeView> views = new ArrayList<>();
            for (Node n : nodes.values()) {
                // only nodes whose agent is connected can be given work
                NodeState s = links.containsKey(n.name()) ? n.state() : NodeState.DOWN;
                views.add(new NodeView(
                        n.name(),
                        n.cpus(),
                        n.memMiB(),
                        s,
                        n.gpus(),
                        java.util.Set.copyOf(n.features()),
                        weight(n.name())));
            }
            List<Allocation> running = new ArrayList<>();
            List<QueuedJob> pending = new ArrayList<>();
            List<Job> changed = new ArrayList<>();
            Map<Long, long[]> tasks = new HashMap<>();
            Map<Long, JobRequest> asked = new HashMap<>();
            for (Job j : List.copyOf(jobs.values())) {
                if (j.state() == JobState.RUNNING) {
                    // reservations count on a running job's resources from the end of its time limit
                    long end = j.timeLimitSeconds() > 0 ? j.startTime() + j.timeLimitSeconds() : Allocation.NO_END;
                    running.add(new Allocation(j.id(), j.node(), j.allocCpus(), j.allocMemMiB(), j.gpuList(), end));
                } else if (j.state() == JobState.PENDING) {
                    if (!j.request().hold()) {
                        Job next = eligibility(j, now);
                        if (next != j) {
                            jobs.put(next.id(), next);
                            if (next.state().isTerminal() || next.request() != j.request()) changed.add(next);
                        }
                        if (next.state() != JobState.PENDING
                                || next.reason() == PendingReason.BeginTime
                                || next.reason() == PendingReason.Dependency
                                || next.reason() == PendingReason.DependencyNeverSatisfied) {
                            continue;
                        }
                        j = next;
                    }
                    JobRequest r = j.request();
                    asked.put(j.id(), r);
                    List<String> parts = List.of(j.partition().split(","));
                    if (j.array() != null && j.array().holdsPending() && !r.hold()) {
                        queueArrayTasks(j, parts, pending, tasks);
                        continue;
                    }
                    pending.add(new QueuedJob(
                            j.id(),
                            j.priority(),
                            parts,
                            r.cpus(),
                            r.requestedMemMiB(),
                            r.timeLimitSeconds(),
                            r.hold(),
                            r.gpusPerNode(),
                            r.gpuType(),
                            Admission.placement(r)));
                }
            }
            store.saveJobs(changed);
            if (pending.isEmpty()) {
                expected = Map.of();
                return null;
            }
            ClusterConfig.Scheduling cfg = config.scheduling();
            SchedulerOptions options = cfg.options();
            if (cfg.backfill()) {
                // backfill every bf_interval seconds; the passes between keep the reservations but start in priority
                // order
                if (now - lastBackfill >= cfg.intervalSeconds()) {
                    lastBackfill = now;
                } else {
                    options = options.withoutBackfill();
                }
            }
            return new PassInput(
                    new Snapshot(views, config.partitions(), running, pending, config.defMemPerCpuMiB(), now),
                    options,
                    tasks,
                    asked);
        }
    }

    /**
     * Starts what the plan says, skipping any start the cluster changed under it while it was
     * made (job cancelled, held or updated, node gone or drained); the next pass sees those.
     */
    void commitPass(PassInput in, Plan plan) {
        synchronized (state) {
            long now = clock.getAsLong();
            Map<Long, long[]> tasks = in.tasks();
            List<Job> started = new ArrayList<>();
            boolean skipped = false;
            for (Start s : plan.starts()) {
                long jobId = s.jobId() < 0 ? tasks.get(s.jobId())[0] : s.jobId();
                Job j = jobs.get(jobId);
                Node node = nodes.get(s.node());
                boolean still = j != null
                        && j.state() == JobState.PENDING
                        && j.request() == in.asked().get(jobId)
                        && node != null
                        && node.state() == NodeState.UP
                        && links.containsKey(s.node())
                        && (s.jobId() >= 0
                                || (j.array() != null
                                        && ArraySpec.unfold(j.array().pending())
                                                .contains((int) tasks.get(s.jobId())[1])));
                if (!still) {
                    skipped = true;
                    continue;
                }
                // the plan's limit is the partition's effective one: never "not given"
                Job run = s.jobId() < 0 ? startArrayTask(tasks.get(s.jobId()), now) : j;
                started.add(run.started(
                        s.partition(), s.node(), s.cpus(), s.memMiB(), s.gpuIds(), s.timeLimitSeconds(), now));
            }
            store.saveJobs(started);
            for (Job j : started) {
                jobs.put(j.id(), j);
                links.get(j.node()).launch(j);
                log.info(
                        "job started job={} node={} cpus={} mem={}M gpus={}",
                        j.id(),
                        j.node(),
                        j.allocCpus(),
                        j.allocMemMiB(),
                        j.gpuIds());
            }
            plan.reasons().forEach((id, why) -> {
                long jobId = id < 0 ? tasks.get(id)[0] : id;
                Job j = jobs.get(jobId);
                // an array's first waiting task speaks for the array
                if (j != null
                        && j.state() == JobState.PENDING
                        && j.reason() != why
                        && (id >= 0 || tasks.get(id)[2] == 0)) {
                    jobs.put(jobId, j.withReason(why));
                }
            });
            Map<Long, Plan.Reservation> next = new HashMap<>();
            plan.reservations().forEach((id, r) -> next.putIfAbsent(id < 0 ? tasks.get(id)[0] : id, r));
            expected = Map.copyOf(next);
            if (skipped) wakeScheduler();
        }
    }

    /** Where and when waiting jobs holding a reservation are expected to start (squeue --start), by job id. */
    public Map<Long, Plan.Reservation> expectedStarts() {
        synchronized (state) {
            return expected;
        }
    }

    /**
     * Ranks new or changed pending jobs, and all of them every PriorityCalcPeriod (multifactor;
     * nothing under basic). Kept in memory only: they keep changing, and a restarted controller
     * ranks every job again.
     */
    public void refreshPriorities(long now) {
        synchronized (state) {
            for (Job j : priorities.refresh(now, jobs.values(), clusterCpus())) jobs.put(j.id(), j);
        }
    }

    /** sprio's figures: every pending job's factors as last computed, or null under priority/basic. */
    public List<io.motley.core.priority.Factors> priorityFactors() {
        synchronized (state) {
            if (!priorities.multifactor()) return null;
            return priorities.factors(clock.getAsLong(), jobs.values(), clusterCpus());
        }
    }

    /** sshare's figures: the fair-share tree now. */
    public io.motley.core.priority.ShareTree shares() {
        synchronized (state) {
            return priorities.shares(clock.getAsLong(), jobs.values());
        }
    }

    /** All CPUs of the cluster's nodes, the job-size factor's denominator. */
    private int clusterCpus() {
        return nodes.values().stream().mapToInt(Node::cpus).sum();
    }

    /** At most this many tasks of one array are offered to the scheduler in one pass. */
    private static final int TASKS_PER_PASS = 64;

    /**
     * Offers an array's next pending tasks to the scheduler under synthetic negative ids (mapped
     * in {@code tasks} to {array id, task index, position}), within its %N throttle.
     */
    private void queueArrayTasks(Job meta, List<String> parts, List<QueuedJob> pending, Map<Long, long[]> tasks) {
        JobRequest r = meta.request();
        int throttle = ArraySpec.parse(r.array()).throttle();
        long runningTasks = jobs.values().stream()
                .filter(o -> o.state() == JobState.RUNNING
                        && o.array() != null
                        && o.array().arrayJobId() == meta.id())
                .count();
        long allowed = throttle > 0 ? throttle - runningTasks : TASKS_PER_PASS;
        if (allowed <= 0) {
            if (meta.reason() != PendingReason.JobArrayTaskLimit)
                jobs.put(meta.id(), meta.withReason(PendingReason.JobArrayTaskLimit));
            return;
        }
        List<Integer> indices = ArraySpec.unfold(meta.array().pending());
        Dependency corr = r.dependency() == null ? null : Dependency.parse(r.dependency());
        if (corr != null && corr.corresponding()) {
            indices = readyByCorrespondingTask(meta, corr, indices, (int) Math.min(allowed, TASKS_PER_PASS));
        }
        for (int k = 0; k < Math.min(allowed, Math.min(TASKS_PER_PASS, indices.size())); k++) {
            // ascending in task order, so the scheduler (id breaks priority ties) starts the lowest index first;
            // among other jobs of equal priority the tasks rank by the array's submission, not ahead of all
            long synthetic = Long.MIN_VALUE + 1 + tasks.size();
            tasks.put(synthetic, new long[] {meta.id(), indices.get(k), k});
            pending.add(new QueuedJob(
                    synthetic,
                    meta.priority(),
                    parts,
                    r.cpus(),
                    r.requestedMemMiB(),
                    r.timeLimitSeconds(),
                    false,
                    r.gpusPerNode(),
                    r.gpuType(),
                    Admission.placement(r),
                    meta.id()));
        }
    }

    /**
     * aftercorr: the pending tasks (at most {@code limit}, lowest index first) whose dependency,
     * judged against the corresponding tasks, is satisfied. When none is, the array waits with
     * Dependency, or DependencyNeverSatisfied once no task ever can (cancelled under
     * --kill-on-invalid-dep).
     */
    private List<Integer> readyByCorrespondingTask(Job meta, Dependency dep, List<Integer> indices, int limit) {
        long now = clock.getAsLong();
        boolean singleton = singletonBlocked(meta);
        NamedJobs named = new NamedJobs();
        List<Integer> ready = new ArrayList<>();
        boolean anyWaiting = false;
        for (int index : indices) {
            Dependency.Status st = dep.evaluate(named::whole, id -> named.corresponding(id, index), now, singleton);
            if (st == Dependency.Status.SATISFIED) ready.add(index);
            else if (st == Dependency.Status.WAITING) anyWaiting = true;
            if (ready.size() == limit) break;
        }
        if (ready.isEmpty()) {
            PendingReason why = anyWaiting ? PendingReason.Dependency : PendingReason.DependencyNeverSatisfied;
            Job current = jobs.get(meta.id());
            if (!anyWaiting && meta.request().killOnInvalidDependency()) {
                log.info(
                        "job cancelled: its dependency can never be satisfied job={} dependency={}",
                        meta.id(),
                        meta.request().dependency());
                Job ended = current.withReason(why).ended(JobState.CANCELLED, ExitStatus.NONE, now, 0);
                jobs.put(meta.id(), ended);
                store.saveJob(ended);
            } else if (current.reason() != why) {
                jobs.put(meta.id(), current.withReason(why));
            }
        }
        return ready;
    }

    /**
     * A task of an array starts: it becomes a job of its own with a new id, as Slurm does, and
     * leaves the array's pending set; the last task takes the array's own id.
     */
    private Job startArrayTask(long[] task, long now) {
        Job meta = jobs.get(task[0]);
        int index = (int) task[1];
        List<Integer> rest = new ArrayList<>(ArraySpec.unfold(meta.array().pending()));
        rest.remove(Integer.valueOf(index));
        // a started task no longer waits on anything: its dependency (per task, for aftercorr) was met
        JobRequest own = meta.request().dependency() == null
                ? meta.request()
                : meta.request().withDependency(null);
        if (rest.isEmpty()) return meta.withRequest(own).withArray(new ArrayPart(meta.id(), index, ""));
        Job remaining = meta.withArray(new ArrayPart(meta.id(), -1, ArraySpec.fold(rest)));
        jobs.put(meta.id(), remaining);
        store.saveJob(remaining);
        return store.insertNew(id -> new Job(
                id,
                own,
                meta.user(),
                meta.uid(),
                meta.gid(),
                JobState.PENDING,
                PendingReason.None,
                meta.priority(),
                meta.submitTime(),
                0,
                0,
                meta.partition(),
                null,
                0,
                0,
                meta.timeLimitSeconds(),
                ExitStatus.NONE,
                -1,
                "",
                null,
                new ArrayPart(meta.id(), index, "")));
    }

    /**
     * Whether a pending job may be considered now: gone for good once it cannot meet its
     * --deadline; not before --begin (or, requeued, before RequeueDelay has passed and its killed
     * run has ended), and not while its --dependency waits. A satisfied dependency is cleared (as Slurm shows Dependency=(null));
     * one that can never be satisfied keeps the job pending with DependencyNeverSatisfied, or
     * cancels it under --kill-on-invalid-dep.
     */
    private Job eligibility(Job j, long now) {
        JobRequest r = j.request();
        if (j.missesDeadline(now)) {
            // Slurm's deadline_ok: the job is removed, DEADLINE with exit 0:1, as soon as it cannot end in time
            log.info(
                    "job removed: it can no longer end before its deadline job={} limit={}s deadline={}",
                    j.id(),
                    j.timeLimitSeconds(),
                    r.deadline());
            return j.ended(JobState.DEADLINE, new ExitStatus(0, 1), now, -1);
        }
        boolean dyingRun = endingRuns.containsKey(j.id());
        if (r.beginTime() > now || dyingRun)
            return j.reason() == PendingReason.BeginTime ? j : j.withReason(PendingReason.BeginTime);
        if (r.dependency() == null) {
            // the reason is the scheduler's to give; clear the ones this method set
            return j.reason() == PendingReason.BeginTime || j.reason() == PendingReason.Dependency
                    ? j.withReason(PendingReason.None)
                    : j;
        }
        Dependency dep = Dependency.parse(r.dependency());
        // an array depending with aftercorr is judged task by task when its tasks are offered
        if (dep.corresponding() && j.array() != null && j.array().holdsPending()) {
            // the reason is set again when its tasks are judged (readyByCorrespondingTask)
            boolean waited =
                    j.reason() == PendingReason.Dependency || j.reason() == PendingReason.DependencyNeverSatisfied;
            return waited ? j.withReason(PendingReason.None) : j;
        }
        boolean singletonBlocked = singletonBlocked(j);
        return switch (dep.evaluate(this::dependencyTarget, now, singletonBlocked)) {
            case SATISFIED -> j.withRequest(r.withDependency(null)).withReason(PendingReason.None);
            case WAITING -> j.reason() == PendingReason.Dependency ? j : j.withReason(PendingReason.Dependency);
            case NEVER -> {
                if (r.killOnInvalidDependency()) {
                    log.info(
                            "job cancelled: its dependency can never be satisfied job={} dependency={}",
                            j.id(),
                            r.dependency());
                    yield j.withReason(PendingReason.DependencyNeverSatisfied)
                            .ended(JobState.CANCELLED, ExitStatus.NONE, now, 0);
                }
                yield j.reason() == PendingReason.DependencyNeverSatisfied
                        ? j
                        : j.withReason(PendingReason.DependencyNeverSatisfied);
            }
        };
    }

    private boolean singletonBlocked(Job j) {
        return jobs.values().stream()
                .anyMatch(o -> o.id() < j.id()
                        && !o.state().isTerminal()
                        && o.uid() == j.uid()
                        && o.request().name().equals(j.request().name()));
    }

    /**
     * The jobs a dependency names as one pass sees them, each looked up once (an array's record
     * and tasks come from the store, and its pending indices are unfolded once).
     */
    private final class NamedJobs {
        private final Map<Long, List<Job>> families = new HashMap<>();
        private final Map<Long, Set<Integer>> pending = new HashMap<>();

        Optional<Dependency.Target> whole(long id) {
            return targetOf(families.computeIfAbsent(id, Cluster.this::family));
        }

        /**
         * What an aftercorr term sees for task {@code index} of a dependent array: the task of
         * array {@code id} with that index (pending while the array still holds it; empty when the
         * array has no such task); a job that is not an array is seen whole, as afterok sees it.
         */
        Optional<Dependency.Target> corresponding(long id, int index) {
            List<Job> family = families.computeIfAbsent(id, Cluster.this::family);
            if (family.stream().noneMatch(j -> j.array() != null)) return targetOf(family);
            for (Job t : family) {
                if (t.array() == null) continue;
                boolean holds = t.array().holdsPending() && t.state() == JobState.PENDING;
                if (t.array().taskId() == index && !holds)
                    return Optional.of(new Dependency.Target(t.state(), t.startTime()));
                if (t.array().holdsPending()
                        && pending.computeIfAbsent(
                                        t.id(),
                                        k -> Set.copyOf(
                                                ArraySpec.unfold(t.array().pending())))
                                .contains(index)) {
                    return Optional.of(new Dependency.Target(JobState.PENDING, 0));
                }
            }
            return Optional.empty();
        }
    }

    private Optional<Dependency.Target> dependencyTarget(long id) {
        return targetOf(family(id));
    }

    /** Job {@code id} and, for an array, every task of it: the array's own record and all its tasks, as the store answers. */
    private List<Job> family(long id) {
        Job t = jobs.get(id);
        if (t != null && t.array() == null) return List.of(t);
        return store.accounting(0, Long.MAX_VALUE, -1, List.of(id)).stream()
                .map(j -> jobs.getOrDefault(j.id(), j))
                .toList();
    }

    /**
     * What a dependency sees of a job; for an array, the whole array as Slurm has it: not ended
     * while any task is pending or running, ok only if every task completed.
     */
    private static Optional<Dependency.Target> targetOf(List<Job> family) {
        if (family.isEmpty()) return Optional.empty();
        if (family.size() == 1)
            return Optional.of(
                    new Dependency.Target(family.get(0).state(), family.get(0).startTime()));
        long firstStart = family.stream()
                .mapToLong(Job::startTime)
                .filter(x -> x > 0)
                .min()
                .orElse(0);
        boolean active = family.stream().anyMatch(j -> !j.state().isTerminal());
        boolean allOk = family.stream().allMatch(j -> j.state() == JobState.COMPLETED);
        JobState state = active
                ? (firstStart > 0 ? JobState.RUNNING : JobState.PENDING)
                : allOk ? JobState.COMPLETED : JobState.FAILED;
        return Optional.of(new Dependency.Target(state, firstStart));
    }
}
