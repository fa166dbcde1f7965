package io.motley.controller.store;

import io.motley.core.cluster.Node;
import io.motley.core.job.Job;
import io.motley.core.job.TimeLimit;
import io.motley.core.step.Step;
import io.motley.core.step.StepState;
import io.motley.core.step.StepUsage;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.stream.Stream;

/**
 * How jobs and nodes map onto the tables' columns. The columns are what accounting asks about;
 * the whole record (script, environment, request) is kept encoded in {@code record}, which is
 * what a job is rebuilt from, so nothing is lost.
 */
final class Rows {
    private Rows() {}

    static final List<String> JOB_COLUMNS = List.of(
            "id",
            "array_job_id",
            "array_task_id",
            "name",
            "user_name",
            "uid",
            "gid",
            "account",
            "partition_name",
            "qos",
            "state",
            "reason",
            "priority",
            "submit_time",
            "eligible_time",
            "start_time",
            "end_time",
            "time_limit",
            "exit_code",
            "exit_signal",
            "node_list",
            "alloc_cpus",
            "alloc_mem_mib",
            "alloc_gpus",
            "gpu_ids",
            "restarts",
            "work_dir",
            "max_rss_kib",
            "max_vm_kib",
            "user_cpu_ms",
            "system_cpu_ms",
            "cancelled_by",
            "state_desc",
            "record");

    /**
     * The columns of jobs written today: V4's (which its migration still writes), and those later
     * migrations added: V9's {@code suspended}, the seconds the job spent suspended (Slurm's
     * time_suspended, sacct's Suspended).
     */
    static final List<String> STORED_JOB_COLUMNS =
            Stream.concat(JOB_COLUMNS.stream(), Stream.of("suspended")).toList();

    /** Binds the columns after V4's (see {@link #STORED_JOB_COLUMNS}), following {@link #bindJob}. */
    static void bindSince4(PreparedStatement p, Job j) throws SQLException {
        int i = JOB_COLUMNS.size() + 1;
        p.setLong(i, j.times().suspendedSecs());
    }

    static final List<String> RUN_COLUMNS = List.of(
            "job_id", "run", "start_time", "end_time", "state", "exit_code", "exit_signal", "node_list", "alloc_cpus");

    static final List<String> STEP_COLUMNS = List.of(
            "job_id",
            "run",
            "step_name",
            "start_time",
            "end_time",
            "state",
            "exit_code",
            "exit_signal",
            "node_list",
            "alloc_cpus",
            "max_rss_kib",
            "max_vm_kib",
            "user_cpu_ms",
            "system_cpu_ms");

    /** A step srun made: the batch step's columns and what only such a step has (V8, V10's task_usage). */
    static final List<String> SRUN_STEP_COLUMNS = Stream.concat(
                    STEP_COLUMNS.stream(), Stream.of("step_id", "name", "tasks", "mem_mib", "overlap", "task_usage"))
            .toList();

    static final List<String> NODE_COLUMNS = List.of(
            "name", "state", "reason", "reason_time", "address", "cpus", "mem_mib", "gpus", "features", "record");

    static void bindJob(PreparedStatement p, Job j) throws SQLException {
        int i = 1;
        p.setLong(i++, j.id());
        p.setLong(i++, j.array() == null ? 0 : j.array().arrayJobId());
        p.setLong(i++, j.array() == null ? -1 : j.array().taskId());
        p.setString(i++, j.request().name());
        p.setString(i++, j.user() == null ? "" : j.user());
        p.setLong(i++, j.uid());
        p.setLong(i++, j.gid());
        text(p, i++, j.request().account());
        text(p, i++, j.partition());
        text(p, i++, j.request().qos());
        p.setString(i++, j.state().name());
        text(p, i++, j.reason() == null ? null : j.reason().name());
        p.setLong(i++, j.priority());
        p.setLong(i++, j.submitTime());
        p.setLong(i++, j.eligibleTime());
        p.setLong(i++, j.startTime());
        p.setLong(i++, j.endTime());
        p.setLong(i++, limitColumn(j.timeLimit()));
        p.setLong(i++, j.exit().code());
        p.setLong(i++, j.exit().signal());
        text(p, i++, j.node());
        p.setLong(i++, j.allocCpus());
        p.setLong(i++, j.allocMemMiB());
        p.setLong(i++, j.gpuList().size());
        p.setString(
                i++, String.join(",", j.gpuList().stream().map(String::valueOf).toList()));
        p.setLong(i++, j.restarts());
        text(p, i++, j.request().workDir());
        p.setLong(i++, j.usage().maxRssKiB());
        p.setLong(i++, j.usage().maxVmKiB());
        p.setLong(i++, j.usage().userCpuMs());
        p.setLong(i++, j.usage().systemCpuMs());
        p.setLong(i++, j.outcome().cancelledBy() == null ? -1 : j.outcome().cancelledBy());
        text(p, i++, j.stateDesc());
        p.setBytes(i, FrameIO.toBytes(Codec.job(j, true)));
    }

    /** The job's current run, as {@code sacct -D} lists it once it has started. */
    static void bindRun(PreparedStatement p, Job j) throws SQLException {
        p.setLong(1, j.id());
        p.setLong(2, j.restarts());
        p.setLong(3, j.startTime());
        p.setLong(4, j.endTime());
        p.setString(5, j.state().name());
        p.setLong(6, j.exit().code());
        p.setLong(7, j.exit().signal());
        // every node of the run, as a hostlist: sacct -D shows an earlier run's NodeList from it
        text(p, 8, j.nodeList());
        p.setLong(9, j.allocCpus());
    }

