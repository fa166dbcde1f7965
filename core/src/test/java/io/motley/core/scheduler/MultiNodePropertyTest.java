package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.Job;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's guarantees on seeded random workloads mixing single- and multi-node jobs (the
 * seed in a failure reproduces it), driven through time as {@link BackfillPropertyTest} drives
 * them: no node is ever given more than it has, a multi-node job holds all its nodes from one
 * instant (each node once, as many as it asked for), and a job holding a reservation never
 * starts later than it.
 */
class MultiNodePropertyTest {

    record Spec(
            long id,
            long submit,
            QueuedJob.Span span,
            int cpus,
            long mem,
            int gpus,
            long limit,
            long run,
            List<String> partitions,
            Set<String> only,
            boolean exclusive) {}

    record Workload(List<NodeView> nodes, List<Partition> partitions, List<Spec> jobs, int reservations) {}

    static Workload workload(long seed) {
        Random rnd = new Random(seed);
        int nodeCount = 2 + rnd.nextInt(6);
        List<NodeView> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            List<Gpu> gpus = new ArrayList<>();
            if (rnd.nextInt(3) == 0) gpus.add(new Gpu(0, "a100", 40960, "GPU-" + i));
            nodes.add(new NodeView(
                    "n" + i, 2 + rnd.nextInt(7), 1000L * (2 + rnd.nextInt(6)), NodeState.UP, gpus, Set.of(), 1));
        }
        List<String> half = nodes.subList(0, Math.max(2, nodeCount / 2)).stream()
                .map(NodeView::name)
                .toList();
        List<Partition> partitions =
                List.of(Partition.allNodes("all", true), new Partition("half", false, half, -1, -1, PartitionState.UP));
        List<Spec> jobs = new ArrayList<>();
        long t = 0;
        int jobCount = 5 + rnd.nextInt(40);
        for (int j = 0; j < jobCount; j++) {
            t += rnd.nextInt(3) == 0 ? rnd.nextInt(50) : 0;
            List<String> parts = rnd.nextInt(4) == 0 ? List.of("half") : List.of("all");
            int members = parts.equals(List.of("half")) ? half.size() : nodeCount;
            boolean multi = rnd.nextInt(3) > 0;
            QueuedJob.Span span = QueuedJob.Span.ONE;
            int cpus = 1 + rnd.nextInt(2);
            Set<String> only = Set.of();
            if (multi) {
                int min = 1 + rnd.nextInt(Math.min(3, members));
                int max = min + rnd.nextInt(Math.min(2, members - min + 1));
                boolean given = rnd.nextInt(4) > 0;
                int perNode = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(2) : 0;
                int tasks = given ? min + rnd.nextInt(min * 2) : 0;
                if (perNode > 0 && given) tasks = Math.min(tasks, perNode * max);
                if (given && tasks < min) tasks = min;
                span = new QueuedJob.Span(min, max, tasks, 1, perNode, given, rnd.nextInt(4) == 0);
                cpus = Math.max(1, tasks);
                if (rnd.nextInt(5) == 0)
                    only = Set.of(parts.equals(List.of("half")) ? half.get(0) : "n" + (nodeCount - 1));
            }
            long mem = rnd.nextInt(3) == 0 ? -2 : 100L * (1 + rnd.nextInt(10));
            int gpus = rnd.nextInt(6) == 0 ? 1 : 0;
            long limit = 10L * (1 + rnd.nextInt(30));
            long run = rnd.nextBoolean() ? limit : 1 + rnd.nextInt((int) limit);
            Spec spec = new Spec(j + 1, t, span, cpus, mem, gpus, limit, run, parts, only, rnd.nextInt(10) == 0);
            // only jobs the cluster could run when empty: the others wait forever, by design
            if (!Scheduler.plan(new Snapshot(nodes, partitions, List.of(), List.of(queued(spec)), 0, 0))
                    .starts()
                    .isEmpty()) jobs.add(spec);
        }
        return new Workload(nodes, partitions, jobs, 1 + rnd.nextInt(3));
    }

    static QueuedJob queued(Spec s) {
        return new QueuedJob(
                s.id(),
                1_000_000 - s.id(),
                s.partitions(),
                s.cpus(),
                s.mem(),
                s.limit(),
                false,
                s.gpus(),
                null,
                new QueuedJob.Placement(null, s.only(), null, s.exclusive(), s.span()));
    }

    private record Running(Spec spec, Start start, long at) {}

    static final class Outcome {
        final Map<Long, Long> startedAt = new HashMap<>();
        final Map<Long, Long> firstReservation = new HashMap<>();
        int multiStarted;
    }

    static Outcome simulate(Workload w, SchedulerOptions options) {
        Outcome out = new Outcome();
        List<Spec> waiting = new ArrayList<>();
        List<Running> running = new ArrayList<>();
        int next = 0;
        for (int step = 0; step < 10_000; step++) {
            long arrival = next < w.jobs().size() ? w.jobs().get(next).submit() : Long.MAX_VALUE;
            long end = running.stream()
                    .mapToLong(r -> r.at() + r.spec().run())
                    .min()
                    .orElse(Long.MAX_VALUE);
            long now = Math.min(arrival, end);
            if (now == Long.MAX_VALUE) break;
            running.removeIf(r -> r.at() + r.spec().run() <= now);
            while (next < w.jobs().size() && w.jobs().get(next).submit() <= now)
                waiting.add(w.jobs().get(next++));
            List<QueuedJob> pending = new ArrayList<>();
            for (Spec s : waiting) pending.add(queued(s));
            List<Allocation> allocs = new ArrayList<>();
            for (Running r : running)
                allocs.addAll(r.start().allocations(r.at() + r.spec().limit()));
            Plan plan = Scheduler.plan(new Snapshot(w.nodes(), w.partitions(), allocs, pending, 0, now), options);
            plan.reservations().forEach((id, r) -> out.firstReservation.putIfAbsent(id, r.start()));
            for (Start s : plan.starts()) {
                Spec spec = waiting.stream()
                        .filter(x -> x.id() == s.jobId())
                        .findFirst()
                        .orElseThrow();
                waiting.remove(spec);
                running.add(new Running(spec, s, now));
                out.startedAt.put(s.jobId(), now);
                List<String> held =
                        s.parts().stream().map(Job.Allocation.Part::node).toList();
                assertThat(new HashSet<>(held)).as("job %d nodes", s.jobId()).hasSameSizeAs(held);
                assertThat(held.size())
                        .as("job %d node count", s.jobId())
                        .isBetween(spec.span().minNodes(), spec.span().maxNodes());
                assertThat(held).as("job %d holds its -w nodes", s.jobId()).containsAll(spec.only());
                if (spec.span().tasksGiven() && spec.span().multiNode())
                    assertThat(s.cpus())
                            .as("job %d CPUs", s.jobId())
                            .isGreaterThanOrEqualTo(spec.span().tasks());
                if (held.size() > 1) out.multiStarted++;
            }
            for (NodeView n : w.nodes()) {
                List<Job.Allocation.Part> here = running.stream()
                        .flatMap(r -> r.start().parts().stream())
                        .filter(p -> p.node().equals(n.name()))
                        .toList();
                assertThat(here.stream().mapToInt(Job.Allocation.Part::cpus).sum())
                        .as("CPUs on %s at %d", n.name(), now)
                        .isLessThanOrEqualTo(n.cpus());
                assertThat(here.stream().mapToLong(Job.Allocation.Part::memMiB).sum())
                        .as("memory on %s at %d", n.name(), now)
                        .isLessThanOrEqualTo(n.memMiB());
                List<Integer> gpus =
                        here.stream().flatMap(p -> p.gpuIds().stream()).toList();
                assertThat(gpus).doesNotHaveDuplicates();
                assertThat(gpus.size()).isLessThanOrEqualTo(n.gpus().size());
            }
            if (next == w.jobs().size() && waiting.isEmpty() && running.isEmpty()) break;
        }
        return out;
    }

    @Test
    void noPassOverAllocatesANodeAndAMultiNodeJobHoldsAllItsNodesAtOnce() {
        int multi = 0;
        for (long seed = 0; seed < 300; seed++) {
            Workload w = workload(seed);
            try {
                multi += simulate(
                                w, new SchedulerOptions(true, w.reservations(), SchedulerOptions.DEFAULT_MAX_JOB_TEST))
                        .multiStarted;
                simulate(w, SchedulerOptions.FCFS);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
        assertThat(multi).as("multi-node jobs started").isGreaterThan(100);
    }

    @Test
    void aReservedJobNeverStartsAfterItsReservation() {
        for (long seed = 500; seed < 800; seed++) {
            Workload w = workload(seed);
            // exact run times: every reservation must hold; shorter ones: the top one (EASY)
            Workload exact = new Workload(
                    w.nodes(),
                    w.partitions(),
                    w.jobs().stream()
                            .map(s -> new Spec(
                                    s.id(),
                                    s.submit(),
                                    s.span(),
                                    s.cpus(),
                                    s.mem(),
                                    s.gpus(),
                                    s.limit(),
                                    s.limit(),
                                    s.partitions(),
                                    s.only(),
                                    s.exclusive()))
                            .toList(),
                    w.reservations());
            try {
                check(exact, new SchedulerOptions(true, w.reservations(), SchedulerOptions.DEFAULT_MAX_JOB_TEST));
                check(w, new SchedulerOptions(true, 1, SchedulerOptions.DEFAULT_MAX_JOB_TEST));
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static void check(Workload w, SchedulerOptions options) {
        Outcome out = simulate(w, options);
        out.firstReservation.forEach((id, at) -> assertThat(out.startedAt.get(id))
                .as("job %d reserved for %d", id, at)
                .isNotNull()
                .isLessThanOrEqualTo(at));
        assertThat(out.startedAt).hasSize(w.jobs().size());
    }
}
