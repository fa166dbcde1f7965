package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.job.PendingReason;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Constraints, -w, -x, --exclusive and node Weight on heterogeneous nodes. */
class PlacementTest {
    static final NodeView PI =
            new NodeView("pi", 4, 4000, NodeState.UP, List.of(), Set.of("linux", "aarch64", "arm"), 1);
    static final NodeView WS =
            new NodeView("ws", 16, 64000, NodeState.UP, List.of(), Set.of("linux", "x86_64", "amd", "bigmem"), 10);
    static final NodeView MAC =
            new NodeView("mac", 8, 16000, NodeState.UP, List.of(), Set.of("macos", "aarch64", "apple"), 5);

    static Plan plan(List<Allocation> running, QueuedJob... jobs) {
        return Scheduler.plan(new Snapshot(
                List.of(PI, WS, MAC), List.of(Partition.allNodes("main", true)), running, List.of(jobs), 0, 0));
    }

    static QueuedJob job(long id, int cpus, QueuedJob.Placement p) {
        return new QueuedJob(id, 100 - id, List.of("main"), cpus, 100, -2, false, 0, null, p);
    }

    static QueuedJob.Placement where(String constraint, Set<String> only, Set<String> not, boolean exclusive) {
        return new QueuedJob.Placement(constraint == null ? null : Constraint.parse(constraint), only, not, exclusive);
    }

    @Test
    void constraintsSelectNodesByFeature() {
        Constraint c = Constraint.parse("aarch64&(macos|bigmem)");
        assertThat(c.matches(MAC.features())).isTrue();
        assertThat(c.matches(PI.features())).isFalse();
        assertThat(Constraint.parse("[amd|apple]").matches(WS.features())).isTrue();
        assertThat(Constraint.parse("x86_64 & bigmem").matches(WS.features())).isTrue();
        assertThat(Constraint.parse("a|b&c").matches(Set.of("a")))
                .as("& binds tighter")
                .isTrue();
        assertThatThrownBy(() -> Constraint.parse("gpu*2"))
                .hasMessage("feature counts (gpu*2) are not supported by Motley yet");
        assertThatThrownBy(() -> Constraint.parse("(a|b")).hasMessageContaining("missing ')'");
        assertThatThrownBy(() -> Constraint.parse("a&")).hasMessageContaining("feature name is missing");
        assertThat(plan(List.of(), job(1, 1, where("macos", null, null, false))).starts())
                .extracting(Start::node)
                .containsExactly("mac");
    }

    @Test
    void lowerWeightIsFilledFirstAndNodeListsAreHonoured() {
        assertThat(plan(List.of(), job(1, 1, QueuedJob.Placement.ANY)).starts())
                .extracting(Start::node)
                .containsExactly("pi");
        assertThat(plan(List.of(), job(1, 8, QueuedJob.Placement.ANY)).starts())
                .extracting(Start::node)
                .containsExactly("mac");
        assertThat(plan(List.of(), job(1, 1, where(null, Set.of("ws"), null, false)))
                        .starts())
                .extracting(Start::node)
                .containsExactly("ws");
        assertThat(plan(List.of(), job(1, 1, where(null, null, Set.of("pi", "mac"), false)))
                        .starts())
                .extracting(Start::node)
                .containsExactly("ws");
    }

    @Test
    void anExclusiveJobWithoutMemGetsDefMemPerCpuTimesTheNodesCpusNotTheWholeNode() {
        QueuedJob noMem =
                new QueuedJob(1, 99, List.of("main"), 1, -2, -2, false, 0, null, where("macos", null, null, true));
        Plan p = Scheduler.plan(new Snapshot(
                List.of(PI, WS, MAC), List.of(Partition.allNodes("main", true)), List.of(), List.of(noMem), 1000, 0));
        assertThat(p.starts()).singleElement().satisfies(s -> {
            assertThat(s.cpus()).isEqualTo(8);
            assertThat(s.memMiB()).isEqualTo(8000);
        });
        // no DefMemPerCPU: the whole node, as Slurm gives it
        assertThat(plan(List.of(), noMem).starts())
                .singleElement()
                .extracting(Start::memMiB)
                .isEqualTo(16000L);
    }

