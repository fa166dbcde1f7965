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
}
