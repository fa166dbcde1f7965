package io.motley.protocol.dataparser;

import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.protocol.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * slurmctld's objects as Slurm 23.11's data_parser v0.0.40 names them: a job of {@code GET
 * /slurm/v0.0.40/jobs} ({@code JOB_INFO}), a node ({@code NODE}), a partition ({@code
 * PARTITION_INFO}), the controller's ping and statistics, and the envelope every answer shares
 * ({@code meta}, {@code errors}, {@code warnings}). One writer for the REST API and for
 * {@code squeue --json} and {@code sinfo --json}, so both print the same objects. Numbers Slurm may
 * leave unset are its {@code {set, infinite, number}} triples; fields Motley does not keep are
 * empty or unset as Slurm prints them for a job without them.
 */
public final class SlurmctldJson {
    private SlurmctldJson() {}

    public static final String DATA_PARSER = "data_parser/v0.0.40";
    public static final String VERSION = "v0.0.40";

    /** The {@code meta} of an answer: the plugin, the client, the command, the Slurm version and cluster. */
    public static Map<String, Object> meta(
            String pluginType, String pluginName, String user, List<String> command, String cluster) {
        return map(
                "plugin",
                map(
                        "type", pluginType,
                        "name", pluginName,
                        "data_parser", DATA_PARSER,
                        "accounting_storage", "accounting_storage/motley"),
                "client",
                map("source", "", "user", user == null ? "" : user, "group", ""),
                "command",
                List.copyOf(command),
                "slurm",
                map(
                        "version",
                        map("major", "23", "micro", "0", "minor", "11"),
                        "release",
                        "23.11.0",
                        "cluster",
                        cluster == null ? "" : cluster));
    }

    /**
     * An answer: {@code payload}'s fields, then {@code meta}, {@code errors} and {@code warnings}
     * (each error already laid out by {@link #error}).
     */
    public static Map<String, Object> document(
            Map<String, Object> payload, Map<String, Object> meta, List<Object> errors, List<Object> warnings) {
        Map<String, Object> doc = new LinkedHashMap<>(payload);
        doc.put("meta", meta);
        doc.put("errors", errors);
        doc.put("warnings", warnings);
        return doc;
    }

    /** One entry of {@code errors}: OPENAPI_ERROR's description, error_number, error and source. */
    public static Map<String, Object> error(String description, int number, String error, String source) {
        return map("description", description, "error_number", number, "error", error, "source", source);
    }

    /** {@code GET /slurm/v0.0.40/ping}'s {@code pings}: this controller, answering. */
    public static List<Object> pings(String host, boolean up, long latencyMicros) {
        return List.of(
                map("hostname", host, "pinged", up ? "UP" : "DOWN", "latency", latencyMicros, "mode", "primary"));
    }

    /** {@code GET /slurm/v0.0.40/diag}'s {@code statistics} (STATS_MSG), from sdiag's figures. */
    public static Map<String, Object> statistics(Message.Diagnostics d) {
        Message.Passes m = d.main();
        Message.Passes b = d.backfill();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("parts_packed", 1);
        s.put("req_time", number(d.now()));
        s.put("req_time_start", number(d.since()));
        s.put("server_thread_count", 1);
        s.put("agent_queue_size", 0);
        s.put("agent_count", 0);
        s.put("agent_thread_count", 0);
        s.put("dbd_agent_queue_size", 0);
        s.put("gettimeofday_latency", 0);
        s.put("schedule_cycle_max", m.maxMicros());
        s.put("schedule_cycle_last", m.lastMicros());
        s.put("schedule_cycle_total", m.count());
        s.put("schedule_cycle_mean", m.count() == 0 ? 0 : m.totalMicros() / m.count());
        s.put("schedule_cycle_mean_depth", 0);
        long minutes = Math.max(1, (d.now() - d.since()) / 60);
        s.put("schedule_cycle_per_minute", m.count() / minutes);
        s.put("schedule_queue_length", m.lastQueueLength());
        s.put("jobs_submitted", d.submitted());
        s.put("jobs_started", d.started());
        s.put("jobs_completed", d.completed());
        s.put("jobs_canceled", d.canceled());
        s.put("jobs_failed", d.failed());
        s.put("jobs_pending", d.pending());
        s.put("jobs_running", d.running());
        s.put("job_states_ts", number(d.now()));
        s.put("bf_backfilled_jobs", 0);
        s.put("bf_cycle_counter", b.count());
        s.put("bf_cycle_mean", b.count() == 0 ? 0 : b.totalMicros() / b.count());
        s.put("bf_cycle_sum", b.totalMicros());
        s.put("bf_cycle_last", b.lastMicros());
        s.put("bf_queue_len", b.lastQueueLength());
        s.put("bf_when_last_cycle", number(b.lastWhen()));
        s.put("bf_active", false);
        s.put("rpcs_by_message_type", List.of());
        s.put("rpcs_by_user", List.of());
        return s;
    }

