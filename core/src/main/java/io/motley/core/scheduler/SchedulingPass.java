package io.motley.core.scheduler;

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
import java.util.List;
import java.util.Map;

/**
 * One pass of {@link Scheduler}'s algorithm over a snapshot whose nodes, partitions and queue
 * order are given ready-made (by {@link IncrementalScheduler}, fresh or from the pass before).
 * What makes it cheap on a deep queue and a large cluster, without changing a decision: nodes
 * are found through a per-partition index of free CPUs, memory and GPUs instead of one by one;
 * a request that fit no node of a partition is not tried again in the same pass (free resources
 * only shrink during a pass, so it cannot fit later, nor can the same request with a later end);
 * reasons go to a {@link ReasonTable}.
 */
final class SchedulingPass {

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

    /** What decides whether a job fits a partition's nodes now, but for its end. */
    private record Shape(
            int partition, int cpus, long memMiB, int gpus, String gpuType, QueuedJob.Placement placement) {
        Shape(int partition, QueuedJob job) {
            this(partition, job.cpus(), job.memMiB(), job.gpus(), job.gpuType(), job.placement());
        }
    }

    private final Snapshot snap;
    private final SchedulerOptions options;
    private final long now;
    private final NodeLayout layout;
    private final PartitionTable table;
    private final PassQueue queue;
    private final NodeView[] nodes;
    private final int[] freeCpus;
    private final long[] freeMem;
    private final BitSet[] usedGpus;
    /** Per node, how many of its GPUs no one holds now. */
    private final int[] freeGpus;
    /** Per node, only when reservations are kept: everything held there and the reservations' start points. */
    private final List<Commit>[] commits;

    private final List<Checkpoint>[] checkpoints;
    /** Per partition, built when first needed: where its free resources are. */
    private final FreeIndex[] free;
    /** Requests that fit no node of a partition in this pass, with the earliest end they failed with. */
    private final Map<Shape, Long> failed = new HashMap<>();
    /** Limits beyond the nodes' (association limits), asked before and after a job is placed. */
    private final JobGate gate;

    /** What the running jobs hold, as the pass starts. */
    private final HeldResources held;
    /** Per node, whether {@link #usedGpus} holds this pass's own copy (else the shared one of {@link #held}). */
    private final boolean[] ownGpus;

    @SuppressWarnings("unchecked")
    SchedulingPass(
            Snapshot snap,
            SchedulerOptions options,
            JobGate gate,
            NodeLayout layout,
            PartitionTable table,
            HeldResources held,
            PassQueue queue) {
        this.snap = snap;
        this.options = options;
        this.gate = gate;
        this.now = snap.now();
        this.layout = layout;
        this.table = table;
        this.queue = queue;
        this.held = held;
        nodes = layout.nodes;
        int n = nodes.length;
        freeCpus = held.freeCpus.clone();
        freeMem = held.freeMem.clone();
        usedGpus = held.usedGpus.clone();
        freeGpus = held.freeGpus.clone();
        ownGpus = new boolean[n];
        boolean track = options.reservations() > 0;
        // built per node when first needed: a pass looks at few nodes' timelines
        commits = track ? new List[n] : null;
        checkpoints = track ? new List[n] : null;
        free = new FreeIndex[table.partitions.length];
    }

    private int countFreeGpus(int i) {
        int c = 0;
        for (int g : layout.gpuIndex[i]) {
            if (!usedGpus[i].get(g)) c++;
        }
        return c;
    }

    /** Node i's used GPUs, to be changed: this pass's own copy. */
    private BitSet gpusToChange(int i) {
        if (!ownGpus[i]) {
            usedGpus[i] = (BitSet) usedGpus[i].clone();
            ownGpus[i] = true;
        }
        return usedGpus[i];
    }

    /** Everything held on node i over time: its running jobs from now to their ends, and what this pass added. */
    private List<Commit> commits(int i) {
        List<Commit> list = commits[i];
        if (list == null) {
            List<Allocation> running = held.on[i];
            list = new ArrayList<>(running == null ? 1 : running.size() + 1);
            if (running != null) {
                for (Allocation a : running)
                    list.add(new Commit(now, Math.max(a.end(), now + 1), a.cpus(), a.memMiB(), a.gpuIds()));
            }
            commits[i] = list;
        }
        return list;
    }

    /** The reservations' start points on node i. */
    private List<Checkpoint> checkpoints(int i) {
        List<Checkpoint> points = checkpoints[i];
        return points == null ? List.of() : points;
    }

