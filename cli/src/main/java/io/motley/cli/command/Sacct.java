package io.motley.cli.command;

import static io.motley.cli.format.Cells.cut;
import static io.motley.cli.format.Cells.justify;

import io.motley.cli.format.JobText;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounting.JobRun;
import io.motley.core.accounting.JobStep;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.size.MemorySize;
import io.motley.core.step.Step;
import io.motley.core.step.StepUsage;
import io.motley.core.time.Durations;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Accounting;
import io.motley.protocol.dataparser.SacctJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * sacct: the accounting records of jobs, one line per job and one per step (Motley's jobs have
 * one step, "batch"), in sacct's fixed-width columns or its parsable forms.
 */
public final class Sacct implements Command {
    static final String DEFAULT_FIELDS = "jobid,jobname,partition,account,alloccpus,state,exitcode";
    static final String BRIEF_FIELDS = "jobid,state,exitcode";
    static final String LONG_FIELDS = "jobid,jobidraw,jobname,partition,maxvmsize,maxvmsizenode,maxvmsizetask,"
            + "avevmsize,maxrss,maxrssnode,maxrsstask,averss,maxpages,maxpagesnode,maxpagestask,avepages,mincpu,"
            + "mincpunode,mincputask,avecpu,ntasks,alloccpus,elapsed,state,exitcode,avecpufreq,reqcpufreqmin,"
            + "reqcpufreqmax,reqcpufreqgov,reqmem,consumedenergy,maxdiskread,maxdiskreadnode,maxdiskreadtask,"
            + "avediskread,maxdiskwrite,maxdiskwritenode,maxdiskwritetask,avediskwrite,reqtres,alloctres,"
            + "tresusageinave,tresusageinmax,tresusageinmaxn,tresusageinmaxt,tresusageinmin,tresusageinminn,"
            + "tresusageinmint,tresusageintot,tresusageoutmax,tresusageoutmaxn,tresusageoutmaxt,tresusageoutave,"
            + "tresusageouttot";

    /** How sacct prints a field: strings are cut with "+", numbers and durations never cut, dates cut plainly. */
    enum Kind {
        STR,
        UINT,
        DATE,
        SECS
    }

    /** A field sacct knows, with its default width (negative: left-justified). */
    record FieldDef(String name, int width, Kind kind) {}

    /** A field as asked for, with its width after any "%N". */
    record Field(FieldDef def, int width) {}

