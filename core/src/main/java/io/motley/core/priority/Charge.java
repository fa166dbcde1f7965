package io.motley.core.priority;

/**
 * Usage charged to an association: a job that held {@code rate} billing units per second (CPUs,
 * plus GPUs where they are billed) from {@code start} to {@code end}; {@code end} 0 while it runs.
 * {@code account} is null when no accounts are declared.
 */
public record Charge(String account, String user, double rate, long start, long end) {
    public Charge {
        if (rate < 0) throw new IllegalArgumentException("rate must not be negative");
    }

    /** Billing units per second for a job holding these CPUs and GPUs (TRESBillingWeights). */
    public static double rate(PriorityConfig config, int cpus, int gpus) {
        return cpus * config.cpuBillingWeight() + gpus * config.gpuBillingWeight();
    }
}
