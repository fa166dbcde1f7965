package io.motley.core.step;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a step fits its job's allocation now, later, or never: pure, as the scheduler is. A step
 * may never ask for more than the allocation; one that asks for CPUs still held by running steps
 * (unless it overlaps them) waits, as Slurm's "step creation temporarily disabled" does.
 */
public final class StepAdmission {
    private StepAdmission() {}

    /** The answer: where the step runs, or why it waits or cannot run at all. */
    public sealed interface Decision {}

    /** Runs now on these nodes of the job. */
    public record Granted(List<String> nodes) implements Decision {}

    /** Fits the allocation, not beside the steps running now: ask again when one ends. */
    public record Busy(String reason) implements Decision {}

    /** Can never run in this allocation; the reason is Slurm's. */
    public record Refused(String reason) implements Decision {}

    /**
     * Decides for {@code req} in an allocation of {@code cpusPerNode} CPUs and {@code memMiB} on
     * each of {@code jobNodes} (memory 0: not known, so not checked) beside the {@code running} steps.
     */
    public static Decision admit(
            StepRequest req, List<String> jobNodes, int cpusPerNode, long memMiB, List<Step> running) {
        List<String> want = req.nodelist();
        if (!jobNodes.containsAll(want)) return new Refused("Requested node configuration is not available");
        int n = req.nodes() > 0 ? req.nodes() : want.isEmpty() ? Math.min(jobNodes.size(), req.tasks()) : want.size();
        n = Math.max(n, want.size());
        if (n > jobNodes.size() || n > req.tasks()) return new Refused("Requested node configuration is not available");
        TaskLayout shape = TaskLayout.block(jobNodes.subList(0, n), req.tasks(), req.tasksPerNode());
        int perNode = shape.counts().stream().mapToInt(Integer::intValue).max().orElse(0) * req.cpusPerTask();
        if (perNode > cpusPerNode) return new Refused("More processors requested than permitted");
        if (memMiB > 0 && req.memMiB() > memMiB) return new Refused("Memory required by task is not available");
        List<String> nodes = new ArrayList<>();
        // the nodes -w names first, each of them or none; then the first free others, in the job's order
        for (String node : jobNodes) {
            if (!want.contains(node)) continue;
            if (!fits(node, req, perNode, cpusPerNode, memMiB, running)) return new Busy("Requested nodes are busy");
            nodes.add(node);
        }
        for (String node : jobNodes) {
            if (nodes.size() == n) break;
            if (!want.contains(node) && fits(node, req, perNode, cpusPerNode, memMiB, running)) nodes.add(node);
        }
        if (nodes.size() < n) return new Busy("Requested nodes are busy");
        // in the job's order, as the tasks are laid out over them
        nodes.sort(java.util.Comparator.comparingInt(jobNodes::indexOf));
        return new Granted(nodes);
    }

    private static boolean fits(
            String node, StepRequest req, int perNode, int cpusPerNode, long memMiB, List<Step> running) {
        if (!req.overlap() && perNode > cpusPerNode - cpusHeld(node, running)) return false;
        return req.memMiB() == 0 || memMiB == 0 || req.memMiB() <= memMiB - memHeld(node, running);
    }

    private static int cpusHeld(String node, List<Step> running) {
        int held = 0;
        for (Step s : running) {
            if (s.state() == StepState.RUNNING && !s.overlap() && s.nodes().contains(node))
                held += (s.cpus() + s.nodes().size() - 1) / s.nodes().size();
        }
        return held;
    }

    private static long memHeld(String node, List<Step> running) {
        long held = 0;
        for (Step s : running) {
            if (s.state() == StepState.RUNNING && s.nodes().contains(node)) held += s.memMiB();
        }
        return held;
    }
}
