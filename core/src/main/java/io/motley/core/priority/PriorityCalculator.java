package io.motley.core.priority;

import io.motley.core.job.Job;
import java.util.List;

/**
 * Slurm's priority/multifactor: a pending job's age, fair-share, job-size, partition and QOS
 * factors, weighted and summed, minus its nice value. Pure: the time, the cluster's size and the
 * share tree are given.
 */
public final class PriorityCalculator {
    private final PriorityConfig config;
    private final Associations associations;
    private final int maxJobFactor;

    /** @param partitions every partition's name, for the partition factor's denominator */
    public PriorityCalculator(PriorityConfig config, Associations associations, List<String> partitions) {
        this.config = config;
        this.associations = associations;
        this.maxJobFactor =
                partitions.stream().mapToInt(config::jobFactor).max().orElse(1);
    }

    public PriorityConfig config() {
        return config;
    }

    /**
     * The factors of a pending job at {@code now}. {@code clusterCpus} is the CPUs of every node
     * (the job-size factor's denominator); the job's account and QOS are those recorded at submit.
     */
    public Factors factors(Job job, long now, ShareTree shares, int clusterCpus) {
        var r = job.request();
        String partition = job.partition() == null ? "" : job.partition().split(",")[0];
        return factors(
                new Pending(
                        job.id(),
                        job.user(),
                        r.account(),
                        partition,
                        r.qos(),
                        r.nice(),
                        r.cpus(),
                        Math.max(job.submitTime(), r.beginTime())),
                now,
                shares,
                clusterCpus);
    }

    /**
     * What the calculator needs of a pending job, for callers without a {@link Job} (the
     * simulator): {@code account} and {@code qos} may be null, {@code eligibleSince} is when it
     * could first start (submission, or --begin).
     */
    public record Pending(
            long jobId,
            String user,
            String account,
            String partition,
            String qos,
            long nice,
            int cpus,
            long eligibleSince) {}

    public Factors factors(Pending job, long now, ShareTree shares, int clusterCpus) {
        double age = config.maxAgeSeconds() == 0
                ? 1.0
                : Math.min(1.0, Math.max(0, now - job.eligibleSince()) / (double) config.maxAgeSeconds());
        double size = jobSize(job.cpus(), clusterCpus);
        String partition = job.partition() == null ? "" : job.partition();
        double part = maxJobFactor <= 0 ? 0 : (double) config.jobFactor(partition) / maxJobFactor;
        long maxQos = associations.maxQosPriority();
        String qosName = job.qos() == null ? Associations.NORMAL_QOS : job.qos();
        double qos = maxQos <= 0
                ? 0
                : associations
                        .qos(qosName)
                        .map(q -> (double) q.priority() / maxQos)
                        .orElse(0.0);
        String account = associations.enforced() ? job.account() : null;
        return new Factors(
                job.jobId(),
                job.user(),
                partition,
                age,
                shares.factor(account, job.user()),
                size,
                part,
                qos,
                job.nice(),
                config);
    }

    /**
     * Share of the cluster's CPUs the job asks for; with PriorityFavorSmall the reverse, so that a
     * one-CPU job gets 1 and a job asking for every CPU gets 0.
     */
    double jobSize(int cpus, int clusterCpus) {
        if (clusterCpus <= 0) return 0;
        double big = Math.min(1.0, (double) cpus / clusterCpus);
        if (!config.favorSmall()) return big;
        if (clusterCpus == 1) return 1.0;
        return Math.max(0, Math.min(1.0, (double) (clusterCpus - cpus) / (clusterCpus - 1)));
    }
}
