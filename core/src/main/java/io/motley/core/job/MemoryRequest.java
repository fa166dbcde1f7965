package io.motley.core.job;

/** Memory a job asks for: none named (DefMemPerCPU applies), per node (--mem) or per CPU (--mem-per-cpu). */
public sealed interface MemoryRequest {
    record Unset() implements MemoryRequest {}

    /** --mem: MiB on each node. */
    record PerNode(long mib) implements MemoryRequest {}

    /** --mem-per-cpu: MiB for each allocated CPU. */
    record PerCpu(long mib) implements MemoryRequest {}

    MemoryRequest UNSET = new Unset();

    /** Whether the user named memory (--mem or --mem-per-cpu). */
    default boolean given() {
        return !(this instanceof Unset);
    }

    /** MiB on a node for a job of {@code cpus} CPUs, or {@code otherwise} when none was named. */
    default long onNodeMiB(int cpus, long otherwise) {
        // instanceof rather than a pattern switch: this runs in every command (see TimeLimit)
        if (this instanceof PerNode n) return n.mib();
        if (this instanceof PerCpu c) return c.mib() * cpus;
        return otherwise;
    }
}
