package io.motley.cli.command;

import io.motley.cli.client.AgentClient;
import io.motley.cli.client.AgentClient.ClusterUnreachable;
import io.motley.cli.format.JobText;
import io.motley.core.config.ConfigListing;
import io.motley.core.dependency.Dependency;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.Staging;
import io.motley.core.job.TimeLimit;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.script.BatchScript;
import io.motley.core.size.MemorySize;
import io.motley.core.time.Durations;
import io.motley.core.time.TimeRefusal;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Submit;
import io.motley.protocol.Message.Submitted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * sbatch: reads the script and its #SBATCH lines, applies the command line on top (command-line
 * flags win, as in Slurm), and submits. The id is printed only once the controller committed it.
 */
public final class Sbatch implements Command {
    static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('J', "job-name"),
            OptionSpec.value('p', "partition"),
            OptionSpec.value('n', "ntasks"),
            OptionSpec.value('c', "cpus-per-task"),
            OptionSpec.value('N', "nodes"),
            OptionSpec.value('\0', "mem"),
            OptionSpec.value('\0', "mem-per-cpu"),
            OptionSpec.value('\0', "mem-per-gpu"),
            OptionSpec.value('\0', "cpus-per-gpu"),
            OptionSpec.value('t', "time"),
            OptionSpec.value('o', "output"),
            OptionSpec.value('e', "error"),
            OptionSpec.value('D', "chdir"),
            OptionSpec.value('\0', "export"),
            OptionSpec.flag('\0', "parsable"),
            OptionSpec.flag('W', "wait"),
            OptionSpec.flag('H', "hold"),
            OptionSpec.value('\0', "comment"),
            OptionSpec.value('A', "account"),
            OptionSpec.value('\0', "wrap"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('Q', "quiet"),
            // kept on the job (Payload.options) and shown where Slurm shows them; the agent acts on
            // --open-mode and --signal; no mail is sent (docs/slurm-differences.md)
            OptionSpec.value('\0', "mail-type"),
            OptionSpec.value('\0', "mail-user"),
            OptionSpec.value('\0', "open-mode"),
            OptionSpec.value('\0', "wckey"),
            OptionSpec.optional('\0', "get-user-env"),
            OptionSpec.value('\0', "prefer"),
            // Slurm options Motley does not have yet: refused with a clear message
            OptionSpec.value('a', "array"),
            OptionSpec.value('d', "dependency"),
            OptionSpec.value('\0', "gres"),
            OptionSpec.value('G', "gpus"),
            OptionSpec.value('\0', "gpus-per-node"),
            OptionSpec.value('\0', "gpus-per-task"),
            OptionSpec.value('\0', "ntasks-per-gpu"),
            OptionSpec.value('C', "constraint"),
            OptionSpec.value('w', "nodelist"),
            OptionSpec.value('x', "exclude"),
            OptionSpec.optional('\0', "exclusive"),
            OptionSpec.value('b', "begin"),
            OptionSpec.value('\0', "deadline"),
            OptionSpec.flag('\0', "requeue"),
            OptionSpec.flag('\0', "no-requeue"),
            OptionSpec.optional('\0', "nice"),
            OptionSpec.value('q', "qos"),
            OptionSpec.value('\0', "ntasks-per-node"),
            OptionSpec.flag('\0', "spread-job"),
            OptionSpec.value('\0', "signal"),
            OptionSpec.value('\0', "kill-on-invalid-dep"),
            // accepted as Slurm accepts them; stored on the request, not enforced (docs/slurm-differences.md)
            OptionSpec.value('i', "input"),
            OptionSpec.optional('k', "no-kill"),
            OptionSpec.value('m', "distribution"),
            OptionSpec.value('\0', "mincpus"),
            OptionSpec.flag('O', "overcommit"),
            OptionSpec.value('S', "core-spec"),
            OptionSpec.value('\0', "uid"),
            OptionSpec.value('\0', "hint"),
            OptionSpec.value('\0', "threads-per-core"),
            OptionSpec.value('\0', "switches"),
            OptionSpec.value('\0', "delay-boot"),
            OptionSpec.optional('\0', "propagate"),
            OptionSpec.value('\0', "time-min"),
            OptionSpec.value('\0', "priority"),
            OptionSpec.value('\0', "acctg-freq"),
            OptionSpec.value('\0', "cpu-freq"),
            OptionSpec.value('\0', "mcs-label"),
            OptionSpec.value('\0', "profile"),
            OptionSpec.flag('s', "oversubscribe"),
            OptionSpec.flag('\0', "contiguous"),
            OptionSpec.value('\0', "gid"),
            OptionSpec.value('\0', "network"),
            OptionSpec.value('\0', "bb"),
            OptionSpec.value('\0', "power"),
            OptionSpec.value('\0', "sockets-per-node"),
            OptionSpec.value('\0', "cores-per-socket"),
            OptionSpec.value('B', "extra-node-info"),
            OptionSpec.value('\0', "ntasks-per-core"),
            OptionSpec.value('\0', "ntasks-per-socket"),
            OptionSpec.flag('\0', "use-min-nodes"),
            OptionSpec.flag('\0', "reboot"),
            OptionSpec.value('\0', "thread-spec"),
            OptionSpec.value('\0', "gpu-bind"),
            OptionSpec.value('\0', "gpu-freq"),
            OptionSpec.value('\0', "cluster-constraint"),
            OptionSpec.flag('\0', "ignore-pbs"),
            // enforced here: --export-file adds to the environment, --batch to the constraint
            OptionSpec.value('\0', "export-file"),
            OptionSpec.value('\0', "batch"),
            // Motley's: files copied to a node without the submit directory, and back (docs/files.md)
            OptionSpec.value('\0', "stage-in"),
            OptionSpec.value('\0', "stage-out"),
            // refused with Slurm's answer, as Motley has none of them configured
            OptionSpec.value('L', "licenses"),
            OptionSpec.value('\0', "reservation"),
            OptionSpec.value('\0', "tmp"),
            OptionSpec.value('M', "clusters"),
            OptionSpec.flag('\0', "test-only"));

    /** Options Slurm accepts that Motley keeps on the request without acting on them. */
    static final List<String> UNENFORCED = List.of(
            "input",
            "no-kill",
            "distribution",
            "mincpus",
            "overcommit",
            "core-spec",
            "uid",
            "hint",
            "threads-per-core",
            "switches",
            "delay-boot",
            "propagate",
            "time-min",
            "priority",
            "acctg-freq",
            "cpu-freq",
            "mcs-label",
            "profile",
            "oversubscribe",
            "contiguous",
            "gid",
            "network",
            "bb",
            "power",
            "sockets-per-node",
            "cores-per-socket",
            "extra-node-info",
            "ntasks-per-core",
            "ntasks-per-socket",
            "use-min-nodes",
            "reboot",
            "thread-spec",
            "gpu-bind",
            "gpu-freq",
            "cluster-constraint",
            "ignore-pbs");

    /** Options kept on the job as given (the last of each, checked first), besides the unenforced ones. */
    static final List<String> KEPT = List.of(
            "mail-type",
            "mail-user",
            "open-mode",
            "signal",
            "wckey",
            "get-user-env",
            "nodes",
            JobRequest.NTASKS,
            JobRequest.PREFER);