    Plan run() {
        List<Start> starts = new ArrayList<>();
        ReasonTable.Builder reasons = new ReasonTable.Builder(queue.order.length, queue.idsUnique);
        Map<Long, Plan.Reservation> reserved = new HashMap<>();
        boolean[] blocked = new boolean[table.partitions.length];
        int tested = 0;
        int reservationsTried = 0;
        int[] order = queue.order;
        for (int rank = 0; rank < order.length; rank++) {
            int at = order[rank];
            long id = queue.idByRank[rank];
            long timeLimit = queue.timeLimitByRank[rank];
            if (queue.heldByRank[rank]) {
                reasons.put(id, PendingReason.JobHeldUser);
                continue;
            }
            // a job held back by a limit of its association neither waits for nodes nor blocks those behind it
            PendingReason limited = gate.before(queue.jobs.get(at));
            if (limited != null) {
                reasons.put(id, limited);
                continue;
            }
            PendingReason reason = null;
            List<Placed> placed = null;
            boolean counted = false;
            boolean anyEligible = false;
            // only a job that may get a reservation needs its eligible partitions listed
            List<Partition> eligible = reservationsTried < options.reservations() ? new ArrayList<>(2) : null;
            for (int pi : queue.routeByRank[rank].order()) {
                PendingReason here = null;
                if (pi < 0) {
                    here = PendingReason.PartitionInactive;
                } else {
                    Partition p = table.partitions[pi];
                    if (!p.state().startsJobs()) {
                        here = p.state() == PartitionState.INACTIVE
                                ? PendingReason.PartitionInactive
                                : PendingReason.PartitionDown;
                    } else if (!p.allowsTimeLimit(p.effectiveTimeLimit(timeLimit))) {
                        here = PendingReason.PartitionTimeLimit;
                    } else {
                        anyEligible = true;
                        if (eligible != null) eligible.add(p);
                        boolean behind = blocked[pi];
                        boolean mayTry = !behind || (options.backfill() && (counted || tested < options.maxJobTest()));
                        if (mayTry) {
                            if (behind && !counted) {
                                counted = true;
                                tested++;
                            }
                            placed = fitNow(queue.jobs.get(at), pi, p);
                        }
                        if (placed == null) {
                            here = behind ? PendingReason.Priority : PendingReason.Resources;
                            blocked[pi] = true;
                        }
                    }
                }
                if (placed != null) break;
                if (reason == null) reason = here;
            }
            if (placed != null) {
                QueuedJob job = queue.jobs.get(at);
                int cpus = 0;
                long mem = 0;
                int gpus = 0;
                List<io.motley.core.job.Job.Allocation.Part> parts = new ArrayList<>(placed.size());
                for (Placed one : placed) {
                    cpus += one.cpus();
                    mem += one.memMiB();
                    gpus += one.gpus().size();
                    parts.add(new io.motley.core.job.Job.Allocation.Part(
                            nodes[one.node()].name(), one.cpus(), one.memMiB(), one.gpus()));
                }
                limited = gate.admit(job, cpus, mem, gpus);
                if (limited != null) {
                    reasons.put(id, limited);
                    continue;
                }
                Partition in = placed.get(0).partition();
                Start s = new Start(job.id(), in.name(), parts, in.effectiveTimeLimit(job.timeLimitSeconds()));
                starts.add(s);
                for (Placed one : placed) take(one, end(now, s.timeLimitSeconds()));
                continue;
            }
            reasons.put(id, reason == null ? PendingReason.Resources : reason);
            if (anyEligible && eligible != null) {
                QueuedJob job = queue.jobs.get(at);
                reservationsTried++;
                List<Placed> when = job.placement().span().multiNode()
                        ? earliestMulti(job, eligible)
                        : single(earliest(job, eligible));
                if (when != null) {
                    Placed first = when.get(0);
                    long limit = first.partition().effectiveTimeLimit(job.timeLimitSeconds());
                    for (Placed one : when) reserve(one, end(one.time(), limit));
                    reserved.put(
                            job.id(), new Plan.Reservation(job.id(), first.time(), nodes[first.node()].name(), limit));
                }
            }
        }
        return new Plan(starts, reasons.build(), reserved);
    }

    private static long end(long start, long limit) {
        if (limit == Durations.UNLIMITED || limit < 0) return Allocation.NO_END;
        return start > Long.MAX_VALUE - limit ? Allocation.NO_END : start + Math.max(1, limit);
    }

