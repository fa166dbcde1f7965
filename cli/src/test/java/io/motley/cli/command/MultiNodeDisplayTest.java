package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.core.job.Job;
import io.motley.core.job.TimeLimit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A job over three nodes as squeue, scontrol and sacct show it. */
class MultiNodeDisplayTest {
    private static final long NOW = at("2026-11-22T12:39:16");

    static FakeCluster cluster() {
        Job j = Fixtures.job(77, "wide").running("n1", NOW - 5, 600).build();
        j = j.toBuilder()
                .allocation(new Job.Allocation(
                        j.partition(),
                        List.of(
                                new Job.Allocation.Part("n1", 2, 200, List.of()),
                                new Job.Allocation.Part("n2", 2, 200, List.of(0)),
                                new Job.Allocation.Part("n3", 2, 200, List.of())),
                        TimeLimit.UNLIMITED))
                .build();
        return new FakeCluster().jobs(j);
    }

    @Test
    void squeueShowsTheNodeCountAndTheHostlist() throws Exception {
        assertThat(Fixtures.run(new Squeue(), cluster(), NOW, "-h", "-o", "%D %N %R")
                        .out())
                .isEqualTo("3 n[1-3] n[1-3]\n");
        FakeCluster withNodes = cluster()
                .nodes(Fixtures.node("n1", 2, 1000), Fixtures.node("n2", 2, 1000), Fixtures.node("n3", 2, 1000));
        assertThat(Fixtures.run(new Squeue(), withNodes, NOW, "-h", "-w", "n2", "-o", "%i")
                        .out())
                .isEqualTo("77\n");
    }

    @Test
    void aPendingJobShowsTheFewestNodesItAskedFor() throws Exception {
        // Slurm's capture: a pending -N 2 job shows 2 in NODES
        FakeCluster c = new FakeCluster()
                .jobs(
                        Fixtures.job(1340, "wrap").nodes(2).build(),
                        Fixtures.job(1341, "wrap").build());
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-o", "%i %D").out())
                .isEqualTo("1340 2\n1341 1\n");
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-j", "1340", "-O", "JobID,NumNodes")
                        .out())
                .startsWith("1340")
                .contains(" 2 ");
        // -S D sorts by the count, not its text ("10" after "2")
        FakeCluster sizes = new FakeCluster()
                .jobs(
                        Fixtures.job(1, "wrap").nodes(10).build(),
                        Fixtures.job(2, "wrap").nodes(2).build());
        assertThat(Fixtures.run(new Squeue(), sizes, NOW, "-h", "-S", "D", "-o", "%i %D")
                        .out())
                .isEqualTo("2 2\n1 10\n");
    }

    @Test
    void scontrolShowsEveryNodeAndWithDetailsEachOnesShare() throws Exception {
        String plain = Fixtures.run(new Scontrol(), cluster(), NOW, "show", "job", "77")
                .out();
        assertThat(plain).contains("NodeList=n[1-3]", "BatchHost=n1", "NumNodes=3 NumCPUs=6");
        assertThat(plain).doesNotContain("Nodes=n2");
        String detailed = Fixtures.run(new Scontrol(), cluster(), NOW, "-d", "show", "job", "77")
                .out();
        assertThat(detailed)
                .contains("ExitCode=0:0\n   DerivedExitCode=0:0\n")
                .contains("\n   JOB_GRES=gpu:1\n     Nodes=n1 CPUs=2 Mem=200 GRES=\n")
                .contains("\n     Nodes=n2 CPUs=2 Mem=200 GRES=gpu(IDX:0)\n");
    }

    @Test
    void detailsGiveTheHighestExitCodeOfTheJobsSrunSteps() throws Exception {
        FakeCluster c = cluster();
        long t = NOW - 4;
        io.motley.core.step.StepRequest one = new io.motley.core.step.StepRequest(1, 0, 0, 1, 0, false, "hostname");
        c.canned.put(
                io.motley.protocol.StepMessages.LIST,
                io.motley.protocol.Messages.encode(new io.motley.protocol.StepMessages.Steps(List.of(
                        io.motley.core.step.Step.started(77, 0, one, List.of("n1"), t)
                                .ended(io.motley.core.step.StepState.FAILED, 4, 0, t),
                        io.motley.core.step.Step.started(77, 1, one, List.of("n1"), t)
                                .ended(io.motley.core.step.StepState.FAILED, 2, 0, t + 3)))));
        assertThat(Fixtures.run(new Scontrol(), c, NOW, "-d", "show", "job", "77")
                        .out())
                .contains("\n   DerivedExitCode=4:0\n");
        // without -d, neither the line nor the question for the steps
        assertThat(Fixtures.run(new Scontrol(), c, NOW, "show", "job", "77").out())
                .doesNotContain("DerivedExitCode")
                .doesNotContain("JOB_GRES");
    }

    @Test
    void sacctShowsTheNodeCountAndList() throws Exception {
        assertThat(Fixtures.run(new Sacct(), cluster(), NOW, "-j", "77", "-X", "-n", "-P", "-o", "NNodes,NodeList")
                        .out())
                .isEqualTo("3|n[1-3]\n");
    }
}
