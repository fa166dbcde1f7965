package io.motley.controller.metrics;

import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Statistics;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.Partition;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The controller's /metrics: what Slurm 25.11's OpenMetrics endpoints (/metrics/jobs, nodes,
 * partitions, scheduler, jobs-users-accts) export, under their names and labels, all on one page;
 * the community exporter's names for cluster CPU and GPU totals; Motley's own where neither has
 * one (pending reasons, database, certificates). Labels are nodes, partitions, users, accounts,
 * states and reasons, never jobs, so the series grow with the cluster and its users, not its queue.
 * Taken at each scrape from one copy of the tables.
 */
public final class ClusterMetrics implements MultiCollector {
    private static final double MIB = 1024.0 * 1024.0;

    private final Cluster cluster;
    private final LongSupplier clockSeconds;
    private final Supplier<Map<String, Long>> certificateExpiries;
    private final long startedAt;

    /**
     * @param certificateExpiries the certificates the controller uses (name to its notAfter in epoch
     *     seconds), read at each scrape because they are renewed while it runs
     */
    public ClusterMetrics(Cluster cluster, LongSupplier clockSeconds, Supplier<Map<String, Long>> certificateExpiries) {
        this.cluster = cluster;
        this.clockSeconds = clockSeconds;
        this.certificateExpiries = certificateExpiries;
        this.startedAt = clockSeconds.getAsLong();
    }

    /** What Slurm counts of a set of jobs, by state, and what the running ones hold. */
    static final class JobCounts {
        long total;
        final EnumMap<JobState, Long> byState = new EnumMap<>(JobState.class);
        long hold;
        long cpus;
        long memMiB;
        long gpus;
        long nodes;

        void add(Job j) {
            total++;
            byState.merge(j.state(), 1L, Long::sum);
            if (j.state() == JobState.PENDING
                    && (j.reason() == PendingReason.JobHeldUser || j.reason() == PendingReason.JobHeldAdmin)) hold++;
            if (j.state().holdsAllocation()) {
                cpus += j.allocCpus();
                memMiB += j.allocMemMiB();
                gpus += j.gpuList().size();
                nodes++;
            }
        }

        long in(JobState s) {
            return byState.getOrDefault(s, 0L);
        }
    }

    /** Slurm's word in metric names for each of Motley's job states. */
    static String slurmWord(JobState s) {
        return switch (s) {
            case PENDING -> "pending";
            case RUNNING -> "running";
            case SUSPENDED -> "suspended";
            case COMPLETED -> "completed";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
            case TIMEOUT -> "timeout";
            case NODE_FAIL -> "node_failed";
            case OUT_OF_MEMORY -> "outofmemory";
            case DEADLINE -> "deadline";
        };
    }

    /** A node's state as a metric label: Slurm's base state words. */
    static String stateWord(Node n) {
        return switch (n.state()) {
            case UP -> n.allocCpus() == 0 ? "idle" : n.allocCpus() >= n.cpus() ? "alloc" : "mixed";
            case DOWN -> "down";
            case DRAIN -> n.allocCpus() == 0 ? "drained" : "draining";
            case INVAL -> "invalid_reg";
        };
    }

    @Override
    public MetricSnapshots collect() {
        long now = clockSeconds.getAsLong();
        List<Job> jobs = cluster.jobs();
        List<Node> nodes = cluster.nodes();
        List<Partition> partitions = cluster.partitions();
        Cluster.Diagnostics diag = cluster.diagnostics();
        Gauges g = new Gauges();
        jobs(g, jobs, now);
        Map<String, Long> gpusInUse = new HashMap<>();
        for (Job j : jobs) {
            if (j.state().holdsAllocation() && j.node() != null)
                gpusInUse.merge(j.node(), (long) j.gpuList().size(), Long::sum);
        }
        nodes(g, nodes, gpusInUse);
        partitions(g, partitions, nodes, jobs, gpusInUse);
        scheduler(g, diag);
        g.set(
                "motley_database_up",
                "Whether the job database answers (0: scontrol ping reports it unusable)",
                cluster.storeProblem().isPresent() ? 0 : 1);
        g.declare(
                "motley_certificate_expiry_timestamp_seconds",
                "When a certificate the controller uses expires (epoch seconds)");
        certificateExpiries
                .get()
                .forEach((name, until) ->
                        g.set("motley_certificate_expiry_timestamp_seconds", null, until, "certificate", name));
        g.set("motley_controller_start_time_seconds", "When the controller started (epoch seconds)", startedAt);
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        g.addTo(out);
        return out.build();
    }