    private int cpusOn(QueuedJob job, NodeView n) {
        return job.placement().exclusive() ? n.cpus() : job.cpus();
    }

    private long memOn(QueuedJob job, NodeView n) {
        // an exclusive job takes all the node's CPUs, and the memory those CPUs are due (as Slurm)
        return memOn(job, n, cpusOn(job, n));
    }

    private long memOn(QueuedJob job, NodeView n, int cpus) {
        return Scheduler.memoryFor(job, n, snap.defMemPerCpuMiB(), cpus);
    }

    private FreeIndex free(int pi) {
        if (free[pi] == null) free[pi] = new FreeIndex(table.members(pi));
        return free[pi];
    }

    private static List<Placed> single(Placed p) {
        return p == null ? null : List.of(p);
    }

    /**
     * Where the job can start now without disturbing a reservation: the first node of the
     * partition that fits it, or for a multi-node job all its nodes at once.
     */
    private List<Placed> fitNow(QueuedJob job, int pi, Partition p) {
        long end = end(now, p.effectiveTimeLimit(job.timeLimitSeconds()));
        Shape shape = new Shape(pi, job);
        Long failedAt = failed.get(shape);
        if (failedAt != null && end >= failedAt) return null;
        List<Placed> found =
                job.placement().span().multiNode() ? fitNowMulti(job, pi, p, end) : single(fitNowOne(job, pi, p, end));
        if (found == null) failed.merge(shape, end, Math::min);
        return found;
    }

    /** The first node of the partition where a single-node job can start now, or null. */
    private Placed fitNowOne(QueuedJob job, int pi, Partition p, long end) {
        boolean exclusive = job.placement().exclusive();
        // what every node must have free at least; a request whose size depends on the node asks nothing here
        int atLeastCpus = exclusive ? Integer.MIN_VALUE : job.cpus();
        long atLeastMem = !exclusive && job.memMiB() > 0 ? job.memMiB() : Long.MIN_VALUE;
        int atLeastGpus = !exclusive && job.gpus() > 0 ? job.gpus() : Integer.MIN_VALUE;
        FreeIndex index = free(pi);
        boolean[] in = table.members(pi);
        // --prefer: first the nodes with the preferred features (in place of -C's, as in Slurm),
        // then, none being free, those -C accepts
        QueuedJob.Placement place = job.placement();
        for (int round = place.prefer() != null ? 0 : 1; round < 2; round++) {
            for (int i = index.next(0, atLeastCpus, atLeastMem, atLeastGpus, exclusive);
                    i >= 0;
                    i = index.next(i + 1, atLeastCpus, atLeastMem, atLeastGpus, exclusive)) {
                NodeView n = nodes[i];
                if (!in[i] || !n.schedulable() || !(round == 0 ? place.preferred(n) : place.accepts(n))) continue;
                Placed here = fitNowOn(job, i, p, cpusOn(job, n), end);
                if (here != null) return here;
            }
        }
        return null;
    }

    /** Whether node i can take {@code cpus} CPUs of the job (and its memory and GPUs there) now until {@code end}. */
    private Placed fitNowOn(QueuedJob job, int i, Partition p, int cpus, long end) {
        NodeView n = nodes[i];
        if (freeCpus[i] < cpus) return null;
        long mem = memOn(job, n, cpus);
        if (freeMem[i] < mem) return null;
        BitSet taken = usedGpus[i];
        if (checkpoints != null && !checkpoints(i).isEmpty()) {
            taken = (BitSet) taken.clone();
            for (Checkpoint c : checkpoints(i)) {
                if (c.time >= end) continue;
                if (c.freeCpus < cpus || c.freeMem < mem) return null;
                taken.or(c.usedGpus);
            }
        }
        List<Integer> gpus = pickGpus(job, i, taken);
        return gpus == null ? null : new Placed(i, p, now, cpus, mem, gpus);
    }

    /** CPUs a multi-node job holds on node n running {@code tasks} of its tasks there (MAX_VALUE: they cannot fit). */
    private static int cpusFor(QueuedJob job, NodeView n, int tasks) {
        int need = tasks * job.placement().span().cpusPerTask();
        // a node too small for its tasks cannot take them, exclusive or not
        if (need > n.cpus()) return Integer.MAX_VALUE;
        return job.placement().exclusive() ? n.cpus() : need;
    }