    // Slurm 22.05's table, in its order (sacct -e lists it; a prefix of a name picks the first field it starts),
    // then AllocGRES and ReqGRES, which older Slurm had: still read, not listed. The widths of Container,
    // DBIndex and SubmitLine were not checked against Slurm's.
    static final List<FieldDef> FIELDS = List.of(
            new FieldDef("Account", 10, Kind.STR),
            new FieldDef("AdminComment", 15, Kind.STR),
            new FieldDef("AllocCPUS", 10, Kind.UINT),
            new FieldDef("AllocNodes", 10, Kind.STR),
            new FieldDef("AllocTRES", 10, Kind.STR),
            new FieldDef("AssocID", 7, Kind.UINT),
            new FieldDef("AveCPU", 10, Kind.STR),
            new FieldDef("AveCPUFreq", 10, Kind.STR),
            new FieldDef("AveDiskRead", 14, Kind.STR),
            new FieldDef("AveDiskWrite", 14, Kind.STR),
            new FieldDef("AvePages", 10, Kind.STR),
            new FieldDef("AveRSS", 10, Kind.STR),
            new FieldDef("AveVMSize", 10, Kind.STR),
            new FieldDef("BlockID", 16, Kind.STR),
            new FieldDef("Cluster", 10, Kind.STR),
            new FieldDef("Comment", 14, Kind.STR),
            new FieldDef("Constraints", 19, Kind.STR),
            new FieldDef("ConsumedEnergy", 14, Kind.STR),
            new FieldDef("ConsumedEnergyRaw", 17, Kind.UINT),
            new FieldDef("Container", 19, Kind.STR),
            new FieldDef("CPUTime", 10, Kind.SECS),
            new FieldDef("CPUTimeRAW", 10, Kind.UINT),
            new FieldDef("DBIndex", 9, Kind.UINT),
            new FieldDef("DerivedExitCode", 15, Kind.STR),
            new FieldDef("Elapsed", 10, Kind.SECS),
            new FieldDef("ElapsedRaw", 10, Kind.UINT),
            new FieldDef("Eligible", 19, Kind.DATE),
            new FieldDef("End", 19, Kind.DATE),
            new FieldDef("ExitCode", 8, Kind.STR),
            new FieldDef("Flags", 19, Kind.STR),
            new FieldDef("GID", 6, Kind.UINT),
            new FieldDef("Group", 9, Kind.STR),
            new FieldDef("JobID", -12, Kind.STR),
            new FieldDef("JobIDRaw", -12, Kind.STR),
            new FieldDef("JobName", 10, Kind.STR),
            new FieldDef("Layout", 9, Kind.STR),
            new FieldDef("MaxDiskRead", 12, Kind.STR),
            new FieldDef("MaxDiskReadNode", 15, Kind.STR),
            new FieldDef("MaxDiskReadTask", 15, Kind.UINT),
            new FieldDef("MaxDiskWrite", 12, Kind.STR),
            new FieldDef("MaxDiskWriteNode", 16, Kind.STR),
            new FieldDef("MaxDiskWriteTask", 16, Kind.UINT),
            new FieldDef("MaxPages", 8, Kind.STR),
            new FieldDef("MaxPagesNode", 12, Kind.STR),
            new FieldDef("MaxPagesTask", 14, Kind.UINT),
            new FieldDef("MaxRSS", 10, Kind.STR),
            new FieldDef("MaxRSSNode", 10, Kind.STR),
            new FieldDef("MaxRSSTask", 10, Kind.UINT),
            new FieldDef("MaxVMSize", 10, Kind.STR),
            new FieldDef("MaxVMSizeNode", 14, Kind.STR),
            new FieldDef("MaxVMSizeTask", 14, Kind.UINT),
            new FieldDef("McsLabel", 12, Kind.STR),
            new FieldDef("MinCPU", 10, Kind.STR),
            new FieldDef("MinCPUNode", 10, Kind.STR),
            new FieldDef("MinCPUTask", 10, Kind.UINT),
            new FieldDef("NCPUS", 10, Kind.UINT),
            new FieldDef("NNodes", 8, Kind.UINT),
            new FieldDef("NodeList", 15, Kind.STR),
            new FieldDef("NTasks", 8, Kind.UINT),
            new FieldDef("Partition", 10, Kind.STR),
            new FieldDef("Priority", 10, Kind.UINT),
            new FieldDef("QOS", 10, Kind.STR),
            new FieldDef("QOSRAW", 6, Kind.UINT),
            new FieldDef("Reason", 22, Kind.STR),
            new FieldDef("ReqCPUFreq", 10, Kind.STR),
            new FieldDef("ReqCPUFreqGov", 13, Kind.STR),
            new FieldDef("ReqCPUFreqMax", 13, Kind.STR),
            new FieldDef("ReqCPUFreqMin", 13, Kind.STR),
            new FieldDef("ReqCPUS", 8, Kind.UINT),
            new FieldDef("ReqMem", 10, Kind.STR),
            new FieldDef("ReqNodes", 8, Kind.STR),
            new FieldDef("ReqTRES", 10, Kind.STR),
            new FieldDef("Reservation", 20, Kind.STR),
            new FieldDef("ReservationId", 8, Kind.UINT),
            new FieldDef("Reserved", 10, Kind.SECS),
            new FieldDef("ResvCPU", 10, Kind.SECS),
            new FieldDef("ResvCPURAW", 10, Kind.UINT),
            new FieldDef("Start", 19, Kind.DATE),
            new FieldDef("State", 10, Kind.STR),
            new FieldDef("Submit", 19, Kind.DATE),
            new FieldDef("SubmitLine", 20, Kind.STR),
            new FieldDef("Suspended", 10, Kind.SECS),
            new FieldDef("SystemComment", 15, Kind.STR),
            new FieldDef("SystemCPU", 10, Kind.STR),
            new FieldDef("Timelimit", 10, Kind.STR),
            new FieldDef("TimelimitRaw", 10, Kind.STR),
            new FieldDef("TotalCPU", 10, Kind.STR),
            new FieldDef("TRESUsageInAve", 14, Kind.STR),
            new FieldDef("TRESUsageInMax", 14, Kind.STR),
            new FieldDef("TRESUsageInMaxNode", 18, Kind.STR),
            new FieldDef("TRESUsageInMaxTask", 18, Kind.STR),
            new FieldDef("TRESUsageInMin", 14, Kind.STR),
            new FieldDef("TRESUsageInMinNode", 18, Kind.STR),
            new FieldDef("TRESUsageInMinTask", 18, Kind.STR),
            new FieldDef("TRESUsageInTot", 14, Kind.STR),
            new FieldDef("TRESUsageOutAve", 15, Kind.STR),
            new FieldDef("TRESUsageOutMax", 15, Kind.STR),
            new FieldDef("TRESUsageOutMaxNode", 19, Kind.STR),
            new FieldDef("TRESUsageOutMaxTask", 19, Kind.STR),
            new FieldDef("TRESUsageOutMin", 15, Kind.STR),
            new FieldDef("TRESUsageOutMinNode", 19, Kind.STR),
            new FieldDef("TRESUsageOutMinTask", 19, Kind.STR),
            new FieldDef("TRESUsageOutTot", 15, Kind.STR),
            new FieldDef("UID", 6, Kind.UINT),
            new FieldDef("User", 9, Kind.STR),
            new FieldDef("UserCPU", 10, Kind.STR),
            new FieldDef("WCKey", 10, Kind.STR),
            new FieldDef("WCKeyID", 10, Kind.UINT),
            new FieldDef("WorkDir", 20, Kind.STR),
            new FieldDef("AllocGRES", 12, Kind.STR),
            new FieldDef("ReqGRES", 12, Kind.STR));

