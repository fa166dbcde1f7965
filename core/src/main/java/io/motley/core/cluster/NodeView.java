package io.motley.core.cluster;

import java.util.List;
import java.util.Set;

/**
 * What the scheduler needs to know of a node: its size, GPUs, features, weight (lower is filled
 * first, as in Slurm) and whether it may take new jobs.
 */
public record NodeView(
        String name, int cpus, long memMiB, NodeState state, List<Gpu> gpus, Set<String> features, int weight) {
    public NodeView {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        features = features == null ? Set.of() : Set.copyOf(features);
    }

    public NodeView(String name, int cpus, long memMiB, NodeState state, List<Gpu> gpus) {
        this(name, cpus, memMiB, state, gpus, Set.of(), 1);
    }

    public NodeView(String name, int cpus, long memMiB, NodeState state) {
        this(name, cpus, memMiB, state, List.of(), Set.of(), 1);
    }

    public boolean schedulable() {
        return state == NodeState.UP;
    }

    /** GPUs of a type (any type when null). */
    public long gpuCount(String type) {
        return gpus.stream().filter(g -> type == null || g.type().equals(type)).count();
    }
}