    /**
     * A multi-node job's nodes now: for each node count it accepts (fewest first, or most with
     * --spread-job), its -w nodes and then the first others of the partition in order, the node
     * taken j-th running the j-th largest share of tasks; null when no count fits.
     */
    private List<Placed> fitNowMulti(QueuedJob job, int pi, Partition p, long end) {
        QueuedJob.Span span = job.placement().span();
        boolean[] in = table.members(pi);
        boolean exclusive = job.placement().exclusive();
        FreeIndex index = free(pi);
        for (int k : span.nodeCounts()) {
            int[] tasks = span.tasksOn(k);
            if (tasks == null) continue;
            List<Placed> chosen = new ArrayList<>(k);
            boolean[] taken = new boolean[nodes.length];
            boolean ok = true;
            for (String w : job.placement().nodes()) {
                Integer at = layout.index.get(w);
                if (at == null || chosen.size() == k) {
                    ok = false;
                    break;
                }
                int i = at;
                NodeView n = nodes[i];
                Placed here = in[i] && n.schedulable() && job.placement().accepts(n)
                        ? fitNowOn(job, i, p, cpusFor(job, n, tasks[chosen.size()]), end)
                        : null;
                if (here == null) {
                    ok = false;
                    break;
                }
                taken[i] = true;
                chosen.add(here);
            }
            if (!ok) continue;
            int least = exclusive ? Integer.MIN_VALUE : tasks[k - 1] * span.cpusPerTask();
            long leastMem = !exclusive && job.memMiB() > 0 ? job.memMiB() : Long.MIN_VALUE;
            int leastGpus = !exclusive && job.gpus() > 0 ? job.gpus() : Integer.MIN_VALUE;
            for (int i = index.next(0, least, leastMem, leastGpus, exclusive);
                    i >= 0 && chosen.size() < k;
                    i = index.next(i + 1, least, leastMem, leastGpus, exclusive)) {
                NodeView n = nodes[i];
                if (taken[i] || !in[i] || !n.schedulable() || !job.placement().accepts(n)) continue;
                Placed here = fitNowOn(job, i, p, cpusFor(job, n, tasks[chosen.size()]), end);
                if (here == null) continue;
                taken[i] = true;
                chosen.add(here);
            }
            if (chosen.size() == k) return chosen;
        }
        return null;
    }

    /**
     * The earliest time a multi-node job can hold all its nodes for its whole time limit, and
     * which: the times something held on a member node ends are tried in order, and at each the
     * nodes chosen as {@link #fitNowMulti} chooses them, each free over the job's whole run. Null
     * when it never can.
     */
    private List<Placed> earliestMulti(QueuedJob job, List<Partition> eligible) {
        QueuedJob.Span span = job.placement().span();
        List<Placed> best = null;
        for (Partition p : eligible) {
            boolean[] in = table.members(table.byName.get(p.name()));
            long limit = p.effectiveTimeLimit(job.timeLimitSeconds());
            java.util.TreeSet<Long> times = new java.util.TreeSet<>();
            times.add(now);
            for (int i = 0; i < nodes.length; i++) {
                if (!in[i] || !nodes[i].schedulable()) continue;
                for (Commit c : commits(i)) {
                    if (c.end() != Allocation.NO_END) times.add(c.end());
                }
            }
            search:
            for (long t : times) {
                if (best != null && t >= best.get(0).time()) break;
                long to = end(t, limit);
                for (int k : span.nodeCounts()) {
                    int[] tasks = span.tasksOn(k);
                    if (tasks == null) continue;
                    List<Placed> chosen = new ArrayList<>(k);
                    boolean[] taken = new boolean[nodes.length];
                    boolean ok = true;
                    for (String w : job.placement().nodes()) {
                        Integer at = layout.index.get(w);
                        Placed here = at == null || chosen.size() == k
                                ? null
                                : fitsAt(job, at, p, tasks[chosen.size()], t, to, in);
                        if (here == null) {
                            ok = false;
                            break;
                        }
                        taken[at] = true;
                        chosen.add(here);
                    }
                    if (!ok) continue;
                    for (int i = 0; i < nodes.length && chosen.size() < k; i++) {
                        if (taken[i]) continue;
                        Placed here = fitsAt(job, i, p, tasks[chosen.size()], t, to, in);
                        if (here == null) continue;
                        taken[i] = true;
                        chosen.add(here);
                    }
                    if (chosen.size() == k) {
                        best = chosen;
                        break search;
                    }
                }
            }
        }
        return best;
    }