    /** One job of {@code GET /slurm/v0.0.40/jobs} (JOB_INFO); {@code expected}: squeue --start's estimate, or null. */
    public static Map<String, Object> job(Job j, Message.ExpectedStart expected, String cluster) {
        JobRequest q = j.request();
        boolean pending = j.state() == JobState.PENDING;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("account", nz(q.account()));
        o.put("accrue_time", number(pending ? Math.max(j.submitTime(), q.beginTime()) : j.submitTime()));
        o.put("admin_comment", "");
        o.put("allocating_node", nz(q.submitHost()));
        boolean task = j.array() != null && j.array().taskId() >= 0;
        o.put("array_job_id", number(j.array() == null ? 0 : j.array().arrayJobId()));
        o.put("array_task_id", task ? number(j.array().taskId()) : unset());
        o.put("array_max_tasks", number(0));
        o.put(
                "array_task_string",
                j.array() == null || j.array().pending() == null
                        ? ""
                        : j.array().pending());
        o.put("association_id", 0);
        o.put("batch_flag", true);
        o.put("batch_host", nz(j.node()));
        o.put("flags", List.of());
        o.put("cluster", nz(cluster));
        o.put("command", "");
        o.put("comment", nz(q.comment()));
        o.put("contiguous", false);
        o.put("cpus_per_task", number(q.cpusPerTask()));
        o.put("deadline", number(q.deadline()));
        o.put("dependency", nz(q.dependency()));
        o.put("derived_exit_code", SacctJson.exitCode(pending ? null : ExitStatus.NONE));
        o.put("eligible_time", number(Math.max(j.submitTime(), q.beginTime())));
        o.put("end_time", number(j.endTime() > 0 ? j.endTime() : expectedEnd(j)));
        o.put("excluded_nodes", nz(q.excludeList()));
        boolean ended = j.state().isTerminal();
        o.put("exit_code", SacctJson.exitCode(ended ? j.exit() : null));
        o.put("features", nz(q.constraint()));
        o.put("gres_detail", gresDetail(j));
        o.put("group_id", j.gid());
        o.put("group_name", j.gid() == 0 ? "root" : Integer.toString(j.gid()));
        o.put("job_id", j.id());
        o.put("job_state", List.of(j.state().name()));
        o.put("last_sched_evaluation", number(0));
        o.put("licenses", "");
        o.put("max_cpus", number(0));
        o.put("max_nodes", number(0));
        o.put("name", q.name());
        o.put("nodes", j.node() == null ? "" : j.node());
        o.put("nice", q.nice());
        o.put("tasks_per_node", unset());
        o.put("cpus", number(j.allocCpus() > 0 ? j.allocCpus() : q.cpus()));
        o.put("node_count", number(q.nodes()));
        o.put("tasks", number(q.ntasks()));
        o.put("partition", nz(j.partition()));
        o.put("prefer", "");
        o.put("memory_per_cpu", q.resources().memory() instanceof MemoryRequest.PerCpu c ? number(c.mib()) : unset());
        long perNode = j.allocMemMiB() > 0
                ? j.allocMemMiB()
                : q.resources().memory() instanceof MemoryRequest.PerNode n ? n.mib() : 0;
        o.put("memory_per_node", q.resources().memory() instanceof MemoryRequest.PerCpu ? unset() : number(perNode));
        o.put("minimum_cpus_per_node", number(q.cpus()));
        o.put("minimum_tmp_disk_per_node", number(0));
        o.put("hold", q.hold() && pending);
        o.put("priority", number(q.hold() && pending ? 0 : j.priority()));
        o.put("qos", q.qos() == null ? "normal" : q.qos());
        o.put("required_nodes", nz(q.nodeList()));
        o.put("requeue", q.requeue());
        o.put("restart_cnt", j.restarts());
        o.put("resv_name", "");
        o.put("scheduled_nodes", expected == null || expected.nodes() == null ? "" : expected.nodes());
        o.put("shared", List.of());
        o.put("exclusive", q.exclusive() ? List.of("true") : List.of("false"));
        o.put("show_flags", List.of("DETAIL", "LOCAL"));
        o.put("start_time", number(j.startTime() > 0 ? j.startTime() : expected == null ? 0 : expected.start()));
        o.put("state_description", nz(j.stateDesc()));
        o.put("state_reason", pending ? reason(j.reason()) : "None");
        o.put("standard_error", nz(q.stderrPattern()));
        o.put("standard_input", "/dev/null");
        o.put("standard_output", nz(q.stdoutPattern()));
        o.put("submit_time", number(j.submitTime()));
        o.put("suspend_time", number(j.times().suspendTime()));
        o.put("system_comment", "");
        o.put("time_limit", minutes(j.timeLimit()));
        o.put("time_minimum", number(0));
        o.put("tres_per_node", q.gpusPerNode() > 0 ? nz(q.gpuTres()) : "");
        o.put("tres_req_str", tres(q.cpus(), perNode, q.nodes(), q.gpusPerNode()));
        o.put(
                "tres_alloc_str",
                j.node() == null
                        ? ""
                        : tres(j.allocCpus(), j.allocMemMiB(), 1, j.gpuList().size()));
        o.put("user_id", j.uid());
        o.put("user_name", j.user());
        o.put("wckey", "");
        o.put("current_working_directory", nz(q.workDir()));
        return o;
    }

