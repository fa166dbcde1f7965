package io.motley.controller.cluster;

import io.motley.controller.store.StoreException;
import io.motley.core.accounts.LimitCheck;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.queue.ArrayTasks;
import io.motley.core.queue.JobTable;
import io.motley.core.queue.KeptRecords;
import io.motley.core.queue.QueueBuilder;
import io.motley.core.queue.QueueEntry;
import io.motley.core.queue.QueuePass;
import io.motley.core.scheduler.Allocation;
import io.motley.core.scheduler.IncrementalScheduler;
import io.motley.core.scheduler.JobGate;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.scheduler.Snapshot;
import io.motley.core.scheduler.Start;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduling loop: passes run when something changed (a submission, an end, a node) and at
 * least every second. Each pass takes a snapshot of the tables under their lock (the queue from
 * the pure {@link QueueBuilder}), plans outside it with {@link IncrementalScheduler} (what
 * {@link Scheduler#plan} decides, reusing what the last pass learned), and commits
 * the starts that still hold, sending their launch orders.
 */
final class SchedulingLoop {
    private static final Logger log = LoggerFactory.getLogger(SchedulingLoop.class);

    private final ClusterState state;
    private final ClusterConfig config;
    private final LongSupplier clock;
    private final Priorities priorities;
    private final Accounts accounts;
    private final LongFunction<List<Job>> storedFamily;

    private final Object wake = new Object();
    private final Object passes = new Object();
    /** What the last pass learned (node order, partition members, queue order); used only under {@link #passes}. */
    private final IncrementalScheduler scheduler = new IncrementalScheduler();
    /** Unchanged jobs' queue records from the last pass, so that the scheduler reads them by identity; under state's lock. */
    private final KeptRecords keptRecords = new KeptRecords();

    private boolean scheduleWanted;
    /**
     * Whether the last pass left a free CPU on a node that can start jobs in a partition that
     * starts them (true until a pass says otherwise). Under {@link #wake}.
     */
    private boolean room = true;
    /** A submission asked for no pass because there was no room, since the running pass began. Under {@link #wake}. */
    private boolean missed;
    /** How many jobs the last pass queued. Under {@link #wake}. */
    private int queued;
    /**
     * A queue at least this deep is not ranked again for a submission that cannot start: a pass
     * over a shorter one costs little, and keeps a new job's reason (Resources, Priority) exact at once.
     */
    static final int DEEP_QUEUE = 256;
    /** Whether the last snapshot with nothing to plan found room (see {@link #submitted}); used by the pass alone. */
    private boolean roomWithNothingToPlan = true;
    /** When the last pass that could backfill ran (epoch seconds). */
    private long lastBackfill = Long.MIN_VALUE / 2;
    /** The last pass's reservations by job id (an array's under its own id). */
    private Map<Long, Plan.Reservation> expected = Map.of();

    /**
     * @param storedFamily job {@code id} and, for an array, every task of it, as the store has
     *     them: what a dependency on a job that left memory sees
     */
    SchedulingLoop(
            ClusterState state,
            ClusterConfig config,
            LongSupplier clock,
            Priorities priorities,
            Accounts accounts,
            LongFunction<List<Job>> storedFamily) {
        this.state = state;
        this.config = config;
        this.clock = clock;
        this.priorities = priorities;
        this.accounts = accounts;
        this.storedFamily = storedFamily;
    }

    /** Asks for a pass soon; never blocks. */
    void wake() {
        synchronized (wake) {
            scheduleWanted = true;
            wake.notifyAll();
        }
    }

    /**
     * A new job was committed: a pass is asked for only where it could start now, or the queue is
     * short. While every node that could start it is full (or its partitions start nothing), a pass
     * would only rank the queue again, and with a deep queue ({@link #DEEP_QUEUE}) one pass per
     * submission is most of what a burst of submissions costs; the job is then considered by the pass that the next end or change asks
     * for, or by the periodic one. A submission while a pass runs is remembered, and asks for the
     * next pass if that one leaves room. Returns whether a pass was asked for.
     */
    boolean submitted() {
        synchronized (wake) {
            if (!room && queued >= DEEP_QUEUE) {
                missed = true;
                return false;
            }
            scheduleWanted = true;
            wake.notifyAll();
            return true;
        }
    }

    /** Whether a pass was asked for since the last call, which takes the request (for tests; the loop takes it in {@link #run}). */
    boolean takePassWanted() {
        synchronized (wake) {
            boolean w = scheduleWanted;
            scheduleWanted = false;
            return w;
        }
    }

    /** Whether the last pass left room for a job to start (see {@link #submitted}). */
    boolean room() {
        synchronized (wake) {
            return room;
        }
    }

    /**
     * Records what the pass found: room left and how many jobs it queued, and a pass again where
     * submissions missed it and there is room.
     */
    void passed(boolean roomLeft, int queuedJobs) {
        synchronized (wake) {
            room = roomLeft;
            queued = queuedJobs;
            if (roomLeft && missed) {
                scheduleWanted = true;
                wake.notifyAll();
            }
            missed = false;
        }
    }

    /**
     * Whether a job could start on some node after {@code plan}: a node that can start jobs, in a
     * partition that starts them, with a CPU that neither a running job nor the plan's starts hold
     * (memory and GPUs are not looked at: more room than there is only costs a pass).
     */
    static boolean roomAfter(Snapshot snapshot, Plan plan) {
        return roomAfter(snapshot.nodes(), snapshot.partitions(), snapshot.running(), plan.starts());
    }

    static boolean roomAfter(
            List<NodeView> nodes, List<Partition> partitions, List<Allocation> running, List<Start> starts) {
        Map<String, Integer> used = new HashMap<>();
        for (Allocation a : running) used.merge(a.node(), a.cpus(), Integer::sum);
        for (Start s : starts) for (Job.Allocation.Part p : s.parts()) used.merge(p.node(), p.cpus(), Integer::sum);
        for (NodeView n : nodes) {
            if (!n.schedulable() || n.cpus() - used.getOrDefault(n.name(), 0) <= 0) continue;
            for (Partition p : partitions) if (p.state().startsJobs() && p.contains(n.name())) return true;
        }
        return false;
    }

    /** Runs passes when woken and at least every second, until the thread is interrupted. */
    void run() {
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
                pass();
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
    record PassInput(Snapshot snapshot, SchedulerOptions options, QueuePass queue, JobGate gate) {}

    /**
     * One pass: a snapshot taken under the lock, a plan made outside it (so submissions and
     * queries are answered while a large queue is planned), then the starts that still hold are
     * committed and their launch orders sent.
     */
    Plan pass() {
        // one pass at a time: a second one planning from the same snapshot could place two jobs on the same CPUs
        synchronized (passes) {
            long t0 = System.nanoTime();
            synchronized (wake) {
                // a submission from now on may not be in this pass's snapshot
                missed = false;
            }
            PassInput in = snapshot();
            if (in == null) {
                passed(roomWithNothingToPlan, 0);
                return new Plan(List.of(), Map.of());
            }
            Plan plan = scheduler.plan(in.snapshot(), in.options(), in.gate());
            commit(in, plan);
            passed(roomAfter(in.snapshot(), plan), in.snapshot().pending().size());
            state.statistics.pass(
                    (System.nanoTime() - t0) / 1000,
                    in.snapshot().pending().size(),
                    in.options().backfill(),
                    clock.getAsLong());
            return plan;
        }
    }

    /** Where and when waiting jobs holding a reservation are expected to start (squeue --start), by job id. */
    Map<Long, Plan.Reservation> expectedStarts() {
        synchronized (state) {
            return expected;
        }
    }

    /** The pass's input, or null when nothing waits; eligibility changes are made here (saved when they must be). */
    PassInput snapshot() {
        synchronized (state) {
            long now = clock.getAsLong();
            refreshPriorities(now);
            List<NodeView> views = nodeViews();
            List<Allocation> running = runningAllocations();
            QueuePass queue = QueueBuilder.build(
                    new JobTable(state.jobs.values(), storedFamily::apply),
                    now,
                    state.endingRuns::containsKey,
                    keptRecords);
            state.saveAll(queue.toPersist());
            queue.updated().values().forEach(state::note);
            for (Job j : queue.ended()) {
                if (j.state() == JobState.DEADLINE) {
                    log.info(
                            "job removed: it can no longer end before its deadline job={} limit={}s deadline={}",
                            j.id(),
                            j.timeLimit().secondsOr(-1),
                            j.request().deadline());
                } else {
                    log.info(
                            "job cancelled: its dependency can never be satisfied job={} dependency={}",
                            j.id(),
                            j.request().dependency());
                }
            }
            if (queue.queue().isEmpty()) {
                expected = Map.of();
                roomWithNothingToPlan = roomAfter(views, state.partitions(config), running, List.of());
                return null;
            }
            ClusterConfig.Scheduling cfg = config.scheduling();
            SchedulerOptions options = cfg.options();
            if (cfg.backfill()) {
                // backfill every bf_interval seconds; the passes between keep the reservations but start in
                // priority order
                if (now - lastBackfill >= cfg.intervalSeconds()) {
                    lastBackfill = now;
                } else {
                    options = options.withoutBackfill();
                }
            }
            return new PassInput(
                    new Snapshot(
                            views, state.partitions(config), running, queue.queue(), config.defMemPerCpuMiB(), now),
                    options,
                    queue,
                    limitGate(queue));
        }
    }

    /** The nodes as a pass sees them: only those whose agent is connected and responding can be given work. */
    private List<NodeView> nodeViews() {
        List<NodeView> views = new ArrayList<>();
        for (Node n : state.nodes.values()) {
            NodeState s = state.links.containsKey(n.name()) && !n.notResponding() ? n.state() : NodeState.DOWN;
            views.add(new NodeView(
                    n.name(), n.cpus(), n.memMiB(), s, n.gpus(), Set.copyOf(n.features()), weight(n.name())));
        }
        return views;
    }

    /** What running jobs hold; reservations count on it from the end of each job's time limit
     * (a suspended job holds what it holds, and counts as if resumed now). A job its holder ended holds what it held
     * until its run's end is reported ({@link ClusterState#releasing}). */
    private List<Allocation> runningAllocations() {
        List<Allocation> running = new ArrayList<>();
        long now = clock.getAsLong();
        for (Job j : state.jobs.values())
            if (j.state().holdsAllocation()) held(j, j.limitEnd(now, Allocation.NO_END), running);
        for (Job j : state.releasing.values()) {
            Job current = state.jobs.get(j.id());
            if (current == null || !current.state().holdsAllocation())
                held(j, j.limitEnd(now, Allocation.NO_END), running);
        }
        return running;
    }

    private static void held(Job j, long end, List<Allocation> into) {
        for (Job.Allocation.Part p : j.allocation().parts())
            into.add(new Allocation(j.id(), p.node(), p.cpus(), p.memMiB(), p.gpuIds(), end));
    }

    /**
     * sbatch --test-only: the plan for {@code job} alone on the cluster as it is now (the running
     * jobs hold what they hold until their time limits; other pending jobs are not in its way, as
     * in Slurm's will-run test), with a reservation when it cannot start at once.
     */
    Plan willRun(Job job) {
        io.motley.core.scheduler.Snapshot snap;
        synchronized (state) {
            snap = new io.motley.core.scheduler.Snapshot(
                    nodeViews(),
                    state.partitions(config),
                    runningAllocations(),
                    List.of(QueueBuilder.queued(job)),
                    config.defMemPerCpuMiB(),
                    clock.getAsLong());
        }
        return io.motley.core.scheduler.Scheduler.plan(snap, SchedulerOptions.easyBackfill(), JobGate.OPEN);
    }

    /**
     * The association limits of this pass (MaxJobs, MaxWall, GrpTRES), over what the running jobs
     * hold; none while no account exists (then nothing is enforced).
     */
    private JobGate limitGate(QueuePass queue) {
        if (!accounts.associations().enforced()) return JobGate.OPEN;
        List<LimitCheck.Held> held = new ArrayList<>();
        for (Job j : state.jobs.values()) {
            if (!j.state().holdsAllocation() || j.request().account() == null) continue;
            held.add(new LimitCheck.Held(
                    new LimitCheck.Owner(j.request().account(), j.user()),
                    j.allocCpus(),
                    j.allocMemMiB(),
                    j.gpuList().size()));
        }
        Map<Long, LimitCheck.Owner> owners = new HashMap<>();
        for (QueueEntry e : queue.entries().values()) {
            Job j = state.jobs.get(e.jobId());
            if (j != null && j.request().account() != null)
                owners.put(e.jobId(), new LimitCheck.Owner(j.request().account(), j.user()));
        }
        return LimitCheck.gate(accounts.db(), held, owners);
    }

    /**
     * Starts what the plan says, skipping any start the cluster changed under it while it was
     * made (job cancelled, held or updated, node gone or drained); the next pass sees those.
     */
    void commit(PassInput in, Plan plan) {
        synchronized (state) {
            long now = clock.getAsLong();
            QueuePass queue = in.queue();
            List<Job> started = new ArrayList<>();
            boolean skipped = false;
            for (Start s : plan.starts()) {
                QueueEntry entry = queue.entry(s.jobId());
                long jobId = entry.jobId();
                Job j = state.jobs.get(jobId);
                boolean still = j != null
                        && j.state() == JobState.PENDING
                        && j.request() == queue.asked().get(jobId)
                        && s.parts().stream().allMatch(p -> usable(p.node()))
                        && (!(entry instanceof QueueEntry.Task t)
                                || ArrayTasks.holds(j, t.key().index()));
                if (!still) {
                    skipped = true;
                    continue;
                }
                // the plan's limit is the partition's effective one: never "not given"
                Job run = entry instanceof QueueEntry.Task t
                        ? ArraySplit.splitOff(state, j, t.key().index())
                        : j;
                started.add(run.started(s.partition(), s.parts(), TimeLimit.of(s.timeLimitSeconds()), now));
            }
            state.saveAll(started);
            for (Job j : started) {
                // the script runs on the batch host; the other nodes' agents hold the job's part there,
                // where its steps' tasks run
                state.links.get(j.node()).launch(j);
                AllocationHolds.hold(state, j);
                log.info(
                        "job started job={} node={} cpus={} mem={}M gpus={}",
                        j.id(),
                        j.nodeList(),
                        j.allocCpus(),
                        j.allocMemMiB(),
                        String.join(
                                ",", j.gpuList().stream().map(String::valueOf).toList()));
            }
            plan.reasons().forEach((id, why) -> {
                QueueEntry entry = queue.entry(id);
                Job j = state.jobs.get(entry.jobId());
                // an array's first waiting task speaks for the array; a reason is derived, so kept in memory only
                // the pass knows a job is held, not by whom: root's hold keeps reading JobHeldAdmin
                boolean adminHold =
                        why == PendingReason.JobHeldUser && j != null && j.reason() == PendingReason.JobHeldAdmin;
                if (j != null
                        && j.state() == JobState.PENDING
                        && j.reason() != why
                        && entry.speaksForJob()
                        && !adminHold) {
                    state.note(j.withReason(why));
                }
            });
            Map<Long, Plan.Reservation> next = new HashMap<>();
            plan.reservations()
                    .forEach((id, r) -> next.putIfAbsent(queue.entry(id).jobId(), r));
            expected = Map.copyOf(next);
            if (skipped) wake();
        }
    }

    /** Whether a node can be given work now: up, responding, its agent connected. */
    private boolean usable(String name) {
        Node node = state.nodes.get(name);
        return node != null && node.state() == NodeState.UP && !node.notResponding() && state.links.containsKey(name);
    }

    /**
     * Ranks new or changed pending jobs, and all of them every PriorityCalcPeriod (multifactor;
     * nothing under basic). Kept in memory only: they keep changing, and a restarted controller
     * ranks every job again.
     */
    void refreshPriorities(long now) {
        synchronized (state) {
            for (Job j : priorities.refresh(now, state.jobs.values(), clusterCpus())) state.note(j);
        }
    }

    private int weight(String node) {
        return NodeRegistry.weight(state, config, node);
    }

    /** All CPUs of the cluster's nodes, the job-size factor's denominator. */
    private int clusterCpus() {
        return state.nodes.values().stream().mapToInt(Node::cpus).sum();
    }
}
