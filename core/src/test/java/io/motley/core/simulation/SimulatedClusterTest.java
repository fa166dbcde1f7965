package io.motley.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import org.junit.jupiter.api.Test;

class SimulatedClusterTest {

    @Test
    void readsNodesAndPartitionsInMotleyConfWords() {
        SimulatedCluster c = SimulatedCluster.parse("""
                # a small cluster
                NodeName=n[1-3] CPUs=16 RealMemory=64G CoreSpecCount=2 MemSpecLimit=1024
                NodeName=big CPUs=64
                PartitionName=batch Nodes=n[1-3] Default=YES MaxTime=1-00:00:00
                PartitionName=large Nodes=big DefaultTime=60
                DefMemPerCPU=2000
                """);
        assertThat(c.nodes())
                .containsExactly(
                        new NodeView("big", 64, SimulatedCluster.UNBOUNDED_MEMORY_MIB, NodeState.UP),
                        new NodeView("n1", 14, 64 * 1024 - 1024, NodeState.UP),
                        new NodeView("n2", 14, 64 * 1024 - 1024, NodeState.UP),
                        new NodeView("n3", 14, 64 * 1024 - 1024, NodeState.UP));
        assertThat(c.partitions())
                .extracting(Partition::name, Partition::maxTimeSeconds)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("batch", 86_400L),
                        org.assertj.core.groups.Tuple.tuple("large", -1L));
        assertThat(c.defaultPartition()).isEqualTo("batch");
        assertThat(c.defMemPerCpuMiB()).isEqualTo(2000);
        assertThat(c.totalCpus()).isEqualTo(64 + 3 * 14);
    }

    @Test
    void withoutPartitionLinesOnePartitionHoldsEveryNode() {
        SimulatedCluster c = SimulatedCluster.parse("NodeName=a CPUs=2\n");
        assertThat(c.partitions()).containsExactly(Partition.allNodes("main", true));
    }

    @Test
    void mistakesAreErrorsAUserCanAct() {
        assertThatThrownBy(() -> SimulatedCluster.parse("NodeName=a RealMemory=100\n"))
                .hasMessage("node a needs CPUs=N on its NodeName line");
        assertThatThrownBy(() -> SimulatedCluster.parse("PartitionName=p\n"))
                .hasMessageStartingWith("the cluster description names no nodes");
        assertThatThrownBy(() -> SimulatedCluster.parse("NodeName=a CPUs=2\nPartitionName=p Nodes=b\n"))
                .hasMessage("partition p names node b, which has no NodeName line");
        assertThatThrownBy(() -> SimulatedCluster.parse("NodeName=a CPUs=2\nBogus=1\n"))
                .hasMessage("line 2: unknown key Bogus");
    }

    @Test
    void anSwfMachineIsOneNodeOfInterchangeableCpus() {
        SimulatedCluster c = SimulatedCluster.interchangeableCpus(128);
        assertThat(c.nodes()).singleElement().extracting(NodeView::cpus).isEqualTo(128);
        assertThat(c.totalCpus()).isEqualTo(128);
        assertThat(c.defaultPartition()).isEqualTo("main");
    }
}
