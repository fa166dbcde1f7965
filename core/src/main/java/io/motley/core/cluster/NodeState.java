package io.motley.core.cluster;

/** The administrative side of a node's state; IDLE/MIXED/ALLOCATED are derived from its jobs. */
public enum NodeState {
    /** Registered and answering heartbeats. */
    UP,
    /** Known from an earlier registration, heartbeats stopped. */
    DOWN,
    /** Runs its jobs to the end but takes no new ones. */
    DRAIN,
    /** Configured larger than it is (CPUs or memory): takes no jobs until the config is fixed. */
    INVAL;

    /** Slurm's display state, as sinfo prints it, from the admin state and what is allocated. */
    public static String display(NodeState state, int cpusAllocated, int cpusTotal) {
        return switch (state) {
            case DOWN -> "down";
            case INVAL -> "inval";
            case DRAIN -> cpusAllocated > 0 ? "draining" : "drained";
            case UP -> cpusAllocated == 0 ? "idle" : cpusAllocated >= cpusTotal ? "allocated" : "mixed";
        };
    }
}