    /**
     * Node i's share of a multi-node job ({@code tasks} of its tasks) from {@code t} to {@code
     * to}, or null: free at t is what is free now plus what ends by t, less the reservations
     * covering t, and within the run only a reservation's start can take more (the checkpoints).
     */
    private Placed fitsAt(QueuedJob job, int i, Partition p, int tasks, long t, long to, boolean[] in) {
        NodeView n = nodes[i];
        if (!in[i] || !n.schedulable() || !job.placement().accepts(n)) return null;
        int cpus = cpusFor(job, n, tasks);
        long mem = memOn(job, n, cpus);
        if (n.cpus() < cpus || n.memMiB() < mem || layout.gpuCount(i, job.gpuType()) < job.gpus()) return null;
        int c = freeCpus[i];
        long m = freeMem[i];
        for (Commit r : commits(i)) {
            if (r.start() <= now && r.end() <= t) {
                c += r.cpus();
                m += r.memMiB();
            } else if (r.start() > now && r.covers(t)) {
                c -= r.cpus();
                m -= r.memMiB();
            }
        }
        if (c < cpus || m < mem || !checkpointsAllow(i, t, to, cpus, mem)) return null;
        List<Integer> gpus = gpusOver(job, i, t, to);
        return gpus == null ? null : new Placed(i, p, t, cpus, mem, gpus);
    }

    /** The lowest free device indices of the wanted type, or null when too few are free (or, for an exclusive job, any is in use). */
    private List<Integer> pickGpus(QueuedJob job, int i, BitSet taken) {
        if (job.placement().exclusive() && !taken.isEmpty()) return null;
        if (job.gpus() <= 0) return List.of();
        List<Integer> picked = new ArrayList<>();
        int[] index = layout.gpuIndex[i];
        String[] type = layout.gpuType[i];
        for (int k = 0; k < index.length; k++) {
            if (picked.size() == job.gpus()) break;
            if (taken.get(index[k])) continue;
            if (job.gpuType() != null && !job.gpuType().equals(type[k])) continue;
            picked.add(index[k]);
        }
        return picked.size() == job.gpus() ? picked : null;
    }

    /** Node i's free resources changed now: the indexes follow. */
    private void changed(int i) {
        freeGpus[i] = countFreeGpus(i);
        for (int pi = 0; pi < free.length; pi++) {
            if (free[pi] != null) free[pi].update(i);
        }
    }

    private void take(Placed at, long end) {
        int i = at.node();
        freeCpus[i] -= at.cpus();
        freeMem[i] -= at.memMiB();
        if (!at.gpus().isEmpty()) at.gpus().forEach(gpusToChange(i)::set);
        changed(i);
        if (commits == null) return;
        commits(i).add(new Commit(now, end, at.cpus(), at.memMiB(), at.gpus()));
        for (Checkpoint c : checkpoints(i)) {
            if (c.time < end) {
                c.freeCpus -= at.cpus();
                c.freeMem -= at.memMiB();
                at.gpus().forEach(c.usedGpus::set);
            }
        }
    }

