package io.motley.core.simulation;

import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.job.PendingReason;
import io.motley.core.priority.Associations;
import io.motley.core.priority.Charge;
import io.motley.core.priority.PriorityCalculator;
import io.motley.core.priority.PriorityConfig;
import io.motley.core.priority.ShareTree;
import io.motley.core.priority.UsageLedger;
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
import java.util.TreeSet;

/**
 * Runs the controller's scheduler in virtual time over a workload. A discrete-event simulation:
 * the events are submissions and job ends; at each distinct event time the ends are applied, the
 * submissions join the queue, and {@link Scheduler#plan} is called once with the cluster as it
 * then is. Every job it starts ends at start + its run time, or at its time limit when that comes
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

    private record End(long time, int job) {}

    /** The state of one simulation; index {@code j} is the j-th job in submission order, scheduler id j + 1. */
    private static final class Run {
        private final SimulatedCluster cluster;
        private final int firstPrefix;
        private final SchedulerOptions options;
        /** Running jobs by scheduler id, with their ends, when reservations need them. */
        private final LinkedHashMap<Long, Allocation> running = new LinkedHashMap<>();

        private final List<WorkloadJob> jobs;
        private final QueuedJob[] queued;
        private final Map<String, Integer> neverRunnable = new LinkedHashMap<>();
        private final Map<String, Partition> partitions = new HashMap<>();
        private final Map<String, Integer> nodeIndex = new HashMap<>();
        private final int[] usedCpus;
        private final long[] usedMem;
        // Insertion order is submission order, which is the scheduler's order (equal priorities, ids by submission).
        private final Map<Long, QueuedJob> pending = new HashMap<>();
        /** The pending jobs in the scheduler's order: partition tier, priority, then submission. */
        private final TreeSet<QueuedJob> order = new TreeSet<>(this::inOrder);
        /** Each job's highest partition tier, by index, so that ordering the queue costs no lookups. */
        private final int[] tierOf;

        private final PriorityConfig ranking;
        private final PriorityCalculator calculator;
        private final UsageLedger ledger;
        private final Map<Long, Charge> runningCharges = new HashMap<>();
        private final List<String> users = new ArrayList<>();
        private ShareTree shares;
        private long nextCalc = Long.MIN_VALUE;
        private final Map<String, int[]> pendingIn = new HashMap<>();
        private final PriorityQueue<End> ends = new PriorityQueue<>(Comparator.comparingLong(End::time));
        private final long[] startAt;
        private final long[] endAt;
        private final String[] nodeOf;
        private final String[] partitionOf;
        private final int[] cpusOf;
        private final long[] memOf;
        private final boolean[] killed;

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
            queued = new QueuedJob[n];
            tierOf = new int[n];
            startAt = new long[n];
            endAt = new long[n];
            nodeOf = new String[n];
            partitionOf = new String[n];
            cpusOf = new int[n];
            memOf = new long[n];
            killed = new boolean[n];
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
                else queued[j] = q;
                tierOf[j] = Scheduler.tier(q, partitions);
            }
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
                long now = Math.min(submitAt, endsAt);
                if (now == Long.MAX_VALUE) break;
                while (!ends.isEmpty() && ends.peek().time() == now)
                    release(ends.poll().job());
                if (ranking != null && now >= nextCalc) {
                    rank(now);
                    nextCalc = now + Math.max(1, ranking.calcPeriodSeconds());
                }
                for (; next < n && jobs.get(next).submitSeconds() == now; next++) {
                    if (queued[next] != null) enqueue(queued[next], now);
                }
                if (!pending.isEmpty()) schedule(now);
            }
            if (!pending.isEmpty()) {
                // Cannot happen: on an empty cluster the first queued job of each partition fits.
                throw new IllegalStateException("simulation ended with " + pending.size() + " jobs never started");
            }
            List<JobOutcome> outcomes = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (queued[j] == null) continue;
                outcomes.add(new JobOutcome(
                        jobs.get(j).id(),
                        jobs.get(j).submitSeconds(),
                        startAt[j],
                        endAt[j],
                        cpusOf[j],
                        partitionOf[j],
                        nodeOf[j],
                        killed[j]));
            }
            return new SimulationResult(policy, outcomes, neverRunnable, Figures.of(outcomes, cluster.totalCpus()));
        }

        private void enqueue(QueuedJob q, long now) {
            if (ranking != null) q = ranked(q, now);
            pending.put(q.id(), q);
            order.add(q);
            for (String p : q.partitions()) pendingIn.computeIfAbsent(p, k -> new int[1])[0]++;
        }

        /** Every pending job's priority at {@code now}, from usage decayed to now (PriorityCalcPeriod's re-ranking). */
        private void rank(long now) {
            shares = ShareTree.compute(
                    Associations.none(), ledger.usageAt(now, List.copyOf(runningCharges.values())), users);
            order.clear();
            for (var e : pending.entrySet()) {
                QueuedJob q = ranked(e.getValue(), now);
                e.setValue(q);
                order.add(q);
            }
        }

        private QueuedJob ranked(QueuedJob q, long now) {
            WorkloadJob w = jobs.get((int) q.id() - 1);
            long priority = calculator
                    .factors(
                            new PriorityCalculator.Pending(
                                    q.id(),
                                    userOf(w),
                                    null,
                                    q.partitions().get(0),
                                    null,
                                    0,
                                    q.cpus(),
                                    w.submitSeconds()),
                            now,
                            shares,
                            (int) Math.min(Integer.MAX_VALUE, cluster.totalCpus()))
                    .priority();
            return new QueuedJob(
                    q.id(),
                    priority,
                    q.partitions(),
                    q.cpus(),
                    q.memMiB(),
                    q.timeLimitSeconds(),
                    false,
                    0,
                    null,
                    QueuedJob.Placement.ANY,
                    q.id());
        }

        private int inOrder(QueuedJob a, QueuedJob b) {
            int ta = tierOf[(int) a.id() - 1];
            int tb = tierOf[(int) b.id() - 1];
            if (ta != tb) return Integer.compare(tb, ta);
            if (a.priority() != b.priority()) return Long.compare(b.priority(), a.priority());
            return Long.compare(a.id(), b.id());
        }

        private static String userOf(WorkloadJob w) {
            return w.user() == null ? "(none)" : w.user();
        }

        private void release(int j) {
            if (ranking != null) {
                Charge c = runningCharges.remove((long) j + 1);
                ledger.add(new Charge(c.account(), c.user(), c.rate(), c.start(), endAt[j]));
            }
            int node = nodeIndex.get(nodeOf[j]);
            usedCpus[node] -= cpusOf[j];
            usedMem[node] -= memOf[j];
            running.remove((long) j + 1);
        }

        private void schedule(long now) {
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
                for (QueuedJob q : order) {
                    if (prefix.size() == k) break;
                    prefix.add(q);
                }
                Plan plan = Scheduler.plan(
                        new Snapshot(
                                cluster.nodes(), cluster.partitions(), inUse, prefix, cluster.defMemPerCpuMiB(), now),
                        options);
                if (prefix.size() == pending.size() || restCannotStart(prefix, plan)) {
                    apply(plan, now);
                    return;
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
                int j = (int) (s.jobId() - 1);
                QueuedJob q = pending.remove(s.jobId());
                order.remove(q);
                if (ranking != null) {
                    runningCharges.put(
                            s.jobId(),
                            new Charge(null, userOf(jobs.get(j)), Charge.rate(ranking, s.cpus(), 0), now, 0));
                }
                for (String p : q.partitions()) pendingIn.get(p)[0]--;
                int node = nodeIndex.get(s.node());
                usedCpus[node] += s.cpus();
                usedMem[node] += s.memMiB();
                long run = jobs.get(j).runSeconds();
                long limit = s.timeLimitSeconds();
                killed[j] = limit > 0 && limit < run;
                startAt[j] = now;
                endAt[j] = now + (killed[j] ? limit : run);
                nodeOf[j] = s.node();
                partitionOf[j] = s.partition();
                cpusOf[j] = s.cpus();
                memOf[j] = s.memMiB();
                ends.add(new End(endAt[j], j));
                if (options.reservations() > 0) {
                    long limitEnd = limit > 0 ? now + limit : Allocation.NO_END;
                    running.put(
                            s.jobId(), new Allocation(s.jobId(), s.node(), s.cpus(), s.memMiB(), s.gpuIds(), limitEnd));
                }
            }
        }
    }
}