    /** How many of {@link #FIELDS} sacct -e lists: Slurm 22.05's own. */
    static final int LISTED = 109;

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag('a', "allusers"),
            OptionSpec.value('A', "accounts"),
            OptionSpec.flag('b', "brief"),
            OptionSpec.flag('B', "batch-script"),
            OptionSpec.flag('\0', "env-vars"),
            OptionSpec.flag('D', "duplicates"),
            OptionSpec.value('\0', "delimiter"),
            OptionSpec.flag('e', "helpformat"),
            OptionSpec.value('E', "endtime"),
            OptionSpec.flag('h', "help"),
            OptionSpec.value('j', "jobs"),
            new OptionSpec('\0', "json", OptionSpec.Arg.OPTIONAL, "json"),
            OptionSpec.flag('l', "long"),
            OptionSpec.flag('L', "allclusters"),
            OptionSpec.value('M', "clusters"),
            OptionSpec.flag('n', "noheader"),
            OptionSpec.value('N', "nodelist"),
            OptionSpec.value('\0', "name"),
            OptionSpec.value('o', "format"),
            OptionSpec.flag('p', "parsable"),
            OptionSpec.flag('P', "parsable2"),
            OptionSpec.value('r', "partition"),
            OptionSpec.value('s', "state"),
            OptionSpec.value('S', "starttime"),
            OptionSpec.flag('T', "truncate"),
            OptionSpec.value('u', "user"),
            new OptionSpec('\0', "uid", OptionSpec.Arg.REQUIRED, "user"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('V', "version"),
            OptionSpec.flag('X', "allocations"));

    /**
     * sacct -B / --env-vars: each selected job's batch script or environment under Slurm's heading, NONE where
     * accounting kept none (AccountingStoreFlags without job_script or job_env, a job with no batch script, or
     * another user's job). As in Slurm, the jobs must be named with -j and the two are not asked together.
     */
    private static int texts(GetOpt.Parsed p, SacctSelection selection, Io io) throws Exception {
        boolean env = p.has("env-vars");
        if (!p.has("jobs")) {
            throw new UsageException(
                    "fatal: When requesting " + (env ? "job environment" : "job scripts")
                            + " you must also request specific jobs with the '-j' option.",
                    1,
                    false);
        }
        if (env && p.has("batch-script"))
            throw new UsageException("fatal: Options --batch-script and --env-vars are mutually exclusive", 1, false);
        StringBuilder out = new StringBuilder();
        for (Message.Texts.Text t :
                io.gateway().ask(new Message.JobTexts(selection.query(), env)).texts()) {
            out.append(
                            env
                                    ? "Environment used for " + t.jobId() + " (must be batch to display)"
                                    : "Batch Script for " + t.jobId())
                    .append('\n')
                    .append("-".repeat(80))
                    .append('\n')
                    .append(t.text() == null ? "NONE\n" : t.text())
                    .append('\n');
        }
        io.out().print(out);
        return 0;
    }

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p;
        try {
            p = new GetOpt("sacct", OPTIONS, false).parse(args);
        } catch (UsageException e) {
            // sacct says only what was wrong: no "Try sacct --help" line after it, as Slurm 22.05's
            throw new UsageException(e.getMessage(), e.exitCode(), false);
        }
        if (p.has("help")) {
            io.out().println(HELP);
            return 0;
        }
        if (p.has("usage")) {
            io.out().println(USAGE);
            return 0;
        }
        if (p.has("helpformat")) {
            io.out().print(helpFormat());
            return 0;
        }
        if (p.has("version")) {
            io.out().println(Version.TEXT);
            return 0;
        }
        if (!p.operands().isEmpty()) {
            throw new UsageException("error: Unknown arguments: " + String.join(" ", p.operands()), 1, false);
        }

        ClusterOption.reached(p, io);
        SacctSelection selection = SacctSelection.parse(p, io);
        if (p.has("batch-script") || p.has("env-vars")) return texts(p, selection, io);
        List<Field> fields = fields(p);
        boolean parsable = false;
        boolean ending = false;
        for (var e : p.options()) {
            if (e.getKey().equals("parsable")) {
                parsable = true;
                ending = true;
            } else if (e.getKey().equals("parsable2")) {
                parsable = true;
                ending = false;
            }
        }
        String delimiter = p.has("delimiter") ? p.last("delimiter") : "|";
        Printer printer = new Printer(fields, parsable, ending, delimiter);

        boolean json = p.has("json");
        String cluster = null;
        if (json || fields.stream().anyMatch(f -> f.def().name().equals("Cluster")))
            cluster = Requests.partitions(io).cluster();

        List<AccountingRecord> records =
                inTaskOrder(io.gateway().ask(new Accounting(selection.query())).records());
        Map<Long, List<Step>> srunSteps = p.has("allocations") ? Map.of() : srunSteps(records, io);
        // DerivedExitCode is the highest of the job's srun steps: with -X they are read, not printed
        Map<Long, List<Step>> derivedFrom = !p.has("allocations")
                        || fields.stream().noneMatch(f -> f.def().name().equals("DerivedExitCode"))
                ? srunSteps
                : srunSteps(records, io);
        if (json) {
            io.out().print(SacctJson.document(records, cluster, io.userName(), args, srunSteps));
            return 0;
        }

