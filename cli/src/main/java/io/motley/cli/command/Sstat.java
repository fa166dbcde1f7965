package io.motley.cli.command;

import io.motley.cli.client.AgentClient;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.step.Step;
import io.motley.core.step.StepUsage;
import io.motley.core.step.TaskUsage;
import io.motley.protocol.StepMessages;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * sstat -j JOB[.STEP]: what the running steps of a job use now, as the agents of its nodes sample
 * each task (memory now and at its peak, major page faults, CPU time, bytes read and written), in
 * Slurm 22.05's columns and errors. Without a step it shows the job's first srun step, with -a
 * every running step and the batch step. Figures Motley does not measure (CPU frequency, energy,
 * the TRES usage strings) show as Slurm shows a figure it lacks.
 */
public final class Sstat implements Command {
    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag('a', "allsteps"),
            OptionSpec.flag('e', "helpformat"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('i', "pidformat"),
            OptionSpec.value('j', "jobs"),
            OptionSpec.flag('n', "noheader"),
            OptionSpec.flag('\0', "noconvert"),
            OptionSpec.value('o', "format"),
            OptionSpec.value('\0', "fields"),
            OptionSpec.flag('p', "parsable"),
            OptionSpec.flag('P', "parsable2"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('V', "version"));

    /** A field with Slurm's default width (negative: left-justified) and whether it is a number (never cut). */
    record FieldDef(String name, int width, boolean number) {}

    record Field(FieldDef def, int width) {}

    /** Slurm 22.05's sstat fields, in its order (sstat -e lists them so). */
    static final List<FieldDef> FIELDS = List.of(
            new FieldDef("AveCPU", 10, false),
            new FieldDef("AveCPUFreq", 10, false),
            new FieldDef("AveDiskRead", 12, false),
            new FieldDef("AveDiskWrite", 12, false),
            new FieldDef("AvePages", 10, false),
            new FieldDef("AveRSS", 10, false),
            new FieldDef("AveVMSize", 10, false),
            new FieldDef("ConsumedEnergy", 14, false),
            new FieldDef("ConsumedEnergyRaw", 17, true),
            new FieldDef("JobID", -12, false),
            new FieldDef("MaxDiskRead", 12, false),
            new FieldDef("MaxDiskReadNode", 15, false),
            new FieldDef("MaxDiskReadTask", 15, true),
            new FieldDef("MaxDiskWrite", 12, false),
            new FieldDef("MaxDiskWriteNode", 16, false),
            new FieldDef("MaxDiskWriteTask", 16, true),
            new FieldDef("MaxPages", 8, false),
            new FieldDef("MaxPagesNode", 12, false),
            new FieldDef("MaxPagesTask", 14, true),
            new FieldDef("MaxRSS", 10, false),
            new FieldDef("MaxRSSNode", 10, false),
            new FieldDef("MaxRSSTask", 10, true),
            new FieldDef("MaxVMSize", 10, false),
            new FieldDef("MaxVMSizeNode", 14, false),
            new FieldDef("MaxVMSizeTask", 14, true),
            new FieldDef("MinCPU", 10, false),
            new FieldDef("MinCPUNode", 10, false),
            new FieldDef("MinCPUTask", 10, true),
            new FieldDef("Nodelist", 20, false),
            new FieldDef("NTasks", 8, true),
            new FieldDef("Pids", 20, false),
            new FieldDef("ReqCPUFreq", 10, false),
            new FieldDef("ReqCPUFreqMin", 13, false),
            new FieldDef("ReqCPUFreqMax", 13, false),
            new FieldDef("ReqCPUFreqGov", 13, false),
            new FieldDef("TRESUsageInAve", 14, false),
            new FieldDef("TRESUsageInMax", 14, false),
            new FieldDef("TRESUsageInMaxNode", 18, false),
            new FieldDef("TRESUsageInMaxTask", 18, false),
            new FieldDef("TRESUsageInMin", 14, false),
            new FieldDef("TRESUsageInMinNode", 18, false),
            new FieldDef("TRESUsageInMinTask", 18, false),
            new FieldDef("TRESUsageInTot", 14, false),
            new FieldDef("TRESUsageOutAve", 15, false),
            new FieldDef("TRESUsageOutMax", 15, false),
            new FieldDef("TRESUsageOutMaxNode", 19, false),
            new FieldDef("TRESUsageOutMaxTask", 19, false),
            new FieldDef("TRESUsageOutMin", 15, false),
            new FieldDef("TRESUsageOutMinNode", 19, false),
            new FieldDef("TRESUsageOutMinTask", 19, false),
            new FieldDef("TRESUsageOutTot", 15, false));

    /** Slurm's default columns (STAT_FIELDS), as its capture shows them. */
    static final String DEFAULT_FIELDS = "JobID,MaxVMSize,MaxVMSizeNode,MaxVMSizeTask,AveVMSize,MaxRSS,MaxRSSNode,"
            + "MaxRSSTask,AveRSS,MaxPages,MaxPagesNode,MaxPagesTask,AvePages,MinCPU,MinCPUNode,MinCPUTask,AveCPU,"
            + "NTasks,AveCPUFreq,ReqCPUFreqMin,ReqCPUFreqMax,ReqCPUFreqGov,ConsumedEnergy,MaxDiskRead,"
            + "MaxDiskReadNode,MaxDiskReadTask,AveDiskRead,MaxDiskWrite,MaxDiskWriteNode,MaxDiskWriteTask,"
            + "AveDiskWrite,TRESUsageInAve,TRESUsageInMax,TRESUsageInMaxNode,TRESUsageInMaxTask,TRESUsageInMin,"
            + "TRESUsageInMinNode,TRESUsageInMinTask,TRESUsageInTot,TRESUsageOutAve,TRESUsageOutMax,"
            + "TRESUsageOutMaxNode,TRESUsageOutMaxTask,TRESUsageOutMin,TRESUsageOutMinNode,TRESUsageOutMinTask,"
            + "TRESUsageOutTot";

    /** -i's columns (STAT_FIELDS_PID). */
    static final String PID_FIELDS = "JobID,Nodelist,Pids";

    static final String USAGE = "Usage: sstat [options] -j <job(.stepid)>\n\tUse --help for help";

    private static final String HELP = """
            sstat [<OPTION>] -j <job(.stepid)>
                Valid <OPTION> values are:
                  -a, --allsteps:   every running step of the job(s), the batch step too, when no step is given
                  -e, --helpformat: the fields --format takes
                  -h, --help:       this description
                  -i, --pidformat:  the pids running in each step (JobId,Nodelist,Pids)
                  -j, --jobs:       job(.step)[,job(.step)...]: the steps to show (required). Without a step,
                                    the job's lowest numbered srun step running; 'batch' names the batch step
                  -n, --noheader:   no header
                  --noconvert:      memory in bytes, not converted to K, M, G
                  -o, --format:     comma separated fields, each NAME or NAME%WIDTH
                  -p, --parsable:   '|' delimited, with a '|' at the end
                  -P, --parsable2:  '|' delimited, without a '|' at the end
                  --usage:          brief usage
                  -V, --version:    the version
            Motley samples each task's processes every half second and when asked; AveCPUFreq weighs the
            frequency of the CPU each task ran on by its CPU time; ConsumedEnergy is not measured and
            shows as Slurm shows it empty.""";

    /** One -j item: a job and its step (null: none given; TaskUsage.BATCH for "batch"). */
    record Selected(long jobId, Integer step) {
        String display() {
            return "StepId=" + TaskUsage.stepName(jobId, step);
        }
    }

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p;
        try {
            p = new GetOpt("sstat", OPTIONS, false).parse(args);
        } catch (UsageException e) {
            // Slurm's sstat says only what getopt said
            throw new UsageException(e.getMessage(), e.exitCode(), false);
        }
        if (p.has("usage")) {
            io.out().println(USAGE);
            return 0;
        }
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        if (p.has("helpformat")) {
            io.out().print(helpFormat());
            return 0;
        }
        List<Selected> selected = new ArrayList<>();
        for (String j : p.all("jobs")) selected.addAll(parseJobs(j));
        for (String j : p.operands()) selected.addAll(parseJobs(j));
        // -i adds its columns to those asked for, as Slurm's does; with neither, the default columns
        List<String> asked = new ArrayList<>();
        for (var o : p.options()) {
            switch (o.getKey()) {
                case "pidformat" -> asked.add(PID_FIELDS);
                case "format", "fields" -> asked.add(o.getValue());
                default -> {}
            }
        }
        List<Field> fields = fields(asked.isEmpty() ? DEFAULT_FIELDS : String.join(",", asked));
        if (selected.isEmpty()) throw new UsageException("error: You didn't give me any jobs to stat.", 1, false);
        boolean parsable = p.has("parsable") || p.has("parsable2");
        boolean ending = p.has("parsable") && !p.has("parsable2");
        boolean convert = !p.has("noconvert");
        StringBuilder out = new StringBuilder();
        if (!p.has("noheader")) header(out, fields, parsable, ending);
        for (Selected s : selected) {
            List<String> errors = new ArrayList<>();
            StepMessages.StepStats st = null;
            try {
                st = io.gateway().ask(new StepMessages.Stat(s.jobId()));
            } catch (AgentClient.RequestFailed e) {
                // the controller knows no such job
                errors.add("couldn't get steps for job " + s.jobId());
            }
            if (st != null) {
                List<Integer> shown = choose(s, st, p.has("allsteps"));
                if (shown == null) {
                    errors.add(
                            s.step() == null
                                    ? "No steps running for job " + s.jobId()
                                    : s.display() + " not found running.");
                } else {
                    for (int step : shown)
                        show(out, errors, fields, parsable, ending, convert, p.has("pidformat"), s.jobId(), step, st);
                }
            }
            // errors come in their place among the lines, as Slurm's stderr does beside its stdout
            io.out().print(out);
            io.out().flush();
            out.setLength(0);
            for (String e : errors) io.err().println("sstat: error: " + e);
        }
        io.out().print(out);
        return 0;
    }

