package io.motley.core.scheduler;

import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.PendingReason;
import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scheduler as it was before {@link IncrementalScheduler}: one straightforward pass over the whole
 * snapshot, kept verbatim as the reference the faster passes must agree with.
 *
 * <p>Priority-ordered first-fit scheduling with optional reservations and backfill, as Slurm's main
 * and backfill schedulers do. Jobs are taken by partition tier, priority, then id (submission
 * order); each starts on the first node of its partition (lowest Weight first) where its CPUs,
 * memory and GPUs fit. Once a job of a partition has to wait, the jobs behind it in that partition
 * wait too (reason Priority), so a large job is not starved by a stream of small ones, unless the
 * pass backfills: then a job behind may start if it leaves every reservation intact. The first
 * {@link SchedulerOptions#reservations()} waiting jobs get a reservation, computed from the running
 * jobs' ends (start plus time limit). A pure function: the same snapshot and options always give
 * the same plan.
 */
final class ReferenceScheduler {

    private ReferenceScheduler() {}

    /** Priority order and first fit without reservations (sched/builtin). */
    static Plan plan(Snapshot snap, SchedulerOptions options) {
        return new Pass(snap, options).run();
    }

    /** The highest PriorityTier among a job's partitions (0 when none exists): jobs are taken by it first, as in Slurm. */
    public static int tier(QueuedJob q, Map<String, Partition> partitions) {
        int t = Integer.MIN_VALUE;
        for (String name : q.partitions()) {
            Partition p = partitions.get(name);
            if (p != null) t = Math.max(t, p.priorityTier());
        }
        return t == Integer.MIN_VALUE ? 0 : t;
    }

    /** Memory a job gets on a node: what it asked for, else the default per CPU, else the node's per-CPU share. */
    public static long memoryFor(QueuedJob job, NodeView node, long defMemPerCpuMiB) {
        if (job.memMiB() >= 0) return job.memMiB() == 0 ? node.memMiB() : job.memMiB();
        long perCpu = defMemPerCpuMiB > 0 ? defMemPerCpuMiB : node.memMiB() / Math.max(1, node.cpus());
        return Math.min(node.memMiB(), perCpu * job.cpus());
    }

    /** Resources held on a node over [start, end): a running job, a job started in this pass, or a reservation. */
    private record Commit(long start, long end, int cpus, long memMiB, List<Integer> gpus) {
        boolean covers(long t) {
            return start <= t && t < end;
        }

        boolean overlaps(long from, long to) {
            return start < to && from < end;
        }
    }

    /** Free resources on a node at the start of a reservation, kept current as jobs start in the pass. */
    private static final class Checkpoint {
        final long time;
        int freeCpus;
        long freeMem;
        final BitSet usedGpus = new BitSet();

        Checkpoint(long time) {
            this.time = time;
        }
    }

    /** Where and when a job can start, with its resources. */
    private record Placed(int node, Partition partition, long time, int cpus, long memMiB, List<Integer> gpus) {}

    private static final class Pass {
        private final Snapshot snap;
        private final SchedulerOptions options;
        private final long now;
        private final NodeView[] nodes;
        private final Map<String, Integer> index = new HashMap<>();
        private final int[] freeCpus;
        private final long[] freeMem;
        private final BitSet[] usedGpus;
        /** Per node, only when reservations are kept: everything held there and the reservations' start points. */
        private final List<Commit>[] commits;

        private final List<Checkpoint>[] checkpoints;
        private final Map<String, Partition> partitions = new HashMap<>();
        private final Map<String, boolean[]> members = new HashMap<>();

        @SuppressWarnings("unchecked")
        Pass(Snapshot snap, SchedulerOptions options) {
            this.snap = snap;
            this.options = options;
            this.now = snap.now();
            // lower Weight is filled first, as in Slurm; then by name
            nodes = snap.nodes().stream()
                    .sorted(Comparator.comparingInt(NodeView::weight).thenComparing(NodeView::name))
                    .toArray(NodeView[]::new);
            int n = nodes.length;
            freeCpus = new int[n];
            freeMem = new long[n];
            usedGpus = new BitSet[n];
            boolean track = options.reservations() > 0;
            commits = track ? new List[n] : null;
            checkpoints = track ? new List[n] : null;
            for (int i = 0; i < n; i++) {
                index.put(nodes[i].name(), i);
                freeCpus[i] = nodes[i].cpus();
                freeMem[i] = nodes[i].memMiB();
                usedGpus[i] = new BitSet();
                if (track) {
                    commits[i] = new ArrayList<>(2);
                    checkpoints[i] = List.of();
                }
            }
            for (Allocation a : snap.running()) {
                Integer i = index.get(a.node());
                if (i == null) continue;
                freeCpus[i] -= a.cpus();
                freeMem[i] -= a.memMiB();
                a.gpuIds().forEach(usedGpus[i]::set);
                if (track)
                    commits[i].add(new Commit(now, Math.max(a.end(), now + 1), a.cpus(), a.memMiB(), a.gpuIds()));
            }
            for (Partition p : snap.partitions()) partitions.put(p.name(), p);
        }

        Plan run() {
            // jobs of higher PriorityTier partitions go first, as in Slurm; then priority, then submission
            record Keyed(int tier, QueuedJob job) {}
            List<Keyed> keyed = new ArrayList<>(snap.pending().size());
            for (QueuedJob q : snap.pending()) keyed.add(new Keyed(tier(q, partitions), q));
            keyed.sort((a, b) -> {
                if (a.tier() != b.tier()) return Integer.compare(b.tier(), a.tier());
                if (a.job().priority() != b.job().priority())
                    return Long.compare(b.job().priority(), a.job().priority());
                if (a.job().submitOrder() != b.job().submitOrder())
                    return Long.compare(a.job().submitOrder(), b.job().submitOrder());
                return Long.compare(a.job().id(), b.job().id());
            });
            List<QueuedJob> queue = new ArrayList<>(keyed.size());
            for (Keyed k : keyed) queue.add(k.job());

            List<Start> starts = new ArrayList<>();
            Map<Long, PendingReason> reasons = new HashMap<>();
            Map<Long, Plan.Reservation> reserved = new HashMap<>();
            Set<String> blocked = new HashSet<>();
            int tested = 0;
            int reservationsTried = 0;
            for (QueuedJob job : queue) {
                if (job.held()) {
                    reasons.put(job.id(), PendingReason.JobHeldUser);
                    continue;
                }
                PendingReason reason = null;
                Placed placed = null;
                boolean counted = false;
                List<Partition> eligible = new ArrayList<>(job.partitions().size());
                for (String pname : byTier(job.partitions())) {
                    Partition p = partitions.get(pname);
                    PendingReason here = null;
                    if (p == null) {
                        here = PendingReason.PartitionInactive;
                    } else if (!p.state().startsJobs()) {
                        here = p.state() == PartitionState.INACTIVE
                                ? PendingReason.PartitionInactive
                                : PendingReason.PartitionDown;
                    } else if (!p.allowsTimeLimit(p.effectiveTimeLimit(job.timeLimitSeconds()))) {
                        here = PendingReason.PartitionTimeLimit;
                    } else {
                        eligible.add(p);
                        boolean behind = blocked.contains(pname);
                        boolean mayTry = !behind || (options.backfill() && (counted || tested < options.maxJobTest()));
                        if (mayTry) {
                            if (behind && !counted) {
                                counted = true;
                                tested++;
                            }
                            placed = fitNow(job, p);
                        }
                        if (placed == null) {
                            here = behind ? PendingReason.Priority : PendingReason.Resources;
                            blocked.add(pname);
                        }
                    }
                    if (placed != null) break;
                    if (reason == null) reason = here;
                }
                if (placed != null) {
                    Start s = new Start(
                            job.id(),
                            placed.partition().name(),
                            nodes[placed.node()].name(),
                            placed.cpus(),
                            placed.memMiB(),
                            placed.partition().effectiveTimeLimit(job.timeLimitSeconds()),
                            placed.gpus());
                    starts.add(s);
                    take(placed, end(now, s.timeLimitSeconds()));
                    continue;
                }
                reasons.put(job.id(), reason == null ? PendingReason.Resources : reason);
                if (!eligible.isEmpty() && reservationsTried < options.reservations()) {
                    reservationsTried++;
                    Placed at = earliest(job, eligible);
                    if (at != null) {
                        long limit = at.partition().effectiveTimeLimit(job.timeLimitSeconds());
                        reserve(at, end(at.time(), limit));
                        reserved.put(
                                job.id(), new Plan.Reservation(job.id(), at.time(), nodes[at.node()].name(), limit));
                    }
                }
            }
            return new Plan(starts, reasons, reserved);
        }

        private static long end(long start, long limit) {
            if (limit == Durations.UNLIMITED || limit < 0) return Allocation.NO_END;
            return start > Long.MAX_VALUE - limit ? Allocation.NO_END : start + Math.max(1, limit);
        }

        /** A job's partitions, higher tier first, otherwise in the order the user gave them. */
        private List<String> byTier(List<String> names) {
            if (names.size() < 2) return names;
            List<String> sorted = new ArrayList<>(names);
            sorted.sort(Comparator.comparingInt(
                    n -> partitions.containsKey(n) ? -partitions.get(n).priorityTier() : 0));
            return sorted;
        }

        /** Which nodes (by index) a partition holds; computed once per pass, since a partition's list may be long. */
        private boolean[] members(Partition p) {
            return members.computeIfAbsent(p.name(), k -> {
                boolean[] in = new boolean[nodes.length];
                if (p.nodes() == null) {
                    Arrays.fill(in, true);
                } else {
                    for (String name : p.nodes()) {
                        Integer i = index.get(name);
                        if (i != null) in[i] = true;
                    }
                }
                return in;
            });
        }

        private int cpusOn(QueuedJob job, NodeView n) {
            return job.placement().exclusive() ? n.cpus() : job.cpus();
        }

        private long memOn(QueuedJob job, NodeView n) {
            // an exclusive job takes all the node's CPUs and the memory those CPUs are due
            return Scheduler.memoryFor(job, n, snap.defMemPerCpuMiB(), cpusOn(job, n));
        }

        /** The first node of the partition where the job can start now without disturbing a reservation. */
        private Placed fitNow(QueuedJob job, Partition p) {
            boolean[] in = members(p);
            long end = end(now, p.effectiveTimeLimit(job.timeLimitSeconds()));
            for (int i = 0; i < nodes.length; i++) {
                NodeView n = nodes[i];
                if (!in[i] || !n.schedulable()) continue;
                int cpus = cpusOn(job, n);
                if (freeCpus[i] < cpus) continue;
                long mem = memOn(job, n);
                if (freeMem[i] < mem || !job.placement().accepts(n)) continue;
                BitSet taken = usedGpus[i];
                boolean ok = true;
                if (checkpoints != null && !checkpoints[i].isEmpty()) {
                    taken = (BitSet) taken.clone();
                    for (Checkpoint c : checkpoints[i]) {
                        if (c.time >= end) continue;
                        if (c.freeCpus < cpus || c.freeMem < mem) {
                            ok = false;
                            break;
                        }
                        taken.or(c.usedGpus);
                    }
                }
                if (!ok) continue;
                List<Integer> gpus = pickGpus(job, n, taken);
                if (gpus == null) continue;
                return new Placed(i, p, now, cpus, mem, gpus);
            }
            return null;
        }

        /** The lowest free device indices of the wanted type, or null when too few are free (or, for an exclusive job, any is in use). */
        private static List<Integer> pickGpus(QueuedJob job, NodeView n, BitSet taken) {
            if (job.placement().exclusive() && !taken.isEmpty()) return null;
            if (job.gpus() <= 0) return List.of();
            List<Integer> picked = new ArrayList<>();
            for (Gpu g : n.gpus().stream()
                    .sorted(Comparator.comparingInt(Gpu::index))
                    .toList()) {
                if (picked.size() == job.gpus()) break;
                if (taken.get(g.index())) continue;
                if (job.gpuType() != null && !job.gpuType().equals(g.type())) continue;
                picked.add(g.index());
            }
            return picked.size() == job.gpus() ? picked : null;
        }

        private void take(Placed at, long end) {
            int i = at.node();
            freeCpus[i] -= at.cpus();
            freeMem[i] -= at.memMiB();
            at.gpus().forEach(usedGpus[i]::set);
            if (commits == null) return;
            commits[i].add(new Commit(now, end, at.cpus(), at.memMiB(), at.gpus()));
            for (Checkpoint c : checkpoints[i]) {
                if (c.time < end) {
                    c.freeCpus -= at.cpus();
                    c.freeMem -= at.memMiB();
                    at.gpus().forEach(c.usedGpus::set);
                }
            }
        }

        private void reserve(Placed at, long end) {
            int i = at.node();
            commits[i].add(new Commit(at.time(), end, at.cpus(), at.memMiB(), at.gpus()));
            List<Checkpoint> points = new ArrayList<>(checkpoints[i]);
            if (at.time() > now && points.stream().noneMatch(c -> c.time == at.time()))
                points.add(new Checkpoint(at.time()));
            for (Checkpoint c : points) {
                c.freeCpus = nodes[i].cpus();
                c.freeMem = nodes[i].memMiB();
                c.usedGpus.clear();
                for (Commit k : commits[i]) {
                    if (!k.covers(c.time)) continue;
                    c.freeCpus -= k.cpus();
                    c.freeMem -= k.memMiB();
                    k.gpus().forEach(c.usedGpus::set);
                }
            }
            checkpoints[i] = points;
            if (at.time() == now) {
                // reserved from now on: the resources are held at once
                freeCpus[i] -= at.cpus();
                freeMem[i] -= at.memMiB();
                at.gpus().forEach(usedGpus[i]::set);
            }
        }

        /**
         * The earliest time and node where the job can start and run its whole time limit given
         * everything held (running jobs until their ends, this pass's starts, earlier reservations);
         * null when no node of its partitions ever could (down, drained, too small).
         */
        private Placed earliest(QueuedJob job, List<Partition> eligible) {
            Placed best = null;
            for (Partition p : eligible) {
                boolean[] in = members(p);
                long limit = p.effectiveTimeLimit(job.timeLimitSeconds());
                for (int i = 0; i < nodes.length; i++) {
                    NodeView n = nodes[i];
                    if (!in[i] || !n.schedulable() || !job.placement().accepts(n)) continue;
                    int cpus = cpusOn(job, n);
                    long mem = memOn(job, n);
                    if (n.cpus() < cpus || n.memMiB() < mem || n.gpuCount(job.gpuType()) < job.gpus()) continue;
                    Placed here = earliestOn(job, i, p, limit, cpus, mem, best == null ? Long.MAX_VALUE : best.time());
                    if (here != null) best = here;
                }
            }
            return best;
        }

        /**
         * The earliest start on node i before {@code before}, or null. Sweeps the times at which
         * something held there ends: free resources at such a time are those free now plus what the
         * jobs holding them now have released, less the reservations that have begun; within the
         * job's run they can only drop where a reservation begins, and the checkpoints hold those.
         */
        private Placed earliestOn(QueuedJob job, int i, Partition p, long limit, int cpus, long mem, long before) {
            List<Commit> held = commits[i];
            List<Commit> later = new ArrayList<>(0);
            for (Commit r : held) {
                if (r.start() > now) later.add(r);
            }
            Commit[] byEnd = held.toArray(Commit[]::new);
            Arrays.sort(byEnd, Comparator.comparingLong(Commit::end));
            int freeC = freeCpus[i];
            long freeM = freeMem[i];
            int k = 0;
            long t = now;
            while (t < before) {
                long to = end(t, limit);
                int c = freeC;
                long m = freeM;
                for (Commit r : later) {
                    if (r.covers(t)) {
                        c -= r.cpus();
                        m -= r.memMiB();
                    }
                }
                if (c >= cpus && m >= mem && checkpointsAllow(i, t, to, cpus, mem)) {
                    List<Integer> gpus = gpusOver(job, i, t, to);
                    if (gpus != null) return new Placed(i, p, t, cpus, mem, gpus);
                }
                // the next instant something ends
                while (k < byEnd.length && byEnd[k].end() <= t) k++;
                if (k == byEnd.length || byEnd[k].end() == Allocation.NO_END) return null;
                t = byEnd[k].end();
                for (; k < byEnd.length && byEnd[k].end() == t; k++) {
                    if (byEnd[k].start() <= now) {
                        freeC += byEnd[k].cpus();
                        freeM += byEnd[k].memMiB();
                    }
                }
            }
            return null;
        }

        private boolean checkpointsAllow(int i, long from, long to, int cpus, long mem) {
            for (Checkpoint c : checkpoints[i]) {
                if (c.time > from && c.time < to && (c.freeCpus < cpus || c.freeMem < mem)) return false;
            }
            return true;
        }

        /** GPUs the job would get on node i over [from, to): none held by anything overlapping that span. */
        private List<Integer> gpusOver(QueuedJob job, int i, long from, long to) {
            if (job.gpus() <= 0 && !job.placement().exclusive()) return List.of();
            BitSet taken = new BitSet();
            for (Commit c : commits[i]) {
                if (c.overlaps(from, to)) c.gpus().forEach(taken::set);
            }
            return pickGpus(job, nodes[i], taken);
        }
    }
}
