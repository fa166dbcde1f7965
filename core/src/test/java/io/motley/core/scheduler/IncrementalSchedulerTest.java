package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.PendingReason;
import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An {@link IncrementalScheduler} kept across a sequence of small changes (a job ends, one is
 * submitted, the plan's starts are committed, a node or partition changes, priorities move, time
 * passes) decides at every step exactly what a fresh pass decides, and what the scheduler did
 * before it existed ({@link ReferenceScheduler}): the same starts on the same nodes with the same
 * CPUs, memory and GPUs, the same reasons and the same reservations. Seeded random clusters; the
 * seed and step are named on failure.
 */
class IncrementalSchedulerTest {

    static final String[] FEATURES = {"intel", "amd", "ssd", "ib"};
    static final String[] GPU_MODELS = {"NVIDIA A100", "Tesla V100"};

    /** The mutable world a test drives: what the controller would turn into a snapshot. */
    static final class World {
        final Random rnd;
        List<NodeView> nodes = new ArrayList<>();
        List<Partition> partitions = new ArrayList<>();
        List<Allocation> running = new ArrayList<>();
        List<QueuedJob> pending = new ArrayList<>();
        long now = 1_000_000;
        long nextId = 1;
        long defMemPerCpu;

        World(Random rnd) {
            this.rnd = rnd;
        }

        Snapshot snapshot() {
            return new Snapshot(nodes, partitions, running, pending, defMemPerCpu, now);
        }

        /**
         * The snapshot with some pending jobs and running allocations as equal records made anew
         * (as a controller that builds them for every pass makes them), in a list whose order may
         * differ from the last pass's: the scheduler must see through both what it kept.
         */
        Snapshot rebuiltSnapshot() {
            List<QueuedJob> jobs = new ArrayList<>(pending.size());
            for (QueuedJob q : pending) jobs.add(rnd.nextBoolean() ? q : copy(q));
            List<Allocation> held = new ArrayList<>(running.size());
            for (Allocation a : running) {
                held.add(
                        rnd.nextBoolean()
                                ? a
                                : new Allocation(
                                        a.jobId(),
                                        new String(a.node()),
                                        a.cpus(),
                                        a.memMiB(),
                                        List.copyOf(a.gpuIds()),
                                        a.end()));
            }
            if (rnd.nextInt(4) == 0) java.util.Collections.shuffle(held, rnd);
            if (rnd.nextInt(4) == 0) java.util.Collections.shuffle(jobs, rnd);
            return new Snapshot(nodes, partitions, held, jobs, defMemPerCpu, now);
        }

        static QueuedJob copy(QueuedJob q) {
            return new QueuedJob(
                    q.id(),
                    q.priority(),
                    new ArrayList<>(q.partitions()),
                    q.cpus(),
                    q.memMiB(),
                    q.timeLimitSeconds(),
                    q.held(),
                    q.gpus(),
                    q.gpuType() == null ? null : new String(q.gpuType()),
                    q.placement(),
                    q.submitOrder());
        }
    }

