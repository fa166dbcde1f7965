package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.PendingReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    static final Partition MAIN = Partition.allNodes("main", true);

    static QueuedJob job(long id, int cpus, long mem) {
        return new QueuedJob(id, 1000 - id, List.of("main"), cpus, mem, -2, false);
    }

    static Snapshot snap(List<NodeView> nodes, List<Allocation> running, List<QueuedJob> pending) {
        return new Snapshot(nodes, List.of(MAIN), running, pending, 0, 0);
    }

    @Test
    void startsJobsInSubmissionOrderOnTheFirstNodeWhereTheyFit() {
        List<NodeView> nodes =
                List.of(new NodeView("b", 2, 2000, NodeState.UP), new NodeView("a", 1, 1000, NodeState.UP));
        Plan plan = Scheduler.plan(snap(nodes, List.of(), List.of(job(2, 1, 500), job(1, 1, 500), job(3, 2, 500))));
        assertThat(plan.starts())
                .extracting(Start::jobId, Start::node)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, "a"), org.assertj.core.groups.Tuple.tuple(2L, "b"));
        assertThat(plan.reasons()).containsEntry(3L, PendingReason.Resources);
    }

    @Test
    void jobsBehindABlockedJobWaitWithReasonPriority() {
        List<NodeView> nodes = List.of(new NodeView("a", 2, 2000, NodeState.UP));
        List<Allocation> running = List.of(new Allocation(9, "a", 1, 100));
        Plan plan = Scheduler.plan(snap(nodes, running, List.of(job(1, 2, 100), job(2, 1, 100))));
        assertThat(plan.starts()).isEmpty();
        assertThat(plan.reasons()).containsEntry(1L, PendingReason.Resources).containsEntry(2L, PendingReason.Priority);
    }

    @Test
    void memoryIsAResourceAndAJobWithoutARequestGetsAPerCpuShare() {
        List<NodeView> nodes = List.of(new NodeView("a", 4, 4000, NodeState.UP));
        Plan plan = Scheduler.plan(snap(nodes, List.of(), List.of(job(1, 1, 3500), job(2, 1, -2), job(3, 1, -2))));
        assertThat(plan.starts()).extracting(Start::jobId).containsExactly(1L);
        assertThat(plan.reasons()).containsEntry(2L, PendingReason.Resources);
        Plan shares = Scheduler.plan(snap(nodes, List.of(), List.of(job(2, 1, -2), job(3, 2, -2))));
        assertThat(shares.starts()).extracting(Start::memMiB).containsExactly(1000L, 2000L);
    }

    @Test
    void heldJobsDownNodesPartitionStateAndTimeLimits() {
        List<NodeView> nodes =
                List.of(new NodeView("a", 1, 1000, NodeState.DOWN), new NodeView("b", 1, 1000, NodeState.UP));
        Partition limited = new Partition("short", false, null, 60, -1, PartitionState.UP);
        Partition down = new Partition("off", false, null, -1, -1, PartitionState.DOWN);
        QueuedJob held = new QueuedJob(1, 999, List.of("main"), 1, 100, -2, true);
        QueuedJob tooLong = new QueuedJob(2, 998, List.of("short"), 1, 100, 120, false);
        QueuedJob toDown = new QueuedJob(3, 997, List.of("off"), 1, 100, -2, false);
        QueuedJob fits = new QueuedJob(4, 996, List.of("short"), 1, 100, 60, false);
        Plan plan = Scheduler.plan(new Snapshot(
                nodes, List.of(MAIN, limited, down), List.of(), List.of(held, tooLong, toDown, fits), 0, 0));
        assertThat(plan.starts())
                .extracting(Start::jobId, Start::node, Start::timeLimitSeconds)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(4L, "b", 60L));
        assertThat(plan.reasons())
                .containsEntry(1L, PendingReason.JobHeldUser)
                .containsEntry(2L, PendingReason.PartitionTimeLimit)
                .containsEntry(3L, PendingReason.PartitionDown);
    }

    @Test
    void aJobNamingSeveralPartitionsRunsInTheFirstThatCanStartIt() {
        List<NodeView> nodes =
                List.of(new NodeView("a", 1, 1000, NodeState.UP), new NodeView("b", 1, 1000, NodeState.UP));
        Partition pa = new Partition("pa", true, List.of("a"), -1, -1, PartitionState.UP);
        Partition pb = new Partition("pb", false, List.of("b"), -1, -1, PartitionState.UP);
        List<Allocation> running = List.of(new Allocation(9, "a", 1, 10));
        QueuedJob j = new QueuedJob(1, 1, List.of("pa", "pb"), 1, 10, -2, false);
        Plan plan = Scheduler.plan(new Snapshot(nodes, List.of(pa, pb), running, List.of(j), 0, 0));
        assertThat(plan.starts())
                .extracting(Start::partition, Start::node)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pb", "b"));
    }

    /** Property: on random clusters and queues, no node is ever given more CPUs or memory than it has. */
    @RepeatedTest(50)
    void neverOverAllocatesANode(org.junit.jupiter.api.RepetitionInfo info) {
        Random rnd = new Random(1000 + info.getCurrentRepetition());
        List<NodeView> nodes = new ArrayList<>();
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            nodes.add(new NodeView(
                    "n" + i,
                    1 + rnd.nextInt(16),
                    512 + rnd.nextInt(8192),
                    rnd.nextInt(5) == 0 ? NodeState.DOWN : NodeState.UP));
        }
        List<Allocation> running = new ArrayList<>();
        for (NodeView node : nodes) {
            if (rnd.nextBoolean())
                running.add(new Allocation(
                        10_000 + running.size(), node.name(), 1 + rnd.nextInt(node.cpus()), rnd.nextInt((int)
                                node.memMiB())));
        }
        List<QueuedJob> pending = new ArrayList<>();
        for (int i = 0; i < 1 + rnd.nextInt(60); i++) {
            pending.add(new QueuedJob(
                    i,
                    rnd.nextInt(5),
                    List.of("main"),
                    1 + rnd.nextInt(8),
                    rnd.nextBoolean() ? -2 : rnd.nextInt(4096),
                    -2,
                    rnd.nextInt(10) == 0));
        }
        Plan plan = Scheduler.plan(snap(nodes, running, pending));
        Map<String, Integer> cpus = new HashMap<>();
        Map<String, Long> mem = new HashMap<>();
        running.forEach(a -> {
            cpus.merge(a.node(), a.cpus(), Integer::sum);
            mem.merge(a.node(), a.memMiB(), Long::sum);
        });
        for (Start s : plan.starts()) {
            cpus.merge(s.node(), s.cpus(), Integer::sum);
            mem.merge(s.node(), s.memMiB(), Long::sum);
            assertThat(nodes.stream()
                            .filter(x -> x.name().equals(s.node()))
                            .findFirst()
                            .orElseThrow()
                            .state())
                    .isEqualTo(NodeState.UP);
        }
        for (NodeView node : nodes) {
            if (plan.starts().stream().noneMatch(s -> s.node().equals(node.name()))) continue;
            assertThat(cpus.get(node.name())).isLessThanOrEqualTo(node.cpus());
            assertThat(mem.get(node.name())).isLessThanOrEqualTo(node.memMiB());
        }
        // every pending job is either started or has a reason, never both
        for (QueuedJob j : pending) {
            boolean started = plan.starts().stream().anyMatch(s -> s.jobId() == j.id());
            assertThat(started).isNotEqualTo(plan.reasons().containsKey(j.id()));
        }
    }
}
