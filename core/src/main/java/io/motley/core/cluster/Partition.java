package io.motley.core.cluster;

import io.motley.core.job.TimeLimit;
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
        PartitionState state,
        int priorityTier,
        int maxNodes,
        List<String> allowAccounts,
        List<String> allowGroups) {

    public Partition {
        nodes = nodes == null ? null : NameList.of(nodes);
        allowAccounts = allowAccounts == null ? null : List.copyOf(allowAccounts);
        allowGroups = allowGroups == null ? null : List.copyOf(allowGroups);
    }

    /** A partition with Slurm's defaults for tier (1), node count (unlimited) and access (ALL). */
    public Partition(
            String name,
            boolean isDefault,
            List<String> nodes,
            long maxTimeSeconds,
            long defaultTimeSeconds,
            PartitionState state) {
        this(name, isDefault, nodes, maxTimeSeconds, defaultTimeSeconds, state, 1, -1, null, null);
    }

    /** The same partition marked default or not. */
    public Partition asDefault(boolean d) {
        return new Partition(
                name,
                d,
                nodes,
                maxTimeSeconds,
                defaultTimeSeconds,
                state,
                priorityTier,
                maxNodes,
                allowAccounts,
                allowGroups);
    }

    /** The same partition in another state (scontrol update PartitionName=... State=...). */
    public Partition withState(PartitionState s) {
        return new Partition(
                name,
                isDefault,
                nodes,
                maxTimeSeconds,
                defaultTimeSeconds,
                s,
                priorityTier,
                maxNodes,
                allowAccounts,
                allowGroups);
    }

    /**
     * The same partition with other time limits (scontrol update PartitionName=... MaxTime=...
     * DefaultTime=...), in seconds, {@link Durations#UNLIMITED} for none.
     */
    public Partition withTimes(long maxTime, long defaultTime) {
        return new Partition(
                name,
                isDefault,
                nodes,
                maxTime,
                defaultTime,
                state,
                priorityTier,
                maxNodes,
                allowAccounts,
                allowGroups);
    }

    /** Whether AllowAccounts lets a job with this account (null: none named) in. */
    public boolean allowsAccount(String account) {
        return allowAccounts == null || (account != null && allowAccounts.contains(account));
    }

    /** Whether AllowGroups lets a user with these groups in. */
    public boolean allowsGroups(java.util.Collection<String> groups) {
        return allowGroups == null || groups.stream().anyMatch(allowGroups::contains);
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

    /** The time limit a job gets: its own when given, else DefaultTime, else MaxTime. */
    public TimeLimit effectiveTimeLimit(TimeLimit requested) {
        if (requested.given()) return requested;
        return TimeLimit.of(defaultTimeSeconds != Durations.UNLIMITED ? defaultTimeSeconds : maxTimeSeconds);
    }

    /** Whether a time limit is within MaxTime; an unlimited request exceeds a finite MaxTime. */
    public boolean allowsTimeLimit(long limit) {
        if (maxTimeSeconds == Durations.UNLIMITED) return true;
        return limit != Durations.UNLIMITED && limit <= maxTimeSeconds;
    }
}
