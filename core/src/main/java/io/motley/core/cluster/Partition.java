package io.motley.core.cluster;

import io.motley.core.time.Durations;
import java.util.List;

/**
 * A partition: a named set of nodes with limits. {@code nodes} lists node names, or is null for
 * "all nodes", the default when the config names none.
 */
public record Partition(
        String name,
        boolean isDefault,
        List<String> nodes,
        long maxTimeSeconds,
        long defaultTimeSeconds,
        PartitionState state) {

    public Partition {
        nodes = nodes == null ? null : List.copyOf(nodes);
    }

    public static Partition allNodes(String name, boolean isDefault) {
        return new Partition(name, isDefault, null, Durations.UNLIMITED, Durations.UNLIMITED, PartitionState.UP);
    }

    public boolean contains(String node) {
        return nodes == null || nodes.contains(node);
    }

    /** The time limit a job gets: its own when given (-2 means not given), else DefaultTime, else MaxTime. */
    public long effectiveTimeLimit(long requested) {
        if (requested != -2) return requested;
        if (defaultTimeSeconds != Durations.UNLIMITED) return defaultTimeSeconds;
        return maxTimeSeconds;
    }

    /** Whether a time limit is within MaxTime; an unlimited request exceeds a finite MaxTime. */
    public boolean allowsTimeLimit(long limit) {
        if (maxTimeSeconds == Durations.UNLIMITED) return true;
        return limit != Durations.UNLIMITED && limit <= maxTimeSeconds;
    }
}
