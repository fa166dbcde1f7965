package io.motley.core.job;

/** Memory a job asks for: none named (DefMemPerCPU applies), per node (--mem) or per CPU (--mem-per-cpu). */
public sealed interface MemoryRequest {
    record Unset() implements MemoryRequest {}

    /** --mem: MiB on each node. */
    record PerNode(long mib) implements MemoryRequest {}

    /** --mem-per-cpu: MiB for each allocated CPU. */
    record PerCpu(long mib) implements MemoryRequest {}

    MemoryRequest UNSET = new Unset();

    /** From the two numbers older code carries ({@link JobRequest#UNSET} when not given); --mem wins, as when scheduling. */
    static MemoryRequest of(long perNodeMiB, long perCpuMiB) {
        if (perNodeMiB != JobRequest.UNSET) return new PerNode(perNodeMiB);
        if (perCpuMiB != JobRequest.UNSET) return new PerCpu(perCpuMiB);
        return UNSET;
    }

    /** MiB on a node for a job of {@code cpus} CPUs, or {@link JobRequest#UNSET} when none was named. */
    default long onNodeMiB(int cpus) {
        // instanceof rather than a pattern switch: this runs in every command (see TimeLimit)
        if (this instanceof PerNode n) return n.mib();
        if (this instanceof PerCpu c) return c.mib() * cpus;
        return JobRequest.UNSET;
    }
}
