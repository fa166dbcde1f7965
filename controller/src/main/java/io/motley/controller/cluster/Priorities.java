package io.motley.controller.cluster;

import io.motley.core.cluster.Partition;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.priority.Associations;
import io.motley.core.priority.Charge;
import io.motley.core.priority.Factors;
import io.motley.core.priority.PriorityCalculator;
import io.motley.core.priority.ShareTree;
import io.motley.core.priority.UsageLedger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The controller's side of priority/multifactor: keeps the usage ledger fed from the jobs it
 * sees end (and, at start, from the store's finished jobs), and recomputes pending jobs'
 * priorities with the core's calculator. Not thread-safe: the cluster calls it under its lock.
 */
final class Priorities {
    /** Slurm's priority/basic hands out priorities counting down from here. */
    static final long PRIORITY_BASE = 4294901760L;
    /** Usage older than this many half-lives is worth less than 2^-40 of itself: not worth loading at start. */
    private static final int HISTORY_HALF_LIVES = 40;

    private final ClusterConfig config;
    /** The accounts and QOS as sacctmgr left them; a new instance after every change. */
    private final Supplier<Associations> associations;

    private Associations calculatedFor;
    private PriorityCalculator calculator;
    private final UsageLedger ledger;
    /** Jobs already in the ledger (those still in the cluster's view; older ones cannot come back). */
    private final Set<Long> charged = new HashSet<>();
    /** Jobs seen running and what they are charged, to catch an end the view no longer shows. */
    private final Map<Long, Charge> running = new HashMap<>();

    private final LongFunction<Optional<Job>> lookup;
    /**
     * Pending jobs' factors as last computed, with the request they were computed from: a job is
     * ranked again when its request changes (nice, partition, ...) and all of them every
     * PriorityCalcPeriod, as Slurm does, so a pass over a long queue does not recompute it.
     */
    private final Map<Long, Ranked> ranked = new HashMap<>();

    private long lastFull = Long.MIN_VALUE;

    private record Ranked(io.motley.core.job.JobRequest request, Factors factors) {}

    /**
     * @param finished the store's finished jobs since {@link #historySince(ClusterConfig, long)}
     * @param lookup finds a job that left the cluster's view (in the store)
     */
    Priorities(
            ClusterConfig config,
            Supplier<Associations> associations,
            List<Job> finished,
            LongFunction<Optional<Job>> lookup) {
        this.config = config;
        this.associations = associations;
        this.ledger = new UsageLedger(config.priority().decayHalfLifeSeconds());
        this.lookup = lookup;
        for (Job j : finished) charge(j);
    }

    /** The calculator for the accounts and QOS as they are now (QOS priorities change with sacctmgr). */
    private PriorityCalculator calculator() {
        Associations now = associations.get();
        if (calculator == null || now != calculatedFor) {
            calculatedFor = now;
            calculator = new PriorityCalculator(
                    config.priority(),
                    now,
                    config.partitions().stream().map(Partition::name).toList());
        }
        return calculator;
    }

    /** Where the usage worth loading at start begins. */
    static long historySince(ClusterConfig config, long now) {
        long h = config.priority().decayHalfLifeSeconds();
        return h == 0 ? 0 : Math.max(0, now - HISTORY_HALF_LIVES * h);
    }

    boolean multifactor() {
        return config.priority().multifactor();
    }

    /**
     * The lowest priority priority/basic has handed out: as in Slurm, each job that gets one takes
     * the next below it, so a job held at submit (priority 0) takes none until it is released.
     */
    private final AtomicLong lowest = new AtomicLong(PRIORITY_BASE);

    /** Counts on from the lowest priority {@code jobs} (loaded at start) hold, as slurmctld does after a restart. */
    void resume(Collection<Job> jobs) {
        for (Job j : jobs) {
            if (j.priority() > 1 && j.priority() <= PRIORITY_BASE) lowest.accumulateAndGet(j.priority(), Math::min);
        }
    }

    /**
     * A new job's priority before the first pass computes its factors. Under priority/basic: 0 when
     * it is submitted held (-H); else the next one down, less its nice (the count itself moves by
     * one whatever the nice, as in Slurm). A priority an operator fixed is kept under either.
     */
    long initial(JobRequest req) {
        java.util.OptionalLong fixed = io.motley.core.job.JobUpdate.fixedPriority(req);
        if (fixed.isPresent() && !req.hold()) return fixed.getAsLong();
        if (multifactor()) return 1;
        return req.hold() ? 0 : Math.max(1, next() - req.nice());
    }

    /** The next priority of priority/basic: one below the lowest handed out, never under 1. */
    long next() {
        return Math.max(1, lowest.updateAndGet(p -> Math.max(1, p - 1)));
    }

    /**
     * Brings the ledger up to date with {@code jobs} (the cluster's view) and returns pending jobs
     * whose priority changed, with their new priority; nothing under priority/basic.
     */
    List<Job> refresh(long now, Collection<Job> jobs, int clusterCpus) {
        if (!multifactor()) return List.of();
        if (lastFull == Long.MIN_VALUE || now - lastFull >= config.priority().calcPeriodSeconds() || now < lastFull) {
            lastFull = now;
            ranked.clear();
        }
        track(now, jobs);
        // most passes rank no job (nothing new, no period over): the share tree is built only when one is
        ShareTree[] tree = {null};
        Supplier<ShareTree> shares = () -> tree[0] != null ? tree[0] : (tree[0] = tree(now, jobs));
        List<Job> changed = new ArrayList<>();
        for (Job j : jobs) {
            if (j.state() != JobState.PENDING) continue;
            // a priority an operator set stays until an operator resets it (Slurm's direct_set_prio)
            if (io.motley.core.job.JobUpdate.fixedPriority(j.request()).isPresent()) continue;
            long p = rank(j, now, shares, clusterCpus).priority();
            if (p != j.priority()) changed.add(j.withPriority(p));
        }
        return changed;
    }

    /** The job's factors as last computed, or computed now if it is new or its request changed. */
    private Factors rank(Job j, long now, Supplier<ShareTree> tree, int clusterCpus) {
        Ranked r = ranked.get(j.id());
        if (r != null && r.request() == j.request()) return r.factors();
        Factors f = calculator().factors(j, now, tree.get(), clusterCpus);
        ranked.put(j.id(), new Ranked(j.request(), f));
        return f;
    }

    /** The share tree at {@code now}, after recording the ends {@code jobs} show. */
    ShareTree shares(long now, Collection<Job> jobs) {
        track(now, jobs);
        return tree(now, jobs);
    }

    private ShareTree tree(long now, Collection<Job> jobs) {
        Set<String> users = new TreeSet<>();
        for (Job j : jobs) users.add(j.user());
        return ShareTree.compute(associations.get(), ledger.usageAt(now, List.copyOf(running.values())), users);
    }

    /** The factors of every pending job in {@code jobs} as they were last computed, for sprio. */
    List<Factors> factors(long now, Collection<Job> jobs, int clusterCpus) {
        ShareTree tree = shares(now, jobs);
        List<Factors> out = new ArrayList<>();
        for (Job j : jobs) {
            // a held job has priority 0 and is not ranked, as in Slurm
            if (j.state() == JobState.PENDING && !j.request().hold()) out.add(rank(j, now, () -> tree, clusterCpus));
        }
        return out;
    }

    /**
     * scontrol top under priority/basic, as slurmctld's _set_top moves priorities: the job takes the highest
     * priority among it and {@code others} (the same user's other pending jobs that may give some up, in job id
     * order) and its nice drops by what it gained; the others share that loss, each in turn taking the gain left
     * divided by how many are left, and never reaching the job's new priority (one below it at most). A nice
     * moves with each priority, as Slurm's does.
     */
    static List<Job> topBasic(Job job, List<Job> others) {
        long highest = job.priority();
        for (Job o : others) highest = Math.max(highest, o.priority());
        List<Job> out = new ArrayList<>();
        long gained = highest - job.priority();
        out.add(niceBy(job.withPriority(highest), -gained));
        long left = gained;
        int count = others.size();
        for (Job o : others) {
            long delta = left / count;
            long next = o.priority() - delta;
            if (next >= highest) {
                next = highest - 1;
                delta = o.priority() - next;
            }
            left -= delta;
            count--;
            if (delta != 0) out.add(niceBy(o.withPriority(next), delta));
        }
        return out;
    }

    private static Job niceBy(Job j, long delta) {
        long nice = Math.max(
                Integer.MIN_VALUE + 3,
                Math.min(Integer.MAX_VALUE - 2, j.request().nice() + delta));
        return j.withRequest(j.request().withNice((int) nice));
    }

    /**
     * scontrol top under multifactor: as Slurm does, through nice values. The job gets a nice low
     * enough to rank just above {@code highest}; the user's job that held the top gives up as much
     * nice, so the user's jobs together gain nothing.
     */
    List<Job> top(Job job, Job topJob, long highest, long now, Collection<Job> jobs, int clusterCpus) {
        ShareTree tree = shares(now, jobs);
        double sum = calculator().factors(job, now, tree, clusterCpus).sum();
        long delta = Math.max(1, highest + 1 - (long) Math.floor(sum));
        Job up = job.withRequest(job.request()
                .withNice((int) Math.max(Integer.MIN_VALUE + 3, job.request().nice() - delta)));
        Job down = topJob.withRequest(topJob.request()
                .withNice((int) Math.min(Integer.MAX_VALUE - 2, topJob.request().nice() + delta)));
        up = up.withPriority(calculator().factors(up, now, tree, clusterCpus).priority());
        down = down.withPriority(
                calculator().factors(down, now, tree, clusterCpus).priority());
        return List.of(up, down);
    }

    /** Follows running jobs and records those that ended (or went back to the queue) in the ledger. */
    private void track(long now, Collection<Job> jobs) {
        // only the jobs followed as running need looking up again below, not the whole view
        Map<Long, Job> followed = new HashMap<>();
        Set<Long> terminal = new HashSet<>();
        for (Job j : jobs) {
            if (j.state().holdsAllocation()) {
                running.put(j.id(), new Charge(account(j), j.user(), rate(j), j.startTime(), 0));
                followed.put(j.id(), j);
            } else if (j.state().isTerminal()) {
                terminal.add(j.id());
                if (!charged.contains(j.id())) charge(j);
                running.remove(j.id());
            } else if (running.containsKey(j.id())) {
                followed.put(j.id(), j);
            }
        }
        for (Long id : List.copyOf(running.keySet())) {
            Job j = followed.get(id);
            if (j != null && j.state().holdsAllocation()) continue;
            Charge c = running.remove(id);
            if (j == null) {
                // gone from the view before a pass saw it end: the store has its end
                lookup.apply(id).filter(o -> o.state().isTerminal()).ifPresent(this::charge);
            } else if (j.state() == JobState.PENDING) {
                // requeued: what it ran still counts
                ledger.add(new Charge(c.account(), c.user(), c.rate(), c.start(), now));
            }
        }
        charged.retainAll(terminal);
    }

    private void charge(Job j) {
        charged.add(j.id());
        if (j.startTime() <= 0 || j.endTime() <= j.startTime()) return;
        ledger.add(new Charge(account(j), j.user(), rate(j), j.startTime(), j.endTime()));
    }

    private String account(Job j) {
        return associations.get().enforced() ? j.request().account() : null;
    }

    private double rate(Job j) {
        return Charge.rate(config.priority(), j.allocCpus(), j.gpuList().size());
    }
}
