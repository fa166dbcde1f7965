package io.motley.core.step;

import java.util.List;
import java.util.Objects;

/**
 * What srun asks of an allocation: {@code tasks} tasks on {@code nodes} nodes (0: as many as the
 * tasks need, at most the job's), {@code tasksPerNode} (0: not given), {@code cpusPerTask}
 * CPUs each, {@code memMiB} per node (0: not counted, the step shares the job's memory),
 * {@code overlap}: the step shares CPUs with other steps instead of taking them; {@code name} and
 * the command line are what sacct and squeue -s show; {@code nodelist}: nodes of the job the step
 * must run on (srun -w; empty: any).
 */
public record StepRequest(
        int tasks,
        int nodes,
        int tasksPerNode,
        int cpusPerTask,
        long memMiB,
        boolean overlap,
        String name,
        List<String> nodelist) {
    public StepRequest {
        if (tasks < 1) throw new IllegalArgumentException("a step needs at least one task");
        if (nodes < 0 || tasksPerNode < 0 || cpusPerTask < 1 || memMiB < 0)
            throw new IllegalArgumentException("negative step size");
        Objects.requireNonNull(name, "name");
        nodelist = List.copyOf(new java.util.LinkedHashSet<>(nodelist));
    }

    /** A step that may run on any of the job's nodes. */
    public StepRequest(
            int tasks, int nodes, int tasksPerNode, int cpusPerTask, long memMiB, boolean overlap, String name) {
        this(tasks, nodes, tasksPerNode, cpusPerTask, memMiB, overlap, name, List.of());
    }

    /** The CPUs the step takes: one set per task. */
    public int cpus() {
        return tasks * cpusPerTask;
    }
}
