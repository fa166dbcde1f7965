package io.motley.core.priority;

import java.util.Map;

/**
 * How job priorities are computed: slurm.conf's Priority* keys. Under {@code priority/basic} jobs
 * keep submission order; under {@code priority/multifactor} a job's priority is the weighted sum
 * of its factors minus its nice value. Times are in seconds; a half-life of 0 means usage never
 * decays.
 *
 * @param partitionJobFactors each partition's PriorityJobFactor (absent: 1)
 * @param cpuBillingWeight what one CPU-second adds to usage (TRESBillingWeights' CPU=)
 * @param gpuBillingWeight what one GPU-second adds to usage (TRESBillingWeights' GRES/gpu=; 0 by default)
 * @param calcPeriodSeconds how often every pending job's priority is recomputed (PriorityCalcPeriod);
 *     a new or changed job is ranked at once
 */
public record PriorityConfig(
        boolean multifactor,
        long weightAge,
        long weightFairshare,
        long weightJobSize,
        long weightPartition,
        long weightQos,
        long maxAgeSeconds,
        long decayHalfLifeSeconds,
        boolean favorSmall,
        Map<String, Integer> partitionJobFactors,
        double cpuBillingWeight,
        double gpuBillingWeight,
        long calcPeriodSeconds) {

    public static final long DEFAULT_MAX_AGE = 7 * 86400;
    public static final long DEFAULT_HALF_LIFE = 7 * 86400;
    /** Slurm's PriorityCalcPeriod default: 5 minutes. */
    public static final long DEFAULT_CALC_PERIOD = 300;

    public PriorityConfig {
        partitionJobFactors = Map.copyOf(partitionJobFactors);
        if (maxAgeSeconds < 0 || decayHalfLifeSeconds < 0 || calcPeriodSeconds < 0) {
            throw new IllegalArgumentException("times must not be negative");
        }
    }

    /** A config with the default PriorityCalcPeriod. */
    public PriorityConfig(
            boolean multifactor,
            long weightAge,
            long weightFairshare,
            long weightJobSize,
            long weightPartition,
            long weightQos,
            long maxAgeSeconds,
            long decayHalfLifeSeconds,
            boolean favorSmall,
            Map<String, Integer> partitionJobFactors,
            double cpuBillingWeight,
            double gpuBillingWeight) {
        this(
                multifactor,
                weightAge,
                weightFairshare,
                weightJobSize,
                weightPartition,
                weightQos,
                maxAgeSeconds,
                decayHalfLifeSeconds,
                favorSmall,
                partitionJobFactors,
                cpuBillingWeight,
                gpuBillingWeight,
                DEFAULT_CALC_PERIOD);
    }

    /** Slurm's defaults with the plugin Motley uses unless told otherwise: multifactor, every weight 0. */
    public static PriorityConfig defaults() {
        return new PriorityConfig(true, 0, 0, 0, 0, 0, DEFAULT_MAX_AGE, DEFAULT_HALF_LIFE, false, Map.of(), 1.0, 0.0);
    }

    /** A partition's PriorityJobFactor. */
    public int jobFactor(String partition) {
        return partitionJobFactors.getOrDefault(partition, 1);
    }

    /** The plugin's name as slurm.conf spells it. */
    public String typeName() {
        return multifactor ? "priority/multifactor" : "priority/basic";
    }
}
