package io.motley.agent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The start-up choice: what is tried, what is refused and why, what is chosen, and that it never fails. */
class ContainmentChoiceTest {
    final String node = TestHosts.uniqueNode();
    TestHosts.Logs logs;

    @BeforeEach
    void capture() {
        logs = new TestHosts.Logs(Containment.class);
    }

    @AfterEach
    void cleanUp() {
        logs.stop();
        TestHosts.removeGroups(node);
    }

    @Test
    void processTrackingWhenConfigured() {
        Containment c = Containment.choose("process", node);
        assertThat(c).isInstanceOf(ProcessTracking.class);
        assertThat(c.name()).isEqualTo("process");
        assertThat(logs.lines())
                .anyMatch(l -> l.startsWith("INFO containment chosen: process (configured (ContainmentType=process)):"
                                + " process tracking")
                        && l.contains("containment=process"));
    }

    @Test
    void autoOnAHybridHostPicksCgroupV1AndSaysWhyNotV2() {
        assumeTrue(TestHosts.isRoot(), "needs root to create cgroups");
        assumeTrue(TestHosts.hasV1Memory(), "needs a cgroup v1 memory hierarchy (a hybrid or v1 host)");
        boolean v2HasMemory = TestHosts.cgroup2()
                .map(r -> CgroupFs.read(r.resolve("cgroup.controllers"))
                        .orElse("")
                        .contains("memory"))
                .orElse(false);
        assumeTrue(!v2HasMemory, "the cgroup2 hierarchy here has the memory controller, so auto rightly prefers it");
        Containment c = Containment.choose("auto", node);
        assertThat(c.name()).isEqualTo("cgroup1");
        assertThat(((CgroupV1) c).bases()).containsKey("memory");
        assertThat(logs.lines())
                .anyMatch(l -> l.startsWith("INFO containment cgroup2 not usable:") && l.contains("memory"));
        assertThat(logs.lines())
                .anyMatch(l -> l.startsWith("INFO containment chosen: cgroup1 (best available): cgroup v1 groups ")
                        && l.contains("memory=/")
                        && l.contains("memory limit by the kernel"));
    }

    @Test
    void cgroup2WithoutTheMemoryControllerIsUsedForGroupingWhenConfigured() {
        assumeTrue(TestHosts.isRoot(), "needs root to create cgroups");
        assumeTrue(TestHosts.cgroup2().isPresent(), "no cgroup2 hierarchy is mounted");
        Containment c = Containment.choose("cgroup2", node);
        assertThat(c.name()).isEqualTo("cgroup2");
        CgroupV2 v2 = (CgroupV2) c;
        if (!v2.controllers().contains("memory")) {
            assertThat(logs.lines())
                    .anyMatch(l -> l.startsWith("WARN cgroup2 without the memory controller")
                            && l.contains("held by sampling resident memory"));
            assertThat(c.summary()).contains("memory limit by sampling");
        }
        assertThat(logs.lines())
                .anyMatch(l -> l.contains("containment chosen: cgroup2 (configured (ContainmentType=cgroup2)):"
                        + " cgroup v2 groups under " + v2.base()));
    }

    @Test
    void aForcedModeThatCannotWorkFallsBackWithAWarningAndNothingThrows() {
        Choice.Probe noV2 = strict -> {
            throw new Unusable("no cgroup2 hierarchy is mounted");
        };
        Choice.Probe noV1 = strict -> {
            throw new Unusable("the cgroup v1 memory controller is not mounted");
        };
        Choice.Probe broken = strict -> {
            throw new IllegalStateException("unexpected file content");
        };
        Containment c = Choice.choose("cgroup1", node, noV2, noV1);
        assertThat(c.name()).isEqualTo("process");
        assertThat(logs.lines())
                .containsSubsequence(
                        "WARN ContainmentType=cgroup1 cannot work here: the cgroup v1 memory controller is not mounted; falling back node="
                                + node,
                        "INFO containment cgroup2 not usable: no cgroup2 hierarchy is mounted node=" + node);
        assertThat(logs.lines())
                .anyMatch(l -> l.startsWith("INFO containment chosen: process (fallback for ContainmentType=cgroup1)"));

        assertThat(Choice.choose("auto", node, broken, broken).name()).isEqualTo("process");
        assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN containment cgroup2 failed while probing"));

        assertThat(Choice.choose("bogus", node, noV2, noV1).name()).isEqualTo("process");
        assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN unknown containment type bogus"));
    }

    @Test
    void cgroupV1WhenConfigured() {
        assumeTrue(TestHosts.isRoot(), "needs root to create cgroups");
        assumeTrue(TestHosts.hasV1Memory(), "needs a cgroup v1 memory hierarchy");
        Containment c = Containment.choose("cgroup1", node);
        assertThat(c).isInstanceOf(CgroupV1.class);
        assertThat(logs.lines())
                .anyMatch(l -> l.contains("containment chosen: cgroup1 (configured (ContainmentType=cgroup1))"));
    }
}