    /** The {@code meta} a command's --json prints: no plugin, the command line, the caller. */
    public static Map<String, Object> commandMeta(String command, List<String> args, String user, String cluster) {
        List<String> line = new ArrayList<>();
        line.add(command);
        line.addAll(args);
        return meta("", "", user, line, cluster);
    }

    /** squeue --json: {@code GET /slurm/v0.0.40/jobs}'s answer for the jobs it selected. */
    public static String squeue(
            List<Message.Listed> jobs, long lastBackfill, long now, String cluster, String user, List<String> args) {
        List<Object> out = new ArrayList<>(jobs.size());
        for (Message.Listed l : jobs) out.add(job(l.job(), l.expected(), cluster));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("jobs", out);
        payload.put("last_backfill", number(lastBackfill));
        payload.put("last_update", number(now));
        return Json.write(document(payload, commandMeta("squeue", args, user, cluster), List.of(), List.of()));
    }

    /**
     * sinfo --json: Slurm 23.11's {@code sinfo} list (SINFO_DATA), one entry for each partition and
     * node state, as sinfo's lines group them; {@code nodes} are those sinfo's filters kept.
     */
    public static String sinfo(
            List<Node> nodes, List<Partition> partitions, String cluster, String user, List<String> args) {
        List<Object> out = new ArrayList<>();
        for (Partition p : partitions) {
            List<Node> members = nodes.stream()
                    .filter(n -> p.nodes() == null || p.nodes().contains(n.name()))
                    .toList();
            Map<List<Object>, List<Node>> byState = new LinkedHashMap<>();
            for (Node n : members)
                byState.computeIfAbsent(nodeState(n), k -> new ArrayList<>()).add(n);
            for (Map.Entry<List<Object>, List<Node>> e : byState.entrySet())
                out.add(sinfoEntry(p, e.getKey(), e.getValue(), members, cluster));
        }
        return Json.write(
                document(Map.of("sinfo", out), commandMeta("sinfo", args, user, cluster), List.of(), List.of()));
    }

