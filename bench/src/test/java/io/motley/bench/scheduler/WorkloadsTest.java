package io.motley.bench.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.job.PendingReason;
import io.motley.core.scheduler.Allocation;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.QueuedJob;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.Snapshot;
import io.motley.core.scheduler.Start;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The benchmark's input is what it claims to be, and the scheduler does real work on it. */
class WorkloadsTest {
    static final Workloads.Workload W = Workloads.generate(42, 500, 5000);

    @Test
    void theSameSeedGivesTheSameWorkload() {
        assertThat(Workloads.generate(42, 500, 5000)).isEqualTo(W);
        assertThat(Workloads.generate(43, 500, 5000).nodes()).isNotEqualTo(W.nodes());
    }

    @Test
    void theClusterIsHeterogeneous() {
        List<NodeView> nodes = W.nodes();
        assertThat(nodes).hasSize(500);
        assertThat(nodes.get(0).name()).isEqualTo("n00001");
        assertThat(nodes.stream().map(NodeView::name).distinct()).hasSize(500);
        assertThat(nodes.stream().map(NodeView::cpus).collect(Collectors.toSet()))
                .hasSizeGreaterThanOrEqualTo(6)
                .contains(4, 128);
        assertThat(nodes.stream().map(n -> n.memMiB() / n.cpus()).collect(Collectors.toSet()))
                .hasSizeGreaterThanOrEqualTo(4);
        assertThat(nodes.stream().map(NodeView::weight).collect(Collectors.toSet()))
                .hasSizeGreaterThanOrEqualTo(4);
        Set<String> features =
                nodes.stream().flatMap(n -> n.features().stream()).collect(Collectors.toSet());
        assertThat(features).contains("linux", "x86_64", "aarch64", "intel", "amd", "ib", "ssd", "bigmem");
        assertThat(nodes.stream().filter(n -> !n.gpus().isEmpty()).count()).isBetween(25L, 75L);
        assertThat(nodes.stream()
                        .flatMap(n -> n.gpus().stream())
                        .map(g -> g.type())
                        .collect(Collectors.toSet()))
                .hasSize(3);
        assertThat(nodes).anyMatch(n -> n.state() == NodeState.DRAIN).anyMatch(n -> n.state() == NodeState.DOWN);
        assertThat(nodes.stream().filter(NodeView::schedulable).count()).isGreaterThan(450L);
        assertThat(W.classes().values()).containsAll(List.of(Workloads.NodeClass.values()));
    }

    @Test
    void partitionsOverlapAndOneIsTheDefault() {
        List<Partition> ps = W.partitions();
        assertThat(ps)
                .filteredOn(Partition::isDefault)
                .singleElement()
                .extracting(Partition::name)
                .isEqualTo("batch");
        Map<String, Integer> membership = new HashMap<>();
        for (Partition p : ps) {
            if (p.nodes() == null) continue;
            assertThat(p.nodes()).isNotEmpty();
            for (String n : p.nodes()) membership.merge(n, 1, Integer::sum);
        }
        assertThat(membership).hasSize(500);
        assertThat(membership.values()).contains(2, 3);
        assertThat(ps).anyMatch(p -> p.nodes() == null);
        assertThat(ps.stream().map(Partition::priorityTier).collect(Collectors.toSet()))
                .hasSize(3);
    }