    /** Input environment variables sbatch reads, between #SBATCH lines and the command line in precedence. */
    private static final Map<String, String> INPUT_ENV = Map.of(
            "SBATCH_JOB_NAME", "job-name",
            "SBATCH_PARTITION", "partition",
            "SBATCH_TIMELIMIT", "time",
            "SBATCH_ACCOUNT", "account",
            "SBATCH_QOS", "qos",
            "SBATCH_EXPORT", "export");

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt getopt = new GetOpt("sbatch", OPTIONS, true, 255);
        GetOpt.Parsed cli = getopt.parse(args);
        if (Command.helpOrVersion(cli, io, HELP)) return 0;
        // Slurm's sbatch reads an option's value as it parses the command line, before any script:
        // `sbatch -t --wrap true` took "--wrap" for the time
        if (cli.has("time")) timeLimit(cli);
        String script;
        String defaultName;
        Path scriptPath = null;
        List<String> scriptArgs = List.of();
        if (cli.has("wrap") && !cli.operands().isEmpty()) {
            throw new UsageException("error: Script arguments not permitted with --wrap option", 1, false);
        }
        if (cli.has("wrap")) {
            script = "#!/bin/sh\n# This script was created by sbatch --wrap.\n\n" + cli.last("wrap") + "\n";
            defaultName = "wrap";
        } else if (!cli.operands().isEmpty()) {
            String file = cli.operands().get(0);
            Path path = null;
            byte[] bytes = null;
            for (Path candidate : scriptCandidates(file, io)) {
                try {
                    bytes = io.files().read(candidate);
                    path = candidate;
                    break;
                } catch (IOException e) {
                    // not there, a directory or not readable: the next place
                }
            }
            if (bytes == null) throw new UsageException("error: Unable to open file " + file, 1, false);
            scriptPath = path;
            script = scriptText(checkedScript(bytes), file);
            defaultName = path.getFileName().toString();
            scriptArgs = cli.operands().subList(1, cli.operands().size());
        } else {
            if (io.stdinIsTerminal()) {
                throw new UsageException(
                        "error: no batch script: name a script file, use --wrap=COMMAND, or pipe a script in",
                        1,
                        false);
            }
            script = scriptText(checkedScript(io.in().readAllBytes()), "on standard input");
            defaultName = "sbatch";
        }
        List<String> directiveArgs;
        try {
            directiveArgs = BatchScript.directives(script, "#SBATCH");
        } catch (IllegalArgumentException e) {
            throw new UsageException("error: " + e.getMessage(), 255, false);
        }
        GetOpt.Parsed fromScript = new GetOpt("sbatch", OPTIONS, false, 255).parse(directiveArgs);

        // precedence, lowest first: #SBATCH lines, SBATCH_* variables, the command line
        List<Map.Entry<String, String>> merged = new ArrayList<>(fromScript.options());
        INPUT_ENV.forEach((var, key) -> {
            String v = io.env().get(var);
            if (v != null && !v.isEmpty()) merged.add(Map.entry(key, v));
        });
        merged.addAll(cli.options());
        GetOpt.Parsed o = new GetOpt.Parsed(merged, List.of());

        if (o.has("mail-type") && !validMailType(o.last("mail-type"))) {
            throw new UsageException("error: Invalid --mail-type specification", 255, false);
        }
        refuseUnconfigured(o);
        Map<String, String> unenforced = unenforced(o, io);
        unenforced.putAll(kept(o));