    /** One step's line (with -i, one per node), or Slurm's errors where its nodes could not tell. */
    private static void show(
            StringBuilder out,
            List<String> errors,
            List<Field> fields,
            boolean parsable,
            boolean ending,
            boolean convert,
            boolean perNode,
            long jobId,
            int step,
            StepMessages.StepStats st) {
        List<String> nodes = step == TaskUsage.BATCH
                ? List.of(st.batchHost())
                : st.steps().stream()
                        .filter(x -> x.id() == step)
                        .findFirst()
                        .map(Step::nodes)
                        .orElse(List.of());
        String name = "StepId=" + TaskUsage.stepName(jobId, step);
        if (st.denied()) {
            for (String node : nodes)
                errors.add("slurm_job_step_stat: there was an error with the request to " + node
                        + " rc = Invalid user id");
            errors.add("problem getting step_layout for " + name + ": Invalid user id");
            return;
        }
        for (String node : nodes) {
            if (st.silent().contains(node))
                errors.add("slurm_job_step_stat: there was an error with the request to " + node
                        + " rc = Socket timed out on send/recv operation");
        }
        List<TaskUsage> tasks =
                st.tasks().stream().filter(u -> u.step() == step).toList();
        if (perNode) {
            Map<String, List<TaskUsage>> byNode = new TreeMap<>();
            for (TaskUsage u : tasks)
                byNode.computeIfAbsent(u.node(), k -> new ArrayList<>()).add(u);
            for (List<TaskUsage> onNode : byNode.values())
                line(out, fields, parsable, ending, values(jobId, step, onNode, convert));
        } else {
            line(out, fields, parsable, ending, values(jobId, step, tasks, convert));
        }
    }

