package io.motley.core.cluster;

import java.util.List;

/**
 * A node as the controller knows it: the hardware its agent reported, its admin state with the
 * reason, and what is allocated on it. Times are epoch seconds. {@code containment} is how the
 * agent holds jobs to their limits (cgroup2, cgroup1, process), {@code jobUser} whom jobs run as.
 * {@code notResponding} is Slurm's NOT_RESPONDING flag: the agent has missed its heartbeats for a
 * while (not yet NodeTimeout, or DOWN since and not back), shown as a {@code *} after the state.
 * {@code weight} is Slurm's node Weight (motley.conf's, or an operator's scontrol update), 1 by default.
 */
public record Node(
        String name,
        String address,
        int cpus,
        long memMiB,
        int sockets,
        int coresPerSocket,
        int threadsPerCore,
        String arch,
        String os,
        NodeState state,
        String reason,
        long reasonTime,
        int allocCpus,
        long allocMemMiB,
        long freeMemMiB,
        double cpuLoad,
        long bootTime,
        long agentStartTime,
        String version,
        List<String> features,
        List<Gpu> gpus,
        String containment,
        String jobUser,
        String gpuUsage,
        boolean notResponding,
        int weight) {

    public Node {
        features = features == null ? List.of() : List.copyOf(features);
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
    }

    /** A node of Slurm's default Weight, 1. */
    public Node(
            String name,
            String address,
            int cpus,
            long memMiB,
            int sockets,
            int coresPerSocket,
            int threadsPerCore,
            String arch,
            String os,
            NodeState state,
            String reason,
            long reasonTime,
            int allocCpus,
            long allocMemMiB,
            long freeMemMiB,
            double cpuLoad,
            long bootTime,
            long agentStartTime,
            String version,
            List<String> features,
            List<Gpu> gpus,
            String containment,
            String jobUser,
            String gpuUsage,
            boolean notResponding) {
        this(
                name,
                address,
                cpus,
                memMiB,
                sockets,
                coresPerSocket,
                threadsPerCore,
                arch,
                os,
                state,
                reason,
                reasonTime,
                allocCpus,
                allocMemMiB,
                freeMemMiB,
                cpuLoad,
                bootTime,
                agentStartTime,
                version,
                features,
                gpus,
                containment,
                jobUser,
                gpuUsage,
                notResponding,
                1);
    }

    /** An UP node known only by its name and size, one socket, core and thread (tests, benchmarks). */
    public static Node of(String name, int cpus, long memMiB) {
        return new Node(
                name,
                "",
                cpus,
                memMiB,
                1,
                1,
                1,
                "",
                "",
                NodeState.UP,
                null,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                "",
                List.of(),
                List.of(),
                "",
                "",
                "",
                false);
    }

    /** What the scheduler sees: a node that is not responding takes no new jobs, as in Slurm. */
    public NodeView view() {
        return new NodeView(
                name,
                cpus,
                memMiB,
                notResponding ? NodeState.DOWN : state,
                gpus,
                java.util.Set.copyOf(features),
                weight);
    }

    /** sinfo's long state: {@code idle}, {@code mixed}, ..., with Slurm's {@code *} when not responding. */
    public String displayState() {
        return NodeState.display(state, allocCpus, cpus) + (notResponding ? "*" : "");
    }

    /**
     * The State of {@code scontrol show node}: the state in capitals followed by Slurm's flags,
     * {@code IDLE+NOT_RESPONDING}, {@code DOWN+NOT_RESPONDING}, {@code ALLOCATED+DRAIN}.
     */
    public String controlState() {
        // a draining or drained node: its base state by what it holds, then Slurm's DRAIN flag
        String base = state == NodeState.DRAIN
                ? NodeState.display(NodeState.UP, allocCpus, cpus) + "+DRAIN"
                : NodeState.display(state, allocCpus, cpus);
        return base.toUpperCase(java.util.Locale.ROOT) + (notResponding ? "+NOT_RESPONDING" : "");
    }

    public Node withState(NodeState s, String why, long when) {
        return changed(s, why, when, allocCpus, allocMemMiB, freeMemMiB, cpuLoad, gpuUsage, notResponding, weight);
    }

    public Node withAllocation(int cpus, long mem) {
        return changed(state, reason, reasonTime, cpus, mem, freeMemMiB, cpuLoad, gpuUsage, notResponding, weight);
    }

    public Node withLoad(double load, long freeMem, String gpuUse) {
        return changed(
                state,
                reason,
                reasonTime,
                allocCpus,
                allocMemMiB,
                freeMem,
                load,
                gpuUse == null ? gpuUsage : gpuUse,
                notResponding,
                weight);
    }

    /** The same node with Slurm's NOT_RESPONDING flag set or cleared. */
    public Node withNotResponding(boolean flag) {
        return changed(state, reason, reasonTime, allocCpus, allocMemMiB, freeMemMiB, cpuLoad, gpuUsage, flag, weight);
    }

    /** This node with Slurm's scheduling Weight {@code w}: the lowest weights are given work first. */
    public Node withWeight(int w) {
        return changed(
                state, reason, reasonTime, allocCpus, allocMemMiB, freeMemMiB, cpuLoad, gpuUsage, notResponding, w);
    }

    /** This node's hardware and identity with the given state, use and flags: what the {@code with} methods change. */
    private Node changed(
            NodeState s,
            String why,
            long when,
            int alloc,
            long allocMem,
            long freeMem,
            double load,
            String gpuUse,
            boolean noResponse,
            int w) {
        return new Node(
                name,
                address,
                cpus,
                memMiB,
                sockets,
                coresPerSocket,
                threadsPerCore,
                arch,
                os,
                s,
                why,
                when,
                alloc,
                allocMem,
                freeMem,
                load,
                bootTime,
                agentStartTime,
                version,
                features,
                gpus,
                containment,
                jobUser,
                gpuUse,
                noResponse,
                w);
    }
}
