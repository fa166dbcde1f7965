package io.motley.core.simulation;

import io.motley.core.dependency.Dependency;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.TimeLimit;
import java.util.List;

/**
 * One job of a workload to simulate: when it is submitted, what it asks for and how long it runs
 * when nothing stops it. {@code id} is the job's number in its source (SWF job number or line
 * number); {@code memMiB} is -2 when the job names no memory (it then gets a per-CPU share, as in
 * the scheduler); {@code timeLimitSeconds} is -2 when not given (the partition's DefaultTime, else
 * MaxTime, applies) or {@link io.motley.core.time.Durations#UNLIMITED}; an empty
 * {@code partitions} means the cluster's default partition; {@code user} (null when the source
 * names none) is whose usage fair share charges it to. The rest are sbatch's options as the
 * controller reads them: {@code name} (null: the job's id, so that only named jobs meet in a
 * singleton), {@code dependency} (--dependency, naming other jobs of the workload by their ids;
 * null for none), {@code array} (--array; null for none), {@code beginSeconds} (--begin, in the
 * workload's seconds; 0 for none) and {@code releaseSeconds} (submitted held, released then;
 * {@link #NOT_HELD} when not held, {@link Long#MAX_VALUE} when never released).
 */
public record WorkloadJob(
        long id,
        long submitSeconds,
        int cpus,
        long memMiB,
        long runSeconds,
        long timeLimitSeconds,
        List<String> partitions,
        String user,
        String name,
        String dependency,
        String array,
        long beginSeconds,
        long releaseSeconds) {

    /** The value of {@code memMiB} and {@code timeLimitSeconds} for "not given", as in the scheduler's QueuedJob. */
    public static final long NOT_GIVEN = -2;

    /** The time limit as a job's: {@link #NOT_GIVEN} leaves it to the partition. */
    public TimeLimit limit() {
        return timeLimitSeconds == NOT_GIVEN ? TimeLimit.UNSET : TimeLimit.of(timeLimitSeconds);
    }

    /** The value of {@code releaseSeconds} for a job submitted without a hold. */
    public static final long NOT_HELD = -1;

    public WorkloadJob {
        partitions = List.copyOf(partitions);
        if (cpus < 1) throw new IllegalArgumentException("job " + id + ": a job needs at least one CPU");
        if (runSeconds < 1) throw new IllegalArgumentException("job " + id + ": run time must be positive");
        if (submitSeconds < 0) throw new IllegalArgumentException("job " + id + ": submit time must not be negative");
        if (beginSeconds < 0) throw new IllegalArgumentException("job " + id + ": begin time must not be negative");
        if (releaseSeconds < NOT_HELD)
            throw new IllegalArgumentException("job " + id + ": release time must not be negative");
        if (dependency != null) Dependency.parse(dependency);
        if (array != null) ArraySpec.parse(array);
    }

    public WorkloadJob(
            long id,
            long submitSeconds,
            int cpus,
            long memMiB,
            long runSeconds,
            long timeLimitSeconds,
            List<String> partitions,
            String user) {
        this(
                id,
                submitSeconds,
                cpus,
                memMiB,
                runSeconds,
                timeLimitSeconds,
                partitions,
                user,
                null,
                null,
                null,
                0,
                NOT_HELD);
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

    /** Whether the job is queued as submitted and stays so: no dependency, array, begin time or hold. */
    public boolean plain() {
        return dependency == null && array == null && beginSeconds <= submitSeconds && releaseSeconds == NOT_HELD;
    }
}
