package io.motley.core.priority;

/**
 * One pending job's priority factors, each in [0,1], with the weights they were taken with, as
 * sprio shows them. The priority is the sum of weight * factor minus the nice value, truncated,
 * and never below 1 (Slurm keeps 0 for held jobs).
 */
public record Factors(
        long jobId,
        String user,
        String partition,
        double age,
        double fairShare,
        double jobSize,
        double partitionFactor,
        double qos,
        long nice,
        PriorityConfig weights) {

    /** The largest priority Slurm stores (32 bits unsigned). */
    public static final long MAX_PRIORITY = 0xFFFFFFFFL;

    public double weightedAge() {
        return weights.weightAge() * age;
    }

    public double weightedFairShare() {
        return weights.weightFairshare() * fairShare;
    }

    public double weightedJobSize() {
        return weights.weightJobSize() * jobSize;
    }

    public double weightedPartition() {
        return weights.weightPartition() * partitionFactor;
    }

    public double weightedQos() {
        return weights.weightQos() * qos;
    }

    /** The sum before truncation and the floor of 1 (scontrol top works from it). */
    public double sum() {
        return weightedAge() + weightedFairShare() + weightedJobSize() + weightedPartition() + weightedQos() - nice;
    }

    public long priority() {
        double s = sum();
        if (s < 1) return 1;
        return Math.min(MAX_PRIORITY, (long) s);
    }
}
