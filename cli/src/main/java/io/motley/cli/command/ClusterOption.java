package io.motley.cli.command;

import io.motley.core.options.GetOpt;
import io.motley.core.options.UsageException;

/**
 * -M/--clusters, as Slurm's commands take it where slurmdbd knows one cluster: a comma list naming this
 * cluster (ClusterName) or {@code all} reaches it; any other name is one that cannot be reached, in Slurm's
 * words. Motley has no federation, so there is never a second cluster to reach.
 */
final class ClusterOption {
    private ClusterOption() {}

    /** The cluster -M reaches (this one), null without -M; refused with Slurm's message for another name. */
    static String reached(GetOpt.Parsed p, Io io) throws Exception {
        return p.has("clusters") ? reached(p, Requests.partitions(io).cluster()) : null;
    }

    /** As {@link #reached(GetOpt.Parsed, Io)}, this cluster being named {@code ours}. */
    static String reached(GetOpt.Parsed p, String ours) {
        if (!p.has("clusters")) return null;
        String asked = p.last("clusters");
        for (String name : asked.split(",")) {
            String n = name.strip();
            if (n.equals(ours) || n.equalsIgnoreCase("all")) continue;
            throw new UsageException(
                    "error: '" + asked + "' can't be reached now, or it is an invalid entry for --cluster."
                            + "  Use 'sacctmgr list clusters' to see available clusters.",
                    1,
                    false);
        }
        return ours;
    }
}
