package io.motley.core.simulation;

import java.util.Locale;

/** A scheduling policy the simulator can run a workload under. */
public enum Policy {
    /** Slurm's main scheduler without backfill: priority order, a blocked job blocks its partition. */
    FCFS,
    /** EASY-style backfill; named so that comparisons can be written down, not implemented yet. */
    BACKFILL;

    /** The policy's name as users type it: "fcfs", "backfill". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the scheduler implements the policy today. */
    public boolean available() {
        return this == FCFS;
    }

    /** Reads a policy name as users type it; an unknown name is an error that lists the known ones. */
    public static Policy parse(String name) {
        for (Policy p : values()) {
            if (p.label().equals(name.strip().toLowerCase(Locale.ROOT))) return p;
        }
        throw new IllegalArgumentException("unknown policy '" + name + "'; use fcfs or backfill");
    }
}
