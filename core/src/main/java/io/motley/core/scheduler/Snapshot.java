package io.motley.core.scheduler;

import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import java.util.List;

/**
 * The cluster at one instant, as the scheduler reads it. {@code defMemPerCpuMiB} is the memory a
 * job gets per CPU when it named none; 0 means "the node's memory divided by its CPUs".
 */
public record Snapshot(
        List<NodeView> nodes,
        List<Partition> partitions,
        List<Allocation> running,
        List<QueuedJob> pending,
        long defMemPerCpuMiB,
        long now) {
    public Snapshot {
        nodes = List.copyOf(nodes);
        partitions = List.copyOf(partitions);
        running = List.copyOf(running);
        pending = List.copyOf(pending);
    }
}