    private static Map<String, Object> sinfoEntry(
            Partition p, List<Object> state, List<Node> group, List<Node> members, String cluster) {
        int alloc = 0, idle = 0, other = 0, cpusAlloc = 0, cpusIdle = 0, cpusOther = 0, cpusTotal = 0;
        long memAlloc = 0;
        for (Node n : group) {
            boolean usable = n.state() == NodeState.UP && !n.notResponding();
            if (!usable) other++;
            else if (n.allocCpus() > 0) alloc++;
            else idle++;
            cpusTotal += n.cpus();
            cpusAlloc += n.allocCpus();
            if (usable) cpusIdle += n.cpus() - n.allocCpus();
            else cpusOther += n.cpus() - n.allocCpus();
            memAlloc += n.allocMemMiB();
        }
        List<String> names = group.stream().map(Node::name).toList();
        List<String> addresses = group.stream()
                .map(n -> nz(n.address()).isEmpty() ? n.name() : n.address())
                .toList();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("port", 6818);
        o.put("node", map("state", state));
        o.put(
                "nodes",
                map(
                        "allocated",
                        alloc,
                        "idle",
                        idle,
                        "other",
                        other,
                        "total",
                        group.size(),
                        "hostnames",
                        names,
                        "addresses",
                        addresses,
                        "nodes",
                        names));
        o.put(
                "cpus",
                map(
                        "allocated",
                        cpusAlloc,
                        "idle",
                        cpusIdle,
                        "other",
                        cpusOther,
                        "total",
                        cpusTotal,
                        "minimum",
                        group.stream().mapToInt(Node::cpus).min().orElse(0),
                        "maximum",
                        group.stream().mapToInt(Node::cpus).max().orElse(0),
                        "load",
                        map(
                                "minimum",
                                        group.stream()
                                                .mapToLong(n -> Math.round(n.cpuLoad() * 100))
                                                .min()
                                                .orElse(0),
                                "maximum",
                                        group.stream()
                                                .mapToLong(n -> Math.round(n.cpuLoad() * 100))
                                                .max()
                                                .orElse(0)),
                        "per_node",
                        map("max", unset())));
        o.put("sockets", range(group.stream().mapToLong(Node::sockets).toArray()));
        o.put("cores", range(group.stream().mapToLong(Node::coresPerSocket).toArray()));
        o.put("threads", range(group.stream().mapToLong(Node::threadsPerCore).toArray()));
        o.put("disk", map("minimum", 0, "maximum", 0));
        Map<String, Object> memory =
                range(group.stream().mapToLong(Node::memMiB).toArray());
        long[] free = group.stream().mapToLong(Node::freeMemMiB).toArray();
        memory.put(
                "free",
                map(
                        "minimum",
                        number(java.util.Arrays.stream(free).min().orElse(0)),
                        "maximum",
                        number(java.util.Arrays.stream(free).max().orElse(0))));
        memory.put("allocated", memAlloc);
        o.put("memory", memory);
        o.put("weight", map("minimum", 1, "maximum", 1));
        String features = group.isEmpty() ? "" : String.join(",", group.get(0).features());
        o.put("features", map("total", features, "active", features));
        o.put("gres", map("total", group.isEmpty() ? "" : gres(group.get(0).gpus()), "used", ""));
        o.put("cluster", nz(cluster));
        o.put("comment", "");
        o.put("extra", "");
        Node first = group.get(0);
        o.put("reason", map("description", nz(first.reason()), "time", first.reasonTime(), "user", ""));
        o.put("reservation", "");
        o.put("partition", partition(p, members, cluster));
        return o;
    }

    private static Map<String, Object> range(long[] values) {
        return map(
                "minimum", java.util.Arrays.stream(values).min().orElse(0),
                "maximum", java.util.Arrays.stream(values).max().orElse(0));
    }

