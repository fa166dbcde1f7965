package io.motley.protocol.dataparser;

import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounting.JobStep;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import io.motley.core.step.Step;
import io.motley.core.step.StepState;
import io.motley.core.step.StepUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * sacct --json: the answer of slurmrestd's {@code GET /slurmdb/v0.0.40/jobs}, in the layout of
 * Slurm 23.11's data_parser v0.0.40 (its field names and nesting: {@code jobs[]} with
 * {@code state.current}, {@code exit_code.return_code} as {set, infinite, number}, {@code time},
 * {@code steps[]}, then {@code meta}, {@code errors}, {@code warnings}). Values Motley does not
 * keep (association ids, energy, reservations, licenses) are empty, 0 or unset, as Slurm prints
 * them for a job without them.
 */
public final class SacctJson {
    private SacctJson() {}

    /** Slurm's TRES ids: cpu 1, mem 2, node 4, billing 5 (gres/gpu gets the next free id, 1001 here). */
    private static final int CPU = 1;

    private static final int MEM = 2;
    private static final int NODE = 4;
    private static final int BILLING = 5;
    private static final int GPU = 1001;

    public static String document(List<AccountingRecord> records, String cluster, String client, List<String> command) {
        return document(records, cluster, client, command, Map.of());
    }

    /** As above, with each job's srun steps ({@code srun}, by job id) after its batch step, as slurmdbd lists them. */
    public static String document(
            List<AccountingRecord> records,
            String cluster,
            String client,
            List<String> command,
            Map<Long, List<Step>> srun) {
        Map<String, Object> doc = new LinkedHashMap<>();
        List<Object> jobs = new ArrayList<>();
        for (AccountingRecord r : records)
            jobs.add(job(
                    r,
                    cluster,
                    r.earlier() ? List.of() : srun.getOrDefault(r.job().id(), List.of())));
        doc.put("jobs", jobs);
        doc.put("meta", meta(cluster, client, command));
        doc.put("errors", List.of());
        doc.put("warnings", List.of());
        return Json.write(doc);
    }

    public static Map<String, Object> meta(String cluster, String client, List<String> command) {
        List<String> cmd = new ArrayList<>();
        cmd.add("sacct");
        cmd.addAll(command);
        return map(
                "plugin",
                map(
                        "type", "",
                        "name", "",
                        "data_parser", "data_parser/v0.0.40",
                        "accounting_storage", "accounting_storage/motley"),
                "client",
                map("source", "", "user", client == null ? "" : client, "group", ""),
                "command",
                cmd,
                "slurm",
                map(
                        "version",
                        map("major", "23", "micro", "0", "minor", "11"),
                        "release",
                        "23.11.0",
                        "cluster",
                        cluster == null ? "" : cluster));
    }

    public static Map<String, Object> job(AccountingRecord r, String cluster) {
        return job(r, cluster, List.of());
    }

