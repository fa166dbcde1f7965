package io.motley.core.simulation;

import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.dependency.Dependency;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.priority.Associations;
import io.motley.core.priority.Charge;
import io.motley.core.priority.PriorityCalculator;
import io.motley.core.priority.PriorityConfig;
import io.motley.core.priority.ShareTree;
import io.motley.core.priority.UsageLedger;
import io.motley.core.queue.ArrayTasks;
import io.motley.core.queue.JobTable;
import io.motley.core.queue.QueueBuilder;
import io.motley.core.queue.QueueEntry;
import io.motley.core.queue.QueuePass;
import io.motley.core.scheduler.Allocation;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.QueuedJob;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.scheduler.Snapshot;
import io.motley.core.scheduler.Start;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs the controller's scheduler in virtual time over a workload. A discrete-event simulation:
 * the events are submissions, job ends, releases of held jobs and the times a waiting job's
 * --begin or after:JOB+MINUTES comes due; at each distinct event time the ends are applied, the
 * submissions join the queue, and {@link Scheduler#plan} is called once with the cluster as it
 * then is. Jobs with a dependency, an array, a begin time or a hold are queued by the
 * controller's own {@link QueueBuilder} at every event (an array's tasks, within its throttle and
 * at most {@link QueueBuilder#TASKS_PER_PASS} a pass, a pass again at once while it cut some off);
 * a job without any of them is queued once, as it is submitted, since the queue builder would
 * offer it unchanged at every pass. Every job it starts ends at start + its run time, or at its time limit when that comes
 * first (the job is killed there, as the agent would). Jobs get priority by submission order, or
 * by multifactor priority when a ranking is given.
 * Jobs that no node of their partitions could ever run are left out and counted, since the real
 * controller refuses them at submission.
 */
public final class Simulator {

    /** Queue prefix first offered to the scheduler; doubled while a job beyond it could still start. */
    static final int FIRST_PREFIX = 32;

    private Simulator() {}

    /** Simulates {@code workload} on {@code cluster} under {@code policy}. */
    public static SimulationResult run(List<WorkloadJob> workload, SimulatedCluster cluster, Policy policy) {
        return run(workload, cluster, policy, null, FIRST_PREFIX);
    }

    /**
     * Simulates under {@code policy} with jobs ranked by multifactor priority as {@code ranking}
     * weighs it (null: every job the same priority, so submission order). Priorities are computed
     * when a job is submitted and for the whole queue every PriorityCalcPeriod of virtual time, as
     * the controller does; fair share charges each job's CPU-seconds to its user (each user an
     * equal share), with the ranking's half-life.
     */
    public static SimulationResult run(
            List<WorkloadJob> workload, SimulatedCluster cluster, Policy policy, PriorityConfig ranking) {
        return run(workload, cluster, policy, ranking, FIRST_PREFIX);
    }

    /**
     * {@code firstPrefix} is the queue prefix first offered to the scheduler at each event;
     * {@link Integer#MAX_VALUE} hands it the whole queue every time, the plain, quadratic reading of
     * the model that the bounded one must agree with (tests compare them).
     */
    static SimulationResult run(List<WorkloadJob> workload, SimulatedCluster cluster, Policy policy, int firstPrefix) {
        return run(workload, cluster, policy, null, firstPrefix);
    }

    static SimulationResult run(
            List<WorkloadJob> workload,
            SimulatedCluster cluster,
            Policy policy,
            PriorityConfig ranking,
            int firstPrefix) {
        return new Run(workload, cluster, firstPrefix, policy.options(), ranking).simulate(policy);
    }

    private record End(long time, long job) {}

    /** A queue entry with its highest partition tier, so that ordering the queue costs no lookups. */
    private record Queued(QueuedJob job, int tier) {}

    /**
     * Where virtual time starts on the clock of the job records the queue builder reads, whose
     * times are 0 for "not yet" (a job started at second 0 would look never started).
     */
    static final long EPOCH = 1_000_000_000L;

    /** Where and when one job (or array task) ran. */
    private static final class Ran {
        int source;
        int task = -1;
        long start;
        long end;
        String node;
        String partition;
        int cpus;
        long mem;
        boolean killed;
    }

    /**
     * The state of one simulation. Jobs get ids as the controller gives them: in submission order,
     * and an array task its own when it starts; index {@code j} is the j-th job of the workload in
     * submission order.
     */
    private static final class Run {
        private final SimulatedCluster cluster;
        private final int firstPrefix;
        private final SchedulerOptions options;
        /** Running jobs by id, with their ends, when reservations need them. */
        private final LinkedHashMap<Long, Allocation> running = new LinkedHashMap<>();

        private final List<WorkloadJob> jobs;
        /** Each workload job's request, or null when no node could ever run it. */
        private final JobRequest[] requests;

        private final Map<String, Integer> neverRunnable = new LinkedHashMap<>();
        private final Map<String, Partition> partitions = new HashMap<>();
        private final Map<String, Integer> nodeIndex = new HashMap<>();
        private final int[] usedCpus;
        private final long[] usedMem;
        /** Every submitted job as the controller would hold it, for the queue builder. */
        private final JobTable table = new JobTable(List.of(), null);

        private long nextId = 1;
        /** Workload id to job id, once submitted. */
        private final Map<Long, Long> idOf = new HashMap<>();
        /** Job id to the index of its workload job (an array's tasks to their array's). */
        private final Map<Long, Integer> sourceOf = new HashMap<>();
        /** Pending jobs the queue builder judges at every event (dependency, array, begin time, hold). */
        private final TreeSet<Long> special = new TreeSet<>();
        /** Queue ids of the entries the last build put in the queue. */
        private final List<Long> built = new ArrayList<>();

        private QueuePass lastPass;
        private long wakeAt = Long.MAX_VALUE;
        private final PriorityQueue<End> releases = new PriorityQueue<>(Comparator.comparingLong(End::time));
        private final Map<Long, Queued> pending = new HashMap<>();
        /** The pending jobs in the scheduler's order: partition tier, priority, then submission. */
        private final TreeSet<Queued> order = new TreeSet<>(Run::inOrder);

        private final PriorityConfig ranking;
        private final PriorityCalculator calculator;
        private final UsageLedger ledger;
        private final Map<Long, Charge> runningCharges = new HashMap<>();
        private final List<String> users = new ArrayList<>();
        private ShareTree shares;
        private long nextCalc = Long.MIN_VALUE;
        private final Map<String, int[]> pendingIn = new HashMap<>();
        private final PriorityQueue<End> ends = new PriorityQueue<>(Comparator.comparingLong(End::time));
        private final TreeMap<Long, Ran> ran = new TreeMap<>();

        Run(
                List<WorkloadJob> workload,
                SimulatedCluster cluster,
                int firstPrefix,
                SchedulerOptions options,
                PriorityConfig ranking) {
            this.cluster = cluster;
            this.options = options;
            this.ranking = ranking;
            this.calculator = ranking == null
                    ? null
                    : new PriorityCalculator(
                            ranking,
                            Associations.none(),
                            cluster.partitions().stream().map(Partition::name).toList());
            this.ledger = ranking == null ? null : new UsageLedger(ranking.decayHalfLifeSeconds());
            this.firstPrefix = Math.max(1, firstPrefix);
            List<WorkloadJob> sorted = new ArrayList<>(workload);
            sorted.sort(Comparator.comparingLong(WorkloadJob::submitSeconds)); // stable: file order breaks ties
            this.jobs = sorted;
            int n = sorted.size();
            java.util.TreeSet<String> named = new java.util.TreeSet<>();
            for (WorkloadJob w : sorted) named.add(userOf(w));
            users.addAll(named);
            for (Partition p : cluster.partitions()) partitions.put(p.name(), p);
            for (int i = 0; i < cluster.nodes().size(); i++)
                nodeIndex.put(cluster.nodes().get(i).name(), i);
            usedCpus = new int[cluster.nodes().size()];
            usedMem = new long[cluster.nodes().size()];
            requests = new JobRequest[n];
            for (int j = 0; j < n; j++) {
                WorkloadJob w = sorted.get(j);
                List<String> names = w.partitions();
                if (names.isEmpty()) {
                    String def = cluster.defaultPartition();
                    if (def == null) {
                        neverRunnable.merge(
                                "no partition given and the cluster has no default partition", 1, Integer::sum);
                        continue;
                    }
                    names = List.of(def);
                }
                QueuedJob q = new QueuedJob(j + 1, 0, names, w.cpus(), w.memMiB(), w.timeLimitSeconds(), false);
                String why = whyNeverRunnable(q);
                if (why != null) neverRunnable.merge(why, 1, Integer::sum);
                else requests[j] = request(w, names);
            }
        }

        /** The job as sbatch would have sent it: one task of CPUS CPUs on one node. */
        private static JobRequest request(WorkloadJob w, List<String> partitions) {
            return JobRequest.builder("", "/")
                    .name(w.name() != null ? w.name() : Long.toString(w.id()))
                    .partitions(partitions)
                    .cpusPerTask(w.cpus())
                    .memory(
                            w.memMiB() == WorkloadJob.NOT_GIVEN
                                    ? MemoryRequest.UNSET
                                    : new MemoryRequest.PerNode(w.memMiB()))
                    .timeLimit(w.limit())
                    .hold(w.releaseSeconds() > w.submitSeconds())
                    .submitHost("simulation")
                    .dependency(w.dependency(), false)
                    .window(w.beginSeconds() > 0 ? EPOCH + w.beginSeconds() : 0, 0)
                    .array(w.array())
                    .build();
        }

        /** Null when some partition of the job, empty, could start it; else why none ever can (for its first partition). */
        private String whyNeverRunnable(QueuedJob q) {
            String first = null;
            for (String name : q.partitions()) {
                Partition p = partitions.get(name);
                String why;
                if (p == null) {
                    why = "partition " + name + " does not exist";
                } else if (!p.state().startsJobs() || !p.state().acceptsJobs()) {
                    why = "partition " + name + " is " + p.state();
                } else if (!p.allowsTimeLimit(p.effectiveTimeLimit(q.timeLimitSeconds()))) {
                    why = "time limit over partition " + name + "'s MaxTime";
                } else if (!fitsSomeNode(q, p)) {
                    why = "more CPUs or memory than any node of partition " + name + " has";
                } else {
                    return null;
                }
                if (first == null) first = why;
            }
            return first;
        }

        private boolean fitsSomeNode(QueuedJob q, Partition p) {
            for (NodeView n : cluster.nodes()) {
                if (!n.schedulable() || !p.contains(n.name())) continue;
                if (n.cpus() >= q.cpus() && Scheduler.memoryFor(q, n, cluster.defMemPerCpuMiB()) <= n.memMiB())
                    return true;
            }
            return false;
        }

        SimulationResult simulate(Policy policy) {
            int n = jobs.size();
            int next = 0;
            while (true) {
                long submitAt = next < n ? jobs.get(next).submitSeconds() : Long.MAX_VALUE;
                long endsAt = ends.isEmpty() ? Long.MAX_VALUE : ends.peek().time();
                long releaseAt =
                        releases.isEmpty() ? Long.MAX_VALUE : releases.peek().time();
                long now = Math.min(Math.min(submitAt, endsAt), Math.min(releaseAt, wakeAt));
                if (now == Long.MAX_VALUE) break;
                while (!ends.isEmpty() && ends.peek().time() == now)
                    release(ends.poll().job());
                while (!releases.isEmpty() && releases.peek().time() == now) {
                    Job held = table.get(releases.poll().job());
                    // scontrol release
                    if (held.state() == JobState.PENDING) table.put(held.withPriorityHold(false));
                }
                if (ranking != null && now >= nextCalc) {
                    rank(now);
                    nextCalc = now + Math.max(1, ranking.calcPeriodSeconds());
                }
                for (; next < n && jobs.get(next).submitSeconds() == now; next++) {
                    if (requests[next] != null) submit(next, now);
                }
                boolean again;
                do {
                    buildSpecial(now);
                    again = !pending.isEmpty() && schedule(now) && lastPass != null && lastPass.arraysCut();
                } while (again);
            }
            for (long id : special) {
                Job j = table.get(id);
                String why = j.request().hold()
                        ? "held and never released"
                        : j.reason() == PendingReason.DependencyNeverSatisfied
                                ? "dependency never satisfied"
                                : "never eligible (" + j.reason() + ")";
                neverRunnable.merge(why, 1, Integer::sum);
            }
            for (long q : built) dequeue(q);
            if (!pending.isEmpty()) {
                // Cannot happen: on an empty cluster the first queued job of each partition fits.
                throw new IllegalStateException("simulation ended with " + pending.size() + " jobs never started");
            }
            List<JobOutcome> outcomes = new ArrayList<>();
            for (Ran r : ran.values()) {
                WorkloadJob w = jobs.get(r.source);
                outcomes.add(new JobOutcome(
                        w.id(), w.submitSeconds(), r.start, r.end, r.cpus, r.partition, r.node, r.killed, r.task));
            }
            return new SimulationResult(policy, outcomes, neverRunnable, Figures.of(outcomes, cluster.totalCpus()));
        }

        /** Job {@code j} of the workload is submitted: it gets the next id, and joins the queue or the queue builder's care. */
        private void submit(int j, long now) {
            WorkloadJob w = jobs.get(j);
            JobRequest r = requests[j];
            if (w.dependency() != null) {
                String dep = ourIds(w.dependency());
                if (dep == null) {
                    // the controller refuses a dependency on a job it does not know
                    neverRunnable.merge("dependency names a job not submitted before it", 1, Integer::sum);
                    return;
                }
                r = r.withDependency(dep);
            }
            long id = nextId++;
            idOf.put(w.id(), id);
            sourceOf.put(id, j);
            Job job = Job.builder(id, r)
                    .owner(userOf(w), users.indexOf(userOf(w)), 0)
                    .reason(r.hold() ? PendingReason.JobHeldUser : PendingReason.None)
                    .times(Job.Times.submitted(EPOCH + now))
                    .allocation(Job.Allocation.queued(String.join(",", r.partitions()), w.limit()))
                    .build();
            if (w.array() != null)
                job = job.withArray(new ArrayPart(
                        id, -1, ArraySpec.fold(ArraySpec.parse(w.array()).indices())));
            if (ranking != null) job = job.withPriority(priority(job, now));
            table.put(job);
            if (w.plain()) {
                enqueue(QueueBuilder.queued(job));
            } else {
                special.add(id);
                if (r.hold() && w.releaseSeconds() != Long.MAX_VALUE) releases.add(new End(w.releaseSeconds(), id));
            }
        }

        /** The dependency with the workload's job ids replaced by ours; null when it names a job not submitted yet. */
        private String ourIds(String dependency) {
            Dependency dep = Dependency.parse(dependency);
            List<Dependency.Term> terms = new ArrayList<>();
            for (Dependency.Term t : dep.terms()) {
                if (t.kind() == Dependency.Kind.SINGLETON) {
                    terms.add(t);
                    continue;
                }
                Long id = idOf.get(t.jobId());
                if (id == null) return null;
                terms.add(new Dependency.Term(t.kind(), id, t.delaySeconds()));
            }
            return new Dependency(terms, dep.anyOf()).toString();
        }

        /** The queue builder judges the waiting jobs again and offers what may run now in place of what it offered before. */
        private void buildSpecial(long now) {
            for (long q : built) dequeue(q);
            built.clear();
            if (special.isEmpty()) {
                lastPass = null;
                wakeAt = Long.MAX_VALUE;
                return;
            }
            lastPass = QueueBuilder.build(table, List.copyOf(special), EPOCH + now, id -> false);
            for (Job gone : lastPass.ended()) {
                special.remove(gone.id());
                neverRunnable.merge("ended before it started (" + gone.state() + ")", 1, Integer::sum);
            }
            for (QueuedJob q : lastPass.queue()) {
                enqueue(q);
                built.add(q.id());
            }
            wakeAt = lastPass.nextChange() == Long.MAX_VALUE ? Long.MAX_VALUE : lastPass.nextChange() - EPOCH;
        }

        private void enqueue(QueuedJob q) {
            Queued e = new Queued(q, Scheduler.tier(q, partitions));
            pending.put(q.id(), e);
            order.add(e);
            for (String p : q.partitions()) pendingIn.computeIfAbsent(p, k -> new int[1])[0]++;
        }

        private void dequeue(long id) {
            Queued e = pending.remove(id);
            if (e == null) return;
            order.remove(e);
            for (String p : e.job().partitions()) pendingIn.get(p)[0]--;
        }

        /** Every pending job's priority at {@code now}, from usage decayed to now (PriorityCalcPeriod's re-ranking). */
        private void rank(long now) {
            shares = ShareTree.compute(
                    Associations.none(), ledger.usageAt(now, List.copyOf(runningCharges.values())), users);
            order.clear();
            for (var e : pending.entrySet()) {
                Queued q = e.getValue();
                q = new Queued(withPriority(q.job(), priority(table.get(q.job().submitOrder()), now)), q.tier());
                e.setValue(q);
                order.add(q);
            }
            for (long id : special) {
                Job j = table.get(id);
                table.put(j.withPriority(priority(j, now)));
            }
        }

        private long priority(Job j, long now) {
            WorkloadJob w = jobs.get(sourceOf.get(j.id()));
            return calculator
                    .factors(
                            new PriorityCalculator.Pending(
                                    j.id(),
                                    userOf(w),
                                    null,
                                    j.request().partitions().get(0),
                                    null,
                                    0,
                                    j.request().cpus(),
                                    w.submitSeconds()),
                            now,
                            shares,
                            (int) Math.min(Integer.MAX_VALUE, cluster.totalCpus()))
                    .priority();
        }

        private static QueuedJob withPriority(QueuedJob q, long priority) {
            return new QueuedJob(
                    q.id(),
                    priority,
                    q.partitions(),
                    q.cpus(),
                    q.memMiB(),
                    q.timeLimitSeconds(),
                    q.held(),
                    q.gpus(),
                    q.gpuType(),
                    q.placement(),
                    q.submitOrder());
        }

        /** The scheduler's order (Scheduler.plan sorts so too). */
        private static int inOrder(Queued x, Queued y) {
            if (x.tier() != y.tier()) return Integer.compare(y.tier(), x.tier());
            QueuedJob a = x.job();
            QueuedJob b = y.job();
            if (a.priority() != b.priority()) return Long.compare(b.priority(), a.priority());
            if (a.submitOrder() != b.submitOrder()) return Long.compare(a.submitOrder(), b.submitOrder());
            return Long.compare(a.id(), b.id());
        }

        private static String userOf(WorkloadJob w) {
            return w.user() == null ? "(none)" : w.user();
        }

        /** Job {@code id} ends: it completed, or its time limit killed it. */
        private void release(long id) {
            Ran r = ran.get(id);
            if (ranking != null) {
                Charge c = runningCharges.remove(id);
                ledger.add(new Charge(c.account(), c.user(), c.rate(), c.start(), r.end));
            }
            Job j = table.get(id);
            table.put(j.ended(r.killed ? JobState.TIMEOUT : JobState.COMPLETED, ExitStatus.NONE, EPOCH + r.end));
            int node = nodeIndex.get(r.node);
            usedCpus[node] -= r.cpus;
            usedMem[node] -= r.mem;
            running.remove(id);
        }

        /** One pass; whether it started anything. */
        private boolean schedule(long now) {
            List<Allocation> inUse = new ArrayList<>();
            if (options.reservations() > 0) {
                // reservations are planned from each running job's end
                inUse.addAll(running.values());
            } else {
                // Without reservations the scheduler reads running jobs only as resources in use, so one
                // allocation per busy node says the same as one per job, and keeps each call independent
                // of how many jobs run.
                for (int i = 0; i < usedCpus.length; i++) {
                    if (usedCpus[i] > 0 || usedMem[i] > 0) {
                        inUse.add(
                                new Allocation(-(i + 1), cluster.nodes().get(i).name(), usedCpus[i], usedMem[i]));
                    }
                }
            }
            int k = firstPrefix;
            while (true) {
                List<QueuedJob> prefix = new ArrayList<>(Math.min(k, pending.size()));
                for (Queued q : order) {
                    if (prefix.size() == k) break;
                    prefix.add(q.job());
                }
                Plan plan = Scheduler.plan(
                        new Snapshot(
                                cluster.nodes(), cluster.partitions(), inUse, prefix, cluster.defMemPerCpuMiB(), now),
                        options);
                if (prefix.size() == pending.size() || restCannotStart(prefix, plan)) {
                    apply(plan, now);
                    return !plan.starts().isEmpty();
                }
                k = k > pending.size() / 2 ? pending.size() : k * 2;
            }
        }

        /**
         * Whether no job behind the prefix could start in this pass. The scheduler decides each job
         * from the jobs ahead of it alone, so the prefix's plan is the full queue's plan for those jobs;
         * a job behind them waits with reason Priority when every partition it names is blocked. A job
         * waiting for Resources or Priority has blocked its first partition, which gives a lower bound
         * of the blocked set.
         */
        private boolean restCannotStart(List<QueuedJob> prefix, Plan plan) {
            Set<String> blocked = new HashSet<>();
            Map<String, Integer> inPrefix = new HashMap<>();
            int waiting = 0;
            for (QueuedJob q : prefix) {
                for (String p : q.partitions()) inPrefix.merge(p, 1, Integer::sum);
                PendingReason r = plan.reasons().get(q.id());
                if (r == PendingReason.Resources || r == PendingReason.Priority) {
                    blocked.add(q.partitions().get(0));
                    waiting++;
                }
            }
            // A backfill pass tries up to maxJobTest jobs behind waiting ones. Each waiting job either is
            // the first to wait in some partition (at most one per partition) or was tried behind one, so
            // with this many waiting in the prefix the budget is spent and no job behind it is tried.
            if (options.backfill() && waiting - partitions.size() < options.maxJobTest()) return false;
            for (var e : pendingIn.entrySet()) {
                boolean behind = e.getValue()[0] > inPrefix.getOrDefault(e.getKey(), 0);
                if (behind && !blocked.contains(e.getKey())) return false;
            }
            return true;
        }

        private void apply(Plan plan, long now) {
            for (Start s : plan.starts()) {
                dequeue(s.jobId());
                Job job;
                int task = -1;
                if (s.jobId() < 0) {
                    QueueEntry.Task t = (QueueEntry.Task) lastPass.entry(s.jobId());
                    Job meta = table.get(t.jobId());
                    task = t.key().index();
                    if (ArrayTasks.isLast(meta, task)) {
                        job = ArrayTasks.lastTask(meta, task);
                        special.remove(meta.id());
                    } else {
                        table.put(ArrayTasks.remaining(meta, task));
                        job = ArrayTasks.task(meta, task, nextId++);
                        sourceOf.put(job.id(), sourceOf.get(meta.id()));
                    }
                } else {
                    job = table.get(s.jobId());
                    special.remove(job.id());
                }
                job = job.started(s.partition(), s.parts(), TimeLimit.of(s.timeLimitSeconds()), EPOCH + now);
                table.put(job);
                long id = job.id();
                Ran r = new Ran();
                r.source = sourceOf.get(id);
                r.task = task;
                if (ranking != null) {
                    runningCharges.put(
                            id,
                            new Charge(null, userOf(jobs.get(r.source)), Charge.rate(ranking, s.cpus(), 0), now, 0));
                }
                int node = nodeIndex.get(s.node());
                usedCpus[node] += s.cpus();
                usedMem[node] += s.memMiB();
                long run = jobs.get(r.source).runSeconds();
                long limit = s.timeLimitSeconds();
                r.killed = limit > 0 && limit < run;
                r.start = now;
                r.end = now + (r.killed ? limit : run);
                r.node = s.node();
                r.partition = s.partition();
                r.cpus = s.cpus();
                r.mem = s.memMiB();
                ran.put(id, r);
                ends.add(new End(r.end, id));
                if (options.reservations() > 0) {
                    long limitEnd = limit > 0 ? now + limit : Allocation.NO_END;
                    running.put(id, new Allocation(id, s.node(), s.cpus(), s.memMiB(), s.gpuIds(), limitEnd));
                }
            }
        }
    }
}