    /** A node of {@code GET /slurm/v0.0.40/nodes} (NODE), with the partitions that hold it. */
    public static Map<String, Object> node(Node n, List<String> partitions, String cluster) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("architecture", nz(n.arch()));
        o.put("burstbuffer_network_address", "");
        o.put("boards", 1);
        o.put("boot_time", number(n.bootTime()));
        o.put("cluster_name", nz(cluster));
        o.put("cores", n.coresPerSocket());
        o.put("specialized_cores", 0);
        o.put("cpu_binding", 0);
        o.put("cpu_load", Math.round(n.cpuLoad() * 100));
        o.put("free_mem", number(n.freeMemMiB()));
        o.put("cpus", n.cpus());
        o.put("effective_cpus", n.cpus());
        o.put("specialized_cpus", "");
        o.put(
                "energy",
                map(
                        "average_watts",
                        0,
                        "base_consumed_energy",
                        0,
                        "consumed_energy",
                        0,
                        "current_watts",
                        unset(),
                        "previous_consumed_energy",
                        0,
                        "last_collected",
                        0));
        o.put("external_sensors", map());
        o.put("extra", "");
        o.put("power", map());
        o.put("features", List.copyOf(n.features()));
        o.put("active_features", List.copyOf(n.features()));
        o.put("gres", gres(n.gpus()));
        o.put("gres_drained", "N/A");
        o.put("gres_used", "");
        o.put("instance_id", "");
        o.put("instance_type", "");
        o.put("last_busy", number(0));
        o.put("mcs_label", "");
        o.put("specialized_memory", 0);
        o.put("name", n.name());
        o.put("next_state_after_reboot", List.of("INVALID"));
        o.put("address", nz(n.address()).isEmpty() ? n.name() : n.address());
        o.put("hostname", n.name());
        o.put("state", nodeState(n));
        o.put("operating_system", nz(n.os()));
        o.put("owner", "");
        o.put("partitions", List.copyOf(partitions));
        o.put("port", 6818);
        o.put("real_memory", n.memMiB());
        o.put("comment", "");
        o.put("reason", nz(n.reason()));
        o.put("reason_changed_at", number(n.reasonTime()));
        o.put("reason_set_by_user", "");
        o.put("resume_after", number(0));
        o.put("reservation", "");
        o.put("alloc_memory", n.allocMemMiB());
        o.put("alloc_cpus", n.allocCpus());
        o.put("alloc_idle_cpus", Math.max(0, n.cpus() - n.allocCpus()));
        o.put("tres_used", n.allocCpus() == 0 ? "" : "cpu=" + n.allocCpus() + ",mem=" + n.allocMemMiB() + "M");
        o.put("tres_weighted", (double) n.allocCpus());
        o.put("slurmd_start_time", number(n.agentStartTime()));
        o.put("sockets", n.sockets());
        o.put("threads", n.threadsPerCore());
        o.put("temporary_disk", 0);
        o.put("weight", 1);
        o.put("tres", tres(n.cpus(), n.memMiB(), -1, n.gpus().size()));
        o.put("version", nz(n.version()));
        return o;
    }

    /** Slurm's NODE_STATE flags: the base state and the flags on it (DRAIN, NOT_RESPONDING). */
    static List<Object> nodeState(Node n) {
        List<Object> out = new ArrayList<>();
        String base =
                NodeState.display(n.state() == NodeState.DRAIN ? NodeState.UP : n.state(), n.allocCpus(), n.cpus());
        out.add(base.toUpperCase(java.util.Locale.ROOT));
        if (n.state() == NodeState.DRAIN) out.add("DRAIN");
        if (n.notResponding()) out.add("NOT_RESPONDING");
        return out;
    }

    /** A partition of {@code GET /slurm/v0.0.40/partitions} (PARTITION_INFO), over {@code nodes} (its nodes). */
    public static Map<String, Object> partition(Partition p, List<Node> nodes, String cluster) {
        int cpus = 0;
        long mem = 0;
        for (Node n : nodes) {
            cpus += n.cpus();
            mem += n.memMiB();
        }
        List<String> names = nodes.stream().map(Node::name).toList();
        return map(
                "nodes", map("allowed_allocation", "", "configured", String.join(",", names), "total", nodes.size()),
                "accounts",
                        map(
                                "allowed",
                                p.allowAccounts() == null ? "" : String.join(",", p.allowAccounts()),
                                "deny",
                                ""),
                "groups", map("allowed", p.allowGroups() == null ? "" : String.join(",", p.allowGroups())),
                "qos", map("allowed", "", "deny", "", "assigned", ""),
                "alternate", "",
                "tres", map("billing_weights", "", "configured", tres(cpus, mem, nodes.size(), 0)),
                "cluster", nz(cluster),
                "cpus", map("task_binding", 0, "total", cpus),
                "defaults",
                        map(
                                "memory_per_cpu", 0,
                                "partition_memory_per_cpu", unset(),
                                "partition_memory_per_node", unset(),
                                "time", seconds(p.defaultTimeSeconds()),
                                "job", ""),
                "grace_time", 0,
                "maximums",
                        map(
                                "cpus_per_node", infinite(),
                                "cpus_per_socket", infinite(),
                                "memory_per_cpu", 0,
                                "partition_memory_per_cpu", unset(),
                                "partition_memory_per_node", unset(),
                                "nodes", p.maxNodes() < 0 ? infinite() : number(p.maxNodes()),
                                "shares", 1,
                                "oversubscribe", map("jobs", 1, "flags", List.of()),
                                "time", seconds(p.maxTimeSeconds()),
                                "over_time_limit", unset()),
                "minimums", map("nodes", 0),
                "name", p.name(),
                "node_sets", "",
                "priority", map("job_factor", 1, "tier", p.priorityTier()),
                "timeouts", map("resume", unset(), "suspend", unset()),
                "partition", map("state", List.of(partitionState(p.state()))),
                "suspend_time", unset());
    }

    private static String partitionState(PartitionState s) {
        return s.name();
    }

    /** A limit in seconds (negative or the unlimited marker: infinite; 0: unset) as minutes. */
    private static Map<String, Object> seconds(long s) {
        if (s < 0 || s == io.motley.core.time.Durations.UNLIMITED) return infinite();
        if (s == 0) return unset();
        return number(s / 60);
    }

    private static Map<String, Object> minutes(TimeLimit limit) {
        if (limit instanceof TimeLimit.Seconds s) return number(s.seconds() / 60);
        if (limit instanceof TimeLimit.Unlimited) return infinite();
        return unset();
    }

    private static long expectedEnd(Job j) {
        long end = j.startTime() > 0 ? j.timeLimit().endFrom(j.startTime(), 0) : 0;
        // moved by the time the job spent suspended, as slurmctld moves it at resume
        return end == 0 ? 0 : end + j.times().suspendedSecs();
    }

    private static String reason(PendingReason r) {
        return r == null ? "None" : r.name();
    }

    private static List<Object> gresDetail(Job j) {
        if (j.gpuList().isEmpty()) return List.of();
        StringBuilder sb = new StringBuilder("gpu:" + j.gpuList().size() + "(IDX:");
        for (int i = 0; i < j.gpuList().size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(j.gpuList().get(i));
        }
        return List.of(sb.append(')').toString());
    }

    private static String gres(List<Gpu> gpus) {
        return gpus.isEmpty() ? "" : "gpu:" + gpus.size();
    }

    /** Slurm's TRES string: {@code cpu=2,mem=1000M,node=1,billing=2,gres/gpu=1} ({@code nodes} < 0: no node count). */
    static String tres(int cpus, long memMiB, int nodes, int gpus) {
        StringBuilder sb = new StringBuilder("cpu=").append(cpus);
        if (memMiB > 0) sb.append(",mem=").append(memMiB).append('M');
        if (nodes >= 0) sb.append(",node=").append(nodes);
        sb.append(",billing=").append(cpus);
        if (gpus > 0) sb.append(",gres/gpu=").append(gpus);
        return sb.toString();
    }

    public static Map<String, Object> number(long n) {
        return SacctJson.number(n);
    }

    public static Map<String, Object> unset() {
        return SacctJson.unset();
    }

    public static Map<String, Object> infinite() {
        return SacctJson.infinite();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
