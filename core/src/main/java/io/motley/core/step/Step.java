package io.motley.core.step;

import java.util.List;
import java.util.Objects;

/**
 * One step of a job (srun inside an allocation): its id within the job (0, 1, 2, ... in creation
 * order), what it asked for and where it runs, and how it ended. Times are epoch seconds; {@code end}
 * is 0 while it runs. {@code exitCode} and {@code signal} are the highest task's, as sacct's "N:S".
 * {@code usage} is what its tasks used, gathered from their nodes when it ended; null while it runs
 * and for a step whose tasks no node measured (sacct leaves those fields empty).
 */
public record Step(
        long jobId,
        int id,
        String name,
        StepState state,
        List<String> nodes,
        int tasks,
        int cpus,
        long memMiB,
        boolean overlap,
        long start,
        long end,
        int exitCode,
        int signal,
        StepUsage usage) {
    public Step {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        nodes = List.copyOf(nodes);
    }

    /** A step without usage (running, or none measured). */
    public Step(
            long jobId,
            int id,
            String name,
            StepState state,
            List<String> nodes,
            int tasks,
            int cpus,
            long memMiB,
            boolean overlap,
            long start,
            long end,
            int exitCode,
            int signal) {
        this(jobId, id, name, state, nodes, tasks, cpus, memMiB, overlap, start, end, exitCode, signal, null);
    }

    /**
     * A job's DerivedExitCode from its srun steps: the highest exit code (then signal), as slurmctld
     * keeps derived_ec; 0:0 without any.
     */
    public static io.motley.core.job.ExitStatus derivedExit(List<Step> srun) {
        io.motley.core.job.ExitStatus best = io.motley.core.job.ExitStatus.NONE;
        for (Step s : srun) {
            if (s.exitCode() > best.code() || (s.exitCode() == best.code() && s.signal() > best.signal()))
                best = new io.motley.core.job.ExitStatus(s.exitCode(), s.signal());
        }
        return best;
    }

    /** A step starting now on {@code nodes}. */
    public static Step started(long jobId, int id, StepRequest req, List<String> nodes, long now) {
        return new Step(
                jobId,
                id,
                req.name(),
                StepState.RUNNING,
                nodes,
                req.tasks(),
                req.cpus(),
                req.memMiB(),
                req.overlap(),
                now,
                0,
                0,
                0);
    }

    /** "12.0", or "12.batch" for a batch script's step ({@link TaskUsage#BATCH}): how Slurm names a step. */
    public String displayId() {
        return jobId + "." + (id == TaskUsage.BATCH ? "batch" : Integer.toString(id));
    }

    /** The batch step of job {@code jobId}, running its script on {@code node} since {@code start}. */
    public static Step batch(long jobId, String node, long start) {
        return new Step(
                jobId, TaskUsage.BATCH, "batch", StepState.RUNNING, List.of(node), 1, 0, 0, false, start, 0, 0, 0);
    }

    /**
     * The step ended in {@code next}; a step ends only once, so a second end (srun's report after
     * scancel, say) is an error for the caller to ignore.
     */
    public Step ended(StepState next, int code, int sig, long now) {
        if (!state.canBecome(next)) throw new IllegalStateException("step " + displayId() + " is already " + state);
        return new Step(
                jobId,
                id,
                name,
                next,
                nodes,
                tasks,
                cpus,
                memMiB,
                overlap,
                start,
                Math.max(now, start),
                code,
                sig,
                usage);
    }

    /** The step with what its tasks used ({@code null}: not measured). */
    public Step withUsage(StepUsage measured) {
        return new Step(
                jobId, id, name, state, nodes, tasks, cpus, memMiB, overlap, start, end, exitCode, signal, measured);
    }

    /** Seconds it ran (so far, while running). */
    public long elapsed(long now) {
        return Math.max(0, (end == 0 ? now : end) - start);
    }
}