    private static void jobs(Gauges g, List<Job> jobs, long now) {
        JobCounts all = new JobCounts();
        Map<String, JobCounts> byUser = new TreeMap<>();
        Map<String, JobCounts> byAccount = new TreeMap<>();
        Map<PendingReason, long[]> pending = new EnumMap<>(PendingReason.class);
        for (Job j : jobs) {
            all.add(j);
            byUser.computeIfAbsent(j.user() == null ? "" : j.user(), k -> new JobCounts())
                    .add(j);
            String account = j.request().terms().account();
            // a job with no account (none configured) is in the totals and its user's figures only
            if (account != null && !account.isEmpty())
                byAccount.computeIfAbsent(account, k -> new JobCounts()).add(j);
            if (j.state() == JobState.PENDING) {
                long[] countAndOldest = pending.computeIfAbsent(j.reason(), r -> new long[2]);
                countAndOldest[0]++;
                countAndOldest[1] = Math.max(countAndOldest[1], now - j.submitTime());
            }
        }
        g.set("slurm_jobs", "Total number of jobs", all.total);
        for (JobState s : JobState.values()) {
            g.set("slurm_jobs_" + slurmWord(s), "Number of jobs in " + s + " state", all.in(s));
        }
        g.set("slurm_jobs_hold", "Number of jobs in Hold state", all.hold);
        g.set("slurm_jobs_cpus_alloc", "Total number of CPUs allocated by jobs", all.cpus);
        g.set("slurm_jobs_memory_alloc", "Total memory bytes allocated by jobs", all.memMiB * MIB);
        g.set("slurm_jobs_gpus_alloc", "Total number of GPUs allocated by jobs", all.gpus);
        g.set("slurm_jobs_nodes_alloc", "Total number of nodes allocated by jobs", all.nodes);
        entities(g, "user", "username", byUser);
        entities(g, "account", "account", byAccount);
        g.declare("motley_jobs_pending_by_reason", "Pending jobs by the reason they wait (squeue's REASON)");
        g.declare(
                "motley_jobs_pending_oldest_seconds",
                "How long the longest-waiting pending job with this reason has waited since submission");
        pending.forEach((reason, v) -> {
            g.set("motley_jobs_pending_by_reason", null, v[0], "reason", reason.name());
            g.set("motley_jobs_pending_oldest_seconds", null, Math.max(0, v[1]), "reason", reason.name());
        });
    }

    /** Slurm's /metrics/jobs-users-accts: slurm_user_jobs_*{username} and slurm_account_jobs_*{account}. */
    private static void entities(Gauges g, String prefix, String label, Map<String, JobCounts> counts) {
        String p = "slurm_" + prefix + "_jobs";
        g.declare(p, "Total number of jobs");
        for (JobState s : JobState.values()) g.declare(p + "_" + slurmWord(s), "Number of jobs in " + s + " state");
        g.declare(p + "_hold", "Number of jobs in Hold state");
        g.declare(p + "_cpus_alloc", "Total number of CPUs allocated by jobs");
        g.declare(p + "_memory_alloc", "Total memory bytes allocated by jobs");
        g.declare(p + "_gpus_alloc", "Total number of GPUs allocated by jobs");
        counts.forEach((name, c) -> {
            g.set(p, null, c.total, label, name);
            for (JobState s : JobState.values()) g.set(p + "_" + slurmWord(s), null, c.in(s), label, name);
            g.set(p + "_hold", null, c.hold, label, name);
            g.set(p + "_cpus_alloc", null, c.cpus, label, name);
            g.set(p + "_memory_alloc", null, c.memMiB * MIB, label, name);
            g.set(p + "_gpus_alloc", null, c.gpus, label, name);
        });
    }

    private static final List<String> NODE_STATES =
            List.of("idle", "mixed", "alloc", "down", "drained", "draining", "invalid_reg");

