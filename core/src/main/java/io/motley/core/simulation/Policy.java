package io.motley.core.simulation;

import io.motley.core.scheduler.SchedulerOptions;
import java.util.Locale;

/** A scheduling policy the simulator can run a workload under. */
public enum Policy {
    /** Slurm's main scheduler without backfill: priority order, a blocked job blocks its partition. */
    FCFS,
    /** EASY backfill: the top waiting job holds a reservation, jobs behind it start if they leave it intact. */
    BACKFILL;

    /** The policy's name as users type it: "fcfs", "backfill". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scheduler's options for this policy; the simulator backfills at every event (bf_interval 0). */
    public SchedulerOptions options() {
        return this == FCFS ? SchedulerOptions.FCFS : SchedulerOptions.easyBackfill();
    }

    /** Reads a policy name as users type it; an unknown name is an error that lists the known ones. */
    public static Policy parse(String name) {
        for (Policy p : values()) {
            if (p.label().equals(name.strip().toLowerCase(Locale.ROOT))) return p;
        }
        throw new IllegalArgumentException("unknown policy '" + name + "'; use fcfs or backfill");
    }
}