    static World generate(long seed) {
        Random rnd = new Random(seed);
        World w = new World(rnd);
        int nodeCount = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 60 : 12);
        for (int i = 0; i < nodeCount; i++) w.nodes.add(node(rnd, "n" + i));
        List<String> names = w.nodes.stream().map(NodeView::name).toList();
        w.partitions.add(Partition.allNodes("all", true));
        int extra = rnd.nextInt(4);
        for (int p = 0; p < extra; p++) w.partitions.add(partition(rnd, "p" + p, names));
        w.defMemPerCpu = rnd.nextInt(3) == 0 ? 500 : 0;
        for (NodeView n : w.nodes) {
            int k = rnd.nextInt(4);
            for (int a = 0; a < k; a++) {
                int cpus = 1 + rnd.nextInt(Math.max(1, n.cpus() / 2));
                List<Integer> gpus = n.gpus().isEmpty() || rnd.nextBoolean()
                        ? List.of()
                        : List.of(n.gpus().get(rnd.nextInt(n.gpus().size())).index());
                w.running.add(new Allocation(
                        w.nextId++, n.name(), cpus, 100L * (1 + rnd.nextInt(10)), gpus, end(rnd, w.now)));
            }
        }
        int jobs = rnd.nextInt(rnd.nextInt(4) == 0 ? 200 : 40);
        for (int j = 0; j < jobs; j++) w.pending.add(job(w));
        return w;
    }

    static long end(Random rnd, long now) {
        return rnd.nextInt(4) == 0 ? Allocation.NO_END : now + 1 + rnd.nextInt(500);
    }

    static NodeView node(Random rnd, String name) {
        int cpus = 1 + rnd.nextInt(16);
        List<Gpu> gpus = new ArrayList<>();
        if (rnd.nextInt(3) == 0) {
            String model = GPU_MODELS[rnd.nextInt(GPU_MODELS.length)];
            int count = 1 + rnd.nextInt(4);
            // device indices not always in order, as an agent may list them
            for (int g = count - 1; g >= 0; g--) gpus.add(new Gpu(g, model, 40960, name + "-" + g));
            if (rnd.nextBoolean()) java.util.Collections.reverse(gpus);
        }
        Set<String> features = new java.util.HashSet<>();
        for (String f : FEATURES) if (rnd.nextBoolean()) features.add(f);
        int r = rnd.nextInt(10);
        NodeState state = r == 0 ? NodeState.DRAIN : r == 1 ? NodeState.DOWN : NodeState.UP;
        return new NodeView(name, cpus, 1000L * (1 + rnd.nextInt(16)), state, gpus, features, 1 + rnd.nextInt(3));
    }

    static Partition partition(Random rnd, String name, List<String> nodes) {
        List<String> some = new ArrayList<>();
        for (String n : nodes) if (rnd.nextBoolean()) some.add(n);
        if (rnd.nextInt(5) == 0) some.add("ghost");
        long max = rnd.nextInt(3) == 0 ? Durations.UNLIMITED : 100 + rnd.nextInt(400);
        long def = rnd.nextInt(3) == 0 ? Durations.UNLIMITED : 50 + rnd.nextInt(100);
        PartitionState[] states = PartitionState.values();
        PartitionState state = rnd.nextInt(6) == 0 ? states[rnd.nextInt(states.length)] : PartitionState.UP;
        return new Partition(name, false, some, max, def, state, rnd.nextInt(3), -1, null, null);
    }

    static QueuedJob job(World w) {
        Random rnd = w.rnd;
        long id = w.nextId++;
        List<String> parts = new ArrayList<>();
        parts.add(w.partitions.get(rnd.nextInt(w.partitions.size())).name());
        if (rnd.nextInt(4) == 0)
            parts.add(w.partitions.get(rnd.nextInt(w.partitions.size())).name());
        if (rnd.nextInt(30) == 0) parts.add("nosuch");
        int cpus = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 16);
        long mem = switch (rnd.nextInt(5)) {
            case 0 -> -2;
            case 1 -> rnd.nextInt(8) == 0 ? 0 : -2;
            default -> 100L * (1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 100));
        };
        long limit = switch (rnd.nextInt(6)) {
            case 0 -> -2;
            case 1 -> Durations.UNLIMITED;
            default -> 10 + rnd.nextInt(600);
        };
        int gpus = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 0;
        String gpuType = gpus > 0 && rnd.nextBoolean() ? Gpu.type(GPU_MODELS[rnd.nextInt(GPU_MODELS.length)]) : null;
        QueuedJob.Placement placement = QueuedJob.Placement.ANY;
        if (rnd.nextInt(4) == 0) {
            Constraint c = rnd.nextBoolean() ? null : Constraint.parse(FEATURES[rnd.nextInt(FEATURES.length)]);
            Set<String> only = rnd.nextInt(4) == 0
                    ? Set.of(w.nodes.get(rnd.nextInt(w.nodes.size())).name())
                    : Set.of();
            Set<String> not = rnd.nextInt(4) == 0
                    ? Set.of(w.nodes.get(rnd.nextInt(w.nodes.size())).name())
                    : Set.of();
            placement = new QueuedJob.Placement(c, only, not, rnd.nextInt(3) == 0);
        }
        // few distinct priorities, so that ties fall to submission order and id
        long priority = rnd.nextInt(rnd.nextBoolean() ? 3 : 1000);
        long submitOrder = rnd.nextInt(10) == 0 ? Math.max(1, id - rnd.nextInt(5)) : id;
        if (!w.pending.isEmpty() && rnd.nextBoolean()) {
            // the same request as another job but for its time limit, as many in a real queue are
            QueuedJob like = w.pending.get(rnd.nextInt(w.pending.size()));
            return new QueuedJob(
                    id,
                    priority,
                    like.partitions(),
                    like.cpus(),
                    like.memMiB(),
                    limit,
                    rnd.nextInt(15) == 0,
                    like.gpus(),
                    like.gpuType(),
                    like.placement(),
                    submitOrder);
        }
        return new QueuedJob(
                id, priority, parts, cpus, mem, limit, rnd.nextInt(15) == 0, gpus, gpuType, placement, submitOrder);
    }

    static SchedulerOptions options(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> SchedulerOptions.FCFS;
            case 1 -> SchedulerOptions.easyBackfill();
            case 2 -> SchedulerOptions.easyBackfill().withoutBackfill();
            case 3 -> new SchedulerOptions(true, 1 + rnd.nextInt(4), rnd.nextInt(6));
            default -> new SchedulerOptions(rnd.nextBoolean(), rnd.nextInt(3), SchedulerOptions.DEFAULT_MAX_JOB_TEST);
        };
    }

    /** One small change, as between two passes of a controller. */
    static void change(World w, Plan last) {
        Random rnd = w.rnd;
        switch (rnd.nextInt(14)) {
            case 0, 1, 2 -> {
                // the plan's starts are committed: they run until their limits
                for (Start s : last.starts()) {
                    w.pending.removeIf(q -> q.id() == s.jobId());
                    long end = s.timeLimitSeconds() < 0 ? Allocation.NO_END : w.now + Math.max(1, s.timeLimitSeconds());
                    w.running.add(new Allocation(s.jobId(), s.node(), s.cpus(), s.memMiB(), s.gpuIds(), end));
                }
            }
            case 3, 4 -> {
                if (!w.running.isEmpty()) w.running.remove(rnd.nextInt(w.running.size()));
            }
            case 5, 6 -> w.pending.add(rnd.nextInt(4) == 0 ? w.pending.size() / 2 : w.pending.size(), job(w));
            case 7 -> {
                int i = rnd.nextInt(w.nodes.size());
                NodeView n = w.nodes.get(i);
                NodeState[] states = {NodeState.UP, NodeState.DRAIN, NodeState.DOWN};
                w.nodes.set(
                        i,
                        rnd.nextBoolean()
                                ? new NodeView(
                                        n.name(),
                                        n.cpus(),
                                        n.memMiB(),
                                        states[rnd.nextInt(3)],
                                        n.gpus(),
                                        n.features(),
                                        n.weight())
                                : new NodeView(
                                        n.name(),
                                        n.cpus(),
                                        n.memMiB(),
                                        n.state(),
                                        n.gpus(),
                                        n.features(),
                                        1 + rnd.nextInt(3)));
            }
            case 8 -> {
                if (!w.pending.isEmpty()) {
                    int i = rnd.nextInt(w.pending.size());
                    QueuedJob q = w.pending.get(i);
                    w.pending.set(
                            i,
                            new QueuedJob(
                                    q.id(),
                                    rnd.nextInt(1000),
                                    q.partitions(),
                                    q.cpus(),
                                    q.memMiB(),
                                    q.timeLimitSeconds(),
                                    rnd.nextBoolean() ? !q.held() : q.held(),
                                    q.gpus(),
                                    q.gpuType(),
                                    q.placement(),
                                    q.submitOrder()));
                }
            }
            case 9 -> {
                // priorities age together, as multifactor's age factor makes them
                w.pending.replaceAll(q -> new QueuedJob(
                        q.id(),
                        q.priority() + 1,
                        q.partitions(),
                        q.cpus(),
                        q.memMiB(),
                        q.timeLimitSeconds(),
                        q.held(),
                        q.gpus(),
                        q.gpuType(),
                        q.placement(),
                        q.submitOrder()));
            }
            case 12 -> {
                // scontrol update: the same job asks for other CPUs, memory or partitions
                if (!w.pending.isEmpty()) {
                    int i = rnd.nextInt(w.pending.size());
                    QueuedJob q = w.pending.get(i);
                    QueuedJob other = job(w);
                    w.pending.set(
                            i,
                            new QueuedJob(
                                    q.id(),
                                    q.priority(),
                                    rnd.nextBoolean() ? other.partitions() : q.partitions(),
                                    rnd.nextBoolean() ? other.cpus() : q.cpus(),
                                    rnd.nextBoolean() ? other.memMiB() : q.memMiB(),
                                    rnd.nextBoolean() ? other.timeLimitSeconds() : q.timeLimitSeconds(),
                                    q.held(),
                                    other.gpus(),
                                    other.gpuType(),
                                    rnd.nextBoolean() ? other.placement() : q.placement(),
                                    rnd.nextBoolean() ? other.submitOrder() : q.submitOrder()));
                }
            }
            case 13 -> {
                // a running job changes in place (its end moves, or it is a new run of the same id elsewhere)
                if (!w.running.isEmpty()) {
                    int i = rnd.nextInt(w.running.size());
                    Allocation a = w.running.get(i);
                    NodeView n = w.nodes.get(rnd.nextInt(w.nodes.size()));
                    List<Integer> gpus = n.gpus().isEmpty()
                            ? List.of()
                            : List.of(n.gpus().get(rnd.nextInt(n.gpus().size())).index());
                    w.running.set(
                            i,
                            rnd.nextBoolean()
                                    ? new Allocation(
                                            a.jobId(), a.node(), a.cpus(), a.memMiB(), a.gpuIds(), end(rnd, w.now))
                                    : new Allocation(
                                            a.jobId(), n.name(), 1 + rnd.nextInt(4), 100, gpus, end(rnd, w.now)));
                }
            }
            case 10 -> {
                int i = rnd.nextInt(w.partitions.size());
                Partition p = w.partitions.get(i);
                PartitionState[] states = PartitionState.values();
                w.partitions.set(
                        i,
                        new Partition(
                                p.name(),
                                p.isDefault(),
                                p.nodes(),
                                p.maxTimeSeconds(),
                                p.defaultTimeSeconds(),
                                states[rnd.nextInt(states.length)],
                                rnd.nextInt(3),
                                p.maxNodes(),
                                null,
                                null));
            }
            default -> {
                if (!w.pending.isEmpty() && rnd.nextInt(3) == 0) w.pending.remove(rnd.nextInt(w.pending.size()));
                if (rnd.nextInt(20) == 0 && !w.pending.isEmpty()) {
                    // a second job of an existing id (a controller bug, but the plan must still match)
                    QueuedJob q = w.pending.get(rnd.nextInt(w.pending.size()));
                    w.pending.add(
                            new QueuedJob(q.id(), rnd.nextInt(3), q.partitions(), 1, 100, q.timeLimitSeconds(), false));
                }
            }
        }
        // time moves on; running jobs past their ends are gone
        w.now += rnd.nextInt(3) == 0 ? rnd.nextInt(200) : 0;
        w.running.removeIf(a -> a.end() <= w.now && rnd.nextBoolean());
    }

    @Test
    void incrementalPassesDecideWhatAFullPassDecides() {
        for (long seed = 0; seed < 400; seed++) {
            World w = generate(seed);
            Random rnd = w.rnd;
            SchedulerOptions options = options(rnd);
            IncrementalScheduler incremental = new IncrementalScheduler();
            for (int step = 0; step < 25; step++) {
                Snapshot snap = rnd.nextInt(3) == 0 ? w.rebuiltSnapshot() : w.snapshot();
                if (rnd.nextInt(8) == 0) options = options(rnd);
                Plan expected = ReferenceScheduler.plan(snap, options);
                Plan fresh = Scheduler.plan(snap, options);
                Plan kept = incremental.plan(snap, options);
                String where = "seed " + seed + " step " + step + " " + options;
                assertThat(fresh).as("fresh pass, " + where).isEqualTo(expected);
                assertThat(kept).as("incremental pass, " + where).isEqualTo(expected);
                assertThat(kept.reasons()).as(where).isEqualTo(Map.copyOf(expected.reasons()));
                change(w, kept);
            }
        }
    }

    @Test
    void aPlansReasonsAreAnOrdinaryImmutableMap() {
        World w = generate(7);
        Plan plan = new IncrementalScheduler().plan(w.snapshot(), SchedulerOptions.FCFS);
        Map<Long, PendingReason> copy = Map.copyOf(plan.reasons());
        assertThat(plan.reasons()).isEqualTo(copy).hasSameHashCodeAs(copy).hasSize(copy.size());
        copy.forEach((id, why) -> assertThat(plan.reasons().get(id)).isEqualTo(why));
        assertThat(plan.reasons().get("1")).isNull();
        assertThat(plan.reasons().containsKey(-12345L)).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plan.reasons().put(1L, PendingReason.Priority))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
