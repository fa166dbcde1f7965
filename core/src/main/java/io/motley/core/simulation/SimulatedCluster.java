package io.motley.core.simulation;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.config.ClusterConfig;
import io.motley.core.config.ClusterConfig.NodeOverride;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The cluster a workload is simulated on: its nodes (all up), its partitions and the memory a job
 * gets per CPU when it names none (0: the node's memory divided by its CPUs, as in the scheduler).
 */
public record SimulatedCluster(List<NodeView> nodes, List<Partition> partitions, long defMemPerCpuMiB) {

    /**
     * RealMemory of a node whose description gives none: so large that memory never binds, since a
     * trace without memory figures should be limited by CPUs alone.
     */
    public static final long UNBOUNDED_MEMORY_MIB = 1L << 40;

    public SimulatedCluster {
        nodes = List.copyOf(nodes);
        partitions = List.copyOf(partitions);
        if (nodes.isEmpty()) throw new IllegalArgumentException("a cluster needs at least one node");
    }

    /**
     * Reads a cluster description in motley.conf's (and slurm.conf's) words: {@code NodeName=}
     * lines with {@code CPUs=} (required) and {@code RealMemory=} (optional; without it memory does
     * not bind), {@code CoreSpecCount=} and {@code MemSpecLimit=} set aside for the OS, optional
     * {@code PartitionName=} lines (without any, one default partition "main" holds every node)
     * and {@code DefMemPerCPU=}. Other motley.conf keys are accepted and play no part.
     */
    public static SimulatedCluster parse(String text) {
        ClusterConfig config;
        try {
            config = ClusterConfig.parse(text);
        } catch (IllegalArgumentException e) {
            // ClusterConfig names its own file; here the text is the cluster description.
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^motley\\.conf ", ""), e);
        }
        List<NodeView> nodes = new ArrayList<>();
        for (NodeOverride o : config.nodeOverrides().values()) {
            if (o.cpus() < 1)
                throw new IllegalArgumentException("node " + o.name() + " needs CPUs=N on its NodeName line");
            int cpus = o.cpus() - o.coreSpecCount();
            long mem = o.realMemoryMiB() < 0 ? UNBOUNDED_MEMORY_MIB : o.realMemoryMiB() - o.memSpecLimitMiB();
            if (cpus < 1 || mem < 1) {
                throw new IllegalArgumentException(
                        "node " + o.name() + " has nothing left for jobs after CoreSpecCount/MemSpecLimit");
            }
            nodes.add(new NodeView(o.name(), cpus, mem, NodeState.UP));
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException(
                    "the cluster description names no nodes; add lines such as NodeName=n[1-4] CPUs=16 RealMemory=64000");
        }
        nodes.sort(Comparator.comparing(NodeView::name));
        Set<String> names = new HashSet<>();
        nodes.forEach(n -> names.add(n.name()));
        for (Partition p : config.partitions()) {
            if (p.nodes() == null) continue;
            for (String n : p.nodes()) {
                if (!names.contains(n)) {
                    throw new IllegalArgumentException(
                            "partition " + p.name() + " names node " + n + ", which has no NodeName line");
                }
            }
        }
        return new SimulatedCluster(nodes, config.partitions(), config.defMemPerCpuMiB());
    }

    /**
     * A machine of interchangeable CPUs, as an SWF trace describes it with MaxProcs: one node of
     * that many CPUs in one default partition "main" (the scheduler places a job on one node).
     */
    public static SimulatedCluster interchangeableCpus(int cpus) {
        if (cpus < 1) throw new IllegalArgumentException("a machine needs at least one CPU, got " + cpus);
        return new SimulatedCluster(
                List.of(new NodeView("machine", cpus, UNBOUNDED_MEMORY_MIB, NodeState.UP)),
                List.of(Partition.allNodes("main", true)),
                0);
    }

    /** All CPUs of all nodes: the capacity utilization is measured against. */
    public long totalCpus() {
        long sum = 0;
        for (NodeView n : nodes) sum += n.cpus();
        return sum;
    }

    /** The default partition's name, or null when there is none. */
    public String defaultPartition() {
        for (Partition p : partitions) {
            if (p.isDefault()) return p.name();
        }
        return null;
    }
}