    private void reserve(Placed at, long end) {
        int i = at.node();
        commits(i).add(new Commit(at.time(), end, at.cpus(), at.memMiB(), at.gpus()));
        List<Checkpoint> points = new ArrayList<>(checkpoints(i));
        if (at.time() > now && points.stream().noneMatch(c -> c.time == at.time()))
            points.add(new Checkpoint(at.time()));
        for (Checkpoint c : points) {
            c.freeCpus = nodes[i].cpus();
            c.freeMem = nodes[i].memMiB();
            c.usedGpus.clear();
            for (Commit k : commits(i)) {
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
            if (!at.gpus().isEmpty()) at.gpus().forEach(gpusToChange(i)::set);
            changed(i);
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
            boolean[] in = table.members(table.byName.get(p.name()));
            long limit = p.effectiveTimeLimit(job.timeLimitSeconds());
            for (int i = 0; i < nodes.length; i++) {
                // nothing starts before now: once a node takes the job now, no other can do better
                if (best != null && best.time() <= now) return best;
                NodeView n = nodes[i];
                if (!in[i] || !n.schedulable() || !job.placement().accepts(n)) continue;
                int cpus = cpusOn(job, n);
                long mem = memOn(job, n);
                if (n.cpus() < cpus || n.memMiB() < mem || layout.gpuCount(i, job.gpuType()) < job.gpus()) continue;
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
        List<Commit> all = commits(i);
        List<Commit> later = new ArrayList<>(0);
        for (Commit r : all) {
            if (r.start() > now) later.add(r);
        }
        Commit[] byEnd = all.toArray(Commit[]::new);
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
        for (Checkpoint c : checkpoints(i)) {
            if (c.time > from && c.time < to && (c.freeCpus < cpus || c.freeMem < mem)) return false;
        }
        return true;
    }

    /** GPUs the job would get on node i over [from, to): none held by anything overlapping that span. */
    private List<Integer> gpusOver(QueuedJob job, int i, long from, long to) {
        if (job.gpus() <= 0 && !job.placement().exclusive()) return List.of();
        BitSet taken = new BitSet();
        for (Commit c : commits(i)) {
            if (c.overlaps(from, to)) c.gpus().forEach(taken::set);
        }
        return pickGpus(job, i, taken);
    }

    /**
     * The most CPUs, memory and GPUs free now on any schedulable member node of one partition,
     * and whether one is idle (for an exclusive job), per range of nodes (a segment tree over the layout's order), so that a search for the first
     * node with room skips the full ones a range at a time. It only ever rules nodes out: the node
     * it finds is then checked in full.
     */
    private final class FreeIndex {
        private final boolean[] in;
        private final int size;
        private final int[] cpus;
        private final long[] mem;
        private final int[] gpus;
        /** 1 where a node is wholly free now, 0 where not, MIN_VALUE where not a schedulable member. */
        private final int[] idle;

        FreeIndex(boolean[] in) {
            this.in = in;
            int s = 1;
            while (s < Math.max(1, nodes.length)) s <<= 1;
            size = s;
            cpus = new int[2 * s];
            mem = new long[2 * s];
            gpus = new int[2 * s];
            idle = new int[2 * s];
            Arrays.fill(idle, Integer.MIN_VALUE);
            Arrays.fill(cpus, Integer.MIN_VALUE);
            Arrays.fill(mem, Long.MIN_VALUE);
            Arrays.fill(gpus, Integer.MIN_VALUE);
            for (int i = 0; i < nodes.length; i++) leaf(i);
            for (int v = s - 1; v >= 1; v--) pull(v);
        }

        private void leaf(int i) {
            int v = size + i;
            if (in[i] && nodes[i].schedulable()) {
                cpus[v] = freeCpus[i];
                mem[v] = freeMem[i];
                gpus[v] = freeGpus[i];
                idle[v] = freeCpus[i] >= nodes[i].cpus() && freeMem[i] >= nodes[i].memMiB() && usedGpus[i].isEmpty()
                        ? 1
                        : 0;
            }
        }

        /** Range v's figures from its halves; whether they changed. */
        private boolean pull(int v) {
            int c = Math.max(cpus[2 * v], cpus[2 * v + 1]);
            long m = Math.max(mem[2 * v], mem[2 * v + 1]);
            int g = Math.max(gpus[2 * v], gpus[2 * v + 1]);
            int d = Math.max(idle[2 * v], idle[2 * v + 1]);
            if (c == cpus[v] && m == mem[v] && g == gpus[v] && d == idle[v]) return false;
            cpus[v] = c;
            mem[v] = m;
            gpus[v] = g;
            idle[v] = d;
            return true;
        }

        void update(int i) {
            if (!in[i]) return;
            leaf(i);
            // a range's figures depend only on its two halves: once one is unchanged, so are all above it
            for (int v = (size + i) >> 1; v >= 1; v >>= 1) {
                if (!pull(v)) break;
            }
        }

        /** The first node at or after {@code from} that may have this much free (and be idle, if asked), or -1. */
        int next(int from, int c, long m, int g, boolean wholeNode) {
            return from >= nodes.length ? -1 : next(1, 0, size, from, c, m, g, wholeNode ? 1 : Integer.MIN_VALUE);
        }

        private int next(int v, int lo, int hi, int from, int c, long m, int g, int i) {
            if (hi <= from || cpus[v] < c || mem[v] < m || gpus[v] < g || idle[v] < i) return -1;
            if (hi - lo == 1) return lo < nodes.length ? lo : -1;
            int mid = (lo + hi) >>> 1;
            int r = next(2 * v, lo, mid, from, c, m, g, i);
            return r >= 0 ? r : next(2 * v + 1, mid, hi, from, c, m, g, i);
        }
    }
}