    /** A job's record with {@code srun}, its srun steps (those of its last run), after its batch step. */
    public static Map<String, Object> job(AccountingRecord r, String cluster, List<Step> srun) {
        Job j = r.job();
        JobRequest q = j.request();
        String state = r.state();
        boolean pending = !r.earlier() && j.state() == JobState.PENDING;
        long start = r.startTime();
        long end = r.endTime();
        long elapsed = start <= 0 ? 0 : Math.max(0, (end > 0 ? end : start) - start);
        Usage usage = r.steps().stream().map(JobStep::usage).reduce(Usage.NONE, SacctJson::sum);
        int cpus = pending ? 0 : Math.max(1, r.earlier() ? r.run().allocCpus() : j.allocCpus());
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("account", nz(q.account()));
        job.put("comment", map("administrator", "", "job", "", "system", ""));
        job.put("allocation_nodes", start > 0 ? 1 : 0);
        job.put(
                "array",
                map(
                        "job_id", j.array() == null ? 0 : j.array().arrayJobId(),
                        "limits", map("max", map("running", map("tasks", 0))),
                        "task_id",
                                j.array() == null || j.array().taskId() < 0
                                        ? unset()
                                        : number(j.array().taskId()),
                        "task",
                                j.array() == null || j.array().pending() == null
                                        ? ""
                                        : j.array().pending()));
        job.put(
                "association",
                map(
                        "account",
                        nz(q.account()),
                        "cluster",
                        nz(cluster),
                        "partition",
                        nz(j.partition()),
                        "user",
                        j.user(),
                        "id",
                        0));
        job.put("block", "");
        job.put("cluster", nz(cluster));
        job.put("constraints", nz(q.constraint()));
        job.put("container", "");
        job.put("derived_exit_code", exitCode(pending ? null : Step.derivedExit(srun)));
        job.put(
                "time",
                map(
                        "elapsed",
                        elapsed,
                        "eligible",
                        Math.max(j.submitTime(), q.beginTime()),
                        "end",
                        end,
                        "start",
                        start,
                        "submission",
                        j.submitTime(),
                        "suspended",
                        0,
                        "system",
                        seconds(usage.systemCpuMs()),
                        "limit",
                        j.timeLimit() instanceof TimeLimit.Seconds l ? number(l.seconds() / 60) : infinite(),
                        "total",
                        seconds(usage.totalCpuMs()),
                        "user",
                        seconds(usage.userCpuMs())));
        ExitStatus exit = r.earlier()
                ? r.run().exit()
                : j.state() == JobState.CANCELLED
                                || j.state() == JobState.TIMEOUT
                                || !j.state().isTerminal()
                        ? ExitStatus.NONE
                        : j.exit();
        job.put("exit_code", exitCode(pending ? null : exit));
        job.put("extra", "");
        job.put("failed_node", "");
        job.put("flags", List.of());
        job.put("group", j.gid() == 0 ? "root" : Integer.toString(j.gid()));
        job.put("het", map("job_id", 0, "job_offset", unset()));
        job.put("job_id", j.id());
        job.put("name", q.name());
        job.put("licenses", "");
        job.put("mcs", map("label", ""));
        job.put("nodes", start > 0 && r.nodeList() != null ? r.nodeList() : "None assigned");
        job.put("partition", nz(j.partition()));
        job.put("hold", q.hold() && pending);
        job.put("priority", number(q.hold() ? 0 : j.priority()));
        job.put("qos", q.qos() == null ? "normal" : q.qos());
        long perNode = q.resources().memory() instanceof MemoryRequest.PerNode n ? n.mib() : 0;
        long perCpu = q.resources().memory() instanceof MemoryRequest.PerCpu c ? c.mib() : 0;
        long mem = j.allocMemMiB() > 0 ? j.allocMemMiB() : perNode;
        job.put(
                "required",
                map(
                        "CPUs", q.ntasks() * q.cpusPerTask(),
                        "memory_per_cpu", perCpu > 0 ? number(perCpu) : unset(),
                        "memory_per_node", perCpu > 0 ? unset() : number(mem)));
        Integer by = j.outcome().cancelledBy();
        job.put("kill_request_user", by != null ? Integer.toString(by) : "");
        job.put("reservation", map("id", 0, "name", ""));
        job.put("script", "");
        job.put(
                "state",
                map("current", List.of(state), "reason", pending ? j.reason().name() : "None"));
        List<Object> steps = new ArrayList<>();
        // a job salloc or srun made to hold an allocation has no batch step, as Slurm's
        if (!q.allocationOnly()) for (JobStep s : r.steps()) steps.add(step(j, s));
        for (Step s : srun) steps.add(srunStep(j, s));
        job.put("steps", steps);
        job.put("submit_line", "");
        List<Object> alloc =
                pending ? List.of() : tres(cpus, mem, 1, j.gpuList().size(), true);
        job.put(
                "tres",
                map(
                        "allocated",
                        alloc,
                        "requested",
                        tres(Math.max(1, q.ntasks() * q.cpusPerTask()), mem, q.nodes(), q.gpusPerNode(), true)));
        job.put("used_gres", "");
        job.put("user", j.user());
        job.put("wckey", map("wckey", j.request().options().getOrDefault("wckey", ""), "flags", List.of()));
        job.put("working_directory", nz(q.workDir()));
        return job;
    }

    static Map<String, Object> step(Job j, JobStep s) {
        // a step killed by scancel, a time limit or a requeue ends CANCELLED by SIGTERM, as in Slurm
        boolean killed = switch (s.state()) {
            case "CANCELLED", "TIMEOUT", "REQUEUED" -> true;
            default -> false;
        };
        Usage u = s.usage();
        return step(
                new StepFigures(
                        j.displayId() + "." + s.name(),
                        s.name(),
                        killed ? "CANCELLED" : s.state(),
                        s.state().equals("RUNNING") ? null : killed ? new ExitStatus(0, 15) : s.exit(),
                        s.startTime(),
                        s.endTime(),
                        u.systemCpuMs(),
                        u.totalCpuMs(),
                        u.userCpuMs(),
                        1,
                        s.nodeList() == null ? List.of() : List.of(s.nodeList()),
                        nz(s.nodeList()),
                        1, // the batch step is one task, the script, as in Slurm
                        "Unknown",
                        u.maxRssKiB(),
                        Math.max(1, s.allocCpus()),
                        j.allocMemMiB(),
                        0),
                j);
    }

    /** An srun step of job {@code j} (N.0, N.1, ...), in the batch step's layout. */
    static Map<String, Object> srunStep(Job j, Step s) {
        StepUsage u = s.usage();
        return step(
                new StepFigures(
                        j.displayId() + "." + s.id(),
                        s.name(),
                        s.state().name(),
                        s.state() == StepState.RUNNING ? null : new ExitStatus(s.exitCode(), s.signal()),
                        s.start(),
                        s.end(),
                        u == null ? 0 : u.systemCpuMs(),
                        u == null ? 0 : u.totalCpuMs(),
                        u == null ? 0 : u.userCpuMs(),
                        s.nodes().size(),
                        s.nodes(),
                        Hostlist.compress(s.nodes()),
                        s.tasks(),
                        "Block",
                        u == null ? 0 : u.maxRss().value(),
                        Math.max(1, s.cpus()),
                        s.memMiB() > 0 ? s.memMiB() : j.allocMemMiB(),
                        u == null ? 0 : u.aveCpuFreq()),
                j);
    }

