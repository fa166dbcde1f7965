package io.motley.core.cluster;

import java.util.List;

/**
 * A node as the controller knows it: the hardware its agent reported, its admin state with the
 * reason, and what is allocated on it. Times are epoch seconds. {@code containment} is how the
 * agent holds jobs to their limits (cgroup2, cgroup1, process), {@code jobUser} whom jobs run as.
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
        String gpuUsage) {

    public Node {
        features = features == null ? List.of() : List.copyOf(features);
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
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
                "");
    }

    public NodeView view() {
        return new NodeView(name, cpus, memMiB, state, gpus, java.util.Set.copyOf(features), 1);
    }

    public String displayState() {
        return NodeState.display(state, allocCpus, cpus);
    }

    public Node withState(NodeState s, String why, long when) {
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
                gpuUsage);
    }

    public Node withAllocation(int cpus, long mem) {
        return new Node(
                name,
                address,
                this.cpus,
                memMiB,
                sockets,
                coresPerSocket,
                threadsPerCore,
                arch,
                os,
                state,
                reason,
                reasonTime,
                cpus,
                mem,
                freeMemMiB,
                cpuLoad,
                bootTime,
                agentStartTime,
                version,
                features,
                gpus,
                containment,
                jobUser,
                gpuUsage);
    }

    public Node withLoad(double load, long freeMem, String gpuUse) {
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
                state,
                reason,
                reasonTime,
                allocCpus,
                allocMemMiB,
                freeMem,
                load,
                bootTime,
                agentStartTime,
                version,
                features,
                gpus,
                containment,
                jobUser,
                gpuUse == null ? gpuUsage : gpuUse);
    }
}