    /**
     * The steps to show of one -j item, or null when Slurm says none runs: the batch step runs while
     * the job runs (so a job with only its batch step shows nothing, without error, unless -a);
     * without a step, the first srun step; with -a, every running step, even when one is named.
     */
    static List<Integer> choose(Selected s, StepMessages.StepStats st, boolean all) {
        List<Integer> running = new ArrayList<>();
        if (!st.batchHost().isEmpty()) running.add(TaskUsage.BATCH);
        st.steps().stream().map(Step::id).sorted().forEach(running::add);
        if (s.step() != null) {
            if (!running.contains(s.step())) return null;
            return all ? running : List.of(s.step());
        }
        if (running.isEmpty()) return null;
        if (all) return running;
        return running.stream().filter(x -> x != TaskUsage.BATCH).limit(1).toList();
    }

    /** "12", "12.3", "12.batch", comma separated; Slurm's fatal error for anything else. */
    static List<Selected> parseJobs(String text) {
        List<Selected> out = new ArrayList<>();
        for (String item : text.split(",")) {
            if (item.isEmpty()) continue;
            try {
                int dot = item.indexOf('.');
                long job = Long.parseLong(dot < 0 ? item : item.substring(0, dot));
                if (job <= 0) throw new NumberFormatException();
                Integer step = null;
                if (dot >= 0) {
                    String st = item.substring(dot + 1);
                    step = st.equals("batch") ? TaskUsage.BATCH : Integer.parseInt(st);
                    if (step < 0 && step != TaskUsage.BATCH) throw new NumberFormatException();
                }
                out.add(new Selected(job, step));
            } catch (NumberFormatException e) {
                throw new UsageException("fatal: Bad job/step specified: " + item, 1, false);
            }
        }
        return out;
    }