    /** What a step's record shows, from a batch step or an srun step; {@code exit} null while it runs. */
    private record StepFigures(
            String id,
            String name,
            String state,
            ExitStatus exit,
            long start,
            long end,
            long systemMs,
            long totalMs,
            long userMs,
            int nodeCount,
            List<String> nodes,
            String range,
            int tasks,
            String distribution,
            long maxRssKiB,
            int allocCpus,
            long allocMemMiB,
            long cpuFreq) {}

    private static Map<String, Object> step(StepFigures f, Job j) {
        long elapsed = f.start() <= 0 ? 0 : Math.max(0, (f.end() > 0 ? f.end() : f.start()) - f.start());
        Map<String, Object> step = new LinkedHashMap<>();
        step.put(
                "time",
                map(
                        "elapsed",
                        elapsed,
                        "end",
                        f.end() > 0 ? number(f.end()) : unset(),
                        "start",
                        f.start() > 0 ? number(f.start()) : unset(),
                        "suspended",
                        0,
                        "system",
                        seconds(f.systemMs()),
                        "total",
                        seconds(f.totalMs()),
                        "user",
                        seconds(f.userMs())));
        step.put("exit_code", exitCode(f.exit()));
        step.put("nodes", map("count", f.nodeCount(), "range", f.range(), "list", f.nodes()));
        step.put("tasks", map("count", f.tasks()));
        step.put("pid", "");
        step.put("CPU", map("requested_frequency", map("min", unset(), "max", unset()), "governor", List.of()));
        step.put("kill_request_user", "");
        step.put("state", List.of(f.state()));
        step.put("statistics", map("CPU", map("actual_frequency", f.cpuFreq()), "energy", map("consumed", unset())));
        step.put("step", map("id", f.id(), "name", f.name()));
        step.put("task", map("distribution", f.distribution()));
        List<Object> consumedMax = new ArrayList<>();
        if (f.maxRssKiB() > 0) consumedMax.add(tres("mem", MEM, f.maxRssKiB() * 1024));
        step.put(
                "tres",
                map(
                        "requested", map("max", List.of(), "min", List.of(), "average", List.of(), "total", List.of()),
                        "consumed", map("max", consumedMax, "min", List.of(), "average", List.of(), "total", List.of()),
                        "allocated",
                                tres(
                                        f.allocCpus(),
                                        f.allocMemMiB(),
                                        f.nodeCount(),
                                        j.gpuList().size(),
                                        false)));
        return step;
    }

    /** data_parser's PROCESS_EXIT_CODE; null for a process that has not ended (PENDING). */
    public static Map<String, Object> exitCode(ExitStatus e) {
        if (e == null)
            return map("status", List.of("PENDING"), "return_code", unset(), "signal", map("id", unset(), "name", ""));
        if (e.signal() != 0) {
            return map(
                    "status", List.of("SIGNALED"),
                    "return_code", unset(),
                    "signal", map("id", number(e.signal()), "name", signalName(e.signal())));
        }
        return map(
                "status", List.of(e.code() == 0 ? "SUCCESS" : "ERROR"),
                "return_code", number(e.code()),
                "signal", map("id", unset(), "name", ""));
    }

    private static String signalName(int sig) {
        String[] names = {
            "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
            "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"
        };
        return sig > 0 && sig < names.length ? names[sig] : "";
    }

    private static List<Object> tres(int cpus, long memMiB, int nodes, int gpus, boolean billing) {
        List<Object> out = new ArrayList<>();
        if (billing) out.add(tres("billing", BILLING, cpus));
        out.add(tres("cpu", CPU, cpus));
        if (memMiB > 0) out.add(tres("mem", MEM, memMiB));
        out.add(tres("node", NODE, nodes));
        if (gpus > 0) {
            Map<String, Object> g = tres("gres", GPU, gpus);
            g.put("name", "gpu");
            out.add(g);
        }
        return out;
    }

    private static Map<String, Object> tres(String type, int id, long count) {
        return map("type", type, "name", "", "id", id, "count", count);
    }

    private static Map<String, Object> seconds(long ms) {
        return map("seconds", ms / 1000, "microseconds", (ms % 1000) * 1000);
    }

    /** data_parser's *_NO_VAL numbers: {set, infinite, number}. */
    public static Map<String, Object> number(long n) {
        return map("set", true, "infinite", false, "number", n);
    }

    public static Map<String, Object> unset() {
        return map("set", false, "infinite", false, "number", 0);
    }

    public static Map<String, Object> infinite() {
        return map("set", false, "infinite", true, "number", 0);
    }

    private static Usage sum(Usage a, Usage b) {
        return new Usage(
                Math.max(a.maxRssKiB(), b.maxRssKiB()),
                Math.max(a.maxVmKiB(), b.maxVmKiB()),
                a.userCpuMs() + b.userCpuMs(),
                a.systemCpuMs() + b.systemCpuMs());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
