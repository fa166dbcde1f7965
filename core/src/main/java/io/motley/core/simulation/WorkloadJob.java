package io.motley.core.simulation;

import java.util.List;

/**
 * One job of a workload to simulate: when it is submitted, what it asks for and how long it runs
 * when nothing stops it. {@code id} is the job's number in its source (SWF job number or line
 * number); {@code memMiB} is -2 when the job names no memory (it then gets a per-CPU share, as in
 * the scheduler); {@code timeLimitSeconds} is -2 when not given (the partition's DefaultTime, else
 * MaxTime, applies) or {@link io.motley.core.time.Durations#UNLIMITED}; an empty
 * {@code partitions} means the cluster's default partition; {@code user} (null when the source
 * names none) is whose usage fair share charges it to.
 */
public record WorkloadJob(
        long id,
        long submitSeconds,
        int cpus,
        long memMiB,
        long runSeconds,
        long timeLimitSeconds,
        List<String> partitions,
        String user) {

    /** The value of {@code memMiB} and {@code timeLimitSeconds} for "not given", as in the scheduler's QueuedJob. */
    public static final long NOT_GIVEN = -2;

    public WorkloadJob {
        partitions = List.copyOf(partitions);
        if (cpus < 1) throw new IllegalArgumentException("job " + id + ": a job needs at least one CPU");
        if (runSeconds < 1) throw new IllegalArgumentException("job " + id + ": run time must be positive");
        if (submitSeconds < 0) throw new IllegalArgumentException("job " + id + ": submit time must not be negative");
    }

    public WorkloadJob(
            long id,
            long submitSeconds,
            int cpus,
            long memMiB,
            long runSeconds,
            long timeLimitSeconds,
            List<String> partitions) {
        this(id, submitSeconds, cpus, memMiB, runSeconds, timeLimitSeconds, partitions, null);
    }
}