        StringBuilder out = new StringBuilder();
        if (!p.has("noheader")) printer.header(out);
        Ctx ctx = new Ctx(io, cluster, derivedFrom);
        for (AccountingRecord r : records) {
            Set<String> steps = selection.steps().get(r.job().id());
            boolean wholeJob = selection.steps().isEmpty() || steps == null;
            if (wholeJob) printer.line(out, lineJob(r), false, ctx, r.earlier() ? r.state() : null);
            // a job salloc or srun made to hold an allocation has no batch step, as Slurm's
            List<JobStep> batch = r.job().request().allocationOnly() ? List.of() : r.steps();
            for (JobStep st : batch) {
                if (wholeJob || steps.contains(st.name()))
                    printer.line(out, stepJob(r.job(), st), true, ctx, (String) null);
            }
            // the srun steps after the last run's batch step
            if (r.earlier()) continue;
            for (Step st : srunSteps.getOrDefault(r.job().id(), List.of())) {
                if (!wholeJob && !steps.contains(Integer.toString(st.id()))) continue;
                Job j = r.job();
                printer.line(
                        out,
                        instance(
                                j,
                                JobState.valueOf(st.state().name()),
                                st.start(),
                                st.end(),
                                String.join(",", st.nodes()),
                                st.cpus(),
                                new ExitStatus(st.exitCode(), st.signal()),
                                Usage.NONE),
                        true,
                        ctx,
                        srunStepFields(j, st));
            }
        }
        io.out().print(out);
        return 0;
    }

    /** What an srun step's line shows besides its job's fields: its id, name, tasks and what they used. */
    static Map<String, String> srunStepFields(Job j, Step st) {
        Map<String, String> v = new java.util.HashMap<>(usageFields(st.usage()));
        v.put("JobID", j.displayId() + "." + st.id());
        v.put("JobIDRaw", j.id() + "." + st.id());
        v.put("JobName", st.name());
        v.put("NTasks", Integer.toString(st.tasks()));
        return v;
    }

    /**
     * An srun step's usage fields, in the batch step's formats (memory in K, CPU times as TotalCPU)
     * and sstat's for the figures the batch step does not show (AveCPU and MinCPU in whole seconds,
     * page faults and disk): the task with the most and its node, averages over the tasks measured,
     * CPU time summed. None without usage, so that the fields stay empty rather than 0.
     * TRESUsageInAve and TRESUsageOutAve hold the averages by TRES name, as sstat's; the other
     * TRESUsage fields stay empty (the step's record keeps no per-task CPU maximum or totals).
     */
    static Map<String, String> usageFields(StepUsage u) {
        if (u == null) return Map.of();
        Map<String, String> v = new java.util.HashMap<>();
        extreme(v, "MaxRSS", u.maxRss(), kib(u.maxRss().value()));
        v.put("AveRSS", kib(u.aveRssKiB()));
        extreme(v, "MaxVMSize", u.maxVm(), kib(u.maxVm().value()));
        v.put("AveVMSize", kib(u.aveVmKiB()));
        extreme(v, "MaxPages", u.maxPages(), Sstat.bytes(u.maxPages().value(), true));
        v.put("AvePages", Sstat.bytes(u.avePages(), true));
        extreme(v, "MinCPU", u.minCpu(), Sstat.cpu(u.minCpu().value() / 1000));
        v.put("AveCPU", Sstat.cpu(u.aveCpuMs() / 1000));
        v.put("AveCPUFreq", Sstat.frequency(u.aveCpuFreq(), true));
        v.put("TotalCPU", cpuTime(u.totalCpuMs()));
        v.put("UserCPU", cpuTime(u.userCpuMs()));
        v.put("SystemCPU", cpuTime(u.systemCpuMs()));
        extreme(v, "MaxDiskRead", u.maxDiskRead(), Sstat.disk(u.maxDiskRead().value(), true));
        v.put("AveDiskRead", Sstat.disk(u.aveDiskRead(), true));
        extreme(v, "MaxDiskWrite", u.maxDiskWrite(), Sstat.disk(u.maxDiskWrite().value(), true));
        v.put("AveDiskWrite", Sstat.disk(u.aveDiskWrite(), true));
        v.put(
                "TRESUsageInAve",
                "cpu=" + Sstat.cpu(u.aveCpuMs() / 1000) + ",energy=0,fs/disk=" + Sstat.bytes(u.aveDiskRead(), true)
                        + ",mem=" + Sstat.bytes(u.aveRssKiB() * 1024.0, true) + ",pages="
                        + Sstat.bytes(u.avePages(), true) + ",vmem=" + Sstat.bytes(u.aveVmKiB() * 1024.0, true));
        v.put("TRESUsageOutAve", "energy=0,fs/disk=" + Sstat.bytes(u.aveDiskWrite(), true));
        return v;
    }

    private static void extreme(Map<String, String> v, String field, StepUsage.Extreme e, String shown) {
        v.put(field, shown);
        v.put(field + "Node", e.node());
        v.put(field + "Task", Integer.toString(e.task()));
    }

    /** The srun steps of the jobs listed, by job; none from a controller that does not know steps. */
    private static Map<Long, List<Step>> srunSteps(List<AccountingRecord> records, Io io) throws Exception {
        return Requests.steps(
                io,
                records.stream()
                        .filter(r -> !r.earlier() && r.job().startTime() > 0)
                        .map(r -> r.job().id())
                        .distinct()
                        .toList());
    }

    /** The task id slurmdbd gives an array's record of its tasks still pending (NO_VAL). */
    private static final long PENDING_TASKS = 4294967294L;

    /**
     * The records in sacct's own order: by submit second, then array job id (0 for a job of no
     * array), then array task id (an array's pending remainder last), then job id; records of one
     * job (its earlier runs) stay in the store's order. So within one second jobs of no array come
     * before arrays, which is why a pending array is listed after the plain jobs submitted with it.
     */
    static List<AccountingRecord> inTaskOrder(List<AccountingRecord> records) {
        List<AccountingRecord> out = new ArrayList<>(records);
        out.sort(Sacct::compareTaskOrder);
        return out;
    }

    /** {@link #inTaskOrder}'s order of two records (a method, not a chain of lambdas: it runs for every line). */
    private static int compareTaskOrder(AccountingRecord a, AccountingRecord b) {
        Job x = a.job();
        Job y = b.job();
        int c = Long.compare(x.submitTime(), y.submitTime());
        if (c != 0) return c;
        ArrayPart ax = x.array();
        ArrayPart ay = y.array();
        c = Long.compare(ax == null ? 0 : ax.arrayJobId(), ay == null ? 0 : ay.arrayJobId());
        if (c != 0) return c;
        c = Long.compare(taskKey(ax), taskKey(ay));
        return c != 0 ? c : Long.compare(x.id(), y.id());
    }

    private static long taskKey(ArrayPart a) {
        return a == null ? 0 : a.taskId() < 0 ? PENDING_TASKS : a.taskId();
    }

    /** The job as its line shows it: itself, or for an earlier run the job with that run's times, node and exit. */
    static Job lineJob(AccountingRecord r) {
        if (!r.earlier()) return r.job();
        JobRun run = r.run();
        // FAILED stands for "ended"; the line's State shows the run's own (REQUEUED)
        return instance(
                r.job(),
                JobState.FAILED,
                run.startTime(),
                run.endTime(),
                run.nodeList(),
                run.allocCpus(),
                run.exit(),
                io.motley.core.job.Usage.NONE);
    }

    /** The job as a step's line shows it: the step's times, node, state, exit and usage. */
    static Job stepJob(Job j, JobStep st) {
        // a run ended by a requeue had its step killed, as scancel kills it
        JobState state = JobState.parse(st.state()).orElse(JobState.CANCELLED);
        return instance(j, state, st.startTime(), st.endTime(), st.nodeList(), st.allocCpus(), st.exit(), st.usage());
    }

    static Job instance(
            Job j,
            JobState state,
            long start,
            long end,
            String node,
            int cpus,
            ExitStatus exit,
            io.motley.core.job.Usage usage) {
        return j.toBuilder()
                .state(state)
                .times(new Job.Times(j.submitTime(), start, end))
                .allocation(new Job.Allocation(j.partition(), node, cpus, j.allocMemMiB(), j.gpuList(), j.timeLimit()))
                .outcome(new Job.Outcome(
                        exit,
                        state == JobState.CANCELLED ? j.outcome().cancelledBy() : null,
                        state == j.state() ? j.stateDesc() : null))
                .usage(usage)
                .build();
    }

    /** The fields asked for with -o (repeatable), -b, -l, or the default ones. */
    static List<Field> fields(GetOpt.Parsed p) {
        StringBuilder spec = new StringBuilder();
        for (String f : p.all("format")) spec.append(f).append(',');
        if (p.has("brief")) spec.append(BRIEF_FIELDS).append(',');
        if (p.has("long")) spec.append(LONG_FIELDS).append(',');
        if (spec.isEmpty()) spec.append(DEFAULT_FIELDS);
        List<Field> out = new ArrayList<>();
        for (String raw : spec.toString().split(",")) {
            String name = raw.strip();
            if (name.isEmpty()) continue;
            Integer width = null;
            int pct = name.indexOf('%');
            if (pct >= 0) {
                width = leadingInt(name.substring(pct + 1));
                name = name.substring(0, pct);
            }
            if (!name.isEmpty() && "all".startsWith(name.toLowerCase(Locale.ROOT))) {
                for (FieldDef d : FIELDS) out.add(new Field(d, width == null ? d.width() : width));
                continue;
            }
            FieldDef def = null;
            for (FieldDef d : FIELDS) {
                if (d.name().regionMatches(true, 0, name, 0, name.length())
                        && name.length() <= d.name().length()) {
                    def = d;
                    break;
                }
            }
            if (def == null || name.isEmpty()) {
                throw new UsageException("error: Invalid field requested: \"" + name + "\"", 1, false);
            }
            out.add(new Field(def, width == null ? def.width() : width));
        }
        return out;
    }

    private static int leadingInt(String s) {
        int i = 0;
        boolean neg = s.startsWith("-");
        if (neg) i++;
        int v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) v = v * 10 + (s.charAt(i++) - '0');
        return neg ? -v : v;
    }

    private static String helpFormat() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < LISTED; i++) {
            if ((i & 3) != 0) sb.append(' ');
            else if (i != 0) sb.append('\n');
            sb.append(String.format(Locale.ROOT, "%-19s", FIELDS.get(i).name()));
        }
        return sb.append('\n').toString();
    }

    /** What lines need besides their job: the cluster's name and each job's srun steps (for DerivedExitCode). */
    private record Ctx(Io io, String cluster, Map<Long, List<Step>> steps) {
        /**
         * DerivedExitCode: the highest exit code of the job's srun steps (then its signal), as slurmctld keeps
         * derived_ec; 0:0 for a job with none.
         */
        String derivedExit(Job j) {
            return Step.derivedExit(steps.getOrDefault(j.id(), List.of())).toString();
        }
    }

    /** Prints header and lines as sacct's print_fields does, fixed-width or parsable. */
    private record Printer(List<Field> fields, boolean parsable, boolean ending, String delimiter) {
        void header(StringBuilder out) {
            for (int i = 0; i < fields.size(); i++) {
                Field f = fields.get(i);
                if (parsable) {
                    out.append(f.def().name());
                    if (ending || i < fields.size() - 1) out.append(delimiter);
                } else {
                    out.append(justify(cut(f.def().name(), Math.abs(f.width())), f.width()))
                            .append(' ');
                }
            }
            out.append('\n');
            if (parsable) return;
            for (Field f : fields) out.append("-".repeat(Math.abs(f.width()))).append(' ');
            out.append('\n');
        }

        /** One line; {@code state}, when not null, is what the State field shows (an earlier run's). */
        void line(StringBuilder out, Job j, boolean step, Ctx ctx, String state) {
            line(out, j, step, ctx, state == null ? Map.of() : Map.of("State", state));
        }

        /** One line, the fields in {@code shown} showing those values (an earlier run's state, an srun step's id). */
        void line(StringBuilder out, Job j, boolean step, Ctx ctx, Map<String, String> given) {
            for (int i = 0; i < fields.size(); i++) {
                Field f = fields.get(i);
                String raw = given.containsKey(f.def().name())
                        ? given.get(f.def().name())
                        : value(f.def().name(), j, step, ctx);
                // control characters written out, so that a value cannot start a line of its own
                String v = FreeText.escape(raw);
                if (parsable) {
                    out.append(v == null ? "" : delimited(v));
                    if (ending || i < fields.size() - 1) out.append(delimiter);
                    continue;
                }
                int abs = Math.abs(f.width());
                String shown;
                if (v == null) {
                    shown = "";
                } else if (f.def().kind() == Kind.STR && v.length() > abs) {
                    shown = abs == 0 ? "" : v.substring(0, abs - 1) + "+";
                } else if (f.def().kind() == Kind.DATE) {
                    shown = cut(v, abs);
                } else {
                    shown = v;
                }
                // padded in place, as Cells.justify pads: on the right for a negative width, else on the left
                int pad = abs - shown.length();
                if (pad > 0 && f.width() >= 0) out.repeat(' ', pad);
                out.append(shown);
                if (pad > 0 && f.width() < 0) out.repeat(' ', pad);
                out.append(' ');
            }
            out.append('\n');
        }

        /**
         * A value for -p/-P: a backslash or the delimiter inside it is preceded by a backslash,
         * so that a '|' in a job name cannot split its row (Slurm prints them bare).
         */
        String delimited(String v) {
            if (v.indexOf('\\') < 0 && (delimiter.isEmpty() || !v.contains(delimiter))) return v;
            String escaped = v.replace("\\", "\\\\");
            return delimiter.isEmpty() ? escaped : escaped.replace(delimiter, "\\" + delimiter);
        }
    }

    // ---- values ------------------------------------------------------------------------------

    /** A field's value on the job's line or its batch step's line; null when sacct leaves it blank. */
    private static String value(String field, Job j, boolean step, Ctx ctx) {
        JobRequest r = j.request();
        Io io = ctx.io();
        boolean started = j.startTime() > 0;
        boolean pending = j.state() == JobState.PENDING;
        boolean running = j.state().holdsAllocation();
        int cpus = JobText.cpus(j);
        return switch (field) {
            case "Account" -> r.account();
            // a waiting job shows the CPUs it asked for, as Slurm's does
            case "AllocCPUS", "NCPUS" -> Integer.toString(cpus);
            case "AllocNodes" -> step || started ? "1" : "0";
            // none for a job that never started (cancelled while waiting too), as slurmdbd has none
            case "AllocTRES" ->
                step
                        ? tres(false, cpus, allocMem(j), 1, j.gpuList().size())
                        : !started
                                ? null
                                : tres(true, cpus, allocMem(j), 1, j.gpuList().size());
            case "AveCPUFreq" -> step ? "0" : null;
            // slurmdbd's energy TRES: none in a job's allocation until it starts (read 0), then an
            // unknown count (blank) where no energy is gathered; a step's own count is 0
            case "ConsumedEnergy", "ConsumedEnergyRaw" -> step || !started ? "0" : null;
            case "Cluster" -> ctx.cluster();
            case "Comment" -> step ? null : r.comment();
            case "CPUTime" -> Durations.formatFixed(j.elapsed(io.nowSeconds()) * (pending ? 0 : cpus));
            case "CPUTimeRAW" -> Long.toString(j.elapsed(io.nowSeconds()) * (pending ? 0 : cpus));
            case "DerivedExitCode" -> step ? null : ctx.derivedExit(j);
            case "Elapsed" -> Durations.formatFixed(j.elapsed(io.nowSeconds()));
            case "ElapsedRaw" -> Long.toString(j.elapsed(io.nowSeconds()));
            case "Eligible" ->
                step
                        ? date(j.startTime(), io, "Unknown")
                        : r.hold() && pending ? "Unknown" : date(j.submitTime(), io, "Unknown");
            case "End" -> pending || running || j.endTime() == 0 ? "Unknown" : date(j.endTime(), io, "Unknown");
            case "ExitCode" ->
                step
                        ? stepExit(j)
                        : j.state() == JobState.CANCELLED
                                        || j.state() == JobState.TIMEOUT
                                        || !j.state().isTerminal()
                                ? "0:0"
                                : j.exit().toString();
            case "GID" -> step ? null : Integer.toString(j.gid());
            case "Group" -> step ? null : Scontrol.groupName(j.gid());
            case "JobID" -> step ? j.displayId() + ".batch" : j.displayId();
            case "JobIDRaw" -> step ? j.id() + ".batch" : Long.toString(j.id());
            case "JobName" -> step ? "batch" : r.name();
            case "NNodes" ->
                Integer.toString(step ? 1 : started ? Math.max(1, j.nodes().size()) : r.nodes());
            case "NodeList" ->
                j.node() != null && started ? (step ? j.node() : j.nodeList()) : step ? "" : "None assigned";
            // the batch step is one task, the script, whatever -n the job has
            case "NTasks" -> step ? "1" : null;
            case "Priority" -> step ? null : Long.toString(r.hold() ? 0 : j.priority());
            case "Partition" -> step ? null : j.partition();
            case "QOS" -> step ? null : "normal";
            // a state description (why a launch failed, say) is the job's reason, as scontrol shows it
            case "Reason" ->
                step
                        ? null
                        : j.stateDesc() != null
                                ? j.stateDesc()
                                : pending ? j.reason().name() : "None";
            case "ReqCPUFreq", "ReqCPUFreqMin", "ReqCPUFreqMax", "ReqCPUFreqGov" -> step ? "0" : "Unknown";
            case "ReqCPUS" -> Integer.toString(step ? cpus : r.cpus());
            case "ReqMem" -> {
                long mem = reqMem(j);
                yield step || mem <= 0 ? null : MemorySize.format(mem);
            }
            case "ReqNodes" -> Integer.toString(step ? 1 : r.nodes());
            case "ReqTRES" ->
                step ? null : tres(true, Math.max(r.cpus(), r.nodes()), reqMem(j), r.nodes(), r.gpusPerNode());
            case "Start" -> step || started ? date(j.startTime(), io, "Unknown") : pending ? "Unknown" : "None";
            case "State" -> step ? stepState(j) : state(j);
            case "Submit" -> date(step ? j.startTime() : j.submitTime(), io, "Unknown");
            case "Suspended" -> Durations.formatFixed(j.suspendedSecs(io.nowSeconds()));
            case "Timelimit" -> step ? null : JobText.limitFixed(j);
            case "TimelimitRaw" ->
                step
                        ? null
                        : j.timeLimit() instanceof TimeLimit.Seconds l ? Long.toString(l.seconds() / 60) : "UNLIMITED";
            case "UID" -> step ? null : Integer.toString(j.uid());
            case "User" -> step ? null : j.user();
            case "WorkDir" -> step ? null : r.workDir();
            case "WCKey" -> step ? null : r.options().get("wckey");
            // memory peaks belong to the step, as in Slurm; CPU times show on both lines
            // nothing measured is blank, as Slurm leaves it, not 0
            case "MaxRSS" ->
                step && measured(j) && j.usage().maxRssKiB() > 0 ? kib(j.usage().maxRssKiB()) : null;
            case "MaxVMSize" ->
                step && measured(j) && j.usage().maxVmKiB() > 0 ? kib(j.usage().maxVmKiB()) : null;
            case "TotalCPU" -> measured(j) ? cpuTime(j.usage().totalCpuMs()) : null;
            case "UserCPU" -> measured(j) ? cpuTime(j.usage().userCpuMs()) : null;
            case "SystemCPU" -> measured(j) ? cpuTime(j.usage().systemCpuMs()) : null;
            // disk, energy and the like Motley does not measure
            default -> null;
        };
    }

    private static String state(Job j) {
        Integer by = j.outcome().cancelledBy();
        if (j.state() == JobState.CANCELLED && by != null) return "CANCELLED by " + by;
        return j.state().name();
    }

    /** The batch step ends as the job did, except that a time limit or scancel kills it with SIGTERM. */
    private static String stepState(Job j) {
        return switch (j.state()) {
            case TIMEOUT, CANCELLED -> "CANCELLED";
            default -> j.state().name();
        };
    }

    private static String stepExit(Job j) {
        return switch (j.state()) {
            case TIMEOUT, CANCELLED -> "0:15";
            case RUNNING, SUSPENDED, PENDING -> "0:0";
            default -> j.exit().toString();
        };
    }

    private static long allocMem(Job j) {
        return j.allocMemMiB() > 0 ? j.allocMemMiB() : reqMem(j);
    }

    private static long reqMem(Job j) {
        JobRequest r = j.request();
        long alloc = j.allocMemMiB();
        // without --mem a job gets DefMemPerCPU for each CPU; an --exclusive one holds more CPUs than it
        // asked for, and Slurm's ReqMem counts only those asked for
        if (!r.resources().memory().given() && j.allocCpus() > r.cpus() && alloc > 0)
            alloc = alloc * r.cpus() / j.allocCpus();
        return r.requestedMemMiB(alloc);
    }

    /** TRES as sacct lists them, by name: billing, cpu, mem, node (billing only for the job). */
    /** Usage is shown once a job ended with figures from its agent; blank otherwise, as Slurm without gathering. */
    private static boolean measured(Job j) {
        return j.state().isTerminal() && j.startTime() > 0 && !j.usage().equals(io.motley.core.job.Usage.NONE);
    }

    /** Memory as sacct prints it: KiB with a K suffix, "0" for nothing measured. */
    static String kib(long k) {
        return k <= 0 ? "0" : k + "K";
    }

    /** CPU time as sacct prints it: MM:SS.mmm under an hour, HH:MM:SS, then D-HH:MM:SS. */
    static String cpuTime(long ms) {
        long s = ms / 1000;
        if (s >= 86400)
            return (s / 86400) + "-"
                    + String.format(Locale.ROOT, "%02d:%02d:%02d", s % 86400 / 3600, s % 3600 / 60, s % 60);
        if (s >= 3600) return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60);
        return String.format(Locale.ROOT, "%02d:%02d.%03d", s / 60, s % 60, ms % 1000);
    }

    private static String tres(boolean billing, int cpus, long memMiB, int nodes) {
        return tres(billing, cpus, memMiB, nodes, 0);
    }

    private static String tres(boolean billing, int cpus, long memMiB, int nodes, int gpus) {
        StringBuilder sb = new StringBuilder();
        if (billing) sb.append("billing=").append(cpus).append(',');
        sb.append("cpu=").append(cpus);
        if (gpus > 0) sb.append(",gres/gpu=").append(gpus);
        if (memMiB > 0) sb.append(",mem=").append(MemorySize.format(memMiB));
        sb.append(",node=").append(nodes);
        return sb.toString();
    }

    private static String date(long epoch, Io io, String none) {
        return epoch <= 0 ? none : Durations.formatTimestamp(epoch, io.zone());
    }

    private static final String USAGE = """
            Usage: sacct [-a] [-A accounts] [-b] [-E endtime] [-j jobs] [-l] [-n] [-o fields]
                         [-p|-P] [-r partitions] [-s states] [-S starttime] [-u users] [-X] [-D]
                         [-N nodes] [--name names] [--json] [-B|--env-vars]""";

    private static final String HELP = """
            Usage: sacct [OPTIONS]
              -a, --allusers          show the jobs of all users (the default for root and with -j)
              -A, --accounts=LIST     only jobs charged to these accounts
              -b, --brief             same as --format=jobid,state,exitcode
              -B, --batch-script      the batch script of each job named with -j (kept with
                                      AccountingStoreFlags=job_script)
              -D, --duplicates        also the earlier runs of requeued jobs (state REQUEUED)
                  --delimiter=CHARS   field separator for -p and -P (default '|')
              -e, --helpformat        list the fields --format takes
              -E, --endtime=TIME      jobs that were eligible before this time (default: now;
                                      with -s: the start time)
                  --env-vars          the environment of each batch job named with -j (kept
                                      with AccountingStoreFlags=job_env)
              -j, --jobs=LIST         these jobs (ID, ID_TASK or ID.batch), whenever they ran
                  --json              data_parser v0.0.40's JSON (slurmrestd's /slurmdb/v0.0.40/jobs)
              -l, --long              many fields (energy, CPU frequency and TRES usage stay empty)
              -M, --clusters=NAME     this cluster (its ClusterName, or all); another is refused
              -n, --noheader          no header lines
              -N, --nodelist=HOSTLIST only jobs that ran on these nodes (all users)
                  --name=LIST         only jobs with these names
              -o, --format=LIST       fields to show, each optionally NAME%WIDTH
              -p, --parsable          '|'-separated output, with a trailing '|'
              -P, --parsable2         '|'-separated output, no trailing '|'
                                      (a '|' or '\\' inside a value is written '\\|' or '\\\\', so
                                      rows always split on the bare delimiter; Slurm prints them bare)
              -r, --partition=LIST    only jobs in these partitions
              -s, --state=LIST        only jobs in these states during the window (names or
                                      codes: CD,F,CA,TO,NF,OOM,DL,RQ,PD,R)
              -S, --starttime=TIME    jobs that ran or pended after this time (default: 00:00
                                      today; with -j: any time; with -s: now)
              -u, --user=LIST         only jobs of these users (names or uids; -1 for all)
              -X, --allocations       the jobs only, not their steps
              -V, --version           print the version
              -h, --help              show this help""";
}