    /** --format's fields: a name (any case, or the start of one: the first in the table it starts) with an optional %WIDTH. */
    static List<Field> fields(String format) {
        List<Field> out = new ArrayList<>();
        for (String item : format.split(",")) {
            if (item.isBlank()) continue;
            String name = item;
            Integer width = null;
            int pct = item.indexOf('%');
            if (pct >= 0) {
                name = item.substring(0, pct);
                try {
                    width = Integer.parseInt(item.substring(pct + 1));
                } catch (NumberFormatException e) {
                    width = null;
                }
            }
            String want = name.toLowerCase(Locale.ROOT);
            FieldDef def = FIELDS.stream()
                    .filter(f -> f.name().toLowerCase(Locale.ROOT).startsWith(want) && !want.isEmpty())
                    .filter(f -> f.name().equalsIgnoreCase(want) || want.length() >= 1)
                    .min(Comparator.comparingInt(f -> f.name().equalsIgnoreCase(want) ? 0 : 1))
                    .orElseThrow(
                            () -> new UsageException("error: Invalid field requested: \"" + item + "\"", 1, false));
            out.add(new Field(def, width == null ? def.width() : width));
        }
        return out;
    }

    static String helpFormat() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < FIELDS.size(); i++) {
            String n = FIELDS.get(i).name();
            boolean last = i % 4 == 3 || i == FIELDS.size() - 1;
            sb.append(String.format("%-20s", n).substring(0, Math.max(20, n.length() + 1) - 1));
            if (last) sb.append('\n');
            else sb.append(' ');
        }
        return sb.toString();
    }

    static void header(StringBuilder out, List<Field> fields, boolean parsable, boolean ending) {
        List<String> names = fields.stream().map(f -> f.def().name()).toList();
        if (parsable) {
            out.append(String.join("|", names)).append(ending ? "|" : "").append('\n');
            return;
        }
        for (Field f : fields)
            out.append(justify(cut(f.def().name(), Math.abs(f.width())), f.width()))
                    .append(' ');
        out.append('\n');
        for (Field f : fields) out.append("-".repeat(Math.abs(f.width()))).append(' ');
        out.append('\n');
    }

    static void line(StringBuilder out, List<Field> fields, boolean parsable, boolean ending, Map<String, String> v) {
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            String value = v.getOrDefault(f.def().name(), "");
            if (parsable) {
                out.append(value);
                if (ending || i < fields.size() - 1) out.append('|');
                continue;
            }
            int abs = Math.abs(f.width());
            if (!f.def().number() && value.length() > abs) value = abs == 0 ? "" : value.substring(0, abs - 1) + "+";
            out.append(justify(value, f.width())).append(' ');
        }
        out.append('\n');
    }

    /**
     * Every field's value for one step, from its tasks' figures on all its nodes (or one node's, for
     * -i): maxima with the node and task that hold them, averages over the tasks, as Slurm's sstat
     * aggregates its nodes' answers. Energy, which Motley does not measure, shows as Slurm shows it
     * absent: "0". The TRES usage strings hold the same figures by
     * TRES name ({@link #tresUsage}).
     */
    static Map<String, String> values(long jobId, int step, List<TaskUsage> tasks, boolean convert) {
        Map<String, String> v = new java.util.HashMap<>();
        v.put("JobID", TaskUsage.stepName(jobId, step));
        v.put("ConsumedEnergy", "0");
        // the tasks' frequencies averaged, each weighed by its CPU time (Slurm 22.05 adds them up)
        v.put("AveCPUFreq", frequency(StepUsage.aveFrequency(tasks), convert));
        v.put("ConsumedEnergyRaw", "0");
        // a step asked for no frequency (Unknown); the batch step's request is 0, as Slurm's capture shows
        for (String r : List.of("ReqCPUFreq", "ReqCPUFreqMin", "ReqCPUFreqMax", "ReqCPUFreqGov"))
            v.put(r, step == TaskUsage.BATCH ? "0" : "Unknown");
        v.put(
                "Nodelist",
                Hostlist.compress(
                        tasks.stream().map(TaskUsage::node).distinct().sorted().toList()));
        List<String> pids = new ArrayList<>();
        for (TaskUsage u : tasks) for (long pid : u.pids()) pids.add(Long.toString(pid));
        v.put("Pids", String.join(",", pids));
        if (tasks.isEmpty()) return v;
        int n = tasks.size();
        v.put("NTasks", Integer.toString(n));
        max(v, "MaxVMSize", tasks, u -> u.maxVmKiB() * 1024, b -> bytes(b, convert));
        v.put("AveVMSize", bytes(tasks.stream().mapToLong(u -> u.vmKiB() * 1024).sum() / (double) n, convert));
        max(v, "MaxRSS", tasks, u -> u.maxRssKiB() * 1024, b -> bytes(b, convert));
        v.put("AveRSS", bytes(tasks.stream().mapToLong(u -> u.rssKiB() * 1024).sum() / (double) n, convert));
        max(v, "MaxPages", tasks, TaskUsage::pages, c -> bytes(c, convert));
        v.put("AvePages", bytes(tasks.stream().mapToLong(TaskUsage::pages).sum() / (double) n, convert));
        TaskUsage least =
                tasks.stream().min(Comparator.comparingLong(TaskUsage::cpuMs)).orElseThrow();
        v.put("MinCPU", cpu(least.cpuMs() / 1000));
        v.put("MinCPUNode", least.node());
        v.put("MinCPUTask", Integer.toString(least.task()));
        v.put("AveCPU", cpu(tasks.stream().mapToLong(TaskUsage::cpuMs).sum() / 1000 / n));
        max(v, "MaxDiskRead", tasks, TaskUsage::readBytes, b -> disk(b, convert));
        v.put("AveDiskRead", disk(tasks.stream().mapToLong(TaskUsage::readBytes).sum() / (double) n, convert));
        max(v, "MaxDiskWrite", tasks, TaskUsage::writeBytes, b -> disk(b, convert));
        v.put(
                "AveDiskWrite",
                disk(tasks.stream().mapToLong(TaskUsage::writeBytes).sum() / (double) n, convert));
        tresUsage(v, tasks, convert);
        return v;
    }

    /** A TRES usage figure: its name in Slurm's TRES strings, how a task's value is read, whether it is a time. */
    private record Tres(String name, java.util.function.ToLongFunction<TaskUsage> of, boolean time) {}

    /** What a task reads in, by TRES name as Slurm's strings sort them; the peak's figures for Max and Min. */
    private static List<Tres> tresIn(boolean peak) {
        return List.of(
                new Tres("cpu", u -> u.cpuMs() / 1000, true),
                new Tres("energy", u -> 0, false),
                new Tres("fs/disk", TaskUsage::readBytes, false),
                new Tres("mem", u -> (peak ? u.maxRssKiB() : u.rssKiB()) * 1024, false),
                new Tres("pages", TaskUsage::pages, false),
                new Tres("vmem", u -> (peak ? u.maxVmKiB() : u.vmKiB()) * 1024, false));
    }

    private static final List<Tres> TRES_OUT =
            List.of(new Tres("energy", u -> 0, false), new Tres("fs/disk", TaskUsage::writeBytes, false));

    /**
     * TRESUsageIn* and TRESUsageOut*, as Slurm's sstat prints them: {@code name=value} by TRES name,
     * the average, maximum, minimum and total over the tasks (times as [D-]HH:MM:SS, the rest as
     * convert_num_unit), and for the maximum and minimum the node and task that hold each.
     */
    private static void tresUsage(Map<String, String> v, List<TaskUsage> tasks, boolean convert) {
        int n = tasks.size();
        for (String dir : List.of("In", "Out")) {
            String key = "TRESUsage" + dir;
            List<Tres> now = dir.equals("In") ? tresIn(false) : TRES_OUT;
            List<Tres> peak = dir.equals("In") ? tresIn(true) : TRES_OUT;
            List<String> ave = new ArrayList<>();
            List<String> tot = new ArrayList<>();
            for (Tres t : now) {
                long sum = tasks.stream().mapToLong(t.of()).sum();
                ave.add(t.name() + "=" + tresValue(t, sum / (double) n, convert));
                tot.add(t.name() + "=" + tresValue(t, sum, convert));
            }
            v.put(key + "Ave", String.join(",", ave));
            v.put(key + "Tot", String.join(",", tot));
            for (String end : List.of("Max", "Min")) {
                List<String> value = new ArrayList<>();
                List<String> node = new ArrayList<>();
                List<String> task = new ArrayList<>();
                for (Tres t : peak) {
                    Comparator<TaskUsage> by = Comparator.comparingLong(t.of());
                    TaskUsage u = end.equals("Max")
                            ? tasks.stream().max(by).orElseThrow()
                            : tasks.stream().min(by).orElseThrow();
                    value.add(t.name() + "=" + tresValue(t, t.of().applyAsLong(u), convert));
                    node.add(t.name() + "=" + u.node());
                    task.add(t.name() + "=" + u.task());
                }
                v.put(key + end, String.join(",", value));
                v.put(key + end + "Node", String.join(",", node));
                v.put(key + end + "Task", String.join(",", task));
            }
        }
    }

    private static String tresValue(Tres t, double value, boolean convert) {
        return t.time() ? cpu((long) value) : bytes(value, convert);
    }

    private static void max(
            Map<String, String> v,
            String name,
            List<TaskUsage> tasks,
            java.util.function.ToLongFunction<TaskUsage> of,
            java.util.function.DoubleFunction<String> shown) {
        TaskUsage most = tasks.stream().max(Comparator.comparingLong(of)).orElseThrow();
        v.put(name, shown.apply(of.applyAsLong(most)));
        v.put(name + "Node", most.node());
        v.put(name + "Task", Integer.toString(most.task()));
    }

    /** CPU seconds as Slurm's sstat prints them: [D-]HH:MM:SS, 00:MM:SS under an hour. */
    static String cpu(long seconds) {
        long d = seconds / 86400;
        long h = seconds / 3600 % 24;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        if (d > 0) return String.format(Locale.ROOT, "%d-%02d:%02d:%02d", d, h, m, s);
        return String.format(Locale.ROOT, "%02d:%02d:%02d", h, m, s);
    }

    /**
     * A count in Slurm's convert_num_unit with its exact conversion: divided by 1024 while that
     * loses nothing (halves kept: 1.50K), "0" for zero; with --noconvert as it is.
     */
    static String bytes(double num, boolean convert) {
        return convertNumUnit(num, 0, 1024, true, convert);
    }

    /**
     * AveCPUFreq as Slurm prints it: the node's figure read as kilo (cpufreq's kHz, or /proc/cpuinfo's
     * MHz, which Slurm does not convert either) and divided by 1000 while it is 1000 or more
     * ("2.10M" for 2096); as it is, with K, under --noconvert.
     */
    static String frequency(double num, boolean convert) {
        return convertNumUnit(num, 1, 1000, false, convert);
    }

    /**
     * Slurm's convert_num_unit2: {@code num} in unit {@code unit} (0: none, 1: K, ...) divided by
     * {@code divisor} while it is at least that (and, {@code exact}, while that loses nothing but a
     * half), then whole or with two decimals and the unit's letter; "0" for zero.
     */
    private static String convertNumUnit(double num, int unit, int divisor, boolean exact, boolean convert) {
        if ((long) num == 0) return "0";
        String units = "\0KMGTP";
        if (convert) {
            while (num >= divisor && (!exact || ((long) num) % (divisor / 2) == 0) && unit < units.length() - 1) {
                num /= divisor;
                unit++;
            }
        }
        String suffix = unit == 0 ? "" : Character.toString(units.charAt(unit));
        if (num == Math.floor(num)) return (long) num + suffix;
        return String.format(Locale.ROOT, "%.2f", num) + suffix;
    }

    /** Disk bytes as sstat's _print_small_double: converted above 1, "%.2fM" for a fraction, "0" for none. */
    static String disk(double num, boolean convert) {
        if (num > 1) return bytes(num, convert);
        if (num > 0) return String.format(Locale.ROOT, "%.2fM", num);
        return "0";
    }

    private static String justify(String s, int width) {
        int abs = Math.abs(width);
        if (s.length() >= abs) return s;
        String pad = " ".repeat(abs - s.length());
        return width < 0 ? s + pad : pad + s;
    }

    private static String cut(String s, int width) {
        return s.length() > width ? s.substring(0, width) : s;
    }
}
