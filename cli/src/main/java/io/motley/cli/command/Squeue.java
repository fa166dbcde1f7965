package io.motley.cli.command;

import io.motley.cli.client.AgentClient;
import io.motley.cli.client.AgentClient.ClusterUnreachable;
import io.motley.cli.format.Column;
import io.motley.cli.format.FormatString;
import io.motley.cli.format.JobText;
import io.motley.cli.format.LongField;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.time.Durations;
import io.motley.protocol.Frame;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Queue;
import io.motley.protocol.Message.QueueRow;
import io.motley.protocol.Messages;
import io.motley.protocol.QueueSelection;
import io.motley.protocol.QueueTable;
import io.motley.protocol.dataparser.SlurmctldJson;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** squeue: the jobs in the queue, in Slurm's default or a user-given format. */
public final class Squeue implements Command {
    static final String DEFAULT_FORMAT = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
    static final String LONG_FORMAT = "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R";
    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('j', "jobs"),
            OptionSpec.value('u', "user"),
            OptionSpec.flag('\0', "me"),
            OptionSpec.value('t', "states"),
            OptionSpec.value('p', "partition"),
            OptionSpec.value('n', "name"),
            OptionSpec.value('A', "account"),
            // Slurm's squeue still takes -U for -A ("backwards compatibility")
            new OptionSpec('U', null, OptionSpec.Arg.REQUIRED, "account"),
            OptionSpec.value('w', "nodelist"),
            OptionSpec.flag('h', "noheader"),
            OptionSpec.value('M', "clusters"),
            OptionSpec.value('o', "format"),
            OptionSpec.value('O', "Format"),
            OptionSpec.flag('l', "long"),
            OptionSpec.flag('r', "array"),
            OptionSpec.flag('\0', "start"),
            OptionSpec.flag('a', "all"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.value('q', "qos"),
            OptionSpec.value('S', "sort"),
            OptionSpec.value('i', "iterate"),
            OptionSpec.optional('s', "steps"),
            // Motley has no licenses or reservations: no job has any, as Slurm's list for one that names none
            OptionSpec.value('L', "licenses"),
            OptionSpec.value('R', "reservation"),
            // one cluster, no federation: these change nothing, as in Slurm without one
            OptionSpec.flag('\0', "federation"),
            OptionSpec.flag('\0', "local"),
            OptionSpec.flag('\0', "sibling"),
            OptionSpec.flag('\0', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"),
            new OptionSpec('\0', "json", OptionSpec.Arg.OPTIONAL, "json"));

    /** Whether a name is a user of this host (as getpwnam would say). */
    private final java.util.function.Predicate<String> localUser;

    /** How squeue -i waits between its rounds. */
    private final Sleeper sleeper;

    /** Waits {@code seconds}; interrupted, squeue -i stops. */
    interface Sleeper {
        void sleep(long seconds) throws InterruptedException;
    }

    public Squeue() {
        this(Squeue::localUser, s -> Thread.sleep(s * 1000));
    }

    /** squeue on a host whose users {@code localUser} knows. */
    Squeue(java.util.function.Predicate<String> localUser) {
        this(localUser, s -> Thread.sleep(s * 1000));
    }

    /** squeue on a host whose users {@code localUser} knows, waiting with {@code sleeper} between -i's rounds. */
    Squeue(java.util.function.Predicate<String> localUser, Sleeper sleeper) {
        this.localUser = localUser;
        this.sleeper = sleeper;
    }

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("squeue", OPTIONS, false).parse(args);
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        String cluster = ClusterOption.reached(p, io);
        if (p.has("steps")) {
            List<Long> jobs = new ArrayList<>();
            for (String list : p.all("jobs"))
                for (String t : list.split(",")) if (!t.isBlank()) jobs.add(jobId(t.trim()));
            if (cluster != null && !p.has("noheader")) io.out().println("CLUSTER: " + cluster);
            return StepListing.squeue(io, jobs, !p.has("noheader"));
        }
        Set<Long> ids = new HashSet<>();
        // -j A_3: only those tasks of array A (null while no task is named); jobs named whole are in whole
        Map<Long, Set<Integer>> tasks = null;
        Set<Long> whole = new HashSet<>();
        List<String> specs = new ArrayList<>();
        for (String list : p.all("jobs")) {
            for (String t : list.split(",")) specs.add(t.trim());
        }
        specs.addAll(p.operands());
        for (String spec : specs) {
            long id = jobId(spec);
            ids.add(id);
            int task = taskId(spec);
            if (task < 0) {
                whole.add(id);
            } else {
                if (tasks == null) tasks = new HashMap<>();
                tasks.computeIfAbsent(id, k -> new HashSet<>()).add(task);
            }
        }
        Set<String> users = new HashSet<>();
        users.addAll(p.listAll("user"));
        if (p.has("me")) users.add(io.userName());
        // every job that has not ended, as Slurm's squeue lists without -t
        EnumSet<JobState> states = EnumSet.of(JobState.PENDING, JobState.RUNNING, JobState.SUSPENDED);
        if (p.has("states")) states = parseStates(p.last("states"));
        // --start lists pending jobs only, as Slurm's does
        if (p.has("start")) states = EnumSet.of(JobState.PENDING);
        Set<String> partitions = p.list("partition");
        Set<String> names = p.list("name");
        Set<String> accounts = p.list("account");
        Set<String> onNodes = p.has("nodelist") ? new HashSet<>(Hostlist.expand(p.last("nodelist"))) : Set.of();
        if (!onNodes.isEmpty()) {
            // as Slurm's, a node the cluster does not have is an error, not an empty list
            Set<String> known = new HashSet<>();
            for (io.motley.core.cluster.Node n : Requests.nodes(io)) known.add(n.name());
            for (String n : Hostlist.expand(p.last("nodelist"))) {
                if (!known.contains(n)) {
                    io.err().println("squeue: error: Invalid node name " + n);
                    return 1;
                }
            }
        }
        if (p.has("json")) {
            checkJsonVersion(p, "squeue");
            boolean anyState = !ids.isEmpty() && !p.has("states") && !p.has("start");
            return json(io, args, ids, users, anyState ? null : states, partitions, names, accounts);
        }
        String format = p.has("format")
                ? p.last("format")
                : p.has("start") ? START_FORMAT : p.has("long") ? LONG_FORMAT : DEFAULT_FORMAT;
        List<Column> cols = p.has("Format")
                ? longFormat(p.last("Format"), io)
                // every letter is a code of Slurm's squeue (some print N/A or nothing); anything else is printed as
                // written
                : FormatString.parse(
                        format,
                        c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'),
                        c -> io.err().println("squeue: error: Invalid job format specification: " + c));
        StringBuilder fields = new StringBuilder();
        for (Column c : cols) if (!c.isLiteral()) fields.append(wire(c.field()));
        if (p.has("start")) fields.append('S');
        if (p.has("array")) fields.append(Queue.ARRAY_TASKS);
        if (tasks != null) fields.append("iA").append(Queue.ARRAY_TASKS);
        if (!users.isEmpty() && fields.indexOf("u") < 0) fields.append('u');
        Set<String> qos = p.list("qos");
        if (!qos.isEmpty()) fields.append('q');
        List<SortKey> sortKeys = p.has("sort") ? sortKeys(p.last("sort")) : List.of();
        for (SortKey k : sortKeys) fields.append(wire(k.field()));
        // Slurm's order needs every job's partition and start (squeue's default keys and its pre-sort; a job that
        // ended without starting started at its end)
        fields.append("PSe");
        long iterate = 0;
        if (p.has("iterate")) {
            try {
                iterate = Long.parseLong(p.last("iterate").trim());
            } catch (NumberFormatException e) {
                iterate = -1;
            }
            if (iterate <= 0) throw new UsageException("error: --iterate=" + p.last("iterate"), 1, false);
        }
        // as in Slurm, named jobs too are shown only while pending, running or completing unless -t asks for
        // more: a script that waits for `squeue -j N` to come back empty must see a finished job leave
        Queue query = new Queue(ids, users, states, partitions, names, accounts, onNodes, fields.toString());

        for (long round = 0; ; round++) {
            // a round of -i later is its seconds later
            Io at = round == 0 ? io : later(io, round * iterate);
            int rc = round(p, query, specs, ids, whole, tasks, users, qos, sortKeys, cols, cluster, at);
            if (rc != 0 || iterate == 0) return rc;
            io.out().println();
            try {
                sleeper.sleep(iterate);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }

    /**
     * --json[=v0.0.40]: the jobs the filters select, as {@code GET /slurm/v0.0.40/jobs} answers
     * (data_parser v0.0.40); formats, sorting and -i do not apply, as in Slurm.
     */
    private static int json(
            Io io,
            List<String> args,
            Set<Long> ids,
            Set<String> users,
            Set<JobState> states,
            Set<String> partitions,
            Set<String> names,
            Set<String> accounts)
            throws Exception {
        Message.JobList all = io.gateway().ask(new Message.Jobs(null));
        List<Message.Listed> selected = new ArrayList<>();
        for (Message.Listed l : all.jobs()) {
            Job j = l.job();
            long arrayId = j.array() == null ? j.id() : j.array().arrayJobId();
            if (!ids.isEmpty() && !ids.contains(j.id()) && !ids.contains(arrayId)) continue;
            if (!users.isEmpty() && !users.contains(j.user())) continue;
            if (states != null && !states.contains(j.state())) continue;
            if (!partitions.isEmpty() && !partitions.contains(j.partition())) continue;
            if (!names.isEmpty() && !names.contains(j.request().name())) continue;
            if (!accounts.isEmpty() && !accounts.contains(j.request().account())) continue;
            selected.add(l);
        }
        String cluster = Requests.partitions(io).cluster();
        io.out().print(SlurmctldJson.squeue(selected, 0, io.nowSeconds(), cluster, io.userName(), args));
        return 0;
    }

    /** --json takes no version but the one Motley writes, v0.0.40. */
    static void checkJsonVersion(GetOpt.Parsed p, String command) {
        String v = p.last("json");
        if (v == null || v.isEmpty() || v.equals("v0.0.40") || v.equals("data_parser/v0.0.40")) return;
        throw new UsageException(
                "error: " + command + ": --json=" + v + ": only data_parser v0.0.40 is supported", 1, false);
    }

    /** {@code io} as it is {@code seconds} later. */
    private static Io later(Io io, long seconds) {
        return io.later(seconds);
    }

    /** One listing: squeue's whole output without -i. */
    private int round(
            GetOpt.Parsed p,
            Queue query,
            List<String> specs,
            Set<Long> ids,
            Set<Long> whole,
            Map<Long, Set<Integer>> tasks,
            Set<String> users,
            Set<String> qos,
            List<SortKey> sortKeys,
            List<Column> cols,
            String cluster,
            Io io)
            throws ClusterUnreachable {
        QueueTable table = ask(query, io);
        // Slurm's message ends in a newline of its own: an empty line follows each
        for (String u : unknownUsers(users, table, localUser))
            io.err().println("squeue: error: Invalid user: " + u + "\n");
        // one job named alone is loaded alone in Slurm, and one it does not have is an error
        if (specs.size() == 1 && table.size() == 0 && !exists(ids, io)) {
            io.err().println("slurm_load_jobs error: Invalid job id specified");
            return 1;
        }
        long now = io.nowSeconds();
        boolean byStart = p.has("start");
        // Slurm's order is made here, from the rows' partition, state, priority and start (the controller's own order
        // is what --json keeps); --start lists by expected start
        int[] order;
        if (p.has("licenses") || p.has("reservation")) order = new int[0];
        else if (byStart && sortKeys.isEmpty()) order = inOrder(table, true, now) ? null : sorted(table, true, now);
        else order = slurmOrder(table, sortKeys.isEmpty() ? DEFAULT_SORT : sortKeys, io);
        if (!qos.isEmpty()) order = withQos(table, order, qos);
        if (!p.has("noheader") && (p.has("long") || p.has("iterate") || p.has("verbose"))) {
            io.out()
                    .println(DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ENGLISH)
                            .format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(now), io.zone())));
        }
        // -M: the cluster's name first, as Slurm's squeue prints it for each cluster asked
        if (cluster != null && !p.has("noheader")) io.out().println("CLUSTER: " + cluster);
        if (!p.has("noheader")) io.out().println(FormatString.header(cols, Squeue::header));
        print(
                table,
                order,
                p.has("array"),
                tasks == null ? null : new Tasks(whole, tasks),
                cols,
                Records.load(cols, io),
                io);
        return 0;
    }

    /** A field printed of the job's whole record: its -O name (lower case), its header and its value. */
    record RecordField(String name, String header, java.util.function.BiFunction<Job, Records, String> value) {}

    /**
     * The jobs' whole records (as scontrol show job reads them), by id, with what their fields need
     * besides: the time, the cluster's name and DefMemPerCPU (asked for only when a column needs them).
     */
    record Records(Map<Long, Job> jobs, long now, java.time.ZoneId zone, String cluster, long defMemPerCpu) {
        /** The records {@code cols} need, null when no column needs them. */
        static Records load(List<Column> cols, Io io) throws ClusterUnreachable {
            Set<String> names = new HashSet<>();
            for (Column c : cols) {
                RecordField f = c.isLiteral() ? null : recordField(c.field());
                if (f != null) names.add(f.name());
            }
            if (names.isEmpty()) return null;
            Map<Long, Job> jobs = new HashMap<>();
            for (Job j : Requests.jobs(io)) jobs.put(j.id(), j);
            String cluster = names.contains("cluster") ? Requests.partitions(io).cluster() : "";
            long defMem = names.contains("tres") ? Scontrol.defMemPerCpu(io) : 0;
            return new Records(jobs, io.nowSeconds(), io.zone(), cluster, defMem);
        }

        String time(long epoch) {
            return JobText.timestamp(epoch, zone, "N/A");
        }
    }

    /** %o and -O Command: the script's path and arguments as submitted, (null) for --wrap or standard input. */
    private static final RecordField COMMAND = new RecordField(
            "command", "COMMAND", (j, x) -> j.request().options().getOrDefault(Sbatch.COMMAND, "(null)"));

    /** %h and -O OverSubscribe: as scontrol's OverSubscribe= (JobRequest#overSubscribe). */
    private static final RecordField OVER_SUBSCRIBE = new RecordField(
            "oversubscribe", "OVER_SUBSCRIBE", (j, x) -> j.request().overSubscribe());

    /** %O and -O Contiguous: as scontrol's Contiguous= (sbatch --contiguous, scontrol update Contiguous=). */
    private static final RecordField CONTIGUOUS = new RecordField(
            "contiguous", "CONTIGUOUS", (j, x) -> Integer.toString(j.request().flag("contiguous")));

    /** The -O fields printed of the job's whole record, in Slurm 22.05's words; each gets a code from U+E200 on. */
    private static final List<RecordField> RECORD_FIELDS = List.of(
            new RecordField("accruetime", "ACCRUE_TIME", (j, x) -> x.time(accrueTime(j))),
            // the host sbatch ran on, as scontrol's AllocNode
            new RecordField(
                    "allocnodes",
                    "ALLOC_NODES",
                    (j, x) -> j.request().submitHost() == null
                            ? "localhost"
                            : j.request().submitHost()),
            // Motley keeps no session id of the submitter, nor associations in the job: 0, as scontrol's :0
            new RecordField("allocsid", "ALLOC_SID", (j, x) -> "0"),
            new RecordField("associd", "ASSOC_ID", (j, x) -> "0"),
            new RecordField("cluster", "CLUSTER", (j, x) -> x.cluster()),
            new RecordField(
                    "cpuspertask",
                    "CPUS_PER_TASK",
                    (j, x) -> Integer.toString(j.request().cpusPerTask())),
            new RecordField(
                    "cpus-per-task",
                    "CPUS_PER_TASK",
                    (j, x) -> Integer.toString(j.request().cpusPerTask())),
            new RecordField("deadline", "DEADLINE", (j, x) -> x.time(j.request().deadline())),
            new RecordField("eligibletime", "ELIGIBLE_TIME", (j, x) -> x.time(eligibleTime(j))),
            // the wait status, as Slurm keeps it: the exit code times 256 plus the signal
            new RecordField(
                    "exit_code",
                    "EXIT_CODE",
                    (j, x) -> Integer.toString(j.exit().code() << 8 | j.exit().signal())),
            new RecordField(
                    "lastschedeval",
                    "LAST_SCHED_EVAL",
                    (j, x) -> x.time(j.startTime() > 0 ? j.startTime() : j.submitTime())),
            new RecordField("maxcpus", "MAX_CPUS", (j, x) -> Integer.toString(Scontrol.numCpus(j))),
            new RecordField("maxnodes", "MAX_NODES", (j, x) -> Integer.toString(maxNodes(j))),
            new RecordField(
                    "ntpernode",
                    "NTASKS_PER_NODE",
                    (j, x) -> Integer.toString(j.request().resources().ntasksPerNode())),
            // a job that ended before it started has no task count: Slurm's NO_VAL - 1
            new RecordField(
                    "numtasks",
                    "TASKS",
                    (j, x) -> j.state().isTerminal() && j.startTime() <= 0
                            ? "4294967294"
                            : Integer.toString(j.request().ntasks())),
            new RecordField("pendingtime", "PENDING_TIME", (j, x) -> Long.toString(pendingTime(j, x.now()))),
            new RecordField("requeue", "REQUEUE", (j, x) -> j.request().requeue() ? "1" : "0"),
            new RecordField("restartcnt", "RESTART_COUNT", (j, x) -> Integer.toString(j.restarts())),
            new RecordField("stderr", "STDERR", (j, x) -> JobText.stderr(j)),
            new RecordField("stdout", "STDOUT", (j, x) -> JobText.stdout(j)),
            new RecordField("tres", "TRES_ALLOC", (j, x) -> Scontrol.tres(j, x.defMemPerCpu())),
            new RecordField("tres-alloc", "TRES_ALLOC", (j, x) -> Scontrol.tres(j, x.defMemPerCpu())));

    private static final char RECORD_FIRST = '\uE200';
    private static final Map<String, Character> RECORD_CODES = new HashMap<>();

    static {
        for (int i = 0; i < RECORD_FIELDS.size(); i++)
            RECORD_CODES.put(RECORD_FIELDS.get(i).name(), (char) (RECORD_FIRST + i));
    }

    /** The record field code {@code c} prints, null for a code of the queue's own columns. */
    static RecordField recordField(char c) {
        if (c == 'o') return COMMAND;
        if (c == 'h') return OVER_SUBSCRIBE;
        if (c == 'O') return CONTIGUOUS;
        int i = c - RECORD_FIRST;
        if (i < 0 || i >= RECORD_FIELDS.size()) return null;
        RecordField f = RECORD_FIELDS.get(i);
        // tres and tres-alloc are one field: the records load DefMemPerCPU for "tres"
        return f.name().equals("tres-alloc") ? RECORD_FIELDS.get(i - 1) : f;
    }

    /**
     * MaxNodes: the most nodes of an -N MIN-MAX, else the nodes the job has or asked for. The
     * spread sbatch allows a -n job without -N (as many nodes as tasks) is no maximum the user
     * gave: Slurm shows the job's node count there.
     */
    static int maxNodes(Job j) {
        var res = j.request().resources();
        boolean spread = res.nodes() == 1
                && res.ntasksPerNode() == 0
                && res.maxNodes() == j.request().ntasks();
        return res.maxNodes() > res.nodes() && !spread ? res.maxNodes() : Scontrol.numNodes(j);
    }

    /**
     * When the job became eligible: never (N/A) while held or waiting on a dependency, else its
     * submission or its --begin time, whichever is later.
     */
    static long eligibleTime(Job j) {
        if (j.request().hold()) return 0;
        if (j.startTime() <= 0
                && (j.reason() == PendingReason.Dependency || j.reason() == PendingReason.DependencyNeverSatisfied))
            return 0;
        return Math.max(j.submitTime(), j.request().beginTime());
    }

    /** When the job started to accrue age: as eligible, but never for a job that ended before it started. */
    static long accrueTime(Job j) {
        return j.state().isTerminal() && j.startTime() <= 0 ? 0 : eligibleTime(j);
    }

    /** Seconds from submission to start, or to now while the job waits (a job that ended unstarted: to its end). */
    static long pendingTime(Job j, long now) {
        long start = j.startTime() > 0 ? j.startTime() : j.state().isTerminal() ? j.endTime() : 0;
        if (start > 0 && start < now) return Math.max(0, start - j.submitTime());
        return Math.max(0, now - j.submitTime());
    }

    /** The first of the codes given to -O fields that have no -o code ({@link #LONG_ONLY}). */
    private static final char LONG_ONLY_FIRST = '\uE100';

    /** squeue -O's field names (lower case) and the -o code that prints each (Slurm's pairs). */
    private static final Map<String, Character> LONG_NAMES = Map.ofEntries(
            Map.entry("account", 'a'),
            Map.entry("arrayjobid", 'F'),
            Map.entry("arraytaskid", 'K'),
            Map.entry("batchhost", 'B'),
            Map.entry("command", 'o'),
            Map.entry("comment", 'k'),
            Map.entry("contiguous", 'O'),
            Map.entry("cores", 'I'),
            Map.entry("corespec", 'X'),
            Map.entry("dependency", 'E'),
            Map.entry("endtime", 'e'),
            Map.entry("feature", 'f'),
            Map.entry("gres", 'b'),
            Map.entry("tres-per-node", 'b'),
            Map.entry("groupid", 'G'),
            Map.entry("groupname", 'g'),
            Map.entry("jobarrayid", 'i'),
            Map.entry("jobid", 'A'),
            Map.entry("licenses", 'W'),
            Map.entry("mincpus", 'c'),
            Map.entry("minmemory", 'm'),
            Map.entry("mintmpdisk", 'd'),
            Map.entry("name", 'j'),
            Map.entry("nice", 'y'),
            Map.entry("nodelist", 'N'),
            Map.entry("numcpus", 'C'),
            Map.entry("numnodes", 'D'),
            Map.entry("oversubscribe", 'h'),
            Map.entry("shared", 'h'),
            Map.entry("partition", 'P'),
            Map.entry("priority", 'p'),
            Map.entry("prioritylong", 'Q'),
            Map.entry("qos", 'q'),
            Map.entry("reason", 'r'),
            Map.entry("reasonlist", 'R'),
            Map.entry("reqnodes", 'n'),
            Map.entry("reservation", 'v'),
            Map.entry("schednodes", 'Y'),
            Map.entry("sct", 'z'),
            Map.entry("sockets", 'H'),
            Map.entry("starttime", 'S'),
            Map.entry("state", 'T'),
            Map.entry("statecompact", 't'),
            Map.entry("submittime", 'V'),
            Map.entry("threads", 'J'),
            Map.entry("timeleft", 'L'),
            Map.entry("timelimit", 'l'),
            Map.entry("timeused", 'M'),
            Map.entry("userid", 'U'),
            Map.entry("username", 'u'),
            Map.entry("wckey", 'w'),
            Map.entry("workdir", 'Z'));

    /**
     * The -O fields with no -o code whose value Slurm 22.05 prints the same for every job Motley
     * runs (no burst buffers, heterogeneous jobs, federation, reboots or switches): their header
     * and value. Each gets a code of its own from U+E100 on.
     */
    private static final List<String[]> LONG_ONLY = List.of(
            new String[] {"admin_comment", "ADMIN_COMMENT", "(null)"},
            new String[] {"batchflag", "BATCH_FLAG", "1"},
            new String[] {"boardspernode", "BOARDS_PER_NODE", "0"},
            new String[] {"burstbuffer", "BURST_BUFFER", "(null)"},
            new String[] {"burstbufferstate", "BURST_BUFFER_STATE", "(null)"},
            new String[] {"clusterfeature", "CLUSTER_FEATURES", "(null)"},
            new String[] {"cpus-per-tres", "CPUS_PER_TRES", "N/A"},
            new String[] {"derivedec", "DERIVED_EC", "0"},
            new String[] {"container", "CONTAINER", "(null)"},
            new String[] {"hetjobid", "HET_JOB_ID", "N/A"},
            new String[] {"hetjobidset", "HET_JOB_ID_SET", "N/A"},
            new String[] {"hetjoboffset", "HET_JOB_OFFSET", "N/A"},
            // Slurm's older names of the three, still taken
            new String[] {"packjobid", "HET_JOB_ID", "N/A"},
            new String[] {"packjobidset", "HET_JOB_ID_SET", "N/A"},
            new String[] {"packjoboffset", "HET_JOB_OFFSET", "N/A"},
            new String[] {"mcslabel", "MCSLABEL", "(null)"},
            new String[] {"mem-per-tres", "MEM_PER_TRES", "N/A"},
            new String[] {"network", "NETWORK", "(null)"},
            new String[] {"ntperboard", "NTASKS_PER_BOARD", "0"},
            new String[] {"ntpercore", "NTASKS_PER_CORE", "N/A"},
            new String[] {"ntpersocket", "NTASKS_PER_SOCKET", "N/A"},
            new String[] {"origin", "ORIGIN", "NA"},
            new String[] {"originraw", "ORIGIN_RAW", "NA"},
            new String[] {"preempttime", "PREEMPT_TIME", "N/A"},
            new String[] {"prefer", "PREFER", "(null)"},
            new String[] {"profile", "PROFILE", "NotSet"},
            new String[] {"reboot", "REBOOT", "0"},
            new String[] {"reqswitch", "REQ_SWITCH", "0"},
            new String[] {"resizetime", "RESIZE_TIME", "N/A"},
            new String[] {"siblingsactive", "ACTIVE_SIBLINGS", "NA"},
            new String[] {"siblingsviable", "VIABLE_SIBLINGS", "NA"},
            new String[] {"sperboard", "SOCKETS_PER_BOARD", "0"},
            new String[] {"stdin", "STDIN", "/dev/null"},
            new String[] {"system_comment", "SYSTEM_COMMENT", "(null)"},
            new String[] {"tres-bind", "TRES_BIND", "N/A"},
            new String[] {"tres-freq", "TRES_FREQ", "N/A"},
            new String[] {"tres-per-job", "TRES_PER_JOB", "N/A"},
            new String[] {"tres-per-socket", "TRES_PER_SOCKET", "N/A"},
            new String[] {"tres-per-task", "TRES_PER_TASK", "N/A"},
            new String[] {"delayboot", "DELAY_BOOT", "0:00"},
            new String[] {"mintime", "TIME_MIN", "0:00"},
            new String[] {"wait4switch", "WAIT4SWITCH", "0:00"});

    private static final Map<String, Character> LONG_ONLY_CODES = new HashMap<>();
    private static final Map<Character, String[]> LONG_ONLY_FIELDS = new HashMap<>();

    static {
        char code = LONG_ONLY_FIRST;
        for (String[] f : LONG_ONLY) {
            LONG_ONLY_CODES.put(f[0], code);
            LONG_ONLY_FIELDS.put(code, f);
            code++;
        }
    }

    /** What code {@code c} prints for every job alike, or null when it depends on the job. */
    private static String constant(char c) {
        String[] f = LONG_ONLY_FIELDS.get(c);
        return f != null ? f[2] : CONSTANTS.get(c);
    }

    /**
     * The columns of squeue -O: {@code Name[:[.]WIDTH[SUFFIX]]} each, comma-separated, 20 wide and
     * left-justified unless given, with nothing between them but a suffix. A name squeue does not
     * know is an empty column and an error line, as Slurm's.
     */
    static List<Column> longFormat(String spec, Io io) {
        List<Column> out = new ArrayList<>();
        for (String token : spec.split(",")) {
            if (token.isEmpty()) continue;
            LongField f = LongField.parse(token);
            String name = f.name();
            int width = f.width();
            boolean right = f.right();
            String suffix = f.suffix();
            String lower = name.toLowerCase(Locale.ROOT);
            Character code = LONG_NAMES.get(lower);
            if (code == null) code = LONG_ONLY_CODES.get(lower);
            if (code == null) code = RECORD_CODES.get(lower.startsWith("numtask") ? "numtasks" : lower);
            if (code == null) {
                // as Slurm's: said, and no column for it
                io.err().println("squeue: error: Invalid job format specification: " + name);
                continue;
            }
            out.add(new Column(code, width, right, null));
            if (!suffix.isEmpty()) out.add(Column.literal(suffix));
        }
        return out;
    }

    /** A key of squeue -S: a format code, descending with a leading '-'. */
    record SortKey(char field, boolean descending) {}

    /** The keys of -S's list ({@code "P,-t,i"}: Slurm's format codes, each with an optional '+' or '-'). */
    static List<SortKey> sortKeys(String list) {
        List<SortKey> out = new ArrayList<>();
        for (String k : list.split(",")) {
            String t = k.trim();
            boolean desc = t.startsWith("-");
            if (desc || t.startsWith("+")) t = t.substring(1);
            if (t.length() != 1 || header(t.charAt(0)) == null)
                throw new UsageException("error: Invalid sort specification: " + k.trim(), 1, false);
            out.add(new SortKey(t.charAt(0), desc));
        }
        return out;
    }

    /** squeue's sort when -S is not given: partition, state (by its short code), priority highest first. */
    static final List<SortKey> DEFAULT_SORT =
            List.of(new SortKey('P', false), new SortKey('t', false), new SortKey('p', true));

    /**
     * The rows in Slurm 22.05's squeue order: the jobs as slurmctld lists them (by id here), then
     * by start time, latest first, with squeue's own merge of the jobs that have none (its compare
     * puts such a job after whichever it meets, so their order follows glibc's merge sort, which
     * is emulated here), then by each of {@code keys}, the last first, each sort keeping ties.
     */
    static int[] slurmOrder(QueueTable t, List<SortKey> keys, Io io) {
        long now = io.nowSeconds();
        int n = t.size();
        Integer[] rows = new Integer[n];
        long[] start = new long[n];
        for (int r = 0; r < n; r++) {
            rows[r] = r;
            start[r] = expectedStart(t, r, now);
        }
        Arrays.sort(rows, java.util.Comparator.comparingLong(r -> t.num(QueueTable.ID, r)));
        Integer[] pre = mergeSort(rows, (a, b) -> {
            if (start[a] == 0) return 1;
            if (start[b] == 0) return -1;
            return Long.compare(startOrNow(t, b, start[b], now), startOrNow(t, a, start[a], now));
        });
        List<Integer> list = Arrays.asList(pre);
        for (int k = keys.size() - 1; k >= 0; k--) {
            SortKey key = keys.get(k);
            java.util.Comparator<Integer> one = byField(t, key.field(), io);
            list.sort(key.descending() ? one.reversed() : one);
        }
        int[] out = new int[n];
        for (int k = 0; k < n; k++) out[k] = list.get(k);
        return out;
    }

    /** squeue's start of a job for its pre-sort: a pending job's start in the past reads as now. */
    private static long startOrNow(QueueTable t, int r, long start, long now) {
        return t.state(r) == JobState.PENDING && start < now ? now : start;
    }

    /**
     * glibc's qsort for arrays that fit in memory (a top-down merge sort, the first half the
     * smaller, taking the left element while the compare says {@code <= 0}): squeue's pre-sort
     * depends on it, its compare being inconsistent for jobs without a start time.
     */
    static <T> T[] mergeSort(T[] a, java.util.Comparator<? super T> cmp) {
        if (a.length <= 1) return a;
        int n1 = a.length / 2;
        T[] left = mergeSort(Arrays.copyOfRange(a, 0, n1), cmp);
        T[] right = mergeSort(Arrays.copyOfRange(a, n1, a.length), cmp);
        T[] out = Arrays.copyOf(a, a.length);
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < left.length && j < right.length)
            out[k++] = cmp.compare(left[i], right[j]) <= 0 ? left[i++] : right[j++];
        while (i < left.length) out[k++] = left[i++];
        while (j < right.length) out[k++] = right[j++];
        return out;
    }

    /** The rows of {@code order} (null: all, as they are) whose QOS is one of {@code qos}. */
    static int[] withQos(QueueTable t, int[] order, Set<String> qos) {
        int[] out = new int[t.size()];
        int n = 0;
        for (int k = 0; k < t.size(); k++) {
            int r = order == null ? k : order[k];
            String q = t.text(QueueTable.QOS, r);
            if (qos.contains(q == null ? "normal" : q)) out[n++] = r;
        }
        return Arrays.copyOf(out, n);
    }

    /** Rows ordered by what format code {@code c} prints: by the number behind it where it has one, else by its text. */
    private static java.util.Comparator<Integer> byField(QueueTable t, char c, Io io) {
        long now = io.nowSeconds();
        java.util.function.ToLongFunction<Integer> number = switch (c) {
            case 'i' -> r -> t.num(QueueTable.ID, r);
            case 'A', 'F' ->
                r -> {
                    long aj = t.num(QueueTable.ARRAY_JOB_ID, r);
                    return aj != 0 ? aj : t.num(QueueTable.ID, r);
                };
            case 'Q', 'p' -> r -> t.num(QueueTable.PRIORITY, r);
            case 'U' -> r -> t.num(QueueTable.UID, r);
            case 'G' -> r -> t.num(QueueTable.GID, r);
            case 'C' -> r -> t.num(QueueTable.CPUS, r);
            case 'c' ->
                r -> t.numbers(QueueTable.MIN_CPUS) != null ? t.num(QueueTable.MIN_CPUS, r) : t.num(QueueTable.CPUS, r);
            case 'y' -> r -> t.num(QueueTable.NICE, r);
            case 'D' -> r -> t.num(QueueTable.NODES, r);
            case 'M' ->
                r -> elapsed(
                        t.state(r),
                        t.num(QueueTable.START, r),
                        t.num(QueueTable.END, r),
                        t.num(QueueTable.PAUSED, r),
                        now);
            case 'l', 'L' -> r -> limit(t.num(QueueTable.LIMIT, r));
            case 'V' -> r -> t.num(QueueTable.SUBMIT, r);
            case 'S' -> r -> expectedStart(t, r, now);
            case 'e' -> r -> t.num(QueueTable.END, r);
            default -> null;
        };
        if (number != null) return java.util.Comparator.comparingLong(number);
        Function<QueueRow, String> f = field(c, io);
        if (f == null) return (a, b) -> 0;
        return java.util.Comparator.comparing(r -> String.valueOf(f.apply(t.row(r))));
    }

    /** The jobs squeue -j names: those named whole, and the tasks named of each array. */
    record Tasks(Set<Long> whole, Map<Long, Set<Integer>> of) {}

    /** Whether the controller has the job {@code ids} holds, in any state. */
    private static boolean exists(Set<Long> ids, Io io) throws ClusterUnreachable {
        Queue q = new Queue(ids, Set.of(), null, Set.of(), Set.of(), Set.of(), Set.of(), "i");
        return ask(q, io).size() > 0;
    }

    /**
     * The names of {@code users} Slurm's squeue would call invalid: neither a uid nor a user of
     * this host, nor the owner of a job listed (a cluster's hosts need not share their users).
     */
    static List<String> unknownUsers(Set<String> users, QueueTable t, java.util.function.Predicate<String> localUser) {
        List<String> out = new ArrayList<>();
        Set<String> owners = new HashSet<>();
        if (!users.isEmpty()) for (int r = 0; r < t.size(); r++) owners.add(t.text(QueueTable.USER, r));
        for (String u : users.stream().sorted().toList()) {
            if (u.chars().allMatch(Character::isDigit) || owners.contains(u) || localUser.test(u)) continue;
            out.add(u);
        }
        return out;
    }

    private static boolean localUser(String name) {
        try {
            java.nio.file.FileSystems.getDefault()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByName(name);
            return true;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The fields the controller is asked for to print code {@code c}: %F is %A's array job id, %K
     * the task id of %i's display or the array's pending tasks; the others ask for themselves.
     */
    static String wire(char c) {
        return switch (c) {
            case 'F' -> "A";
            case 'K' -> "iA" + Queue.ARRAY_TASKS;
            // the id travels with every row
            case 'A' -> "";
            // whether a dependency can never be met is in the reason
            case 'E' -> "Er";
            // the job's record, asked for apart, has the command, --exclusive and --contiguous
            case 'o', 'h', 'O' -> "";
            // the -O fields without a code print the same for every job, or come of the job's record
            default -> c >= LONG_ONLY_FIRST ? "" : String.valueOf(c);
        };
    }

    /**
     * The controller's answer to {@code query}. A controller (or local agent) older than squeue's
     * own request says it does not know it: then every job's whole record is asked for, as squeue
     * did before, and selected here as a newer controller would have.
     */
    static QueueTable ask(Queue query, Io io) throws ClusterUnreachable {
        Frame answer;
        try {
            answer = io.gateway().call(Messages.encode(query));
        } catch (AgentClient.RequestFailed e) {
            if (!unknown(e.getMessage())) throw e;
            return wholeRecords(query, io);
        }
        Optional<Message.Failure> failed = Messages.failure(answer);
        if (failed.isEmpty()) return QueueTable.of(answer);
        if (!unknown(failed.get().message())) AgentClient.answer(query, answer); // throws it
        return wholeRecords(query, io);
    }

    /** Whether a refusal says the request is unknown (to an older controller or local agent). */
    private static boolean unknown(String message) {
        return message != null && message.startsWith("unknown request");
    }

    /** squeue's answer made here of every job's whole record, as squeue asked before it had a request of its own. */
    private static QueueTable wholeRecords(Queue query, Io io) throws ClusterUnreachable {
        Message.JobList all = io.gateway().ask(new Message.Jobs(null));
        List<Job> jobs = new ArrayList<>(all.jobs().size());
        Map<Long, Message.ExpectedStart> expected = new HashMap<>();
        for (Message.Listed l : all.jobs()) {
            jobs.add(l.job());
            if (l.expected() != null) expected.put(l.job().id(), l.expected());
        }
        return QueueTable.of(QueueSelection.answer(query, jobs, expected::get));
    }

    /** Whether the rows are in squeue's order already (by expected start with --start). */
    static boolean inOrder(QueueTable t, boolean byStart, long now) {
        if (byStart) {
            for (int i = 1; i < t.size(); i++) if (compare(t, true, now, i - 1, i) > 0) return false;
            return true;
        }
        // compare's default order, read straight from the columns: this runs once a row in every squeue
        int[] states = t.indices(QueueTable.STATE);
        long[] priority = t.numbers(QueueTable.PRIORITY);
        long[] id = t.numbers(QueueTable.ID);
        boolean[] pending = new boolean[t.dictionary(QueueTable.STATE).length];
        for (int e = 1; e < pending.length; e++) pending[e] = t.stateOf(e) == JobState.PENDING;
        for (int i = 1; i < t.size(); i++) {
            boolean pa = pending[states[i - 1]];
            boolean pb = pending[states[i]];
            if (pa != pb) {
                if (pb) return false;
                continue;
            }
            if (pa && priority != null) {
                if (priority[i - 1] < priority[i]) return false;
                if (priority[i - 1] > priority[i]) continue;
            }
            if (id != null && id[i - 1] > id[i]) return false;
        }
        return true;
    }

    /** The rows' indices in squeue's order. */
    static int[] sorted(QueueTable t, boolean byStart, long now) {
        Integer[] boxed = new Integer[t.size()];
        for (int i = 0; i < boxed.length; i++) boxed[i] = i;
        Arrays.sort(boxed, (a, b) -> compare(t, byStart, now, a, b));
        int[] out = new int[boxed.length];
        for (int i = 0; i < out.length; i++) out[i] = boxed[i];
        return out;
    }

    /**
     * squeue's order of rows {@code a} and {@code b}: pending first (highest priority first, held
     * as 0), then running and the rest, by id within each; with --start, jobs with a known start
     * first, soonest first, then the others, by id.
     */
    static int compare(QueueTable t, boolean byStart, long now, int a, int b) {
        if (byStart) {
            long sa = expectedStart(t, a, now);
            long sb = expectedStart(t, b, now);
            int c = Long.compare(sa > 0 ? sa : Long.MAX_VALUE, sb > 0 ? sb : Long.MAX_VALUE);
            if (c != 0) return c;
        } else {
            boolean pa = t.state(a) == JobState.PENDING;
            boolean pb = t.state(b) == JobState.PENDING;
            if (pa != pb) return pa ? -1 : 1;
            if (pa) {
                int c = Long.compare(t.num(QueueTable.PRIORITY, b), t.num(QueueTable.PRIORITY, a));
                if (c != 0) return c;
            }
        }
        return Long.compare(t.num(QueueTable.ID, a), t.num(QueueTable.ID, b));
    }

    /** {@link #expectedStart(QueueRow, long)} of row {@code r}. */
    static long expectedStart(QueueTable t, int r, long now) {
        if (t.state(r) != JobState.PENDING) {
            long start = t.num(QueueTable.START, r);
            return start > 0 ? start : t.num(QueueTable.END, r);
        }
        long expected = t.num(QueueTable.EXPECTED_START, r);
        if (t.index(QueueTable.SCHED_NODES, r) != 0 || expected > 0) return expected;
        long begin = t.num(QueueTable.BEGIN, r);
        return begin > now ? begin : 0;
    }

    /**
     * The rows, one line each, in {@code cols}' format, in {@code order} (null: as they are); with
     * {@code expand} (-r) a pending array record is a line per task. Each field's text is worked
     * out once per distinct value where it depends on one text column, numbers are written as
     * digits, and the lines go out as bytes in blocks: no object per row.
     */
    static void print(QueueTable t, int[] order, boolean expand, List<Column> cols, Io io) {
        print(t, order, expand, null, cols, null, io);
    }

    /**
     * {@link #print}, of only the jobs and tasks {@code only} names when not null (squeue -j A_3);
     * {@code records} holds the jobs' whole records where a column needs them (null: none does).
     */
    static void print(
            QueueTable t, int[] order, boolean expand, Tasks only, List<Column> cols, Records records, Io io) {
        Lines out = new Lines(io.out());
        List<Cell> line = new ArrayList<>();
        List<Keyed> run = new ArrayList<>();
        Map<Character, Function<QueueRow, String>> fields = new HashMap<>();
        for (Column c : cols) {
            RecordField rf = c.isLiteral() ? null : recordField(c.field());
            Cell cell = c.isLiteral()
                    ? new Literal(c.literal())
                    : rf != null
                            ? new ByRecord(c, rf, records)
                            : cell(
                                    c,
                                    t,
                                    fields.computeIfAbsent(c.field(), f -> escaped(field(f, io))),
                                    io.nowSeconds());
            if (cell instanceof Keyed k) {
                run.add(k);
                continue;
            }
            if (!run.isEmpty()) line.add(new Group(run));
            run = new ArrayList<>();
            line.add(cell);
        }
        if (!run.isEmpty()) line.add(new Group(run));
        Cell[] cells = line.toArray(new Cell[0]);
        int[] pending = expand || only != null ? t.indices(QueueTable.PENDING) : null;
        int rows = order == null ? t.size() : order.length;
        for (int k = 0; k < rows; k++) {
            int r = order == null ? k : order[k];
            if (only != null && !only.whole().contains(t.num(QueueTable.ID, r))) {
                long aj = t.num(QueueTable.ARRAY_JOB_ID, r);
                if (!only.whole().contains(aj)) {
                    named(out, cells, t, r, pending, only.of().getOrDefault(aj, Set.of()));
                    continue;
                }
            }
            // an array's tasks that never started are a line each, cancelled too (squeue -r -t all)
            if (expand && pending != null && pending[r] != 0) {
                String aj = t.num(QueueTable.ARRAY_JOB_ID, r) + "_";
                for (int task : ArraySpec.unfold(t.text(QueueTable.PENDING, r))) line(out, cells, t, r, aj + task);
            } else {
                line(out, cells, t, r, null);
            }
        }
        out.flush();
    }

    /** Of row {@code r} of an array, the tasks among {@code wanted}: each folded task alone, or the started task. */
    private static void named(Lines out, Cell[] cells, QueueTable t, int r, int[] pending, Set<Integer> wanted) {
        if (wanted.isEmpty()) return;
        String aj = t.num(QueueTable.ARRAY_JOB_ID, r) + "_";
        if (pending != null && pending[r] != 0) {
            for (int task : ArraySpec.unfold(t.text(QueueTable.PENDING, r)))
                if (wanted.contains(task)) line(out, cells, t, r, aj + task);
            return;
        }
        String display = t.text(QueueTable.DISPLAY, r);
        if (display != null && display.startsWith(aj)) {
            try {
                if (wanted.contains(Integer.parseInt(display.substring(aj.length())))) line(out, cells, t, r, null);
            } catch (NumberFormatException e) {
                // a folded display without its pending column: not a task named
            }
        }
    }

    private static void line(Lines out, Cell[] cells, QueueTable t, int r, String display) {
        for (Cell c : cells) c.write(out, t, r, display);
        out.newline();
    }

    /** The cell that prints format column {@code c}, whose field text comes of a row by {@code f} (null: unknown). */
    private static Cell cell(Column c, QueueTable t, Function<QueueRow, String> f, long now) {
        if (f == null) return new Literal(c.fit(""));
        String constant = constant(c.field());
        if (constant != null) return new Literal(c.fit(constant));
        return switch (c.field()) {
            case 'P' -> new ByText(c, t, QueueTable.PARTITION, f);
            case 'j' -> new ByText(c, t, QueueTable.NAME, f);
            case 'u' -> new ByText(c, t, QueueTable.USER, f);
            case 'T', 't' -> new ByText(c, t, QueueTable.STATE, f);
            case 'R' -> new ByText(c, t, QueueTable.NODES_OR_REASON, f);
            case 'N', 'B' -> new ByText(c, t, QueueTable.NODE, f);
            case 'r' -> new ByText(c, t, QueueTable.REASON, f);
            case 'm' -> new ByText(c, t, QueueTable.MEMORY, f);
            case 'Z' -> new ByText(c, t, QueueTable.WORK_DIR, f);
            case 'a' -> new ByText(c, t, QueueTable.ACCOUNT, f);
            case 'k' -> new ByText(c, t, QueueTable.COMMENT, f);
            case 'q' -> new ByText(c, t, QueueTable.QOS, f);
            case 'i' -> new JobId(c, t, f);
            case 'A', 'F', 'U', 'G', 'C', 'c', 'Q', 'y', 'D' -> new Number(c, c.field());
            case 'M', 'l' -> new Duration(c, c.field(), now);
            default -> new ByRow(c, f);
        };
    }

    /** What one column of the format writes for a row. */
    private abstract static class Cell {
        /** Writes row {@code r}'s field ({@code display} in place of its id when not null: a task of squeue -r). */
        abstract void write(Lines out, QueueTable t, int r, String display);
    }

    /**
     * A cell whose bytes follow from one number of its row (a dictionary index, a duration), and
     * are kept per number: adjacent ones are printed as a {@link Group}.
     */
    private abstract static class Keyed extends Cell {
        abstract long key(QueueTable t, int r);

        abstract byte[] bytes(long key);

        @Override
        final void write(Lines out, QueueTable t, int r, String display) {
            out.put(bytes(key(t, r)));
        }
    }

    /**
     * Adjacent keyed cells, with the literals between them: a queue's rows repeat the row before
     * in most fields (one user, one partition, the same reason), so the run's bytes are kept and
     * put out whole while its keys stay the same.
     */
    private static final class Group extends Cell {
        private final Keyed[] parts;
        private final long[] keys;
        /** The parts that are no literal: only their keys change. */
        private final int[] varying;

        private byte[] bytes;

        Group(List<Keyed> parts) {
            this.parts = parts.toArray(new Keyed[0]);
            this.keys = new long[this.parts.length];
            int[] v = new int[this.parts.length];
            int n = 0;
            for (int i = 0; i < v.length; i++) if (!(this.parts[i] instanceof Literal)) v[n++] = i;
            this.varying = Arrays.copyOf(v, n);
        }

        @Override
        void write(Lines out, QueueTable t, int r, String display) {
            boolean same = bytes != null;
            for (int i : varying) {
                long k = parts[i].key(t, r);
                if (k != keys[i]) {
                    keys[i] = k;
                    same = false;
                }
            }
            if (!same) {
                java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < parts.length; i++) b.writeBytes(parts[i].bytes(keys[i]));
                bytes = b.toByteArray();
            }
            out.put(bytes);
        }
    }

    /** Text between fields, and an unknown field's empty column. */
    private static final class Literal extends Keyed {
        private final byte[] bytes;

        Literal(String text) {
            bytes = text.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        long key(QueueTable t, int r) {
            return 0;
        }

        @Override
        byte[] bytes(long key) {
            return bytes;
        }
    }

    /** Any field, of the row made whole: for the fields no quicker cell prints. */
    private static final class ByRow extends Cell {
        private final Column c;
        private final Function<QueueRow, String> f;
        private final StringBuilder sb = new StringBuilder();

        ByRow(Column c, Function<QueueRow, String> f) {
            this.c = c;
            this.f = f;
        }

        @Override
        void write(Lines out, QueueTable t, int r, String display) {
            sb.setLength(0);
            c.fitTo(sb, f.apply(t.row(r, display)));
            out.put(sb);
        }
    }

    /**
     * A field that depends on one text column only: its bytes are worked out once per distinct
     * value, of a row that holds that value alone (so with the very code that prints a whole row).
     */
    private static final class ByText extends Keyed {
        private final int[] at;
        private final byte[][] bytes;
        private final String[] values;
        private final Column c;
        private final int column;
        private final Function<QueueRow, String> f;
        private final QueueTable t;

        ByText(Column c, QueueTable t, int column, Function<QueueRow, String> f) {
            this.c = c;
            this.t = t;
            this.column = column;
            this.f = f;
            this.at = t.indices(column);
            this.values = t.dictionary(column);
            this.bytes = new byte[values.length][];
        }

        @Override
        long key(QueueTable t, int r) {
            return at == null ? 0 : at[r];
        }

        @Override
        byte[] bytes(long key) {
            int i = (int) key;
            byte[] b = bytes[i];
            if (b == null) b = bytes[i] = make(i);
            return b;
        }

        private byte[] make(int i) {
            StringBuilder sb = new StringBuilder();
            c.fitTo(sb, f.apply(only(column, values[i], t.stateOf(column == QueueTable.STATE ? i : 0))));
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A row that holds {@code value} in text column {@code column} and nothing else (but a state: pending if none given). */
    static QueueRow only(int column, String value, JobState state) {
        return new QueueRow(
                0,
                column == QueueTable.DISPLAY ? value : null,
                0,
                column == QueueTable.PENDING ? value : null,
                state != null ? state : JobState.PENDING,
                0,
                column == QueueTable.PARTITION ? value : null,
                column == QueueTable.NAME ? value : null,
                column == QueueTable.USER ? value : null,
                0,
                0,
                0,
                0,
                0,
                column == QueueTable.NODES_OR_REASON ? value : null,
                column == QueueTable.NODE ? value : null,
                column == QueueTable.REASON ? value : null,
                0,
                column == QueueTable.MEMORY ? value : null,
                0,
                0,
                column == QueueTable.SCHED_NODES ? value : null,
                0,
                column == QueueTable.WORK_DIR ? value : null,
                column == QueueTable.ACCOUNT ? value : null,
                column == QueueTable.COMMENT ? value : null,
                column == QueueTable.QOS ? value : null,
                0,
                column == QueueTable.DEPENDENCY ? value : null,
                0,
                0,
                0);
    }

    /** %i: an array job's display id (from its dictionary, or the task's of -r), else the id's digits. */
    private static final class JobId extends Cell {
        private final Column c;
        private final ByText display;
        private final Function<QueueRow, String> f;
        private final StringBuilder sb = new StringBuilder();

        JobId(Column c, QueueTable t, Function<QueueRow, String> f) {
            this.c = c;
            this.f = f;
            this.display = new ByText(c, t, QueueTable.DISPLAY, f);
        }

        @Override
        void write(Lines out, QueueTable t, int r, String shown) {
            if (shown != null) {
                sb.setLength(0);
                c.fitTo(sb, f.apply(t.row(r, shown)));
                out.put(sb);
            } else if (t.index(QueueTable.DISPLAY, r) != 0) {
                display.write(out, t, r, null);
            } else {
                out.number(t.num(QueueTable.ID, r), c);
            }
        }
    }

    /** A field of the job's whole record (its -O field has no column in the queue's answer). */
    private static final class ByRecord extends Cell {
        private final Column c;
        private final RecordField f;
        private final Records records;
        private final StringBuilder sb = new StringBuilder();

        ByRecord(Column c, RecordField f, Records records) {
            this.c = c;
            this.f = f;
            this.records = records;
        }

        @Override
        void write(Lines out, QueueTable t, int r, String display) {
            Job j = records == null ? null : records.jobs().get(t.num(QueueTable.ID, r));
            sb.setLength(0);
            // a job gone between the queue's answer and the records' has nothing to show
            c.fitTo(sb, j == null ? "" : FreeText.escape(f.value().apply(j, records)));
            out.put(sb);
        }
    }

    /** A field that is a number column's digits. */
    private static final class Number extends Cell {
        private final Column c;
        private final char field;

        Number(Column c, char field) {
            this.c = c;
            this.field = field;
        }

        @Override
        void write(Lines out, QueueTable t, int r, String display) {
            long v = switch (field) {
                case 'A' -> t.num(QueueTable.ID, r);
                case 'F' -> {
                    long aj = t.num(QueueTable.ARRAY_JOB_ID, r);
                    yield aj != 0 ? aj : t.num(QueueTable.ID, r);
                }
                case 'U' -> t.num(QueueTable.UID, r);
                case 'G' -> t.num(QueueTable.GID, r);
                case 'C' -> t.num(QueueTable.CPUS, r);
                // a controller from before MIN_CPUS sends none: the CPUs, as squeue showed then
                case 'c' ->
                    t.numbers(QueueTable.MIN_CPUS) != null ? t.num(QueueTable.MIN_CPUS, r) : t.num(QueueTable.CPUS, r);
                case 'Q' -> t.num(QueueTable.PRIORITY, r);
                case 'y' -> t.num(QueueTable.NICE, r);
                case 'D' -> t.num(QueueTable.NODES, r);
                default -> throw new IllegalStateException("no number field: " + field);
            };
            out.number(v, c);
        }
    }

    /** %M (time used) and %l (time limit) as squeue prints durations; the last value's bytes are kept (a queue repeats them). */
    private static final class Duration extends Keyed {
        private final Column c;
        private final char field;
        private final long now;
        private long last = Long.MIN_VALUE;
        private byte[] bytes;

        Duration(Column c, char field, long now) {
            this.c = c;
            this.field = field;
            this.now = now;
        }

        @Override
        long key(QueueTable t, int r) {
            return field == 'M'
                    ? elapsed(
                            t.state(r),
                            t.num(QueueTable.START, r),
                            t.num(QueueTable.END, r),
                            t.num(QueueTable.PAUSED, r),
                            now)
                    : limit(t.num(QueueTable.LIMIT, r), t.num(QueueTable.START, r));
        }

        @Override
        byte[] bytes(long v) {
            if (v != last || bytes == null) {
                StringBuilder sb = new StringBuilder();
                // as Slurm's, a time is never cut to its column (365-00:00:00 in a %.9l)
                String text = compact(v);
                if (c.width() > 0 && text.length() > c.width()) sb.append(text);
                else c.fitTo(sb, text);
                bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
                last = v;
            }
            return bytes;
        }
    }

    /** {@link Durations#formatCompact}, without a format string to parse per value. */
    static String compact(long seconds) {
        if (seconds < 0) return Durations.formatCompact(seconds);
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3600;
        long minutes = seconds % 3600 / 60;
        long secs = seconds % 60;
        StringBuilder sb = new StringBuilder(16);
        if (days > 0) {
            sb.append(days).append('-');
            two(sb, hours).append(':');
            two(sb, minutes);
        } else if (hours > 0) {
            sb.append(hours).append(':');
            two(sb, minutes);
        } else {
            sb.append(minutes);
        }
        return two(sb.append(':'), secs).toString();
    }

    private static StringBuilder two(StringBuilder sb, long v) {
        return sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    /** Lines as bytes, written out in blocks of 64 KiB (a million lines are not a million writes). */
    static final class Lines {
        private static final byte[] EOL = System.lineSeparator().getBytes(StandardCharsets.US_ASCII);
        private final PrintStream out;
        private final byte[] buf = new byte[1 << 16];
        private final byte[] digits = new byte[20];
        /** The number whose digits end {@code digits} (0: none to carry from), and how many they are. */
        private long lastNumber;

        private int lastLength;
        private int n;

        Lines(PrintStream out) {
            this.out = out;
        }

        void put(byte[] b) {
            if (n + b.length > buf.length) {
                drain();
                if (b.length > buf.length) {
                    out.write(b, 0, b.length);
                    return;
                }
            }
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        void put(CharSequence s) {
            put(s.toString().getBytes(StandardCharsets.UTF_8));
        }

        /** {@code v}'s digits fitted to {@code c} as {@link Column#fitTo} fits text. */
        void number(long v, Column c) {
            if (v == Long.MIN_VALUE) {
                StringBuilder sb = new StringBuilder();
                c.fitTo(sb, Long.toString(v));
                put(sb);
                lastNumber = 0;
                return;
            }
            int len = digits(v);
            int from = digits.length - len;
            int w = c.width();
            if (n + Math.max(w, len) > buf.length) drain();
            if (w <= 0) {
                copy(from, len);
            } else if (len >= w) {
                copy(from, w);
            } else {
                if (c.right()) pad(w - len);
                copy(from, len);
                if (!c.right()) pad(w - len);
            }
        }

        /**
         * Writes {@code v}'s digits at the end of {@code digits} and returns how many. The digits
         * of the number before are still there: one more than it (ids in a row) only carries.
         */
        private int digits(long v) {
            int end = digits.length;
            if (v > 1 && v == lastNumber + 1) {
                int i = end - 1;
                while (i >= end - lastLength && digits[i] == '9') digits[i--] = '0';
                if (i < end - lastLength) {
                    digits[i] = '1';
                    lastLength++;
                } else {
                    digits[i]++;
                }
                lastNumber = v;
                return lastLength;
            }
            int len = 0;
            long x = Math.abs(v);
            // two digits per division, in int arithmetic while the number fits (a long division is slow in C1)
            while (x > Integer.MAX_VALUE) {
                long q = x / 100;
                int r = (int) (x - q * 100);
                digits[end - 1 - len++] = (byte) ('0' + r % 10);
                digits[end - 1 - len++] = (byte) ('0' + r / 10);
                x = q;
            }
            int y = (int) x;
            while (y >= 100) {
                int q = y / 100;
                int r = y - q * 100;
                digits[end - 1 - len++] = (byte) ('0' + r % 10);
                digits[end - 1 - len++] = (byte) ('0' + r / 10);
                y = q;
            }
            if (y >= 10) {
                digits[end - 1 - len++] = (byte) ('0' + y % 10);
                digits[end - 1 - len++] = (byte) ('0' + y / 10);
            } else {
                digits[end - 1 - len++] = (byte) ('0' + y);
            }
            if (v < 0) digits[end - 1 - len++] = '-';
            lastNumber = v > 0 ? v : 0;
            lastLength = len;
            return len;
        }

        private void copy(int from, int len) {
            System.arraycopy(digits, from, buf, n, len);
            n += len;
        }

        private void pad(int k) {
            java.util.Arrays.fill(buf, n, n + k, (byte) ' ');
            n += k;
        }

        void newline() {
            put(EOL);
        }

        private void drain() {
            out.write(buf, 0, n);
            n = 0;
        }

        void flush() {
            drain();
            out.flush();
        }
    }

    /** squeue --start's columns (Slurm's). */
    static final String START_FORMAT = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R";

    /**
     * When a job starts or is expected to: its start once running; for a pending one the start of
     * its reservation, else its --begin time while that is ahead; 0 when unknown.
     */
    static long expectedStart(QueueRow r, long now) {
        // a job that ended without starting started when it ended, as slurmctld records it
        if (r.state() != JobState.PENDING) return r.start() > 0 ? r.start() : r.end();
        if (r.schedNodes() != null || r.expectedStart() > 0) return r.expectedStart();
        return r.begin() > now ? r.begin() : 0;
    }

    private static long jobId(String s) {
        int u = s.indexOf('_');
        if (u > 0) s = s.substring(0, u);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new UsageException("error: Invalid job id: " + s, 1, false);
        }
    }

    /** The task of {@code A_3}, -1 for a plain id. */
    private static int taskId(String s) {
        int u = s.indexOf('_');
        if (u <= 0) return -1;
        try {
            return Integer.parseInt(s.substring(u + 1));
        } catch (NumberFormatException e) {
            throw new UsageException("error: Invalid job id: " + s, 1, false);
        }
    }

    /** Slurm's job states (names and codes) no Motley job is ever in: -t accepts them, and they match no job. */
    private static final Set<String> NEVER = Set.of(
            "CG",
            "COMPLETING",
            "CF",
            "CONFIGURING",
            "PR",
            "PREEMPTED",
            "BF",
            "BOOT_FAIL",
            "RQ",
            "REQUEUED",
            "RS",
            "RESIZING",
            "RD",
            "RESV_DEL_HOLD",
            "RF",
            "REQUEUE_FED",
            "RH",
            "REQUEUE_HOLD",
            "RV",
            "REVOKED",
            "SE",
            "SPECIAL_EXIT",
            "SI",
            "SIGNALING",
            "SO",
            "STAGE_OUT",
            "ST",
            "STOPPED");

    /** The states Slurm 22.05's squeue lists after a state it does not know, in its order. */
    static final String VALID_STATES = "PENDING,RUNNING,SUSPENDED,COMPLETED,CANCELLED,FAILED,TIMEOUT,NODE_FAIL,"
            + "PREEMPTED,BOOT_FAIL,DEADLINE,OUT_OF_MEMORY,COMPLETING,CONFIGURING,RESIZING,RESV_DEL_HOLD,REQUEUED,"
            + "REQUEUE_FED,REQUEUE_HOLD,REVOKED,SIGNALING,SPECIAL_EXIT,STAGE_OUT,STOPPED";

    static EnumSet<JobState> parseStates(String list) {
        EnumSet<JobState> out = EnumSet.noneOf(JobState.class);
        for (String s : list.split(",")) {
            if (s.equalsIgnoreCase("all")) return EnumSet.allOf(JobState.class);
            if (NEVER.contains(s.trim().toUpperCase(Locale.ROOT))) continue;
            out.add(JobState.parse(s)
                    .orElseThrow(() -> new UsageException(
                            "error: Invalid job state specified: " + s + "\nsqueue: error: Valid job states include: "
                                    + VALID_STATES + "\n",
                            1,
                            false)));
        }
        return out;
    }

    static String header(char c) {
        return switch (c) {
            case 'i', 'A' -> "JOBID";
            case 'P' -> "PARTITION";
            case 'j' -> "NAME";
            case 'u' -> "USER";
            case 'U' -> "UID";
            case 'g', 'G' -> "GROUP";
            case 'b' -> "TRES_PER_NODE";
            case 'd' -> "MIN_TMP_DISK";
            case 'f' -> "FEATURES";
            case 'F' -> "ARRAY_JOB_ID";
            case 'h' -> "OVER_SUBSCRIBE";
            case 'H' -> "SOCKETS_PER_NODE";
            case 'I' -> "CORES_PER_SOCKET";
            case 'J' -> "THREADS_PER_CORE";
            case 'K' -> "ARRAY_TASK_ID";
            case 'n' -> "REQ_NODES";
            case 'O' -> "CONTIGUOUS";
            case 'p' -> "PRIORITY";
            case 'v' -> "RESERVATION";
            case 'w' -> "WCKEY";
            case 'W' -> "LICENSES";
            case 'x' -> "EXC_NODES";
            case 'X' -> "CORE_SPEC";
            case 'z' -> "S:C:T";
            case 'T' -> "STATE";
            case 't' -> "ST";
            case 'M' -> "TIME";
            case 'l' -> "TIME_LIMIT";
            case 'L' -> "TIME_LEFT";
            case 'D' -> "NODES";
            case 'R' -> "NODELIST(REASON)";
            case 'N' -> "NODELIST";
            case 'r' -> "REASON";
            case 'C' -> "CPUS";
            case 'c' -> "MIN_CPUS";
            case 'm' -> "MIN_MEMORY";
            case 'V' -> "SUBMIT_TIME";
            case 'S' -> "START_TIME";
            case 'e' -> "END_TIME";
            case 'Z' -> "WORK_DIR";
            case 'a' -> "ACCOUNT";
            case 'k' -> "COMMENT";
            case 'Q' -> "PRIORITY";
            case 'o' -> "COMMAND";
            case 'q' -> "QOS";
            case 'y' -> "NICE";
            case 'B' -> "EXEC_HOST";
            case 'E' -> "DEPENDENCY";
            case 'Y' -> "SCHEDNODES";
            default -> {
                RecordField rf = recordField(c);
                if (rf != null) yield rf.header();
                String[] f = LONG_ONLY_FIELDS.get(c);
                yield f == null ? null : f[1];
            }
        };
    }

    /**
     * A field with its control characters written out: records stored before they were refused
     * at submit may hold them, and a newline in a name must not start a row of its own.
     */
    private static Function<QueueRow, String> escaped(Function<QueueRow, String> f) {
        return f == null ? null : r -> FreeText.escape(f.apply(r));
    }

    /** What format code {@code c} prints of a row; null for a code squeue does not know. */
    static Function<QueueRow, String> field(char c, Io io) {
        // a queue's times repeat (every pending job's is 0:00): format each value once
        Map<Long, String> durations = new HashMap<>();
        java.util.function.LongFunction<String> compact =
                t -> durations.computeIfAbsent(t, x -> Durations.formatCompact(x));
        return switch (c) {
            case 'i' -> r -> r.display() != null ? r.display() : Long.toString(r.id());
            // the record's own id (Slurm's job_id), where %i prints an array task's A_T
            case 'A' -> r -> Long.toString(r.id());
            case 'P' -> QueueRow::partition;
            case 'j' -> QueueRow::name;
            case 'u' -> QueueRow::user;
            case 'U' -> r -> Long.toString(r.uid());
            case 'F' -> r -> Long.toString(r.arrayJobId() != 0 ? r.arrayJobId() : r.id());
            case 'g' -> r -> Scontrol.groupName((int) r.gid());
            case 'G' -> r -> Long.toString(r.gid());
            case 'K' -> Squeue::arrayTaskId;
            case 'p' -> r -> priorityFraction(r.priority());
            case 'T' -> r -> r.state().name();
            case 't' -> r -> r.state().code();
            case 'M' -> r -> compact.apply(elapsed(r, io.nowSeconds()));
            case 'l' -> r -> compact.apply(limit(r.limit(), r.start()));
            case 'L' -> r -> compact.apply(timeLeft(r, io.nowSeconds()));
            // the nodes held, or while pending the fewest asked for (-N 2 shows 2, as in Slurm)
            case 'D' -> r -> Long.toString(r.nodes());
            case 'R' -> QueueRow::nodesOrReason;
            case 'N' -> r -> r.node() == null ? "" : r.node();
            // a job that never ran has no batch host: n/a, as Slurm's
            case 'B' ->
                r -> r.node() == null || r.node().isEmpty()
                        ? "n/a"
                        : Hostlist.expand(r.node()).get(0);
            case 'r' -> QueueRow::reason;
            case 'C' -> r -> Long.toString(r.cpus());
            case 'c' -> r -> Long.toString(r.minCpus() > 0 ? r.minCpus() : r.cpus());
            case 'm' -> QueueRow::memory;
            case 'V' -> r -> JobText.timestamp(r.submit(), io.zone(), "N/A");
            case 'S' -> r -> JobText.timestamp(expectedStart(r, io.nowSeconds()), io.zone(), "N/A");
            case 'Y' -> r -> r.schedNodes() != null && r.state() == JobState.PENDING ? r.schedNodes() : "(null)";
            case 'e' -> r -> endTime(r, io);
            case 'Z' -> QueueRow::workDir;
            case 'a' -> r -> r.account() == null ? "(null)" : r.account();
            case 'k' -> r -> r.comment() == null ? "(null)" : r.comment();
            case 'Q' -> r -> Long.toString(r.priority());
            case 'q' -> r -> r.qos() == null ? "normal" : r.qos();
            case 'y' -> r -> Long.toString(r.nice());
            case 'E' ->
                r -> r.dependency() == null
                        ? "(null)"
                        : r.dependency()
                                + (PendingReason.DependencyNeverSatisfied.name().equals(r.reason())
                                        ? "(failed)"
                                        : "(unfulfilled)");
            default -> {
                String constant = constant(c);
                yield constant == null ? null : r -> constant;
            }
        };
    }

    /**
     * The fields Motley has no per-job value for, with what Slurm 22.05 prints for a job that asked
     * for none of them: no requested or excluded nodes for squeue (%n, %x: Slurm prints them empty
     * when none were asked for).
     */
    private static final Map<Character, String> CONSTANTS = Map.ofEntries(
            Map.entry('b', "N/A"),
            Map.entry('d', "0"),
            Map.entry('f', "(null)"),
            Map.entry('H', "*"),
            Map.entry('I', "*"),
            Map.entry('J', "*"),
            Map.entry('n', ""),
            Map.entry('v', "(null)"),
            Map.entry('w', "(null)"),
            Map.entry('W', "(null)"),
            Map.entry('x', ""),
            Map.entry('X', "N/A"),
            Map.entry('z', "*:*:*"));

    /** %K: a task's id, a pending array's task range, N/A for a job of no array (as Slurm's). */
    static String arrayTaskId(QueueRow r) {
        if (r.pending() != null) {
            // with the throttle, as the folded id shows it (1-20%2)
            String d = r.display();
            int b = d == null ? -1 : d.indexOf("_[");
            return b > 0 && d.endsWith("]") ? d.substring(b + 2, d.length() - 1) : r.pending();
        }
        if (r.display() != null) {
            int u = r.display().indexOf('_');
            if (u > 0) {
                String task = r.display().substring(u + 1);
                return task.startsWith("[") && task.endsWith("]") ? task.substring(1, task.length() - 1) : task;
            }
        }
        return "N/A";
    }

    /** %p: the priority as a fraction of the largest, printed as Slurm's {@code %16.14f}. */
    static String priorityFraction(long priority) {
        return String.format(Locale.ROOT, "%16.14f", priority / 4294967295.0);
    }

    /** Seconds the job has run (or ran), as squeue's TIME shows. */
    private static long elapsed(QueueRow r, long now) {
        return elapsed(r.state(), r.start(), r.end(), r.paused(), now);
    }

    /**
     * squeue's TIME, as Slurm's job_time_used: time suspended does not count, and a suspended
     * job's clock stands at what it ran before ({@code paused}, see QueueTable#PAUSED).
     */
    private static long elapsed(JobState state, long start, long end, long paused, long now) {
        if (start == 0) return 0;
        if (state == JobState.SUSPENDED) return paused;
        return Math.max(0, (end != 0 ? end : now) - start - paused);
    }

    private static long limit(long limit) {
        return limit < 0 ? Durations.UNLIMITED : limit;
    }

    /**
     * %e as Slurm's: the end, else the start (or a pending job's expected start) plus the limit
     * (365 days for a started job without one; NONE for a pending one), else N/A.
     */
    private static String endTime(QueueRow r, Io io) {
        if (r.end() > 0) return JobText.timestamp(r.end(), io.zone(), "N/A");
        // a resumed job's end is moved by the time it spent suspended, as slurmctld moves it
        long moved = r.state() == JobState.SUSPENDED ? 0 : r.paused();
        if (r.start() > 0) return JobText.timestamp(r.start() + limit(r.limit(), r.start()) + moved, io.zone(), "N/A");
        long expected = r.state() == JobState.PENDING ? expectedStart(r, io.nowSeconds()) : 0;
        if (expected <= 0) return "N/A";
        return r.limit() > 0 ? JobText.timestamp(expected + r.limit(), io.zone(), "N/A") : "NONE";
    }

    /** Slurm's limit of a job without one once it has started: 365 days, as slurmctld sets it. */
    static final long NO_LIMIT_RUN = 365L * 86400;

    /** The limit a job shows: without one, UNLIMITED until it starts and 365 days from then. */
    private static long limit(long limit, long start) {
        return limit < 0 && start > 0 ? NO_LIMIT_RUN : limit(limit);
    }

    /** %L: the limit less the time used (a finished job's run), UNLIMITED for a job without a limit that never ran. */
    private static long timeLeft(QueueRow r, long now) {
        long lim = limit(r.limit(), r.start());
        if (lim == Durations.UNLIMITED) return lim;
        return Math.max(0, lim - elapsed(r, now));
    }

    private static final String HELP = """
            Usage: squeue [OPTIONS]
              -j, --jobs=LIST        job ids to show
              -s, --steps            running job steps (srun) instead of jobs
              -u, --user=LIST        users (names or uids) whose jobs to show
                  --me               only my jobs
              -t, --states=LIST      states to show (PD,R,CD,F,CA,TO,NF,OOM or 'all'); default PD,R
              -p, --partition=LIST   partitions to show
              -n, --name=LIST        job names to show
              -A, --account=LIST     accounts whose jobs to show
              -w, --nodelist=HOSTS   jobs on these nodes
              -h, --noheader         no header line
              -M, --clusters=NAME    this cluster (its ClusterName, or all): its name heads the output
              -O, --Format=FIELDS    Slurm's field names, each NAME[:[.]WIDTH]
              -o, --format=FORMAT    fields: Slurm's %-codes (see squeue(1))
              -l, --long             long format with state and time limit
                  --json             the selected jobs as data_parser v0.0.40's JSON (the REST API's
                                     GET /slurm/v0.0.40/jobs; docs/rest.md)
              -r, --array            one line per pending array task
              -q, --qos=LIST         QOS whose jobs to show
              -S, --sort=KEYS        sort by format codes, e.g. P,-t,i ('-' descending)
              -i, --iterate=SECONDS  list again every SECONDS
              -L, --licenses=LIST    -R, --reservation=NAME: match no job (Motley has neither)
                  --federation  --local  --sibling: change nothing (one cluster)
                  --start            pending jobs with their expected start times (known for jobs
                                     holding a backfill reservation, and for --begin) and the node
                                     planned (SCHEDNODES)""";
}