    private static void nodes(Gauges g, List<Node> nodes, Map<String, Long> gpusInUse) {
        Map<String, Long> byState = new TreeMap<>();
        long noResp = 0;
        long drain = 0;
        long cpus = 0;
        long cpusAlloc = 0;
        long gpus = 0;
        long gpusAlloc = 0;
        long mem = 0;
        long memAlloc = 0;
        long memFree = 0;
        for (String s : NODE_STATES) g.declare("slurm_nodes_" + s, "Number of nodes in " + s + " state");
        String[] perNode = {
            "slurm_node_cpus", "Total number of CPUs in the node",
            "slurm_node_cpus_alloc", "Allocated CPUs in the node",
            "slurm_node_cpus_idle", "Idle CPUs in the node",
            "slurm_node_memory_bytes", "Total memory in bytes of the node",
            "slurm_node_memory_alloc_bytes", "Bytes allocated to jobs in the node",
            "slurm_node_memory_free_bytes", "Free memory in bytes of the node",
            "slurm_node_gpus", "Total number of GPUs in the node",
            "slurm_node_gpus_alloc", "Number of GPUs currently allocated by jobs on the node",
            "slurm_node_state", "1 for the node's state (idle, mixed, alloc, down, drained, draining)",
            "slurm_node_not_responding", "1 when the node's agent missed its heartbeats (Slurm's NOT_RESPONDING)",
            "motley_node_drained_by_health_check", "1 when the node is drained because its health check failed",
            "motley_node_cpu_load", "The node's load average as its agent reported it",
            "motley_node_info", "1 for each node, with its OS, architecture, containment and agent version"
        };
        for (int i = 0; i < perNode.length; i += 2) g.declare(perNode[i], perNode[i + 1]);
        for (Node n : nodes) {
            String state = stateWord(n);
            byState.merge(state, 1L, Long::sum);
            if (n.notResponding()) noResp++;
            if (n.state() == NodeState.DRAIN) drain++;
            long nodeGpus = n.gpus().size();
            long nodeGpusAlloc = gpusInUse.getOrDefault(n.name(), 0L);
            cpus += n.cpus();
            cpusAlloc += n.allocCpus();
            gpus += nodeGpus;
            gpusAlloc += nodeGpusAlloc;
            mem += n.memMiB();
            memAlloc += n.allocMemMiB();
            memFree += n.freeMemMiB();
            String name = n.name();
            g.set("slurm_node_cpus", null, n.cpus(), "node", name);
            g.set("slurm_node_cpus_alloc", null, n.allocCpus(), "node", name);
            g.set("slurm_node_cpus_idle", null, Math.max(0, n.cpus() - n.allocCpus()), "node", name);
            g.set("slurm_node_memory_bytes", null, n.memMiB() * MIB, "node", name);
            g.set("slurm_node_memory_alloc_bytes", null, n.allocMemMiB() * MIB, "node", name);
            g.set("slurm_node_memory_free_bytes", null, n.freeMemMiB() * MIB, "node", name);
            g.set("slurm_node_gpus", null, nodeGpus, "node", name);
            g.set("slurm_node_gpus_alloc", null, nodeGpusAlloc, "node", name);
            g.set("slurm_node_state", null, 1, "node", name, "state", state);
            g.set("slurm_node_not_responding", null, n.notResponding() ? 1 : 0, "node", name);
            boolean byHealth = n.state() == NodeState.DRAIN
                    && n.reason() != null
                    && n.reason().startsWith(Cluster.HEALTH_CHECK_REASON);
            g.set("motley_node_drained_by_health_check", null, byHealth ? 1 : 0, "node", name);
            g.set("motley_node_cpu_load", null, n.cpuLoad(), "node", name);
            g.set(
                    "motley_node_info",
                    null,
                    1,
                    "node",
                    name,
                    "os",
                    orEmpty(n.os()),
                    "arch",
                    orEmpty(n.arch()),
                    "containment",
                    orEmpty(n.containment()),
                    "version",
                    orEmpty(n.version()));
        }
        g.set("slurm_nodes", "Total number of nodes", nodes.size());
        for (String s : NODE_STATES) g.set("slurm_nodes_" + s, null, byState.getOrDefault(s, 0L));
        g.set("slurm_nodes_drain", "Number of nodes with Drain flag", drain);
        g.set("slurm_nodes_noresp", "Number of nodes with Not Responding flag", noResp);
        g.set("slurm_cpus", "Total CPUs of all nodes", cpus);
        g.set("slurm_cpus_alloc", "CPUs allocated to jobs on all nodes", cpusAlloc);
        g.set("slurm_cpus_idle", "CPUs not allocated on all nodes", Math.max(0, cpus - cpusAlloc));
        g.set("slurm_gpus", "Total GPUs of all nodes", gpus);
        g.set("slurm_gpus_alloc", "GPUs allocated to jobs on all nodes", gpusAlloc);
        g.set("slurm_gpus_idle", "GPUs not allocated on all nodes", Math.max(0, gpus - gpusAlloc));
        g.set("slurm_memory_bytes", "Total memory of all nodes in bytes", mem * MIB);
        g.set("slurm_memory_alloc_bytes", "Memory allocated to jobs on all nodes in bytes", memAlloc * MIB);
        g.set("slurm_memory_free_bytes", "Free memory of all nodes in bytes, as their agents reported", memFree * MIB);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static void partitions(
            Gauges g, List<Partition> partitions, List<Node> nodes, List<Job> jobs, Map<String, Long> gpusInUse) {
        g.set("slurm_partitions", "Total number of partitions", partitions.size());
        Map<String, JobCounts> jobsIn = new HashMap<>();
        for (Job j : jobs) {
            if (j.partition() != null)
                jobsIn.computeIfAbsent(j.partition(), k -> new JobCounts()).add(j);
        }
        String[][] help = {
            {"slurm_partition_nodes", "Partition total nodes"},
            {"slurm_partition_cpus", "Partition total cpus"},
            {"slurm_partition_gpus", "Partition total gpus"},
            {"slurm_partition_nodes_cpus_alloc", "Number of allocated cpus"},
            {"slurm_partition_nodes_cpus_idle", "Number of idle CPUs on all nodes"},
            {"slurm_partition_nodes_gpus_alloc", "Number of allocated GPUs on all nodes"},
            {"slurm_partition_nodes_mem_tot", "Total amount of memory of all nodes (MiB, as Slurm's RealMemory)"},
            {"slurm_partition_nodes_mem_alloc", "Amount of allocated memory of all nodes (MiB)"},
            {"slurm_partition_nodes_mem_free", "Amount of free memory in all nodes (MiB)"},
            {"slurm_partition_jobs", "Number of jobs in this partition"},
            {"slurm_partition_jobs_hold", "Number of jobs in Hold state"},
            {"slurm_partition_jobs_cpus_alloc", "Total number of Cpus allocated by jobs"},
            {"slurm_partition_jobs_memory_alloc", "Total memory bytes allocated by jobs"},
            {"slurm_partition_jobs_gpus_alloc", "Total number of GPUs allocated by jobs"},
        };
        for (String[] h : help) g.declare(h[0], h[1]);
        for (JobState s : JobState.values())
            g.declare("slurm_partition_jobs_" + slurmWord(s), "Number of jobs in " + s + " state");
        for (String s : NODE_STATES) g.declare("slurm_partition_nodes_" + s, "Nodes in " + s + " state");
        for (Partition p : partitions) {
            String name = p.name();
            long count = 0;
            long cpus = 0;
            long cpusAlloc = 0;
            long gpus = 0;
            long gpusAlloc = 0;
            long mem = 0;
            long memAlloc = 0;
            long memFree = 0;
            Map<String, Long> byState = new HashMap<>();
            // a partition's node list is a list: looked up once per node, it must be a set at 10,000 nodes
            java.util.Set<String> members = p.nodes() == null ? null : new java.util.HashSet<>(p.nodes());
            for (Node n : nodes) {
                if (members != null && !members.contains(n.name())) continue;
                count++;
                cpus += n.cpus();
                cpusAlloc += n.allocCpus();
                gpus += n.gpus().size();
                gpusAlloc += gpusInUse.getOrDefault(n.name(), 0L);
                mem += n.memMiB();
                memAlloc += n.allocMemMiB();
                memFree += n.freeMemMiB();
                byState.merge(stateWord(n), 1L, Long::sum);
            }
            g.set("slurm_partition_nodes", null, count, "partition", name);
            g.set("slurm_partition_cpus", null, cpus, "partition", name);
            g.set("slurm_partition_gpus", null, gpus, "partition", name);
            g.set("slurm_partition_nodes_cpus_alloc", null, cpusAlloc, "partition", name);
            g.set("slurm_partition_nodes_cpus_idle", null, Math.max(0, cpus - cpusAlloc), "partition", name);
            g.set("slurm_partition_nodes_gpus_alloc", null, gpusAlloc, "partition", name);
            g.set("slurm_partition_nodes_mem_tot", null, mem, "partition", name);
            g.set("slurm_partition_nodes_mem_alloc", null, memAlloc, "partition", name);
            g.set("slurm_partition_nodes_mem_free", null, memFree, "partition", name);
            for (String s : NODE_STATES)
                g.set("slurm_partition_nodes_" + s, null, byState.getOrDefault(s, 0L), "partition", name);
            JobCounts c = jobsIn.getOrDefault(name, new JobCounts());
            g.set("slurm_partition_jobs", null, c.total, "partition", name);
            for (JobState s : JobState.values())
                g.set("slurm_partition_jobs_" + slurmWord(s), null, c.in(s), "partition", name);
            g.set("slurm_partition_jobs_hold", null, c.hold, "partition", name);
            g.set("slurm_partition_jobs_cpus_alloc", null, c.cpus, "partition", name);
            g.set("slurm_partition_jobs_memory_alloc", null, c.memMiB * MIB, "partition", name);
            g.set("slurm_partition_jobs_gpus_alloc", null, c.gpus, "partition", name);
        }
    }

    /** Slurm's /metrics/scheduler (sdiag): cycle times in microseconds, as sdiag prints them. */
    private static void scheduler(Gauges g, Cluster.Diagnostics d) {
        Statistics.Figures f = d.figures();
        Statistics.Cycles main = f.main();
        Statistics.Cycles bf = f.backfill();
        g.set("slurm_schedule_cycle_cnt", "Scheduling cycle count", main.count());
        g.set("slurm_schedule_cycle_last", "Last scheduling cycle time (microseconds)", main.lastMicros());
        g.set("slurm_schedule_cycle_max", "Max scheduling cycle time (microseconds)", main.maxMicros());
        g.set("slurm_schedule_cycle_tot", "Sum of scheduling cycle times (microseconds)", main.totalMicros());
        g.set(
                "slurm_sched_mean_cycle",
                "Mean scheduling cycle time (microseconds)",
                main.count() == 0 ? 0 : main.totalMicros() / main.count());
        g.set("slurm_schedule_queue_len", "Jobs pending queue length", main.lastQueueLength());
        g.set("slurm_bf_cycle_cnt", "Backfill cycle count", bf.count());
        g.set("slurm_bf_cycle_last", "Last backfill cycle time (microseconds)", bf.lastMicros());
        g.set("slurm_bf_cycle_max", "Max backfill cycle time (microseconds)", bf.maxMicros());
        g.set("slurm_bf_cycle_tot", "Sum of backfill cycle times (microseconds)", bf.totalMicros());
        g.set(
                "slurm_bf_mean_cycle",
                "Mean backfill cycle time (microseconds)",
                bf.count() == 0 ? 0 : bf.totalMicros() / bf.count());
        g.set("slurm_bf_queue_len", "Backfill queue length", bf.lastQueueLength());
        g.set("slurm_bf_when_last_cycle", "Timestamp of last backfill cycle", bf.lastWhen());
        g.set("slurm_sdiag_jobs_submitted", "Jobs submitted since the controller started", f.submitted());
        g.set("slurm_sdiag_jobs_started", "Jobs started since the controller started", f.started());
        g.set("slurm_sdiag_jobs_completed", "Jobs completed since the controller started", f.completed());
        g.set("slurm_sdiag_jobs_canceled", "Jobs canceled since the controller started", f.canceled());
        g.set("slurm_sdiag_jobs_failed", "Jobs failed since the controller started", f.failed());
        g.set("slurm_sdiag_jobs_pending", "Jobs pending at timestamp", d.pending());
        g.set("slurm_sdiag_jobs_running", "Jobs running at timestamp", d.running());
    }
}
