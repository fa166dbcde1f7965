package io.motley.core.cluster;

import java.util.List;

/** What the scheduler needs to know of a node: its size, its GPUs and whether it may take new jobs. */
public record NodeView(String name, int cpus, long memMiB, NodeState state, List<Gpu> gpus) {
    public NodeView {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
    }

    public NodeView(String name, int cpus, long memMiB, NodeState state) {
        this(name, cpus, memMiB, state, List.of());
    }

    public boolean schedulable() {
        return state == NodeState.UP;
    }

    /** GPUs of a type (any type when null). */
    public long gpuCount(String type) {
        return gpus.stream().filter(g -> type == null || g.type().equals(type)).count();
    }
}
