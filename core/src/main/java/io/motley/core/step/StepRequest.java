package io.motley.core.step;

import java.util.Objects;

/**
 * What srun asks of an allocation: {@code tasks} tasks on {@code nodes} nodes (0: as many as the
 * tasks need, at most the job's), {@code tasksPerNode} (0: not given), {@code cpusPerTask}
 * CPUs each, {@code memMiB} per node (0: not counted, the step shares the job's memory),
 * {@code overlap}: the step shares CPUs with other steps instead of taking them; {@code name} and
 * the command line are what sacct and squeue -s show.
 */
public record StepRequest(
        int tasks, int nodes, int tasksPerNode, int cpusPerTask, long memMiB, boolean overlap, String name) {
    public StepRequest {
        if (tasks < 1) throw new IllegalArgumentException("a step needs at least one task");
        if (nodes < 0 || tasksPerNode < 0 || cpusPerTask < 1 || memMiB < 0)
            throw new IllegalArgumentException("negative step size");
        Objects.requireNonNull(name, "name");
    }

    /** The CPUs the step takes: one set per task. */
    public int cpus() {
        return tasks * cpusPerTask;
    }
}
