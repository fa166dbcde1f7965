package io.motley.controller.cluster;

import java.util.List;

/**
 * Who asks, as the local agent vouched for them: uid, gid, user name and group names.
 * {@code groups} is null when the agent did not send them (then only partitions without
 * AllowGroups take the caller's jobs, unless the caller is root).
 */
public record Caller(int uid, int gid, String user, List<String> groups) {
    public Caller {
        groups = groups == null ? null : List.copyOf(groups);
    }

    /** A caller known only by uid (root or a test): no groups. */
    public static Caller uid(int uid) {
        return new Caller(uid, uid, uid == 0 ? "root" : Integer.toString(uid), null);
    }

    public boolean isRoot() {
        return uid == 0;
    }

    /** The groups AllowGroups is checked against: none for root, who may use every partition, as in Slurm. */
    List<String> groupsToCheck() {
        if (isRoot()) return null;
        return groups == null ? List.of() : groups;
    }
}
