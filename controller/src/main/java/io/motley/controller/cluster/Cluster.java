package io.motley.controller.cluster;

import io.motley.controller.store.Store;
import io.motley.controller.store.StoreException;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.config.ClusterConfig;
import io.motley.core.dependency.Dependency;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.queue.ArrayTasks;
import io.motley.core.queue.JobTable;
import io.motley.core.queue.QueueBuilder;
import io.motley.core.queue.QueueEntry;
import io.motley.core.queue.QueuePass;
import io.motley.core.scheduler.Allocation;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.scheduler.Snapshot;
import io.motley.core.scheduler.Start;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** sacct's query, answered by the store. */
    public List<io.motley.core.accounting.AccountingRecord> accounting(
            io.motley.core.accounting.AccountingQuery query) {
        return store.accounting(query);
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

    /** What a pass planned from: the snapshot, and the queue it was made of (array tasks, each job's request then). */
    record PassInput(Snapshot snapshot, SchedulerOptions options, QueuePass queue) {}

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
            for (Job j : jobs.values()) {
                if (j.state() != JobState.RUNNING) continue;
                // reservations count on a running job's resources from the end of its time limit
                long end = j.timeLimitSeconds() > 0 ? j.startTime() + j.timeLimitSeconds() : Allocation.NO_END;
                running.add(new Allocation(j.id(), j.node(), j.allocCpus(), j.allocMemMiB(), j.gpuList(), end));
            }
            QueuePass queue =
                    QueueBuilder.build(new JobTable(jobs.values(), this::storedFamily), now, endingRuns::containsKey);
            jobs.putAll(queue.updated());
            for (Job j : queue.ended()) {
                if (j.state() == JobState.DEADLINE) {
                    log.info(
                            "job removed: it can no longer end before its deadline job={} limit={}s deadline={}",
                            j.id(),
                            j.timeLimitSeconds(),
                            j.request().deadline());
                } else {
                    log.info(
                            "job cancelled: its dependency can never be satisfied job={} dependency={}",
                            j.id(),
                            j.request().dependency());
                }
            }
            store.saveJobs(queue.toPersist());
            if (queue.queue().isEmpty()) {
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
                    new Snapshot(views, config.partitions(), running, queue.queue(), config.defMemPerCpuMiB(), now),
                    options,
                    queue);
        }
    }

    /**
     * Starts what the plan says, skipping any start the cluster changed under it while it was
     * made (job cancelled, held or updated, node gone or drained); the next pass sees those.
     */
    void commitPass(PassInput in, Plan plan) {
        synchronized (state) {
            long now = clock.getAsLong();
            QueuePass queue = in.queue();
            List<Job> started = new ArrayList<>();
            boolean skipped = false;
            for (Start s : plan.starts()) {
                QueueEntry entry = queue.entry(s.jobId());
                long jobId = entry.jobId();
                Job j = jobs.get(jobId);
                Node node = nodes.get(s.node());
                boolean still = j != null
                        && j.state() == JobState.PENDING
                        && j.request() == queue.asked().get(jobId)
                        && node != null
                        && node.state() == NodeState.UP
                        && links.containsKey(s.node())
                        && (!(entry instanceof QueueEntry.Task t)
                                || ArrayTasks.holds(j, t.key().index()));
                if (!still) {
                    skipped = true;
                    continue;
                }
                // the plan's limit is the partition's effective one: never "not given"
                Job run = entry instanceof QueueEntry.Task t
                        ? startArrayTask(j, t.key().index())
                        : j;
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
                QueueEntry entry = queue.entry(id);
                Job j = jobs.get(entry.jobId());
                // an array's first waiting task speaks for the array
                if (j != null && j.state() == JobState.PENDING && j.reason() != why && entry.speaksForJob()) {
                    jobs.put(j.id(), j.withReason(why));
                }
            });
            Map<Long, Plan.Reservation> next = new HashMap<>();
            plan.reservations()
                    .forEach((id, r) -> next.putIfAbsent(queue.entry(id).jobId(), r));
            expected = Map.copyOf(next);
            if (skipped) wakeScheduler();
        }
    }

    /**
     * A task of an array starts: it becomes a job of its own with a new id, as Slurm does, and
     * leaves the array's pending set; the last task takes the array's own id.
     */
    private Job startArrayTask(Job meta, int index) {
        if (ArrayTasks.isLast(meta, index)) return ArrayTasks.lastTask(meta, index);
        Job remaining = ArrayTasks.remaining(meta, index);
        jobs.put(meta.id(), remaining);
        store.saveJob(remaining);
        return store.insertNew(id -> ArrayTasks.task(meta, index, id));
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

    /** What a dependency on job {@code id} sees of it (empty: no such job); an array is seen whole. */
    private Optional<Dependency.Target> dependencyTarget(long id) {
        return JobTable.targetOf(JobTable.familyOf(id, jobs::get, this::storedFamily));
    }

    /** Job {@code id} and, for an array, every task of it, as the store has them. */
    private List<Job> storedFamily(long id) {
        return store.accounting(0, Long.MAX_VALUE, -1, List.of(id));
    }
}