    @Test
    void theQueueIsLongAndVaried() {
        List<QueuedJob> q = W.pending();
        assertThat(q).hasSize(5000);
        assertThat(q.stream().map(QueuedJob::id).distinct()).hasSize(5000);
        assertThat(q.stream().filter(QueuedJob::held).count()).isBetween(50L, 300L);
        assertThat(q.stream().filter(j -> j.placement().constraint() != null).count())
                .isGreaterThan(200L);
        assertThat(q.stream().filter(j -> j.placement().exclusive()).count()).isPositive();
        assertThat(q.stream().filter(j -> j.gpus() > 0).count()).isGreaterThan(200L);
        assertThat(q.stream().filter(j -> j.gpus() > 0 && j.gpuType() != null).count())
                .isPositive();
        assertThat(q.stream().filter(j -> j.partitions().size() > 1).count()).isGreaterThan(100L);
        assertThat(q.stream().flatMap(j -> j.partitions().stream()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(
                        W.partitions().stream().map(Partition::name).toList());
        assertThat(q.stream().map(QueuedJob::cpus).collect(Collectors.toSet())).hasSizeGreaterThanOrEqualTo(7);
        assertThat(q.stream().map(QueuedJob::priority).distinct().count()).isGreaterThan(4000L);
        assertThat(q)
                .anyMatch(j -> j.memMiB() == -2)
                .anyMatch(j -> j.memMiB() > 0)
                .anyMatch(j -> j.timeLimitSeconds() == -2);
    }

    @Test
    void theRunningSetFillsMostOfTheClusterWithoutOverAllocating() {
        Map<String, NodeView> byName = W.nodes().stream().collect(Collectors.toMap(NodeView::name, n -> n));
        long upCpus = W.nodes().stream()
                .filter(NodeView::schedulable)
                .mapToLong(NodeView::cpus)
                .sum();
        long usedOnUp = W.running().stream()
                .filter(a -> byName.get(a.node()).schedulable())
                .mapToLong(Allocation::cpus)
                .sum();
        assertThat((double) usedOnUp / upCpus).isBetween(0.75, 0.97);
        assertThat(W.running()).noneMatch(a -> byName.get(a.node()).state() == NodeState.DOWN);
        checkNoNodeOverAllocated(W.snapshot(), List.of());
    }

    @Test
    void aPassStartsSomeJobsAndNeverOverAllocatesANode() {
        for (Snapshot snap : List.of(W.snapshot(), W.afterOneJobEnds())) {
            Plan plan = Scheduler.plan(snap);
            assertThat(plan.starts()).hasSizeGreaterThan(20);
            assertThat(plan.starts().size() + plan.reasons().size()).isEqualTo(5000);
            // the queue is not trivially placeable: most jobs wait, for resources or behind a blocked partition
            assertThat(plan.reasons().values())
                    .contains(PendingReason.Resources, PendingReason.Priority, PendingReason.JobHeldUser);
            assertThat(plan.starts()).hasSizeLessThan(2500);
            checkNoNodeOverAllocated(snap, plan.starts());
            Map<String, NodeView> byName = snap.nodes().stream().collect(Collectors.toMap(NodeView::name, n -> n));
            Map<String, Partition> parts =
                    snap.partitions().stream().collect(Collectors.toMap(Partition::name, p -> p));
            Map<Long, QueuedJob> jobs = snap.pending().stream().collect(Collectors.toMap(QueuedJob::id, j -> j));
            for (Start s : plan.starts()) {
                QueuedJob j = jobs.get(s.jobId());
                assertThat(byName.get(s.node()).schedulable()).isTrue();
                assertThat(j.partitions()).contains(s.partition());
                assertThat(parts.get(s.partition()).contains(s.node())).isTrue();
                assertThat(j.placement().accepts(byName.get(s.node()))).isTrue();
            }
        }
    }

    @Test
    void afterOneJobEndsLacksExactlyThatAllocation() {
        Snapshot after = W.afterOneJobEnds();
        Allocation ended = W.endingJob();
        assertThat(after.running()).hasSize(W.running().size() - 1).doesNotContain(ended);
        assertThat(after.pending()).isEqualTo(W.pending());
    }

    @Test
    void theOverAllocationCheckCatchesAStartThatDoesNotFit() {
        NodeView n = W.nodes().get(0);
        Start tooBig = new Start(1, "batch", n.name(), n.cpus(), 1, 60, List.of());
        assertThatThrownBy(() -> checkNoNodeOverAllocated(W.snapshot(), List.of(tooBig)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("CPUs of " + n.name());
    }

    /** Sum of running allocations and planned starts stays within each node's CPUs, memory and GPUs. */
    static void checkNoNodeOverAllocated(Snapshot snap, List<Start> starts) {
        Map<String, long[]> used = new HashMap<>();
        Map<String, Set<Integer>> gpus = new HashMap<>();
        for (Allocation a : snap.running()) {
            long[] u = used.computeIfAbsent(a.node(), k -> new long[2]);
            u[0] += a.cpus();
            u[1] += a.memMiB();
            for (int g : a.gpuIds())
                assertThat(gpus.computeIfAbsent(a.node(), k -> new HashSet<>()).add(g))
                        .isTrue();
        }
        for (Start s : starts) {
            long[] u = used.computeIfAbsent(s.node(), k -> new long[2]);
            u[0] += s.cpus();
            u[1] += s.memMiB();
            for (int g : s.gpuIds()) {
                assertThat(gpus.computeIfAbsent(s.node(), k -> new HashSet<>()).add(g))
                        .as("GPU %d of %s given twice", g, s.node())
                        .isTrue();
            }
        }
        for (NodeView n : snap.nodes()) {
            long[] u = used.getOrDefault(n.name(), new long[2]);
            assertThat(u[0]).as("CPUs of %s", n.name()).isLessThanOrEqualTo(n.cpus());
            assertThat(u[1]).as("memory of %s", n.name()).isLessThanOrEqualTo(n.memMiB());
            Set<Integer> ids = n.gpus().stream().map(g -> g.index()).collect(Collectors.toSet());
            assertThat(ids).containsAll(gpus.getOrDefault(n.name(), Set.of()));
        }
    }
}