    /** The run's batch step: one per run until job steps come. */
    static void bindBatchStep(PreparedStatement p, Job j) throws SQLException {
        p.setLong(1, j.id());
        p.setLong(2, j.restarts());
        p.setString(3, "batch");
        p.setLong(4, j.startTime());
        p.setLong(5, j.endTime());
        p.setString(6, j.state().name());
        p.setLong(7, j.exit().code());
        p.setLong(8, j.exit().signal());
        text(p, 9, j.node());
        p.setLong(10, j.allocCpus());
        p.setLong(11, j.usage().maxRssKiB());
        p.setLong(12, j.usage().maxVmKiB());
        p.setLong(13, j.usage().userCpuMs());
        p.setLong(14, j.usage().systemCpuMs());
    }

    /**
     * A step srun made, in run {@code run} of its job: {@code step_name} is its id as sacct shows it
     * after the dot, its nodes are kept in their order (task layout follows it), comma-separated.
     */
    static void bindSrunStep(PreparedStatement p, Step s, int run) throws SQLException {
        int i = 1;
        p.setLong(i++, s.jobId());
        p.setLong(i++, run);
        p.setString(i++, Integer.toString(s.id()));
        p.setLong(i++, s.start());
        p.setLong(i++, s.end());
        p.setString(i++, s.state().name());
        p.setLong(i++, s.exitCode());
        p.setLong(i++, s.signal());
        p.setString(i++, String.join(",", s.nodes()));
        p.setLong(i++, s.cpus());
        i = bindUsage(p, i, s.usage());
        p.setLong(i++, s.id());
        p.setString(i++, s.name());
        p.setLong(i++, s.tasks());
        p.setLong(i++, s.memMiB());
        p.setLong(i++, s.overlap() ? 1 : 0);
        text(p, i, s.usage() == null ? null : s.usage().toText());
    }

    /**
     * An srun step's max_rss_kib, max_vm_kib, user_cpu_ms and system_cpu_ms from {@code i} on (0
     * without usage; task_usage tells the two apart); the index after them.
     */
    static int bindUsage(PreparedStatement p, int i, StepUsage u) throws SQLException {
        p.setLong(i++, u == null ? 0 : u.maxRss().value());
        p.setLong(i++, u == null ? 0 : u.maxVm().value());
        p.setLong(i++, u == null ? 0 : u.userCpuMs());
        p.setLong(i++, u == null ? 0 : u.systemCpuMs());
        return i;
    }

    /** A step's task_usage column: null for none; one this Motley cannot read counts as none, with a warning. */
    static StepUsage stepUsage(long jobId, int stepId, String text) {
        if (text == null || text.isEmpty()) return null;
        try {
            return StepUsage.parse(text);
        } catch (IllegalArgumentException e) {
            org.slf4j.LoggerFactory.getLogger(Rows.class)
                    .warn("step usage unreadable step={}.{} error=\"{}\"", jobId, stepId, e.getMessage());
            return null;
        }
    }

    /**
     * A step srun made, from the columns step_id, name, state, node_list, tasks, alloc_cpus,
     * mem_mib, overlap, start_time, end_time, exit_code, exit_signal, task_usage (in this order, from
     * {@code from}). A state this Motley does not know for a step (REQUEUED: the requeue of its job
     * ended it) reads as CANCELLED, as the step was.
     */
    static Step srunStep(long jobId, java.sql.ResultSet r, int from) throws SQLException {
        int i = from;
        int id = r.getInt(i++);
        String name = r.getString(i++);
        String stateName = r.getString(i++);
        StepState state = java.util.Arrays.stream(StepState.values())
                .filter(st -> st.name().equals(stateName))
                .findFirst()
                .orElse(StepState.CANCELLED);
        String nodes = r.getString(i++);
        return new Step(
                jobId,
                id,
                name == null ? "" : name,
                state,
                nodes == null || nodes.isEmpty() ? List.of() : List.of(nodes.split(",")),
                r.getInt(i++),
                r.getInt(i++),
                r.getLong(i++),
                r.getLong(i++) != 0,
                r.getLong(i++),
                r.getLong(i++),
                r.getInt(i++),
                r.getInt(i++),
                stepUsage(jobId, id, r.getString(i)));
    }

    static void bindNode(PreparedStatement p, Node n) throws SQLException {
        p.setString(1, n.name());
        p.setString(2, n.state().name());
        text(p, 3, n.reason());
        p.setLong(4, n.reasonTime());
        text(p, 5, n.address());
        p.setLong(6, n.cpus());
        p.setLong(7, n.memMiB());
        p.setLong(8, n.gpus().size());
        p.setString(9, String.join(",", n.features()));
        p.setBytes(10, FrameIO.toBytes(Codec.node(n)));
    }

    static Job job(byte[] record) {
        return Codec.job(decode(record));
    }

    static Node node(byte[] record) {
        return Codec.node(decode(record));
    }

    private static Frame decode(byte[] b) {
        try {
            return FrameIO.fromBytes(b);
        } catch (IOException e) {
            throw new StoreException("a stored record is damaged: " + e.getMessage(), e);
        }
    }

    static void text(PreparedStatement p, int i, String s) throws SQLException {
        if (s == null) p.setNull(i, Types.VARCHAR);
        else p.setString(i, s);
    }

    /** A time limit as its column holds it: seconds, -1 for unlimited, -2 for not given. */
    private static long limitColumn(TimeLimit limit) {
        if (!limit.given()) return -2;
        return limit.secondsOr(-1);
    }
}
