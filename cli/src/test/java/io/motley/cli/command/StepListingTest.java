package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.step.Step;
import io.motley.core.step.StepRequest;
import io.motley.protocol.Messages;
import io.motley.protocol.StepMessages;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepListingTest {
    final FakeCluster cluster = new FakeCluster()
            .jobs(Fixtures.job(12, "train")
                    .user("ann", 1000)
                    .running("vm", 100, 1000)
                    .build());

    FakeCluster withSteps(Step... steps) {
        cluster.canned.put(StepMessages.LIST, Messages.encode(new StepMessages.Steps(List.of(steps))));
        return cluster;
    }

    static final Step RUNNING =
            Step.started(12, 0, new StepRequest(4, 0, 0, 1, 0, false, "hostname"), List.of("vm"), 100);

    @Test
    void squeueStepsListsRunningStepsInSlurmsStepLayout() throws Exception {
        Result r = Fixtures.run(new Squeue(), withSteps(RUNNING), 165, "-s");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "         STEPID     NAME PARTITION     USER      TIME NODELIST",
                        "           12.0 hostname     debug      ann      1:05 vm",
                        "       12.batch    batch     debug      ann      1:05 vm"));
        assertThat(Fixtures.run(new Squeue(), withSteps(RUNNING), 165, "-s", "-h", "-j", "13")
                        .out())
                .isEmpty();
    }

    @Test
    void scontrolShowStepShowsOneStepAsKeyValueRecords() throws Exception {
        Result r = Fixtures.run(new Scontrol(), withSteps(RUNNING), 165, "show", "step", "12.0");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .startsWith("StepId=12.0 UserId=1000 StartTime=")
                .contains("   State=RUNNING Partition=debug NodeList=vm\n")
                .contains("   Nodes=1 CPUs=4 Tasks=4 Name=hostname Network=(null)\n")
                .contains(" RunTime=00:01:05 ");
        Result none = Fixtures.run(new Scontrol(), withSteps(RUNNING), 165, "show", "step", "12.5");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.out()).isEqualTo("Job step 12.5 not found\n");
        assertThat(Fixtures.run(new Scontrol(), withSteps(), 165, "show", "step", "12")
                        .out())
                .as("a running job's batch script is its step N.batch, shown in Slurm's layout for it")
                .isEqualTo("StepId=12.batch UserId=1000 StartTime="
                        + io.motley.cli.format.JobText.timestamp(100, Fixtures.ZONE, "Unknown")
                        + " TimeLimit=UNLIMITED\n"
                        + "   State=RUNNING Partition=debug NodeList=vm\n"
                        + "   Nodes=1 CPUs=0 Tasks=1 Name=batch Network=(null)\n"
                        + "   TRES=(null)\n"
                        + "   ResvPorts=(null)\n"
                        + "   CPUFreqReq=Default\n"
                        + "   SrunHost:Pid=(null):0\n\n");
        assertThat(Fixtures.run(new Scontrol(), withSteps(), 165, "show", "step", "12.batch")
                        .out())
                .startsWith("StepId=12.batch ");
        FakeCluster idle = new FakeCluster();
        idle.canned.put(StepMessages.LIST, Messages.encode(new StepMessages.Steps(List.of())));
        assertThat(Fixtures.run(new Scontrol(), idle, 165, "show", "step").out())
                .isEqualTo("No job steps in the system\n");
    }
}
