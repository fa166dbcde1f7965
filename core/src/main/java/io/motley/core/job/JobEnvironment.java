package io.motley.core.job;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment a batch script sees: what sbatch exported, then Slurm's variables on top. Which
 * of Slurm 22.05's variables are set, and the few Motley sets that 22.05 does not, is written in
 * docs/slurm-differences.md. SLURM_TASK_PID is the script's own pid, set where it is started.
 */
public final class JobEnvironment {
    private JobEnvironment() {}

    public static Map<String, String> build(Job job, String clusterName, String nodeName) {
        JobRequest r = job.request();
        Map<String, String> env = new LinkedHashMap<>(r.environment());
        String id = Long.toString(job.id());
        env.put("SLURM_JOB_ID", id);
        env.put("SLURM_JOBID", id);
        env.put("SLURM_JOB_NAME", r.name());
        env.put("SLURM_JOB_PARTITION", job.partition());
        env.put("SLURM_JOB_NODELIST", nodeName);
        env.put("SLURM_NODELIST", nodeName);
        env.put("SLURM_NNODES", "1");
        env.put("SLURM_JOB_NUM_NODES", "1");
        env.put("SLURM_NTASKS", Integer.toString(r.ntasks()));
        env.put("SLURM_NPROCS", Integer.toString(r.ntasks()));
        if (r.cpusPerTaskGiven()) env.put("SLURM_CPUS_PER_TASK", Integer.toString(r.cpusPerTask()));
        env.put("SLURM_CPUS_ON_NODE", Integer.toString(job.allocCpus()));
        env.put("SLURM_JOB_CPUS_PER_NODE", Integer.toString(job.allocCpus()));
        env.put("SLURM_TASKS_PER_NODE", Integer.toString(r.ntasks()));
        if (r.resources().memory() instanceof MemoryRequest.PerCpu perCpu) {
            env.put("SLURM_MEM_PER_CPU", Long.toString(perCpu.mib()));
        } else if (!r.resources().memory().given() && job.allocCpus() > 0 && job.allocMemMiB() % job.allocCpus() == 0) {
            // without --mem the memory is per CPU (DefMemPerCPU, else the node's share), and Slurm says so
            env.put("SLURM_MEM_PER_CPU", Long.toString(job.allocMemMiB() / job.allocCpus()));
        } else {
            env.put("SLURM_MEM_PER_NODE", Long.toString(job.allocMemMiB()));
        }
        env.put("SLURM_SUBMIT_DIR", r.submitDir());
        env.put("SLURM_SUBMIT_HOST", r.submitHost() == null ? "" : r.submitHost());
        env.put("SLURM_JOB_USER", job.user());
        env.put("SLURM_JOB_UID", Integer.toString(job.uid()));
        env.put("SLURM_JOB_GID", Integer.toString(job.gid()));
        env.put("SLURM_CLUSTER_NAME", clusterName);
        env.put("SLURMD_NODENAME", nodeName);
        env.put("SLURM_NODEID", "0");
        env.put("SLURM_PROCID", "0");
        env.put("SLURM_LOCALID", "0");
        env.put("SLURM_GTIDS", "0");
        env.put("SLURM_NODE_ALIASES", "(null)");
        env.put("SLURM_TOPOLOGY_ADDR", nodeName);
        env.put("SLURM_TOPOLOGY_ADDR_PATTERN", "node");
        // sbatch's scheduling priority (its nice value), propagated; Motley's sbatch does not read it
        env.putIfAbsent("SLURM_PRIO_PROCESS", "0");
        // slurmstepd sets it when the job's environment has none
        env.putIfAbsent("TMPDIR", "/tmp");
        if (r.account() != null) env.put("SLURM_JOB_ACCOUNT", r.account());
        long end = job.timeLimit().endFrom(job.startTime(), 0);
        if (end != 0) env.put("SLURM_JOB_END_TIME", Long.toString(end));
        env.put("SLURM_JOB_START_TIME", Long.toString(job.startTime()));
        if (!job.gpuList().isEmpty()) {
            // the job sees only its devices; CUDA renumbers them from 0 inside the job
            String gpus =
                    String.join(",", job.gpuList().stream().map(String::valueOf).toList());
            env.put("CUDA_VISIBLE_DEVICES", gpus);
            env.put("SLURM_JOB_GPUS", gpus);
            env.put("GPU_DEVICE_ORDINAL", gpus);
            env.put("SLURM_GPUS_ON_NODE", Integer.toString(job.gpuList().size()));
        } else if (r.gpusPerNode() == 0) {
            // a job without GPUs must not use the node's GPUs through an inherited variable
            env.put("CUDA_VISIBLE_DEVICES", "");
        }
        if (job.array() != null && job.array().taskId() >= 0 && r.array() != null) {
            ArraySpec spec = ArraySpec.parse(r.array());
            env.put("SLURM_ARRAY_JOB_ID", Long.toString(job.array().arrayJobId()));
            env.put("SLURM_ARRAY_TASK_ID", Integer.toString(job.array().taskId()));
            env.put("SLURM_ARRAY_TASK_COUNT", Integer.toString(spec.indices().size()));
            env.put("SLURM_ARRAY_TASK_MIN", Integer.toString(spec.min()));
            env.put("SLURM_ARRAY_TASK_MAX", Integer.toString(spec.max()));
            env.put("SLURM_ARRAY_TASK_STEP", Integer.toString(spec.step()));
        }
        // Slurm sets it only on a run after a requeue
        if (job.restarts() > 0) env.put("SLURM_RESTART_COUNT", Integer.toString(job.restarts()));
        env.put("ENVIRONMENT", "BATCH");
        return env;
    }

    /**
     * The environment with Motley's commands first on PATH ({@code binDir}, the distribution's
     * bin), as Slurm's srun and sbatch are on a node's PATH: a job script's srun must be Motley's,
     * never another Slurm's installed in /usr/bin. Nothing changes when {@code binDir} is null.
     */
    public static Map<String, String> withCommandsOnPath(Map<String, String> env, String binDir) {
        if (binDir == null || binDir.isEmpty()) return env;
        Map<String, String> out = new LinkedHashMap<>(env);
        String path = env.get("PATH");
        StringBuilder b = new StringBuilder(binDir);
        if (path == null) {
            b.append(":/usr/local/bin:/usr/bin:/bin");
        } else {
            for (String dir : path.split(":", -1))
                if (!dir.equals(binDir)) b.append(':').append(dir);
        }
        out.put("PATH", b.toString());
        return out;
    }
}
