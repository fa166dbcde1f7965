package io.motley.core.cluster;

/**
 * A node as the controller knows it: the hardware its agent reported, its admin state with the
 * reason, and what is allocated on it. Times are epoch seconds.
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
        String version) {

    public NodeView view() {
        return new NodeView(name, cpus, memMiB, state);
    }

    public String displayState() {
        return NodeState.display(state, allocCpus, cpus);
    }

    public Node withState(NodeState s, String why, long when) {
        return new Node(name, address, cpus, memMiB, sockets, coresPerSocket, threadsPerCore, arch, os, s, why, when,
                allocCpus, allocMemMiB, freeMemMiB, cpuLoad, bootTime, agentStartTime, version);
    }

    public Node withAllocation(int cpus, long mem) {
        return new Node(name, address, this.cpus, memMiB, sockets, coresPerSocket, threadsPerCore, arch, os, state,
                reason, reasonTime, cpus, mem, freeMemMiB, cpuLoad, bootTime, agentStartTime, version);
    }

    public Node withLoad(double load, long freeMem) {
        return new Node(name, address, cpus, memMiB, sockets, coresPerSocket, threadsPerCore, arch, os, state, reason,
                reasonTime, allocCpus, allocMemMiB, freeMem, load, bootTime, agentStartTime, version);
    }
}