        JobRequest req = request(o, io, script, scriptArgs, defaultName);
        req = withUnenforced(req, o, unenforced, io);
        Staged staged = withStaging(req, o, io);
        try (CallerFiles.Packed upload = staged.upload()) {
            return submit(staged.request(), scriptPath, o, io, scriptArgs, upload);
        }
    }

    /**
     * Submits {@code req}; a --stage-in archive over the inline size ({@code upload}, else null) is
     * sent in chunks once the job exists (it waits PENDING, reason StageIn, meanwhile) and the job id
     * is printed when all of it has arrived.
     */
    private static int submit(
            JobRequest req, Path scriptPath, GetOpt.Parsed o, Io io, List<String> scriptArgs, CallerFiles.Packed upload)
            throws Exception {
        // Command= is the script's path where it was found (as Slurm's, after its search of PATH)
        if (scriptPath != null) req = withCommand(req, scriptPath.toString(), scriptArgs);
        if (o.has("uid") && !o.has("quiet") && !isCaller(o.last("uid"), io)) {
            io.err().println("sbatch: warning: --uid is not enforced by Motley: the job runs as the submitting user");
        }
        if (o.has("test-only")) return testOnly(req, io);
        String cluster = ClusterOption.reached(o, io);
        Submitted resp;
        try {
            resp = io.gateway().ask(new Submit(req));
        } catch (AgentClient.RequestFailed e) {
            if (e.detail() != null) io.err().println("sbatch: error: " + e.detail());
            io.err().println("sbatch: error: Batch job submission failed: " + e.getMessage());
            return 1;
        }
        long id = resp.id();
        if (upload != null && !sendStageIn(id, upload.archive(), io)) return 1;
        // with -M, the cluster it went to, as Slurm's sbatch says it
        if (o.has("parsable")) {
            io.out().println(cluster == null ? Long.toString(id) : id + ";" + cluster);
        } else if (!o.has("quiet")) {
            io.out().println("Submitted batch job " + id + (cluster == null ? "" : " on cluster " + cluster));
        }
        io.out().flush();
        return o.has("wait") ? waitFor(id, io) : 0;
    }

    /**
     * --test-only: when and where the controller's scheduler would start the job now, in Slurm's
     * words, and nothing submitted. The id is the one the job would get, not reserved.
     */
    private static int testOnly(JobRequest req, Io io) throws Exception {
        Message.WillStart w;
        try {
            w = io.gateway().ask(new Message.WillRun(req));
        } catch (AgentClient.RequestFailed e) {
            io.err().println("allocation failure: " + e.getMessage());
            return 1;
        }
        String start = w.start() <= 0 ? "Unknown" : Durations.formatTimestamp(w.start(), io.zone());
        io.err()
                .println("sbatch: Job " + w.id() + " to start at " + start + " using " + w.cpus()
                        + " processors on nodes " + (w.nodes() == null ? "(null)" : w.nodes()) + " in partition "
                        + w.partition());
        return 0;
    }

    /** The last -t/--time, in whole minutes as Slurm keeps it; Slurm's error (exit 255) when unreadable. */
    private static TimeLimit timeLimit(GetOpt.Parsed o) {
        try {
            return TimeLimit.of(wholeMinutes(Durations.parseTimeLimit(o.last("time"))));
        } catch (IllegalArgumentException e) {
            throw new UsageException("error: Invalid --time specification", 255, false);
        }
    }

    static JobRequest request(GetOpt.Parsed o, Io io, String script, List<String> args, String defaultName) {
        String cwd = io.cwd();
        String workDir = o.has("chdir")
                ? Path.of(cwd).resolve(o.last("chdir")).normalize().toString()
                : cwd;
        TimeLimit time = o.has("time") ? timeLimit(o) : TimeLimit.UNSET;
        MemoryRequest memory = MemoryRequest.UNSET;
        if (o.has("mem")) memory = new MemoryRequest.PerNode(memory(o, "mem"));
        if (o.has("mem-per-cpu")) {
            long perCpu = memory(o, "mem-per-cpu");
            if (memory.given()) {
                throw new UsageException(
                        "fatal: --mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive.", 1, false);
            }
            memory = new MemoryRequest.PerCpu(perCpu);
        }
        int cpusPerTask = positive(o, "cpus-per-task", 1);
        int nodes = 1;
        int maxNodes = 1;
        if (o.has("nodes")) {
            // -N N or -N MIN-MAX, as Slurm reads them
            String n = o.last("nodes");
            int dash = n.indexOf('-');
            nodes = nodeCount(dash < 0 ? n : n.substring(0, dash), n);
            maxNodes = dash < 0 ? nodes : nodeCount(n.substring(dash + 1), n);
            if (maxNodes < nodes) throw new UsageException("error: invalid node count `" + n + "'", 255, false);
        }
        int perNode = o.has("ntasks-per-node") ? parsePositive(o.last("ntasks-per-node"), "ntasks-per-node", 255) : 0;
        // without -n a job over several nodes runs one task, or --ntasks-per-node, on each
        int ntasks = o.has("ntasks") ? positive(o, "ntasks", 1) : nodes * Math.max(1, perNode);
        if (!o.has("nodes") && perNode == 0 && ntasks > 1) {
            // without -N, Slurm allocates as many nodes as the tasks need (the fewest that serve): -n 8 on
            // hosts of 4 CPUs gets two of them. Shown as one node while it waits, as Slurm shows it.
            maxNodes = ntasks;
        }
        List<String> partitions =
                o.has("partition") ? List.of(o.last("partition").split(",")) : List.of();
        GpuRequest gpus = gpus(o, ntasks);
        if (o.has("ntasks-per-gpu")) {
            // as Slurm's gres_job_state_validate: the tasks from the GPUs asked for, else the GPUs
            // from the tasks (ntasks / N, at least one), else refused
            int perGpu = parsePositive(o.last("ntasks-per-gpu"), "ntasks-per-gpu", 1);
            if (gpus.count() > 0) {
                ntasks = gpus.count() * nodes * perGpu;
            } else if (o.has("ntasks")) {
                int total = Math.max(1, ntasks / perGpu);
                gpus = new GpuRequest((total + nodes - 1) / nodes, null);
            } else {
                throw new UsageException(
                        "error: gres_job_state_validate: --ntasks-per-tres needs either a GRES GPU specification"
                                + " or a node/ntask specification\nsbatch: error: Invalid generic resource (gres)"
                                + " specification",
                        1,
                        false);
            }
        }
        if (o.has("cpus-per-gpu") || o.has("mem-per-gpu")) {
            // per GPU of a node: its CPUs over the node's tasks, its memory for the node
            if (gpus.count() == 0)
                throw new UsageException("error: Invalid generic resource (gres) specification", 1, false);
            if (o.has("mem-per-gpu")) {
                long perGpu = memory(o, "mem-per-gpu");
                if (memory.given())
                    throw new UsageException(
                            "fatal: --mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive.", 1, false);
                memory = new MemoryRequest.PerNode(perGpu * gpus.count());
            }
            if (o.has("cpus-per-gpu")) {
                int perGpu = parsePositive(o.last("cpus-per-gpu"), "cpus-per-gpu", 1);
                int tasksPerNode = Math.max(1, perNode > 0 ? perNode : (ntasks + nodes - 1) / nodes);
                int needed = (perGpu * gpus.count() + tasksPerNode - 1) / tasksPerNode;
                cpusPerTask = Math.max(o.has("cpus-per-task") ? cpusPerTask : 1, needed);
            }
        }
        String dependency = null;
        if (o.has("dependency") && !o.last("dependency").isBlank()) {
            try {
                dependency = Dependency.parse(o.last("dependency")).toString();
            } catch (IllegalArgumentException e) {
                throw new UsageException(
                        "error: " + e.getMessage()
                                + "\nsbatch: error: Batch job submission failed: Job dependency problem",
                        1,
                        false);
            }
        }
        long begin = 0;
        if (o.has("begin")) {
            try {
                begin = Durations.parseTimestamp(
                        o.last("begin"),
                        java.time.ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(io.nowSeconds()), io.zone()));
            } catch (IllegalArgumentException e) {
                // Slurm's time parser says where it stopped, before sbatch's own line
                io.err().println(TimeRefusal.line(o.last("begin")));
                throw new UsageException("error: Invalid --begin specification", 255, false);
            }
        }
        long deadline = 0;
        if (o.has("deadline")) {
            try {
                // the same forms as --begin (now+1hour, 16:00, 2026-12-01T08:00, ...)
                deadline = Durations.parseTimestamp(
                        o.last("deadline"),
                        java.time.ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(io.nowSeconds()), io.zone()));
            } catch (IllegalArgumentException e) {
                io.err().println(TimeRefusal.line(o.last("deadline")));
                throw new UsageException("error: Invalid --deadline specification", 255, false);
            }
        }
        boolean killOnInvalid = o.has("kill-on-invalid-dep")
                && o.last("kill-on-invalid-dep")
                        .toLowerCase(java.util.Locale.ROOT)
                        .startsWith("y");
        // built in the order the options were always read, so that of two bad ones the same is reported
        JobRequest.Builder b = JobRequest.builder(script, workDir)
                .name(o.has("job-name") ? o.last("job-name") : defaultName)
                .ntasks(ntasks)
                .cpusPerTask(cpusPerTask, o.has("cpus-per-task"))
                .nodes(nodes, maxNodes)
                .ntasksPerNode(perNode)
                .ntasksGiven(o.has("ntasks") || o.has("ntasks-per-gpu") || (maxNodes == 1 && perNode == 0))
                .spreadJob(o.has("spread-job"))
                .memory(memory)
                .timeLimit(time)
                .output(o.last("output"), o.last("error"))
                .submitDir(cwd)
                .environment(environment(o.has("export") ? o.last("export") : "ALL", io.env()))
                .arguments(args)
                .hold(o.has("hold"))
                .comment(o.last("comment"))
                .account(o.last("account"))
                .submitHost(io.hostname())
                .gpus(gpus.count(), gpus.type())
                .dependency(dependency, killOnInvalid)
                .window(begin, deadline);
        String constraint =
                o.has("constraint") && !o.last("constraint").isBlank() ? constraint(o.last("constraint")) : null;
        String nodeList = o.has("nodelist") && !o.last("nodelist").isBlank() ? o.last("nodelist") : null;
        String exclude = o.has("exclude") && !o.last("exclude").isBlank() ? o.last("exclude") : null;
        return b.placement(new JobRequest.Placement(partitions, constraint, nodeList, exclude, exclusiveNodes(o)))
                .array(array(o))
                .nice(nice(o, io))
                .qos(o.has("qos") && !o.last("qos").isBlank() ? o.last("qos") : null)
                .requeue(requeue(o))
                .build();
    }

    /**
     * -L, --reservation and --tmp name things Motley does not have (licenses, advance reservations,
     * a node's TmpDisk): refused with the answer Slurm gives where none is configured. (-M names
     * this cluster or no reachable one: {@link ClusterOption}.)
     */
    private static void refuseUnconfigured(GetOpt.Parsed o) {
        if (o.has("licenses")) {
            throw new UsageException("error: Batch job submission failed: Invalid license specification", 1, false);
        }
        if (o.has("reservation")) {
            throw new UsageException("error: Batch job submission failed: Requested reservation is invalid", 1, false);
        }
        if (o.has("tmp")) {
            long mib;
            try {
                mib = MemorySize.parseMebibytes(o.last("tmp"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("error: Invalid --tmp specification", 255, false);
            }
            if (mib > 0) {
                // Motley's nodes report no temporary disk (TmpDisk=0), so any is more than a node has
                throw new UsageException(
                        "error: Temporary disk specification can not be satisfied\nsbatch: error: Batch job"
                                + " submission failed: Requested node configuration is not available",
                        1,
                        false);
            }
        }
    }

    /**
     * --exclusive's value as Slurm reads it (bare: "exclusive"; "oversubscribe", "user", "mcs"), null
     * without the option; any other value gets Slurm's error.
     */
    static String exclusiveMode(GetOpt.Parsed o) {
        if (!o.has("exclusive")) return null;
        String v = o.last("exclusive") == null || o.last("exclusive").isEmpty()
                ? "exclusive"
                : o.last("exclusive").toLowerCase(java.util.Locale.ROOT);
        if (!Set.of("exclusive", "oversubscribe", "user", "mcs").contains(v))
            throw new UsageException("error: Invalid --exclusive specification", 255, false);
        return v;
    }

    /**
     * Whether the job holds its nodes whole: --exclusive, and its user and mcs forms, which Slurm
     * lets the owner's (or the MCS label's) other jobs share and Motley does not.
     */
    static boolean exclusiveNodes(GetOpt.Parsed o) {
        String mode = exclusiveMode(o);
        return mode != null && !mode.equals("oversubscribe");
    }

    /**
     * The kept options, normalised: --open-mode as "append" or "truncate", --signal in its canonical
     * form, --get-user-env as given (or "" bare); Slurm's messages for values it refuses.
     */
    static Map<String, String> kept(GetOpt.Parsed o) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String key : KEPT) {
            if (o.has(key)) out.put(key, o.last(key) == null ? "" : o.last(key));
        }
        // --exclusive=user|mcs: kept to be shown (OverSubscribe=USER|MCS); =oversubscribe is -s
        String exclusive = exclusiveMode(o);
        if (exclusive != null && (exclusive.equals("user") || exclusive.equals("mcs"))) out.put("exclusive", exclusive);
        if ("oversubscribe".equals(exclusive)) out.put("oversubscribe", "");
        // an empty --prefer asks for nothing, as in Slurm
        if (out.containsKey(JobRequest.PREFER) && out.get(JobRequest.PREFER).isBlank()) out.remove(JobRequest.PREFER);
        if (out.containsKey("open-mode")) {
            String m = out.get("open-mode").toLowerCase(java.util.Locale.ROOT);
            if (m.startsWith("a")) out.put("open-mode", "append");
            else if (m.startsWith("t")) out.put("open-mode", "truncate");
            else throw new UsageException("error: Invalid --open-mode specification", 255, false);
        }
        if (out.containsKey("signal")) {
            try {
                out.put(
                        "signal",
                        io.motley.core.job.SignalSpec.parse(out.get("signal")).toString());
            } catch (IllegalArgumentException e) {
                throw new UsageException("error: Invalid --signal specification", 255, false);
            }
        }
        return out;
    }

    /** Whether --uid names the caller (by number or name), so that the job runs as the user it names. */
    private static boolean isCaller(String uid, Io io) {
        if (uid == null) return false;
        String u = uid.strip();
        return u.equals(Integer.toString(io.uid())) || u.equals(io.userName());
    }

    /** The accepted, unenforced options as given (the last of each), checked as Slurm's sbatch checks them. */
    static Map<String, String> unenforced(GetOpt.Parsed o, Io io) {
        if (o.has("uid") && io.uid() != 0) {
            throw new UsageException("error: --uid only permitted by root user", 255, false);
        }
        if (o.has("mincpus")) parsePositive(o.last("mincpus"), "mincpus", 1);
        if (o.has("threads-per-core")) parsePositive(o.last("threads-per-core"), "threads-per-core", 1);
        if (o.has("time-min")) {
            try {
                Durations.parseTimeLimit(o.last("time-min"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("error: Invalid --time-min specification", 255, false);
            }
        }
        if (o.has("delay-boot")) {
            try {
                Durations.parseTimeLimit(o.last("delay-boot"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("error: Invalid --delay-boot specification", 255, false);
            }
        }
        if (o.has("priority") && !o.last("priority").equalsIgnoreCase("TOP")) {
            long p = leadingLong(o.last("priority"));
            if (p < 0) throw new UsageException("error: Priority must be >= 0", 255, false);
            if (p >= 0xfffffffeL) throw new UsageException("error: Priority must be < 4294967294", 255, false);
        }
        // what Slurm's sbatch says of them and then ignores, on a cluster that reserves no cores
        // (AllowSpecResourcesUsage=No) and knows no power plugin
        if (o.has("power")) {
            for (String p : o.all("power")) {
                for (String flag : p.split(",")) {
                    if (!flag.isEmpty() && !flag.equalsIgnoreCase("level")) {
                        // Slurm's sbatch reads its options twice, and says so each time
                        String line = "sbatch: error: Ignoring unrecognized power option (" + flag + ")";
                        io.err().println(line);
                        io.err().println(line);
                    }
                }
            }
        }
        if (o.has("core-spec")) {
            io.err()
                    .println("sbatch: error: Ignoring -S since it's not allowed by configuration"
                            + " (AllowSpecResourcesUsage = No)");
        }
        if (o.has("thread-spec")) {
            io.err()
                    .println("sbatch: error: Ignoring --thread-spec since it's not allowed by configuration"
                            + " (AllowSpecResourcesUsage = No)");
        }
        Map<String, String> out = new java.util.TreeMap<>();
        for (String key : UNENFORCED) {
            if (o.has(key)) out.put(key, o.last(key) == null ? "" : o.last(key));
        }
        return out;
    }

    /**
     * The request with the unenforced options stored, --priority=0 as a hold (what slurmctld makes
     * of it, from anyone), the variables Slurm's sbatch exports for some of them, --export-file's
     * variables and --batch's features.
     */
    private static JobRequest withUnenforced(JobRequest req, GetOpt.Parsed o, Map<String, String> opts, Io io) {
        JobRequest.Builder b = req.toBuilder().options(opts);
        Map<String, String> env = new LinkedHashMap<>(req.environment());
        // Slurm's sbatch sets it in its own environment, which the job inherits
        if (req.dependency() != null) env.put("SLURM_JOB_DEPENDENCY", o.last("dependency"));
        if (o.has("export-file")) env.putAll(exportFile(o.last("export-file"), io));
        if (opts.containsKey("distribution")) env.put("SLURM_DISTRIBUTION", opts.get("distribution"));
        if (opts.containsKey("threads-per-core")) {
            env.put(
                    "SLURM_THREADS_PER_CORE",
                    Integer.toString(parsePositive(opts.get("threads-per-core"), "threads-per-core", 1)));
        }
        if (opts.containsKey("acctg-freq")) env.put("SLURM_ACCTG_FREQ", opts.get("acctg-freq"));
        if (o.has("get-user-env")) env.put("SLURM_GET_USER_ENV", "1");
        b.environment(env);
        if (opts.containsKey("priority")
                && !opts.get("priority").equalsIgnoreCase("TOP")
                && leadingLong(opts.get("priority")) == 0) {
            b.hold(true);
        }
        if (o.has("batch") && !o.last("batch").isBlank()) {
            String c = req.constraint();
            String batch = batchFeatures(o.last("batch"), c);
            // the batch host is the job's first node: Motley asks the features of all its nodes
            b.placement(new JobRequest.Placement(
                    req.partitions(),
                    c == null ? batch : "(" + c + ")&(" + batch + ")",
                    req.nodeList(),
                    req.excludeList(),
                    req.exclusive()));
        }
        return b.build();
    }

    /**
     * Where sbatch looks for its script, as Slurm's search_path does: a name with a slash, or one
     * starting with '.', where it says (from the working directory); any other name in the working
     * directory first, then in each directory of PATH (an entry starting with '.' is relative to
     * the working directory). The first that can be read wins, so {@code sbatch true} finds
     * /usr/bin/true (and says it is no batch script).
     */
    static List<Path> scriptCandidates(String file, Io io) {
        Path cwd = Path.of(io.cwd());
        if (file.contains("/") || file.startsWith(".") || file.isEmpty()) return List.of(cwd.resolve(file));
        List<Path> out = new ArrayList<>();
        out.add(cwd.resolve(file));
        String path = io.env().get("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (dir.isEmpty()) continue;
                out.add(
                        dir.startsWith(".")
                                ? cwd.resolve(dir).resolve(file)
                                : Path.of(dir).resolve(file));
            }
        }
        return out;
    }

    /** --export-file: NAME=value entries, one a line or NUL-separated, as Slurm reads the file. */
    private static Map<String, String> exportFile(String name, Io io) {
        byte[] bytes;
        try {
            bytes = io.files().read(Path.of(io.cwd()).resolve(name));
        } catch (IOException e) {
            throw new UsageException("error: Unable to open file " + name, 1, false);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : text.split(text.indexOf('\0') >= 0 ? "\0" : "\n")) {
            int eq = entry.indexOf('=');
            if (eq > 0) env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return env;
    }

    /** The words Slurm's --mail-type takes, comma-separated, in any case. */
    private static final Set<String> MAIL_TYPES = Set.of(
            "NONE",
            "BEGIN",
            "END",
            "FAIL",
            "REQUEUE",
            "ALL",
            "INVALID_DEPEND",
            "STAGE_OUT",
            "TIME_LIMIT",
            "TIME_LIMIT_90",
            "TIME_LIMIT_80",
            "TIME_LIMIT_50",
            "ARRAY_TASKS");

    /** As Slurm's parse_mail_type: valid when at least one word is known (unknown ones are skipped). */
    static boolean validMailType(String spec) {
        if (spec == null) return false;
        for (String word : spec.split(",")) {
            if (MAIL_TYPES.stream().anyMatch(word::equalsIgnoreCase)) return true;
        }
        return false;
    }

    /** A request with its staging options, and the --stage-in archive still to send after it (null: none). */
    record Staged(JobRequest request, CallerFiles.Packed upload) {}

    /**
     * --stage-in and --stage-out kept in the request's options. The --stage-in files are packed here,
     * by sbatch, which runs as the submitting user: what that user may read is what travels, and
     * nothing on the node or the controller ever opens the submit host's files. An archive up to
     * {@link Staging#MAX_IN_BYTES} travels inside the request; a larger one, up to the controller's
     * MaxStageInSize, is announced by its size and SHA-256 and sent after the submission.
     */
    static Staged withStaging(JobRequest req, GetOpt.Parsed o, Io io) {
        if (!o.has("stage-in") && !o.has("stage-out")) return new Staged(req, null);
        Map<String, String> opts = new java.util.TreeMap<>(req.payload().options());
        CallerFiles.Packed upload = null;
        try {
            if (o.has("stage-out")) {
                Staging.paths(Staging.OUT, o.last("stage-out"));
                opts.put(Staging.OUT, o.last("stage-out"));
            }
            if (o.has("stage-in")) {
                List<String> paths = Staging.paths(Staging.IN, o.last("stage-in"));
                long max = maxStageIn(io);
                CallerFiles.Packed packed = pack(io.files(), Path.of(req.workDir()), paths, max);
                long size = packed.archive().size();
                try {
                    if (size > max) {
                        throw new UsageException(
                                "error: --stage-in: the files come to more than " + max
                                        + " bytes packed, over MaxStageInSize (" + max
                                        + " bytes); copy large inputs another way",
                                1,
                                false);
                    }
                    opts.put(Staging.IN, o.last("stage-in"));
                    if (size <= Staging.MAX_IN_BYTES) {
                        opts.put(
                                Staging.IN_ARCHIVE,
                                java.util.Base64.getEncoder()
                                        .encodeToString(packed.archive().readAll()));
                    } else {
                        opts.put(Staging.IN_SIZE, Long.toString(size));
                        opts.put(Staging.IN_SHA256, sha256(packed.archive()));
                        upload = packed;
                    }
                } catch (IOException e) {
                    throw new UsageException(
                            "error: --stage-in: cannot read the packed files: " + e.getMessage(), 1, false);
                } finally {
                    if (upload == null) packed.close();
                }
            }
        } catch (IllegalArgumentException e) {
            if (upload != null) upload.close();
            throw new UsageException("error: " + e.getMessage(), 1, false);
        }
        return new Staged(req.toBuilder().options(opts).build(), upload);
    }

    /**
     * The controller's MaxStageInSize, as its configuration listing gives it; the default when it
     * does not say (an older controller), which then checks the size itself.
     */
    static long maxStageIn(Io io) {
        try {
            Message.ConfigInfo c = io.gateway().ask(new Message.ConfigQuery());
            for (ConfigListing.Setting s : c.motley()) {
                if (s.key().equals(ConfigListing.MAX_STAGE_IN))
                    return MemorySize.parseMebibytes(s.value()) * 1024 * 1024;
            }
        } catch (ClusterUnreachable | RuntimeException e) {
            // the submission that follows says what is wrong with the cluster; the controller checks the size
        }
        return Staging.DEFAULT_MAX_STAGE_IN_BYTES;
    }

    static String sha256(CallerFiles.Archive archive) throws IOException {
        java.security.MessageDigest d;
        try {
            d = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        for (long off = 0; off < archive.size(); ) {
            byte[] b = archive.read(off, Staging.CHUNK_BYTES);
            if (b.length == 0) throw new java.io.EOFException("the archive ended before its size");
            d.update(b);
            off += b.length;
        }
        return java.util.HexFormat.of().formatHex(d.digest());
    }

    /** How many times a chunk is sent again after the link to the controller failed. */
    static final int CHUNK_TRIES = 5;

    /**
     * Sends job {@code id}'s --stage-in archive to the controller a chunk at a time, going on from
     * wherever the controller says its copy ends (so a chunk sent twice, or a controller restarted
     * meanwhile, costs nothing). False, with the error said and the job cancelled, when it cannot.
     */
    static boolean sendStageIn(long id, CallerFiles.Archive archive, Io io) throws InterruptedException {
        long size = archive.size();
        long offset = 0;
        int failures = 0;
        String why = null;
        while (true) {
            try {
                byte[] chunk = archive.read(offset, Staging.CHUNK_BYTES);
                Message.StageInReceived r = io.gateway().ask(new Message.StageInChunk(id, offset, chunk));
                if (r.complete()) return true;
                // the controller says where its copy ends: the next chunk starts there
                if (r.received() == offset + chunk.length) {
                    failures = 0;
                } else if (++failures >= CHUNK_TRIES) {
                    why = "the controller keeps no more of them (" + r.received() + " of " + size + " bytes)";
                    break;
                }
                offset = Math.max(0, Math.min(r.received(), size));
            } catch (AgentClient.RequestFailed e) {
                // refused (the job was cancelled, its files arrived damaged): going on would not help
                why = e.getMessage();
                break;
            } catch (ClusterUnreachable e) {
                if (++failures >= CHUNK_TRIES) {
                    why = e.getMessage();
                    break;
                }
                Thread.sleep(1000L * failures);
            } catch (IOException e) {
                why = "cannot read the packed files: " + e.getMessage();
                break;
            }
        }
        io.err().println("sbatch: error: --stage-in: sending the files of job " + id + " failed: " + why);
        try {
            io.gateway().ask(new Message.Cancel(List.of(id), Map.of()));
            io.err().println("sbatch: error: job " + id + " is cancelled");
        } catch (ClusterUnreachable | RuntimeException e) {
            io.err().println("sbatch: error: job " + id + " fails when its files stop coming (StageInTimeout)");
        }
        return false;
    }

    /** The job option that holds the script's path and arguments, as scontrol show job's Command= shows them. */
    static final String COMMAND = "command";

    /**
     * {@code req} with the script file's absolute path and its arguments kept, space-separated, as
     * slurmctld keeps sbatch's argv for Command= (a --wrap or standard-input script has none).
     */
    static JobRequest withCommand(JobRequest req, String path, List<String> args) {
        Map<String, String> opts = new java.util.TreeMap<>(req.payload().options());
        StringBuilder line = new StringBuilder(path);
        for (String a : args) line.append(' ').append(a);
        opts.put(COMMAND, line.toString());
        return req.toBuilder().options(opts).build();
    }

    /**
     * A tar archive of {@code paths} (files or directories) under {@code dir}, made by tar(1) as the
     * caller: in this process for the JVM client, by the native client when the agent runs sbatch.
     * Cut just over {@code limit} bytes when larger.
     */
    static CallerFiles.Packed pack(CallerFiles files, Path dir, List<String> paths, long limit) {
        CallerFiles.Packed packed;
        try {
            packed = files.pack(dir, paths, limit);
        } catch (java.io.InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("error: --stage-in: interrupted", 1, false);
        } catch (IOException e) {
            throw new UsageException("error: --stage-in: cannot run tar: " + e.getMessage(), 1, false);
        }
        if (packed.missing() != null) {
            packed.close();
            throw new UsageException(
                    "error: --stage-in: " + dir.resolve(packed.missing()) + ": No such file or directory", 1, false);
        }
        if (packed.archive().size() <= limit && packed.status() != 0) {
            packed.close();
            throw new UsageException(
                    "error: --stage-in: cannot read the files: "
                            + packed.error().strip().replace('\n', ' '),
                    1,
                    false);
        }
        return packed;
    }

    /** Slurm keeps a job's limit in minutes and rounds seconds up: 10:30 is 11 minutes. */
    static long wholeMinutes(long seconds) {
        if (seconds <= 0 || seconds % 60 == 0) return seconds;
        return seconds > Long.MAX_VALUE - 60 ? seconds : (seconds / 60 + 1) * 60;
    }

    /** --requeue or --no-requeue, whichever came last (directives, then variables, then the command line); default yes. */
    private static boolean requeue(GetOpt.Parsed o) {
        boolean requeue = true;
        for (Map.Entry<String, String> e : o.options()) {
            if (e.getKey().equals("requeue")) requeue = true;
            if (e.getKey().equals("no-requeue")) requeue = false;
        }
        return requeue;
    }

    /** Slurm's bound on a nice value: NICE_OFFSET - 3. */
    static final long NICE_LIMIT = 2147483645L;

    /**
     * --nice[=N] as Slurm's sbatch reads it: 100 without a value, the number's leading digits with
     * one; out of range or (for anyone but root) negative is reported and ignored, the job still
     * submitted.
     */
    static int nice(GetOpt.Parsed o, Io io) {
        if (!o.has("nice")) return 0;
        String v = o.last("nice");
        long n = v == null || v.isEmpty() ? 100 : leadingLong(v);
        if (Math.abs(n) > NICE_LIMIT) {
            io.err().println("sbatch: error: Nice value out of range (+/- " + NICE_LIMIT + "). Value ignored");
            n = 0;
        }
        if (n < 0 && io.uid() != 0) {
            io.err().println("sbatch: error: Nice value must be non-negative, value ignored");
            n = 0;
        }
        return (int) n;
    }

    /** strtoll's reading: optional blanks and sign, then digits; nothing readable is 0, too many digits saturate. */
    private static long leadingLong(String s) {
        String t = s.stripLeading();
        int i = 0;
        boolean negative = false;
        if (i < t.length() && (t.charAt(i) == '-' || t.charAt(i) == '+')) negative = t.charAt(i++) == '-';
        long n = 0;
        for (; i < t.length() && Character.isDigit(t.charAt(i)); i++) {
            n = n > Long.MAX_VALUE / 10 ? Long.MAX_VALUE : Math.max(n, n * 10 + (t.charAt(i) - '0'));
        }
        return negative ? -n : n;
    }

    /** --array, checked here so that a typo is an error before anything is sent. */
    private static String array(GetOpt.Parsed o) {
        if (!o.has("array")) return null;
        try {
            ArraySpec.parse(o.last("array"));
            return o.last("array").trim();
        } catch (IllegalArgumentException e) {
            // what is wrong, then Slurm's line
            throw new UsageException(
                    "error: " + e.getMessage()
                            + "\nsbatch: error: Batch job submission failed: Invalid job array specification",
                    1,
                    false);
        }
    }

    /**
     * --batch's features, checked as slurmctld checks them: each word of it (split at '&' and '|', as its strtok
     * does) must be a feature -C names (Slurm's ESLURM_BATCH_CONSTRAINT otherwise, -C absent included).
     * {@code constraint} was checked already.
     */
    private static String batchFeatures(String batch, String constraint) {
        java.util.List<String> named = constraint == null
                ? java.util.List.of()
                : io.motley.core.scheduler.Constraint.parse(constraint).names();
        for (String f : batch.split("[&|]")) {
            if (!named.contains(f.strip())) {
                throw new UsageException(
                        "error: Batch job submission failed: Job --batch option is invalid or not a subset of"
                                + " --constraints",
                        1,
                        false);
            }
        }
        return constraint(batch);
    }

    /** Checks the expression's syntax here, so a typo is an error before anything is sent. */
    private static String constraint(String c) {
        try {
            io.motley.core.scheduler.Constraint.parse(c);
            return c;
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "error: " + e.getMessage()
                            + "\nsbatch: error: Batch job submission failed: Invalid feature specification",
                    1,
                    false);
        }
    }

    /** GPUs per node and their type (null = any), from --gres, --gpus, --gpus-per-node or --gpus-per-task. */
    record GpuRequest(int count, String type) {}

    static GpuRequest gpus(GetOpt.Parsed o, int ntasks) {
        GpuRequest g = new GpuRequest(0, null);
        if (o.has("gres")) g = gres(o.last("gres"));
        if (o.has("gpus")) g = typedCount(o.last("gpus"), "--gpus");
        if (o.has("gpus-per-node")) g = typedCount(o.last("gpus-per-node"), "--gpus-per-node");
        if (o.has("gpus-per-task")) {
            GpuRequest t = typedCount(o.last("gpus-per-task"), "--gpus-per-task");
            g = new GpuRequest(t.count() * ntasks, t.type());
        }
        return g;
    }

    /** --gres=gpu[:TYPE][:N][,...]: only GPUs are generic resources in Motley. */
    private static GpuRequest gres(String spec) {
        GpuRequest out = new GpuRequest(0, null);
        for (String item : spec.split(",")) {
            String[] f = item.trim().split(":");
            if (f.length == 0 || !f[0].equals("gpu") || f.length > 3) {
                throw new UsageException("error: Invalid generic resource (gres) specification", 1, false);
            }
            String type = null;
            int n = 1;
            try {
                if (f.length == 2) {
                    if (f[1].chars().allMatch(Character::isDigit)) n = Integer.parseInt(f[1]);
                    else type = f[1];
                } else if (f.length == 3) {
                    type = f[1];
                    n = Integer.parseInt(f[2]);
                }
            } catch (NumberFormatException e) {
                throw new UsageException("error: Invalid generic resource (gres) specification", 1, false);
            }
            out = new GpuRequest(n, type);
        }
        return out;
    }

    /** [TYPE:]N as --gpus and --gpus-per-node take it. */
    private static GpuRequest typedCount(String spec, String flag) {
        String[] f = spec.split(":");
        try {
            if (f.length == 1) return new GpuRequest(Integer.parseInt(f[0]), null);
            if (f.length == 2) return new GpuRequest(Integer.parseInt(f[1]), f[0]);
        } catch (NumberFormatException e) {
            // falls through to the error
        }
        throw new UsageException("error: Invalid " + flag + " specification", 1, false);
    }

    /** --export: ALL (default), NONE, or a list of names and NAME=value, optionally starting with ALL. */
    static Map<String, String> environment(String spec, Map<String, String> submitEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        String[] items = spec.split(",");
        boolean all = spec.equalsIgnoreCase("ALL") || items[0].equalsIgnoreCase("ALL");
        if (all) env.putAll(submitEnv);
        for (String item : items) {
            if (item.equalsIgnoreCase("ALL") || item.equalsIgnoreCase("NONE") || item.isEmpty()) continue;
            int eq = item.indexOf('=');
            if (eq > 0) {
                env.put(item.substring(0, eq), item.substring(eq + 1));
            } else if (submitEnv.containsKey(item)) {
                env.put(item, submitEnv.get(item));
            }
        }
        // Slurm's own variables are always exported, whatever --export says
        submitEnv.forEach((k, v) -> {
            if (k.startsWith("SLURM_")) env.putIfAbsent(k, v);
        });
        // as Slurm 22.05's sbatch: only an --export other than ALL is passed on
        if (!spec.equalsIgnoreCase("ALL")) env.put("SLURM_EXPORT_ENV", spec);
        // NONE asks for the user's environment on the node, as --get-user-env does
        if (items[0].equalsIgnoreCase("NONE")) env.put("SLURM_GET_USER_ENV", "1");
        return env;
    }

    private static long memory(GetOpt.Parsed o, String key) {
        try {
            return MemorySize.parseMebibytes(o.last(key));
        } catch (IllegalArgumentException e) {
            throw new UsageException("error: Invalid --" + key + " specification", 255, false);
        }
    }

    private static int positive(GetOpt.Parsed o, String key, int fallback) {
        return o.has(key) ? parsePositive(o.last(key), key, 1) : fallback;
    }

    /**
     * A node count of -N {@code whole}, with Slurm's words: not a number is sbatch's own error
     * (exit 255); 0 is the controller's refusal (exit 1).
     */
    static int nodeCount(String v, String whole) {
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("error: \"" + whole + "\" is not a valid node count", 255, false);
        }
        if (n < 1)
            throw new UsageException("error: Batch job submission failed: Node count specification invalid", 1, false);
        return n;
    }

    /** A count as Slurm's parse_int reads it: -n and -c exit 1 on a bad one. */
    private static int parsePositive(String v, String key, int exitCode) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("error: Invalid numeric value \"" + v + "\" for --" + key + ".", exitCode, false);
        }
    }

    /** --wait: poll until the job ends; exit with its exit code, or 1 if it ended otherwise than by exiting. */
    private static int waitFor(long id, Io io) throws ClusterUnreachable, InterruptedException {
        long sleep = 100;
        // on a terminal, one status line on stderr, rewritten as the job's state changes (stdout stays the id's)
        boolean show = io.stdinIsTerminal();
        String shown = "";
        while (true) {
            List<Job> found = Requests.job(io, id);
            if (show && !found.isEmpty()) {
                Job j = found.get(0);
                String line = "sbatch: job " + id + " " + j.state().name()
                        + (j.state() == JobState.PENDING ? " (" + JobText.reason(j) + ")" : "")
                        + (j.state() == JobState.RUNNING && j.node() != null ? " on " + j.node() : "");
                if (!line.equals(shown)) {
                    io.err().print("\r" + line + " ".repeat(Math.max(0, shown.length() - line.length())));
                    io.err().flush();
                    shown = line;
                }
            }
            // an array's id answers with every record of the array: done when all are, with the highest code of
            // its tasks, as Slurm's sbatch --wait
            if (!found.isEmpty() && found.stream().allMatch(j -> j.state().isTerminal())) {
                if (show) io.err().println();
                int code = 0;
                for (Job j : found) {
                    if (j.state() != JobState.COMPLETED)
                        code = Math.max(code, j.exit().code() != 0 ? j.exit().code() : 1);
                }
                return code;
            }
            Thread.sleep(sleep);
            sleep = Math.min(1000, sleep * 2);
        }
    }

    private static final String HELP = """
            Usage: sbatch [OPTIONS] script [args...]
                   sbatch [OPTIONS] --wrap="command"
              -J, --job-name=NAME       name of the job (default: the script's file name, "wrap" for --wrap)
              -p, --partition=LIST      partition(s); the first that can start the job runs it
              -n, --ntasks=N            number of tasks (default 1)
              -c, --cpus-per-task=N     CPUs per task (default 1)
              -N, --nodes=N[-MAX]       number of nodes, or a range (the fewest that serve)
                  --ntasks-per-node=N   tasks on each node
                  --spread-job          spread the job over as many nodes as the range allows
                  --mem=SIZE            memory per node (K, M, G, T; default M)
                  --mem-per-cpu=SIZE    memory per allocated CPU
                  --mem-per-gpu=SIZE    memory per GPU of a node (with --gpus/--gres)
                  --cpus-per-gpu=N      CPUs per GPU of a node, shared by its tasks
              -t, --time=TIME           time limit: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, UNLIMITED
              -o, --output=PATTERN      stdout file (default slurm-%j.out; %j %J %x %u %N %n %t %s %A %a %%)
              -e, --error=PATTERN       stderr file (default: with stdout)
              -D, --chdir=DIR           working directory of the job
                  --export=ALL|NONE|LIST environment to pass (default ALL)
                  --parsable            print only the job id
              -W, --wait                wait for the job to end; exit with its exit code
                  --test-only           say when and where the job would start now (the id is not reserved);
                                        submit nothing
              -H, --hold                submit held; release with scontrol release
                  --comment=TEXT        a comment shown by squeue %k and scontrol
              -A, --account=NAME        account to charge (with accounts in motley.conf: one that lists you;
                                        default: your DefaultAccount, else the first account listing you)
                  --nice[=N]            lower the job's priority by N (default 100); only root may give N < 0
                  --qos=NAME            quality of service (a QOSName= of motley.conf, or normal)
                  --wrap=COMMAND        run COMMAND under /bin/sh instead of a script
            #SBATCH lines in the script take the same options; the command line wins.
                  --gres=gpu[:TYPE][:N]  GPUs per node (also --gpus=[TYPE:]N, --gpus-per-node, --gpus-per-task)
                  --ntasks-per-gpu=N    N tasks for each GPU asked for, or one GPU for each N of -n's tasks
              -d, --dependency=LIST     after, afterok, afternotok, afterany, aftercorr:JOBID[:JOBID][+MIN], singleton;
                                        ',' = all, '?' = any; --kill-on-invalid-dep=yes cancels a job whose
                                        dependency can never be satisfied
              -b, --begin=TIME          start no earlier than TIME (now+1hour, 16:00, 2026-12-01T08:00, ...)
              -C, --constraint=EXPR     node features: a&b, a|b, (a|b)&c (os, arch, vendor, gpu + motley.conf Features=)
                  --prefer=EXPR         features (as -C) of the nodes to try first; others if none is free
              -w, --nodelist=NODE       run on this node;  -x, --exclude=HOSTLIST  never on these
                  --exclusive           the node to itself: all its CPUs, and DefMemPerCPU x CPUs of memory
                                        without --mem (as Slurm); =user and =mcs hold it whole too (Slurm lets
                                        the owner's jobs share it); =oversubscribe is -s
              -a, --array=INDICES       a job array: 1-10, 1,3,5, 0-15:4, with %N to run at most N at once
                  --deadline=TIME       remove the job (state DEADLINE) once it can no longer end before TIME
                                        (start > deadline - time limit); same forms as --begin
                  --requeue             the job may be requeued (scontrol requeue, a failed node); the default
                  --no-requeue          the job is never requeued
                  --export-file=FILE    add the NAME=value lines (or NUL-separated entries) of FILE to the environment
                  --batch=FEATURES      features the batch host must have (the job's node: added to -C)
                  --open-mode=append|truncate  how the output files are opened (default truncate)
                  --signal=[{R|B}:]SIG[@TIME]  send SIG TIME seconds (default 60) before the time limit: with B:
                                        to the batch shell alone, otherwise to the job's steps (R: has no effect)
                  --wckey=NAME          a workload characterisation key, kept and shown by sacct
                  --get-user-env[=..]   accepted: the job gets HOME, USER, LOGNAME and SHELL from the
                                        user's passwd entry (the login shell is not run)
                  --mail-type=TYPES  --mail-user=USER  kept and shown by scontrol; Motley sends no mail
                  --stage-in=PATH[,...]  on a node without the working directory: copy these files or
                                        directories (relative to it, read now as you) into the job's own
                                        directory before it starts (up to MaxStageInSize packed, 1 GiB by
                                        default; the job waits as StageIn while they travel; docs/files.md)
                  --stage-out=PATTERN[,...]  copy what matches back into the working directory after the job
                                        ends (also on failure or timeout), before the job counts as ended
            Accepted as Slurm accepts them, kept on the job, not enforced by Motley (docs/slurm-differences.md):
              -i, --input  -k, --no-kill  -m, --distribution  --mincpus  -O, --overcommit  -S, --core-spec
              --hint  --threads-per-core  --switches  --delay-boot  --propagate  --time-min  --acctg-freq
              --cpu-freq  --mcs-label  --profile  --uid (root only; the job runs as the submitting user)
              --priority (kept; 0 holds the job, as in Slurm)  -s, --oversubscribe  --contiguous  --gid
              --network  --bb  --power  --sockets-per-node  --cores-per-socket  -B, --extra-node-info
              --ntasks-per-core  --ntasks-per-socket  --use-min-nodes  --reboot  --thread-spec  --gpu-bind
              --gpu-freq  --cluster-constraint  --ignore-pbs
            Refused with Slurm's answer, Motley having none configured: -L/--licenses, --reservation,
              --tmp above 0
            -M, --clusters=NAME   this cluster (its ClusterName, or all); another is refused as unreachable""";

    /**
     * Slurm's checks of a script's bytes, in its order: empty, only whitespace, no {@code #!} line.
     * Made before the text is decoded, so that a binary ({@code sbatch /bin/true}) gets Slurm's
     * answer rather than an encoding error.
     */
    static byte[] checkedScript(byte[] bytes) {
        if (bytes.length == 0) throw new UsageException("error: Batch script is empty!", 1, false);
        boolean blank = true;
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != 0x0b && b != '\f') {
                blank = false;
                break;
            }
        }
        if (blank) throw new UsageException("error: Batch script contains only whitespace!", 1, false);
        if (bytes.length < 2 || bytes[0] != '#' || bytes[1] != '!') {
            throw new UsageException(
                    "error: This does not look like a batch script.  The first\n"
                            + "sbatch: error: line must start with #! followed by the path to an interpreter.\n"
                            + "sbatch: error: For instance: #!/bin/sh",
                    1,
                    false);
        }
        return bytes;
    }

    /**
     * The script as text. Motley carries scripts as UTF-8, so bytes that are not (a Latin-1 comment,
     * say) are refused with where they are, rather than changed on the way to the node.
     */
    static String scriptText(byte[] bytes, String name) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            // a reporting decoder stops at the first bad byte
            var in = java.nio.ByteBuffer.wrap(bytes);
            StandardCharsets.UTF_8.newDecoder().decode(in, java.nio.CharBuffer.allocate(bytes.length + 1), true);
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') line++;
            }
            throw new UsageException(
                    String.format(
                            "error: Batch script %s is not UTF-8 text: byte 0x%02x on line %d."
                                    + " Motley keeps scripts as UTF-8; convert it, e.g. iconv -f latin1 -t utf-8",
                            name, bytes[at] & 0xff, line),
                    1,
                    false);
        }
    }
}
