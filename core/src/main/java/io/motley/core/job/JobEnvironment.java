package io.motley.core.job;

import io.motley.core.hostlist.Hostlist;
import io.motley.core.layout.TaskLayout;
import java.util.LinkedHashMap;
import java.util.List;
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
        List<Job.Allocation.Part> parts = inHostlistOrder(job.allocation().parts());
        if (parts.size() > 1) {
            String list = Hostlist.compress(
                    parts.stream().map(Job.Allocation.Part::node).toList());
            // the scheduler gave each node its tasks' CPUs; an exclusive job holds whole nodes, its tasks spread evenly
            int[] tasks = r.exclusive()
                    ? tasksPerNode(r, parts.size())
                    : parts.stream()
                            .mapToInt(p -> Math.max(1, p.cpus() / r.cpusPerTask()))
                            .toArray();
            int ntasks = java.util.Arrays.stream(tasks).sum();
            env.put("SLURM_JOB_NODELIST", list);
            env.put("SLURM_NODELIST", list);
            env.put("SLURM_NNODES", Integer.toString(parts.size()));
            env.put("SLURM_JOB_NUM_NODES", Integer.toString(parts.size()));
            env.put("SLURM_NTASKS", Integer.toString(ntasks));
            env.put("SLURM_NPROCS", Integer.toString(ntasks));
            env.put(
                    "SLURM_JOB_CPUS_PER_NODE",
                    TaskLayout.compress(
                            parts.stream().mapToInt(Job.Allocation.Part::cpus).toArray()));
            env.put("SLURM_TASKS_PER_NODE", TaskLayout.compress(tasks));
        } else {
            env.put("SLURM_JOB_NODELIST", nodeName);
            env.put("SLURM_NODELIST", nodeName);
            env.put("SLURM_NNODES", "1");
            env.put("SLURM_JOB_NUM_NODES", "1");
            env.put("SLURM_NTASKS", Integer.toString(r.ntasks()));
            env.put("SLURM_NPROCS", Integer.toString(r.ntasks()));
            env.put("SLURM_JOB_CPUS_PER_NODE", Integer.toString(job.allocCpus()));
            // without -n, as many tasks as the node's CPUs hold (an --exclusive job's whole node), as
            // slurmd lays them out; srun reads SLURM_NTASKS, which stays the tasks asked for
            int tasks = r.ntasksAsked() || job.allocCpus() <= 0
                    ? r.ntasks()
                    : Math.max(1, job.allocCpus() / r.cpusPerTask());
            env.put("SLURM_TASKS_PER_NODE", Integer.toString(tasks));
        }
        // as sbatch passes it on
        if (r.resources().ntasksPerNode() > 0)
            env.put("SLURM_NTASKS_PER_NODE", Integer.toString(r.resources().ntasksPerNode()));
        if (r.cpusPerTaskGiven()) env.put("SLURM_CPUS_PER_TASK", Integer.toString(r.cpusPerTask()));
        // this node's share: the batch host's, where the script runs
        Job.Allocation.Part here = job.allocation().parts().isEmpty()
                ? new Job.Allocation.Part(nodeName, job.allocCpus(), job.allocMemMiB(), List.of())
                : job.allocation().parts().get(0);
        env.put("SLURM_CPUS_ON_NODE", Integer.toString(here.cpus()));
        if (r.resources().memory() instanceof MemoryRequest.PerCpu perCpu) {
            env.put("SLURM_MEM_PER_CPU", Long.toString(perCpu.mib()));
        } else if (!r.resources().memory().given() && here.cpus() > 0 && here.memMiB() % here.cpus() == 0) {
            // without --mem the memory is per CPU (DefMemPerCPU, else the node's share), and Slurm says so
            env.put("SLURM_MEM_PER_CPU", Long.toString(here.memMiB() / here.cpus()));
        } else {
            env.put("SLURM_MEM_PER_NODE", Long.toString(here.memMiB()));
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

    /** Parts in the order Slurm's sorted hostlist names their nodes, which SLURM_TASKS_PER_NODE follows. */
    public static List<Job.Allocation.Part> inHostlistOrder(List<Job.Allocation.Part> parts) {
        if (parts.size() < 2) return parts;
        List<String> sorted = Hostlist.expand(
                Hostlist.compress(parts.stream().map(Job.Allocation.Part::node).toList()));
        return parts.stream()
                .sorted(java.util.Comparator.comparingInt(p -> sorted.indexOf(p.node())))
                .toList();
    }

    /** Tasks per node of a job on {@code nodes} nodes: its -n spread as the scheduler spread it, else one (or --ntasks-per-node) each. */
    public static int[] tasksPerNode(JobRequest r, int nodes) {
        JobRequest.Resources res = r.resources();
        if (!res.ntasksGiven() || res.ntasks() < nodes) {
            int[] each = new int[nodes];
            java.util.Arrays.fill(each, res.ntasksPerNode() > 0 ? res.ntasksPerNode() : 1);
            return each;
        }
        return TaskLayout.tasksPerNode(
                res.ntasks(), nodes, (long) res.ntasksPerNode() * nodes >= res.ntasks() ? res.ntasksPerNode() : 0);
    }
}
