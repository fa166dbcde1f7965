package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.protocol.Ops;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the agent reports of its host (features, GPUs, containment) as sinfo and scontrol show it, and node updates. */
class NodeTraitsTest {
    static Node gpuNode() {
        Node n = Fixtures.node("gpu1", 16, 128000);
        return new Node(
                n.name(),
                n.address(),
                n.cpus(),
                n.memMiB(),
                n.sockets(),
                n.coresPerSocket(),
                n.threadsPerCore(),
                n.arch(),
                n.os(),
                NodeState.UP,
                null,
                0,
                0,
                0,
                n.freeMemMiB(),
                0,
                n.bootTime(),
                n.agentStartTime(),
                "0.1.0",
                List.of("linux", "x86_64", "amd", "gpu"),
                List.of(
                        new Gpu(0, "NVIDIA H100 80GB HBM3", 81559, "GPU-a"),
                        new Gpu(1, "NVIDIA H100 80GB HBM3", 81559, "GPU-b")),
                "cgroup2",
                "submitter",
                "0:util=3%,mem=10MiB;1:util=0%,mem=0MiB",
                false);
    }

    final FakeCluster cluster =
            new FakeCluster().nodes(gpuNode(), Fixtures.vm()).partitions(Fixtures.debug());

    @Test
    void sinfoShowsFeaturesAndGres() throws Exception {
        Result r = Fixtures.run(new Sinfo(), cluster, 0, "-N", "-h", "-o", "%N %f %G");
        assertThat(r.out())
                .isEqualTo(Fixtures.lines("gpu1 linux,x86_64,amd,gpu gpu:nvidia_h100_80gb_hbm3:2", "vm (null) (null)"));
    }

    @Test
    void scontrolShowNodeHasFeaturesGresContainmentAndGpuUse() throws Exception {
        Result r = Fixtures.run(new Scontrol(), cluster, 0, "show", "node", "gpu1");
        assertThat(r.out())
                .contains(
                        "   AvailableFeatures=linux,x86_64,amd,gpu\n",
                        "   ActiveFeatures=linux,x86_64,amd,gpu\n",
                        "   Gres=gpu:nvidia_h100_80gb_hbm3:2\n",
                        "   Containment=cgroup2 JobUser=submitter\n",
                        "   GpuUsage=0:util=3%,mem=10MiB;1:util=0%,mem=0MiB\n");
    }

    @Test
    void scontrolUpdateNodeSendsStateAndReason() throws Exception {
        cluster.holdAnswer = req -> io.motley.protocol.Frame.op(Ops.OK);
        Result r = Fixtures.run(
                new Scontrol(), cluster, 0, "update", "NodeName=gpu[1-2]", "State=DRAIN", "Reason=fan", "broken");
        assertThat(r.code()).isZero();
        var sent = cluster.last(Ops.UPDATE_NODE);
        assertThat(sent.str("nodes")).isEqualTo("gpu1,gpu2");
        assertThat(sent.str("state")).isEqualTo("DRAIN");
        assertThat(sent.str("reason")).isEqualTo("fan broken");
    }

    @Test
    void scontrolUpdateNodeReadsStateWordsAsSlurmsScontrolDoes() throws Exception {
        cluster.holdAnswer = req -> io.motley.protocol.Frame.op(Ops.OK);
        // three letters or more of a word; the full word is sent
        assertThat(Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "State=res")
                        .code())
                .isZero();
        assertThat(cluster.last(Ops.UPDATE_NODE).str("state")).isEqualTo("RESUME");
        assertThat(Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "State=DOW", "Reason=x")
                        .code())
                .isZero();
        assertThat(cluster.last(Ops.UPDATE_NODE).str("state")).isEqualTo("DOWN");
        // a reason alone changes the reason
        assertThat(Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "Reason=new fan")
                        .code())
                .isZero();
        assertThat(cluster.last(Ops.UPDATE_NODE).str("state")).isEmpty();
        assertThat(cluster.last(Ops.UPDATE_NODE).str("reason")).isEqualTo("new fan");
        int sent = cluster.count(Ops.UPDATE_NODE);

        Result bogus = Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "State=BOGUS");
        assertThat(bogus.code()).isEqualTo(1);
        assertThat(bogus.err())
                .isEqualTo("Invalid input: State=BOGUS\nRequest aborted\n"
                        + "Valid states are: NoResp DRAIN FAIL FUTURE RESUME POWER_DOWN POWER_UP UNDRAIN\n"
                        + "Not all states are valid given a node's prior state\n");
        Result tooShort = Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "State=DR");
        assertThat(tooShort.code()).isEqualTo(1);
        assertThat(tooShort.err()).startsWith("Invalid input: State=DR\n");
        Result noReason = Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "State=FAIL");
        assertThat(noReason.code()).isEqualTo(1);
        assertThat(noReason.err())
                .isEqualTo("You must specify a reason when DOWNING or DRAINING a node. Request denied\n");
        Result nothing = Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).isEqualTo("No changes specified\n");
        assertThat(cluster.count(Ops.UPDATE_NODE))
                .as("nothing refused reached the controller")
                .isEqualTo(sent);
    }

    @Test
    void scontrolUpdateNodeWeightIsReadAsSlurmsScontrolReadsIt() throws Exception {
        cluster.holdAnswer = req -> io.motley.protocol.Frame.op(Ops.OK);
        assertThat(Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "Weight=5")
                        .code())
                .isZero();
        assertThat(cluster.last(Ops.UPDATE_NODE).str("weight")).isEqualTo("5");
        assertThat(cluster.last(Ops.UPDATE_NODE).str("state")).isEmpty();
        Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "W=2k", "State=DRAIN", "Reason=x");
        assertThat(cluster.last(Ops.UPDATE_NODE).str("weight")).isEqualTo("2048");
        assertThat(cluster.last(Ops.UPDATE_NODE).str("state")).isEqualTo("DRAIN");
        Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "Weight=0x10");
        assertThat(cluster.last(Ops.UPDATE_NODE).str("weight")).isEqualTo("16");
        int sent = cluster.count(Ops.UPDATE_NODE);
        Result bad = Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "Weight=heavy");
        assertThat(bad.err())
                .isEqualTo("scontrol: error: Weight value (heavy) is not a valid number\nNo changes specified\n");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "Weight=-1")
                        .err())
                .startsWith("scontrol: error: Weight value (-1) is less than zero\n");
        // an empty name is no prefix of Weight
        assertThat(Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1", "=5")
                        .err())
                .isEqualTo("Update of this parameter is not supported: =5\nRequest aborted\n");
        assertThat(cluster.count(Ops.UPDATE_NODE)).isEqualTo(sent);

        Result show = Fixtures.run(new Scontrol(), cluster, 0, "show", "node", "gpu1");
        assertThat(show.out()).contains(" Weight=1 ");
    }

    @Test
    void aNodeUpdateRefusedNamesTheNodeOnlyWhenSeveralWereNamed() throws Exception {
        cluster.holdAnswer = req -> io.motley.protocol.Frame.op(Ops.OK)
                .add(new io.motley.protocol.Frame().put("node", "nonode").put("error", "Invalid node name specified"));
        Result one = Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=nonode", "State=RESUME");
        assertThat(one.code()).isEqualTo(1);
        assertThat(one.err()).isEqualTo("slurm_update error: Invalid node name specified\n");
        Result two = Fixtures.run(new Scontrol(), cluster, 0, "update", "NodeName=gpu1,nonode", "State=RESUME");
        assertThat(two.code()).isEqualTo(1);
        assertThat(two.err()).isEqualTo("slurm_update error: Invalid node name specified (node nonode)\n");
    }
}