    @Test
    void anExclusiveJobTakesAnIdleNodeWhole() {
        Plan p = plan(List.of(new Allocation(9, "pi", 1, 100)), job(1, 1, where(null, null, null, true)));
        assertThat(p.starts()).singleElement().satisfies(s -> {
            assertThat(s.node()).isEqualTo("mac");
            assertThat(s.cpus()).isEqualTo(8);
            // --mem=100 stands with --exclusive, as in Slurm
            assertThat(s.memMiB()).isEqualTo(100);
        });
        Plan busy = plan(List.of(new Allocation(9, "pi", 1, 100)), job(1, 1, where(null, Set.of("pi"), null, true)));
        assertThat(busy.starts()).isEmpty();
        assertThat(busy.reasons()).containsEntry(1L, PendingReason.Resources);
    }

    @Test
    void preferredFeaturesAreTriedFirstAndOtherNodesTakeTheJobWhenNoneIsFree() {
        // without --prefer the lightest node (pi) takes it; with it, the node with the features
        QueuedJob.Placement bigmem = QueuedJob.Placement.ANY.preferring(Constraint.parse("bigmem"));
        assertThat(plan(List.of(), job(1, 1, bigmem)).starts())
                .extracting(Start::node)
                .containsExactly("ws");
        // ws full: the job still starts, elsewhere (a preference, not a requirement)
        assertThat(plan(List.of(new Allocation(9, "ws", 16, 100)), job(1, 1, bigmem))
                        .starts())
                .extracting(Start::node)
                .containsExactly("pi");
        // as Slurm's, the preferred features stand in for -C's on the first try: ws (no aarch64) is
        // taken while free, and -C's nodes only once it is full
        QueuedJob.Placement armOrBig = where("aarch64", null, null, false).preferring(Constraint.parse("bigmem"));
        assertThat(plan(List.of(), job(1, 1, armOrBig)).starts())
                .extracting(Start::node)
                .containsExactly("ws");
        assertThat(plan(List.of(new Allocation(9, "ws", 16, 100)), job(1, 1, armOrBig))
                        .starts())
                .extracting(Start::node)
                .containsExactly("pi");
        // -x still binds on the first try
        QueuedJob.Placement notWs = where(null, null, Set.of("ws"), false).preferring(Constraint.parse("bigmem"));
        assertThat(plan(List.of(), job(1, 1, notWs)).starts())
                .extracting(Start::node)
                .containsExactly("pi");
    }

    @Test
    void preferredFeaturesNoNodeHasAreRefusedAtSubmitAsSlurmDoes() {
        io.motley.core.job.JobRequest.Builder b = io.motley.core.job.JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name("j")
                .cpusPerTask(1, false)
                .submitHost("h");
        List<Partition> parts = List.of(Partition.allNodes("main", true));
        List<NodeView> nodes = List.of(PI, WS, MAC);
        assertThat(Admission.check(
                        b.options(java.util.Map.of(io.motley.core.job.JobRequest.PREFER, "nosuch"))
                                .build(),
                        parts,
                        nodes))
                .get()
                .extracting(Admission.Rejection::failure)
                .isEqualTo("Invalid preferred feature specification");
        assertThat(Admission.check(
                        b.options(java.util.Map.of(io.motley.core.job.JobRequest.PREFER, "a&"))
                                .build(),
                        parts,
                        nodes))
                .get()
                .extracting(Admission.Rejection::failure)
                .isEqualTo("Invalid preferred feature specification");
        assertThat(Admission.check(
                        b.options(java.util.Map.of(io.motley.core.job.JobRequest.PREFER, "bigmem|apple"))
                                .build(),
                        parts,
                        nodes))
                .isEmpty();
        assertThat(Admission.placement(b.options(java.util.Map.of(io.motley.core.job.JobRequest.PREFER, "bigmem"))
                                .build())
                        .preferred(WS))
                .isTrue();
    }
}
