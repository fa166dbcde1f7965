package io.motley.core.cluster;

/** A partition's State= as in slurm.conf: UP takes and runs jobs, DOWN takes but does not run, DRAIN runs but does not take, INACTIVE does neither. */
public enum PartitionState {
    UP,
    DOWN,
    DRAIN,
    INACTIVE;

    public boolean acceptsJobs() {
        return this == UP || this == DOWN;
    }

    public boolean startsJobs() {
        return this == UP || this == DRAIN;
    }
}
