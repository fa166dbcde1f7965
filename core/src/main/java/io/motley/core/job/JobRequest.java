package io.motley.core.job;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a user asked for with sbatch: resources, limits, files and the script. Values the user did
 * not give are null (or {@link #UNSET} for numbers), so that defaults can be applied by the
 * controller, which knows the partition and the nodes. {@code nice} is --nice, {@code qos} --qos,
 * {@code deadline} --deadline in epoch seconds (0: none), {@code requeue} whether the job may be
 * requeued (--requeue, the default, or --no-requeue).
 */
public record JobRequest(
        String name,
        List<String> partitions,
        int ntasks,
        int cpusPerTask,
        boolean cpusPerTaskGiven,
        int nodes,
        long memPerNodeMiB,
        long memPerCpuMiB,
        long timeLimitSeconds,
        String stdoutPattern,
        String stderrPattern,
        String workDir,
        String submitDir,
        Map<String, String> environment,
        String script,
        List<String> arguments,
        boolean hold,
        String comment,
        String account,
        String submitHost,
        int gpusPerNode,
        String gpuType,
        String dependency,
        boolean killOnInvalidDependency,
        long beginTime,
        String constraint,
        String nodeList,
        String excludeList,
        boolean exclusive,
        String array,
        int nice,
        String qos,
        long deadline,
        boolean requeue) {

    public static final long UNSET = -2;

    public JobRequest {
        Objects.requireNonNull(name, "name");
        partitions = List.copyOf(partitions);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(script, "script");
        arguments = arguments == null ? List.of() : List.copyOf(arguments);
        Objects.requireNonNull(workDir, "workDir");
        if (submitDir == null) submitDir = workDir;
        if (ntasks < 1) throw new IllegalArgumentException("ntasks must be at least 1");
        if (cpusPerTask < 1) throw new IllegalArgumentException("cpus-per-task must be at least 1");
        if (nodes < 1) throw new IllegalArgumentException("nodes must be at least 1");
        if (gpusPerNode < 0) throw new IllegalArgumentException("GPU count must not be negative");
    }

    /** A request without GPUs (the form most callers build). */
    public JobRequest(
            String name,
            List<String> partitions,
            int ntasks,
            int cpusPerTask,
            boolean cpusPerTaskGiven,
            int nodes,
            long memPerNodeMiB,
            long memPerCpuMiB,
            long timeLimitSeconds,
            String stdoutPattern,
            String stderrPattern,
            String workDir,
            String submitDir,
            Map<String, String> environment,
            String script,
            List<String> arguments,
            boolean hold,
            String comment,
            String account,
            String submitHost) {
        this(
                name,
                partitions,
                ntasks,
                cpusPerTask,
                cpusPerTaskGiven,
                nodes,
                memPerNodeMiB,
                memPerCpuMiB,
                timeLimitSeconds,
                stdoutPattern,
                stderrPattern,
                workDir,
                submitDir,
                environment,
                script,
                arguments,
                hold,
                comment,
                account,
                submitHost,
                0,
                null,
                null,
                false,
                0,
                null,
                null,
                null,
                false,
                null,
                0,
                null,
                0,
                true);
    }

    /** The same request held or released. */
    public JobRequest withHold(boolean held) {
        return new JobRequest(
                name,
                partitions,
                ntasks,
                cpusPerTask,
                cpusPerTaskGiven,
                nodes,
                memPerNodeMiB,
                memPerCpuMiB,
                timeLimitSeconds,
                stdoutPattern,
                stderrPattern,
                workDir,
                submitDir,
                environment,
                script,
                arguments,
                held,
                comment,
                account,
                submitHost,
                gpusPerNode,
                gpuType,
                dependency,
                killOnInvalidDependency,
                beginTime,
                constraint,
                nodeList,
                excludeList,
                exclusive,
                array,
                nice,
                qos,
                deadline,
                requeue);
    }

    /** The same request with another shape, name, limit or comment (scontrol update on a pending job). */
    public JobRequest updated(
            String newName,
            List<String> newPartitions,
            int newNtasks,
            int newCpusPerTask,
            long newTimeLimitSeconds,
            String newComment) {
        return new JobRequest(
                newName,
                newPartitions,
                newNtasks,
                newCpusPerTask,
                cpusPerTaskGiven || newCpusPerTask != cpusPerTask,
                nodes,
                memPerNodeMiB,
                memPerCpuMiB,
                newTimeLimitSeconds,
                stdoutPattern,
                stderrPattern,
                workDir,
                submitDir,
                environment,
                script,
                arguments,
                hold,
                newComment,
                account,
                submitHost,
                gpusPerNode,
                gpuType,
                dependency,
                killOnInvalidDependency,
                beginTime,
                constraint,
                nodeList,
                excludeList,
                exclusive,
                array,
                nice,
                qos,
                deadline,
                requeue);
    }

    /** The same request with its dependency replaced (null once it is satisfied, as Slurm clears it). */
    public JobRequest withDependency(String dep) {
        return new JobRequest(
                name,
                partitions,
                ntasks,
                cpusPerTask,
                cpusPerTaskGiven,
                nodes,
                memPerNodeMiB,
                memPerCpuMiB,
                timeLimitSeconds,
                stdoutPattern,
                stderrPattern,
                workDir,
                submitDir,
                environment,
                script,
                arguments,
                hold,
                comment,
                account,
                submitHost,
                gpusPerNode,
                gpuType,
                dep,
                killOnInvalidDependency,
                beginTime,
                constraint,
                nodeList,
                excludeList,
                exclusive,
                array,
                nice,
                qos,
                deadline,
                requeue);
    }

    /** The same request with another --nice value (scontrol update Nice=). */
    public JobRequest withNice(int newNice) {
        return new JobRequest(
                name,
                partitions,
                ntasks,
                cpusPerTask,
                cpusPerTaskGiven,
                nodes,
                memPerNodeMiB,
                memPerCpuMiB,
                timeLimitSeconds,
                stdoutPattern,
                stderrPattern,
                workDir,
                submitDir,
                environment,
                script,
                arguments,
                hold,
                comment,
                account,
                submitHost,
                gpusPerNode,
                gpuType,
                dependency,
                killOnInvalidDependency,
                beginTime,
                constraint,
                nodeList,
                excludeList,
                exclusive,
                array,
                newNice,
                qos,
                deadline,
                requeue);
    }

    /** The same request charged to this account and QOS (what submission resolved them to). */
    public JobRequest charged(String newAccount, String newQos) {
        return new JobRequest(
                name,
                partitions,
                ntasks,
                cpusPerTask,
                cpusPerTaskGiven,
                nodes,
                memPerNodeMiB,
                memPerCpuMiB,
                timeLimitSeconds,
                stdoutPattern,
                stderrPattern,
                workDir,
                submitDir,
                environment,
                script,
                arguments,
                hold,
                comment,
                newAccount,
                submitHost,
                gpusPerNode,
                gpuType,
                dependency,
                killOnInvalidDependency,
                beginTime,
                constraint,
                nodeList,
                excludeList,
                exclusive,
                array,
                nice,
                newQos,
                deadline,
                requeue);
    }

    /** The same request eligible from another time (a requeued job waits, as Slurm's BeginTime). */
    public JobRequest withBeginTime(long begin) {
        return new JobRequest(
                name,
                partitions,
                ntasks,
                cpusPerTask,
                cpusPerTaskGiven,
                nodes,
                memPerNodeMiB,
                memPerCpuMiB,
                timeLimitSeconds,
                stdoutPattern,
                stderrPattern,
                workDir,
                submitDir,
                environment,
                script,
                arguments,
                hold,
                comment,
                account,
                submitHost,
                gpusPerNode,
                gpuType,
                dependency,
                killOnInvalidDependency,
                begin,
                constraint,
                nodeList,
                excludeList,
                exclusive,
                array,
                nice,
                qos,
                deadline,
                requeue);
    }

    /** The same request with a time limit in seconds (an association's MaxWall for a job that gave none, as slurmctld sets it). */
    public JobRequest withTimeLimit(long seconds) {
        return new JobRequest(
                name,
                partitions,
                ntasks,
                cpusPerTask,
                cpusPerTaskGiven,
                nodes,
                memPerNodeMiB,
                memPerCpuMiB,
                seconds,
                stdoutPattern,
                stderrPattern,
                workDir,
                submitDir,
                environment,
                script,
                arguments,
                hold,
                comment,
                account,
                submitHost,
                gpusPerNode,
                gpuType,
                dependency,
                killOnInvalidDependency,
                beginTime,
                constraint,
                nodeList,
                excludeList,
                exclusive,
                array,
                nice,
                qos,
                deadline,
                requeue);
    }

    /** Slurm's TRES text for the GPUs asked for: {@code gres/gpu=2} or {@code gres/gpu:TYPE=2}; empty for none. */
    public String gpuTres() {
        if (gpusPerNode <= 0) return "";
        return "gres/gpu" + (gpuType == null ? "" : ":" + gpuType) + "=" + gpusPerNode;
    }

    /** CPUs the job needs on its node: tasks times CPUs per task. */
    public int cpus() {
        return ntasks * cpusPerTask;
    }

    /** Memory this request needs on a node, or UNSET when the user named none. */
    public long requestedMemMiB() {
        if (memPerNodeMiB != UNSET) return memPerNodeMiB;
        if (memPerCpuMiB != UNSET) return memPerCpuMiB * cpus();
        return UNSET;
    }
}
