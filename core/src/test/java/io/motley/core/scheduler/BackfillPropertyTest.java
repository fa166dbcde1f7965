package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The backfill guarantee on seeded random workloads (the seed in a failure reproduces it), driven
 * through time by a small event loop: a job
 * that holds a reservation never starts later than that reservation, and no node is ever given
 * more CPUs, memory or GPUs than it has. Jobs' priorities fall with submission order, so every
 * job that starts ahead of a reserved one does so by backfilling.
 */
class BackfillPropertyTest {

    /** A random workload on a random heterogeneous cluster. */
    record Workload(List<NodeView> nodes, List<Partition> partitions, List<Spec> jobs, int reservations) {}

    /** A job: when it arrives, what it asks for, its time limit and how long it really runs (never longer). */
    record Spec(
            long id,
            long submit,
            int cpus,
            long mem,
            int gpus,
            long limit,
            long run,
            List<String> partitions,
            boolean exclusive) {}

    static Workload generate(Random rnd, int nodeCount, int jobCount, int depth, boolean exactRuns) {
        List<NodeView> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            int cpus = 1 + rnd.nextInt(8);
            List<Gpu> gpus = new ArrayList<>();
            if (rnd.nextInt(3) == 0) {
                for (int g = 0; g < 1 + rnd.nextInt(2); g++) gpus.add(new Gpu(g, "a100", 40960, "GPU-" + i + "-" + g));
            }
            nodes.add(new NodeView(
                    "n" + i,
                    cpus,
                    1000L * (1 + rnd.nextInt(8)),
                    NodeState.UP,
                    gpus,
                    java.util.Set.of(),
                    1 + rnd.nextInt(3)));
        }
        List<String> half = nodes.subList(0, Math.max(1, nodeCount / 2)).stream()
                .map(NodeView::name)
                .toList();
        List<Partition> partitions =
                List.of(Partition.allNodes("all", true), new Partition("half", false, half, -1, -1, PartitionState.UP));
        List<Spec> jobs = new ArrayList<>();
        long t = 0;
        for (int j = 0; j < jobCount; j++) {
            t += rnd.nextInt(3) == 0 ? rnd.nextInt(50) : 0;
            NodeView some = nodes.get(rnd.nextInt(nodeCount));
            int cpus = 1 + rnd.nextInt(some.cpus());
            long mem = rnd.nextInt(4) == 0 ? -2 : 100L * (1 + rnd.nextInt((int) (some.memMiB() / 100)));
            int gpus = some.gpus().isEmpty() || rnd.nextInt(3) > 0
                    ? 0
                    : 1 + rnd.nextInt(some.gpus().size());
            long limit = 10L * (1 + rnd.nextInt(30));
            long run = exactRuns ? limit : 1 + rnd.nextInt((int) limit);
            List<String> parts = switch (rnd.nextInt(4)) {
                case 0 -> List.of("half");
                case 1 -> List.of("half", "all");
                default -> List.of("all");
            };
            if (parts.equals(List.of("half")) && !half.contains(some.name())) parts = List.of("all");
            jobs.add(new Spec(j + 1, t, cpus, mem, gpus, limit, run, parts, rnd.nextInt(10) == 0));
        }
        return new Workload(nodes, partitions, jobs, depth);
    }

    /** A random workload from a seed: 1-6 nodes, 5-60 jobs, 1-3 reservations, run times exact or shorter. */
    static Workload workload(long seed) {
        Random rnd = new Random(seed);
        return generate(rnd, 1 + rnd.nextInt(6), 5 + rnd.nextInt(56), 1 + rnd.nextInt(3), rnd.nextBoolean());
    }

    @Test
    void aReservedJobNeverStartsAfterItsReservation() {
        for (long seed = 0; seed < 500; seed++) {
            try {
                aReservedJobNeverStartsAfterItsReservation(workload(seed));
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private void aReservedJobNeverStartsAfterItsReservation(Workload w) {
        // With jobs ending early, a reservation made lower in the list may be overtaken by one above it
        // moving to its node; the top reservation (EASY) and every reservation under exact run times
        // must hold all the same.
        boolean exact = w.jobs().stream().allMatch(s -> s.run() == s.limit());
        SchedulerOptions options =
                new SchedulerOptions(true, exact ? w.reservations() : 1, SchedulerOptions.DEFAULT_MAX_JOB_TEST);
        Outcome out = simulate(w, options);
        out.firstReservation.forEach((id, at) -> assertThat(out.startedAt.get(id))
                .as("job %d reserved for %d", id, at)
                .isNotNull()
                .isLessThanOrEqualTo(at));
        assertThat(out.startedAt).hasSize(w.jobs().size());
    }

    @Test
    void noPassOverAllocatesANode() {
        for (long seed = 1000; seed < 1300; seed++) {
            try {
                noPassOverAllocatesANode(workload(seed));
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private void noPassOverAllocatesANode(Workload w) {
        // checked inside simulate after every pass
        simulate(w, new SchedulerOptions(true, w.reservations(), SchedulerOptions.DEFAULT_MAX_JOB_TEST));
        simulate(w, SchedulerOptions.easyBackfill().withoutBackfill());
        simulate(w, SchedulerOptions.FCFS);
    }

    /** Outcome of a run: when each job started, and each job's first reservation. */
    static final class Outcome {
        final Map<Long, Long> startedAt = new HashMap<>();
        final Map<Long, Long> firstReservation = new HashMap<>();
        int backfilled;
    }

    private record Running(Spec spec, Start start, long at) {}

    static Outcome simulate(Workload w, SchedulerOptions options) {
        Outcome out = new Outcome();
        Map<String, NodeView> byName = new HashMap<>();
        w.nodes().forEach(n -> byName.put(n.name(), n));
        List<Spec> waiting = new ArrayList<>();
        List<Running> running = new ArrayList<>();
        int next = 0;
        long now = 0;
        for (int step = 0; step < 10_000; step++) {
            long arrival = next < w.jobs().size() ? w.jobs().get(next).submit() : Long.MAX_VALUE;
            long end = running.stream()
                    .mapToLong(r -> r.at() + r.spec().run())
                    .min()
                    .orElse(Long.MAX_VALUE);
            now = Math.min(arrival, end);
            if (now == Long.MAX_VALUE) break;
            final long t = now;
            running.removeIf(r -> r.at() + r.spec().run() <= t);
            while (next < w.jobs().size() && w.jobs().get(next).submit() <= now)
                waiting.add(w.jobs().get(next++));
            List<QueuedJob> pending = new ArrayList<>();
            for (Spec s : waiting) {
                pending.add(new QueuedJob(
                        s.id(),
                        1_000_000 - s.id(),
                        s.partitions(),
                        s.cpus(),
                        s.mem(),
                        s.limit(),
                        false,
                        s.gpus(),
                        null,
                        new QueuedJob.Placement(null, null, null, s.exclusive())));
            }
            List<Allocation> allocs = running.stream()
                    .map(r -> new Allocation(
                            r.spec().id(),
                            r.start().node(),
                            r.start().cpus(),
                            r.start().memMiB(),
                            r.start().gpuIds(),
                            r.at() + r.spec().limit()))
                    .toList();
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
                if (waiting.stream().anyMatch(x -> x.id() < s.jobId())) out.backfilled++;
            }
            for (NodeView n : w.nodes()) {
                List<Running> here = running.stream()
                        .filter(r -> r.start().node().equals(n.name()))
                        .toList();
                assertThat(here.stream().mapToInt(r -> r.start().cpus()).sum()).isLessThanOrEqualTo(n.cpus());
                assertThat(here.stream().mapToLong(r -> r.start().memMiB()).sum())
                        .isLessThanOrEqualTo(n.memMiB());
                List<Integer> gpus =
                        here.stream().flatMap(r -> r.start().gpuIds().stream()).toList();
                assertThat(gpus).doesNotHaveDuplicates();
                assertThat(gpus.size()).isLessThanOrEqualTo(n.gpus().size());
            }
            if (next == w.jobs().size() && waiting.isEmpty() && running.isEmpty()) break;
        }
        return out;
    }
}
