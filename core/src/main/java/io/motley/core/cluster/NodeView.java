package io.motley.core.cluster;

/** What the scheduler needs to know of a node: its size and whether it may take new jobs. */
public record NodeView(String name, int cpus, long memMiB, NodeState state) {
    public boolean schedulable() {
        return state == NodeState.UP;
    }
}
