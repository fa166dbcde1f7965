package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.job.Job;
import io.motley.core.job.PendingReason;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Jobs over several nodes: node counts and ranges, tasks per node, -w, -x, --exclusive, --spread-job, backfill. */
class MultiNodeTest {
    static final List<NodeView> FOUR = List.of(
            new NodeView("n1", 4, 4000, NodeState.UP),
            new NodeView("n2", 4, 4000, NodeState.UP),
            new NodeView("n3", 4, 4000, NodeState.UP),
            new NodeView("n4", 4, 4000, NodeState.UP));

    static QueuedJob.Span span(int min, int max, int tasks, int perNode, boolean spread) {
        return new QueuedJob.Span(min, max, tasks, 1, perNode, tasks > 0, spread);
    }

    static QueuedJob job(long id, long limit, QueuedJob.Span s, Set<String> only, Set<String> not, boolean exclusive) {
        return new QueuedJob(
                id,
                100 - id,
                List.of("main"),
                Math.max(1, s.tasks()),
                -2,
                limit,
                false,
                0,
                null,
                new QueuedJob.Placement(null, only, not, exclusive, s));
    }

    static QueuedJob job(long id, QueuedJob.Span s) {
        return job(id, 100, s, Set.of(), Set.of(), false);
    }

    static Plan plan(SchedulerOptions o, List<Allocation> running, QueuedJob... jobs) {
        return Scheduler.plan(
                new Snapshot(FOUR, List.of(Partition.allNodes("main", true)), running, List.of(jobs), 0, 0), o);
    }

    static Plan plan(List<Allocation> running, QueuedJob... jobs) {
        return plan(SchedulerOptions.FCFS, running, jobs);
    }

    static List<String> nodes(Start s) {
        return s.parts().stream().map(Job.Allocation.Part::node).toList();
    }

    static List<Integer> cpus(Start s) {
        return s.parts().stream().map(Job.Allocation.Part::cpus).toList();
    }

    @Test
    void aJobOfThreeNodesAndSixTasksGetsTwoCpusOnEach() {
        Start s = plan(List.of(), job(1, span(3, 3, 6, 0, false))).starts().get(0);
        assertThat(nodes(s)).containsExactly("n1", "n2", "n3");
        assertThat(cpus(s)).containsExactly(2, 2, 2);
        assertThat(s.node()).isEqualTo("n1");
        assertThat(s.cpus()).isEqualTo(6);
        assertThat(s.memMiB()).isEqualTo(3 * 2000);
    }

    @Test
    void unevenTasksGiveTheFirstNodesMore() {
        Start s = plan(List.of(), job(1, span(2, 2, 7, 0, false))).starts().get(0);
        assertThat(cpus(s)).containsExactly(4, 3);
    }

    @Test
    void aRangeTakesTheFewestNodesUnlessSpreadJobAsksForTheMost() {
        assertThat(nodes(plan(List.of(), job(1, span(2, 4, 4, 0, false)))
                        .starts()
                        .get(0)))
                .containsExactly("n1", "n2");
        Start spread = plan(List.of(), job(1, span(2, 4, 4, 0, true))).starts().get(0);
        assertThat(nodes(spread)).containsExactly("n1", "n2", "n3", "n4");
        assertThat(cpus(spread)).containsExactly(1, 1, 1, 1);
    }

    @Test
    void aRangeTakesMoreNodesWhenTheFewestCannotHoldIt() {
        // 12 tasks of 1 CPU do not fit 2 nodes of 4 CPUs
        Start s = plan(List.of(), job(1, span(2, 4, 12, 0, false))).starts().get(0);
        assertThat(nodes(s)).containsExactly("n1", "n2", "n3");
        assertThat(cpus(s)).containsExactly(4, 4, 4);
    }

    @Test
    void tasksPerNodeWithoutATaskCountRunsThatManyOnEachNode() {
        Start s = plan(List.of(), job(1, span(2, 2, 0, 3, false))).starts().get(0);
        assertThat(cpus(s)).containsExactly(3, 3);
    }

    @Test
    void busyNodesAreSkippedAndAJobWaitsUntilAllItsNodesAreFree() {
        List<Allocation> busy = List.of(new Allocation(9, "n2", 4, 1000, List.of(), 50));
        Start s = plan(busy, job(1, span(3, 3, 3, 0, false))).starts().get(0);
        assertThat(nodes(s)).containsExactly("n1", "n3", "n4");
        Plan waits = plan(busy, job(1, span(4, 4, 4, 0, false)));
        assertThat(waits.starts()).isEmpty();
        assertThat(waits.reasons()).containsEntry(1L, PendingReason.Resources);
    }

    @Test
    void nodeListNodesAreAllHeldAndExcludedOnesNever() {
        Start s = plan(List.of(), job(1, 100, span(3, 3, 3, 0, false), Set.of("n4", "n2"), Set.of(), false))
                .starts()
                .get(0);
        assertThat(nodes(s)).containsExactlyInAnyOrder("n2", "n4", "n1");
        Start x = plan(List.of(), job(1, 100, span(2, 2, 2, 0, false), Set.of(), Set.of("n1", "n2"), false))
                .starts()
                .get(0);
        assertThat(nodes(x)).containsExactlyInAnyOrder("n3", "n4");
    }

    @Test
    void anExclusiveJobTakesWholeIdleNodes() {
        List<Allocation> busy = List.of(new Allocation(9, "n1", 1, 100, List.of(), 50));
        Start s = plan(busy, job(1, 100, span(2, 2, 2, 0, false), Set.of(), Set.of(), true))
                .starts()
                .get(0);
        assertThat(nodes(s)).containsExactly("n2", "n3");
        assertThat(cpus(s)).containsExactly(4, 4);
    }

    @Test
    void aWaitingMultiNodeJobGetsAReservationThatBackfillRespects() {
        // n1 and n2 busy until 100 and 200: a 4-node job can start at 200
        List<Allocation> busy = List.of(
                new Allocation(8, "n1", 4, 1000, List.of(), 100), new Allocation(9, "n2", 4, 1000, List.of(), 200));
        Plan p = plan(
                SchedulerOptions.easyBackfill(),
                busy,
                job(1, span(4, 4, 16, 0, false)),
                // ends at 300: would delay the reservation on n3
                job(2, 300, span(1, 1, 1, 0, false), Set.of(), Set.of(), false),
                // ends at 150: fits before it
                job(3, 150, span(1, 1, 1, 0, false), Set.of(), Set.of(), false));
        assertThat(p.reservations().get(1L).start()).isEqualTo(200);
        assertThat(p.starts()).extracting(Start::jobId).containsExactly(3L);
    }
}
