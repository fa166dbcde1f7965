package io.motley.cli.command;

import io.motley.cli.client.AgentClient;
import io.motley.cli.client.AgentClient.RequestFailed;
import io.motley.cli.step.LocalTasks;
import io.motley.cli.step.TaskEnds;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.size.MemorySize;
import io.motley.core.step.Step;
import io.motley.core.step.StepEnvironment;
import io.motley.core.step.StepPattern;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
import io.motley.core.step.TaskLayout;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Failure;
import io.motley.protocol.StepMessages;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * srun inside an allocation (a batch script, or a step's own tasks): creates a step of the job
 * through the controller, which admits it within the allocation, runs its tasks here with the
 * step's environment, passes their output back line by line, reports the step's end and exits
 * with the highest task status. See {@link LocalTasks} for where the tasks run.
 */
public final class Srun implements Command {
    static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('n', "ntasks"),
            OptionSpec.value('N', "nodes"),
            OptionSpec.value('w', "nodelist"),
            OptionSpec.value('\0', "ntasks-per-node"),
            OptionSpec.value('c', "cpus-per-task"),
            OptionSpec.value('\0', "mem"),
            OptionSpec.flag('\0', "exclusive"),
            OptionSpec.flag('\0', "overlap"),
            OptionSpec.flag('l', "label"),
            OptionSpec.flag('u', "unbuffered"),
            OptionSpec.value('o', "output"),
            OptionSpec.value('e', "error"),
            OptionSpec.value('i', "input"),
            OptionSpec.value('\0', "open-mode"),
            OptionSpec.value('\0', "cpu-bind"),
            OptionSpec.value('\0', "export"),
            OptionSpec.optional('K', "kill-on-bad-exit"),
            OptionSpec.value('\0', "mpi"),
            OptionSpec.value('J', "job-name"),
            OptionSpec.value('\0', "jobid"),
            OptionSpec.value('D', "chdir"),
            OptionSpec.value('t', "time"),
            OptionSpec.value('p', "partition"),
            OptionSpec.value('A', "account"),
            OptionSpec.value('\0', "gres"),
            OptionSpec.value('G', "gpus"),
            OptionSpec.value('\0', "gpus-per-node"),
            OptionSpec.value('\0', "gpus-per-task"),
            OptionSpec.flag('\0', "exact"),
            OptionSpec.flag('\0', "pty"),
            OptionSpec.flag('Q', "quiet"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    static final String HELP = """
            Usage: srun [OPTIONS] executable [args...]
            Runs a parallel job step inside the allocation of a running job (a batch script, a salloc
            shell or a step); outside one, first makes a job for it and ends the job with the step.
              -n, --ntasks=N            number of tasks (default: $SLURM_NTASKS, else one per node)
              -N, --nodes=N             number of the job's nodes to use
              -w, --nodelist=HOSTLIST   the job's nodes to use (Motley: the step must get exactly these)
                  --ntasks-per-node=N   tasks on each node
              -c, --cpus-per-task=N     CPUs each task takes
                  --mem=SIZE            memory the step takes on each node (default: shares the job's)
                  --exclusive           the step's CPUs are its own (the default)
                  --overlap             share CPUs with the job's other steps
              -l, --label               put the task id before each line of output
              -u, --unbuffered          pass output on as it comes, not line by line
              -o, --output=PATTERN      stdout to a file (%j %J %s %t %n %N %A %a %u %x %%)
              -e, --error=PATTERN       stderr to a file
              -i, --input=WHAT          stdin: none, all, a task id, or a file pattern (default: task 0)
                  --cpu-bind=TYPE       none, cores (each task on its own CPUs), with q/quiet or v/verbose
                  --export=ALL|NONE|VARS the environment the tasks get (default ALL)
              -K, --kill-on-bad-exit    end the step when a task exits non-zero
                  --mpi=none            the only MPI plugin type
              -J, --job-name=NAME       the step's name (default: the command)
              -D, --chdir=DIR           the tasks' working directory
                  --gres=gpu[:TYPE]:N   GPUs per node for the job srun makes outside an allocation
              -G, --gpus=[TYPE:]N       (also --gpus-per-node, --gpus-per-task); inside one, the step
                                        has all of the job's GPUs on its nodes
                  --pty                 task 0 runs on srun's terminal (srun --pty bash)
                  --jobid=JOBID         a step of that running job (yours), from any host: srun --jobid=N --overlap --pty bash
              -t, --time, -p, --partition, -A, --account: the job's, outside an allocation
            Ctrl-C once shows the tasks' states; twice within a second cancels the step.""";

    /** How long the tasks have between SIGTERM and SIGKILL when their step is cancelled. */
    static final long KILL_WAIT_MS = 2000;

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt getopt = new GetOpt("srun", OPTIONS, true);
        GetOpt.Parsed o = getopt.parse(args);
        if (Command.helpOrVersion(o, io, HELP)) return 0;
        if (o.operands().isEmpty()) throw new UsageException("fatal: No command given to execute.", 1, false);
        if (o.has("mpi") && !o.last("mpi").equals("none")) {
            throw new UsageException(
                    "error: MPI type " + o.last("mpi") + " is not supported by Motley (use --mpi=none, or mpirun)",
                    1,
                    false);
        }
        // --jobid: a step of that running job, from anywhere (the owner's or root's), as in Slurm
        String jobIdText = o.has("jobid") ? o.last("jobid") : io.env().get("SLURM_JOB_ID");
        if (jobIdText == null || jobIdText.isEmpty()) return SrunOutside.run(args, o, getopt, io);
        long jobId = getopt.number("--jobid", jobIdText.trim(), 1, Long.MAX_VALUE);
        StepRequest req = request(o, getopt, io.env());
        Step step = create(jobId, req, io, o.has("quiet"));
        if (step == null) return 1;
        String wrong = notOnNodelist(step, o);
        if (wrong != null) {
            io.err().println("srun: error: " + wrong);
            end(io, step, StepState.FAILED, 1, 0);
            return 1;
        }
        return new Srun().runStep(step, req, o, io);
    }

    /**
     * Why this srun runs in the JVM client rather than in the agent for the native client (null: it
     * may run in the agent). The agent starts no process and opens no file for a caller, so srun
     * runs there only with no file of its own to open (the step's tasks are started by the nodes'
     * agents, outside an allocation too: see {@link SrunOutside}): not with --pty (a terminal), and
     * not with -o, -e or an -i file.
     */
    public static String whyInJvm(List<String> args, Map<String, String> env) {
        GetOpt.Parsed o;
        try {
            o = new GetOpt("srun", OPTIONS, true).parse(args);
        } catch (UsageException e) {
            return null; // the same message either way
        }
        if (o.has("pty")) return "srun --pty";
        if (o.has("output") || o.has("error")) return "srun with an output file";
        if (o.has("input") && !o.last("input").matches("none|all|\\d+")) return "srun with an input file";
        return null;
    }

    /** The nodes -w names, in their order; empty without -w. */
    static List<String> nodelist(GetOpt.Parsed o) {
        if (!o.has("nodelist")) return List.of();
        try {
            return Hostlist.expand(o.last("nodelist"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("error: Invalid node list specified", 1, false);
        }
    }

    /**
     * Why the step cannot run where -w asked (null when it can). The controller gives a step the nodes -w names;
     * one from before it gives the first free nodes of the job, and then the step runs only when those are the
     * nodes -w names.
     */
    static String notOnNodelist(Step step, GetOpt.Parsed o) {
        List<String> asked = nodelist(o);
        if (asked.isEmpty() || Set.copyOf(asked).equals(Set.copyOf(step.nodes()))) return null;
        return "Unable to run StepId=" + step.displayId() + " on " + Hostlist.compressInOrder(asked)
                + ": the controller gave it " + Hostlist.compressInOrder(step.nodes())
                + " (a controller from before steps could name their nodes)";
    }

    /** The step srun asks for, from its options and the job's environment. */
    static StepRequest request(GetOpt.Parsed o, GetOpt getopt, Map<String, String> env) {
        int nodes = o.has("nodes")
                ? (int) getopt.number("--nodes", firstOfRange(o.last("nodes")), 1, 1 << 20)
                : nodelist(o).size();
        int perNode = o.has("ntasks-per-node")
                ? (int) getopt.number("--ntasks-per-node", o.last("ntasks-per-node"), 1, 1 << 20)
                : 0;
        int tasks;
        if (o.has("ntasks")) tasks = (int) getopt.number("--ntasks", o.last("ntasks"), 1, 1 << 20);
        else if (perNode > 0) tasks = perNode * Math.max(1, nodes);
        else if (nodes > 0) tasks = nodes;
        else tasks = (int) getopt.number("SLURM_NTASKS", env.getOrDefault("SLURM_NTASKS", "1"), 1, 1 << 20);
        String cpt = o.has("cpus-per-task") ? o.last("cpus-per-task") : env.get("SRUN_CPUS_PER_TASK");
        int cpus = cpt == null ? 1 : (int) getopt.number("--cpus-per-task", cpt, 1, 1 << 16);
        long mem = 0;
        if (o.has("mem")) {
            try {
                mem = MemorySize.parseMebibytes(o.last("mem"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("error: Invalid --mem specification", 1, false);
            }
        }
        String name = o.has("job-name")
                ? o.last("job-name")
                : Path.of(o.operands().get(0)).getFileName().toString();
        return new StepRequest(
                tasks, nodes, perNode, cpus, mem, o.has("overlap") && !o.has("exclusive"), name, nodelist(o));
    }

    private static String firstOfRange(String nodes) {
        int dash = nodes.indexOf('-');
        return dash > 0 ? nodes.substring(0, dash) : nodes;
    }

    /** Creates the step, waiting while the allocation is busy as Slurm's srun does; null when refused. */
    static Step create(long jobId, StepRequest req, Io io, boolean quiet) throws Exception {
        boolean told = false;
        long pause = 100;
        while (true) {
            try {
                Step s = io.gateway()
                        .ask(new StepMessages.Create(jobId, req))
                        .steps()
                        .get(0);
                if (told && !quiet) io.err().println("srun: Step created for StepId=" + s.displayId());
                return s;
            } catch (RequestFailed e) {
                if (!"retry".equals(e.detail())) {
                    io.err().println("srun: error: Unable to create step for job " + jobId + ": " + e.getMessage());
                    return null;
                }
                if (!told && !quiet) {
                    io.err()
                            .println("srun: Job " + jobId + " step creation temporarily disabled, retrying ("
                                    + e.getMessage() + ")");
                }
                told = true;
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 1000);
            }
        }
    }

    int runStep(Step step, StepRequest req, GetOpt.Parsed o, Io io) throws Exception {
        String here = here(step, io);
        TaskLayout layout = TaskLayout.block(step.nodes(), req.tasks(), req.tasksPerNode());
        // run by the agent for the native client, srun starts no process of its own: each node's agent starts that
        // node's tasks, this one's too, as it starts those of a step's other nodes (in the job's box, as its user)
        int nodeIndex = io.hosted() ? -1 : step.nodes().indexOf(here);
        List<Integer> localIds = nodeIndex < 0 ? List.of() : layout.tasksOn(nodeIndex);
        // --pty with task 0 on another node: it runs there on a terminal of its own, relayed to srun's (made raw here)
        StepMessages.Terminal terminal = null;
        RawTerminal raw = null;
        if (o.has("pty") && !localIds.contains(0)) {
            terminal = StepMessages.Terminal.ofSttySize(RawTerminal.size());
            raw = RawTerminal.enter();
        }
        try {
            return runStep(step, req, o, io, here, layout, nodeIndex, terminal, raw);
        } finally {
            if (raw != null) raw.close();
        }
    }

    private int runStep(
            Step step,
            StepRequest req,
            GetOpt.Parsed o,
            Io io,
            String here,
            TaskLayout layout,
            int nodeIndex,
            StepMessages.Terminal terminal,
            RawTerminal raw)
            throws Exception {
        boolean label = o.has("label");
        // a terminal's bytes go on as they come, as Slurm's --pty implies -u
        LocalTasks tasks = new LocalTasks(here, label, layout.tasks(), o.has("unbuffered") || o.has("pty"));
        String bind = o.has("cpu-bind") ? o.last("cpu-bind") : "none";
        Set<String> bindWords = Set.of(bind.split(","));
        boolean cores = bindWords.contains("cores") || bindWords.contains("threads");
        boolean verboseBind = bindWords.contains("v") || bindWords.contains("verbose");
        for (String w : bindWords) {
            if (!Set.of("none", "no", "cores", "threads", "q", "quiet", "v", "verbose")
                    .contains(w)) {
                io.err().println("srun: error: Invalid --cpu-bind argument: " + bind);
                end(io, step, StepState.FAILED, 1, 0);
                return 1;
            }
        }
        List<Integer> jobCpus = cores && nodeIndex >= 0 ? allowedCpus() : List.of();
        if (cores && nodeIndex >= 0 && !tasks.canBind())
            io.err().println("srun: warning: --cpu-bind=cores needs taskset(1), which is missing: tasks are not bound");

        Path cwd = Path.of(io.cwd())
                .resolve(o.has("chdir") ? o.last("chdir") : ".")
                .normalize();
        Map<String, String> base = exported(io.env(), o.has("export") ? o.last("export") : "ALL");
        // set by the script of the job that srun outside an allocation makes: this srun ends that job when aborted
        boolean endsJob = "1".equals(io.env().get(ENDS_JOB));
        base.remove(ENDS_JOB);
        // the agent opens no path for a caller: HostedCommands sends srun with files to the JVM client
        if (io.hosted() && (o.has("output") || o.has("error")))
            throw new IllegalStateException("srun in the agent with an output file");
        boolean append = "append".equals(o.last("open-mode"));
        Map<String, LocalTasks.Sink> files = new LinkedHashMap<>();
        LocalTasks.Sink srunOut = new LocalTasks.Sink(io.out(), false);
        LocalTasks.Sink srunErr = new LocalTasks.Sink(io.err(), false);
        String input = o.has("input") ? o.last("input") : "0";
        int jobCpusOnNode = parseInt(io.env().get("SLURM_CPUS_ON_NODE"), req.cpus());
        long arrayJob = parseLong(io.env().get("SLURM_ARRAY_JOB_ID"), step.jobId());
        long arrayTask = parseLong(io.env().get("SLURM_ARRAY_TASK_ID"), 4294967294L);
        String jobName = io.env().getOrDefault("SLURM_JOB_NAME", step.name());
        AtomicBoolean cancelled = new AtomicBoolean();
        // the tasks on other nodes not yet ended, to their nodes (Ctrl-C's report reads it)
        Map<Integer, String> remoteRunning = new java.util.concurrent.ConcurrentSkipListMap<>();
        // Ctrl-C is taken before any task starts: one that came in between would end srun and leave its tasks
        if (o.has("pty")) io.interrupts().ignore();
        else installInterrupt(step, tasks, remoteRunning, io, cancelled);
        AtomicBoolean badExited = new AtomicBoolean();
        java.util.function.BiConsumer<Integer, Integer> badExit =
                o.has("kill-on-bad-exit") && !"0".equals(o.last("kill-on-bad-exit"))
                        ? killOnBadExit(step, tasks, io, badExited)
                        : (task, status) -> {};
        List<StepMessages.RemoteTask> remote = new ArrayList<>();
        Map<Integer, LocalTasks.Sink[]> remoteSinks = new LinkedHashMap<>();
        try {
            for (int t = 0; t < layout.tasks(); t++) {
                int taskNode = layout.nodeOf(t);
                String node = step.nodes().get(taskNode);
                Map<String, String> env = new LinkedHashMap<>(base);
                env.putAll(StepEnvironment.forTask(
                        step.id(),
                        layout,
                        t,
                        parseInt(io.env().get("SLURM_JOB_NUM_NODES"), 1),
                        jobCpusOnNode,
                        o.has("cpus-per-task") ? req.cpusPerTask() : 0));
                env.put("SLURMD_NODENAME", node);
                env.remove("SLURM_TASK_PID");
                StepPattern.Fields f = new StepPattern.Fields(
                        step.jobId(), step.id(), t, taskNode, node, arrayJob, arrayTask, io.userName(), jobName);
                LocalTasks.Sink out = o.has("output") ? file(files, o.last("output"), f, cwd, append) : srunOut;
                LocalTasks.Sink err =
                        o.has("error") ? file(files, o.last("error"), f, cwd, append) : o.has("output") ? out : srunErr;
                if (taskNode != nodeIndex) {
                    // its node's agent runs it, in the job's box there, bound there as srun binds its own; its stdin is
                    // srun's when -i gives it srun's (task 0 by default), else /dev/null
                    StepMessages.Bind binding = cores || verboseBind
                            ? new StepMessages.Bind(
                                    layout.tasksOn(taskNode).indexOf(t), cores ? req.cpusPerTask() : 0, verboseBind)
                            : null;
                    boolean tty = t == 0 && terminal != null;
                    boolean reads = tty || !o.has("pty") && input(input, t, f, cwd) instanceof LocalTasks.FromSrun;
                    remote.add(new StepMessages.RemoteTask(t, node, env, binding, reads, tty ? terminal : null));
                    remoteSinks.put(t, new LocalTasks.Sink[] {out, err});
                    continue;
                }
                LocalTasks.Input in = o.has("pty")
                        ? (t == 0 ? new LocalTasks.Terminal() : new LocalTasks.NoInput())
                        : input(input, t, f, cwd);
                int local = layout.tasksOn(nodeIndex).indexOf(t);
                List<Integer> cpus = new ArrayList<>();
                for (int k = 0; k < req.cpusPerTask() && !jobCpus.isEmpty(); k++)
                    cpus.add(jobCpus.get((local * req.cpusPerTask() + k) % jobCpus.size()));
                tasks.start(new LocalTasks.Task(t, o.operands(), env, cwd, out, err, in, cpus), io.in());
            }
            if (verboseBind && cores) {
                tasks.pids().forEach((t, pid) -> {
                    int local = layout.tasksOn(nodeIndex).indexOf(t);
                    long mask = 0;
                    for (int k = 0; k < req.cpusPerTask() && !jobCpus.isEmpty(); k++)
                        mask |= 1L << jobCpus.get((local * req.cpusPerTask() + k) % jobCpus.size());
                    io.err()
                            .printf(
                                    "cpu-bind=MASK - %s, task %2d %2d [%d]: mask 0x%x set%n",
                                    here, t, local, pid, mask);
                });
            } else if (verboseBind) {
                tasks.pids()
                        .forEach((t, pid) -> io.err()
                                .printf(
                                        "cpu-bind=NONE - %s, task %2d %2d [%d]: mask 0x0 set%n",
                                        here, t, layout.tasksOn(nodeIndex).indexOf(t), pid));
            }
            List<TaskEnds.End> remoteEnds = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread relay = null;
            if (!remote.isEmpty()) {
                try {
                    io.gateway()
                            .ask(new StepMessages.Launch(
                                    step.jobId(), step.id(), o.operands(), cwd.toString(), remote));
                } catch (RequestFailed e) {
                    io.err().println("srun: error: cannot start the tasks on other nodes: " + e.getMessage());
                    for (StepMessages.RemoteTask r : remote) remoteEnds.add(new TaskEnds.End(r.task(), r.node(), 1));
                    remote.clear();
                }
                if (!remote.isEmpty())
                    relay = relayRemote(step, tasks, remote, remoteSinks, remoteRunning, remoteEnds, badExit, io);
                for (StepMessages.RemoteTask r : remote)
                    if (r.stdin()) tasks.feedAlso(new RemoteInput(step.jobId(), step.id(), r.task(), io));
                // srun's terminal resized: the task's terminal there takes its new size, as Slurm's --pty does
                if (raw != null) followResizes(step, 0, io);
                // -K: a task here that failed before those were launched ends them now
                if (!remote.isEmpty() && badExited.get()) terminateRemote(step, io);
            }
            tasks.feed(io.in());
            Thread watcher = watchForCancel(step, tasks, io, cancelled);
            List<TaskEnds.End> ends;
            try {
                ends = new ArrayList<>(tasks.await());
                if (relay != null) relay.join();
            } catch (InterruptedException gone) {
                // the agent runs srun and its client has gone (killed, its terminal closed): the step ends with it, as
                // Slurm's step does when its srun dies
                watcher.interrupt();
                if (relay != null) relay.interrupt();
                Thread.interrupted();
                terminate(tasks);
                try {
                    io.gateway().ask(new StepMessages.Cancel(step.jobId(), step.id()));
                } catch (Exception e) {
                    // the step has ended already, or the controller cannot be asked: its tasks end with the job
                }
                throw gone;
            }
            ends.addAll(remoteEnds);
            ends.sort(java.util.Comparator.comparingInt(TaskEnds.End::task));
            watcher.interrupt();
            io.out().flush();
            // srun's own lines on its terminal as it was
            if (raw != null) raw.close();
            for (String line : TaskEnds.lines(ends)) io.err().println(line);
            int[] cs = TaskEnds.codeAndSignal(ends);
            StepState state = cancelled.get() ? StepState.CANCELLED : StepState.ofExit(cs[0], cs[1]);
            end(io, step, state, cs[0], cs[1]);
            // as Slurm's srun tells the controller its job was cancelled when it aborted the job's only step
            if (cancelled.get() && endsJob) Allocation.cancel(step.jobId(), io);
            return TaskEnds.exitCode(ends);
        } finally {
            LocalTasks.closeAll(List.copyOf(files.values()));
        }
    }

    /**
     * The node srun runs on: SLURMD_NODENAME inside a job; under salloc (none set: the command runs on the submit
     * host) the node of this host's agent, so that a step on the job's nodes elsewhere is started there by their
     * agents. Where the agent does not say (one from before it did), the tasks of a one-node step run here, as on the
     * job's one node.
     */
    static String here(Step step, Io io) {
        String here = io.env().get("SLURMD_NODENAME");
        if (here != null) return here;
        String mine = localNode(io);
        if (mine != null) return mine;
        return step.nodes().size() == 1 && !step.nodes().contains(io.hostname())
                ? step.nodes().get(0)
                : io.hostname();
    }

    /** The node of this host's agent, which answers a local ping with it; null where it does not. */
    static String localNode(Io io) {
        try {
            Message.Pong pong = io.gateway().ask(new Message.Ping(true));
            // an agent from before it named its node answers with none, read as the controller's default
            return pong.cluster().equals("motley") && !pong.host().equals("controller") ? pong.host() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** The environment the tasks start from: --export=ALL (srun's own), NONE (its SLURM_* only) or VARS. */
    static Map<String, String> exported(Map<String, String> env, String export) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> words = List.of(export.split(","));
        boolean all = words.contains("ALL");
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (all || e.getKey().startsWith("SLURM_") || e.getKey().equals("MOTLEY_JOB_ID"))
                out.put(e.getKey(), e.getValue());
        }
        for (String w : words) {
            if (w.equals("ALL") || w.equals("NONE") || w.isEmpty()) continue;
            int eq = w.indexOf('=');
            if (eq > 0) out.put(w.substring(0, eq), w.substring(eq + 1));
            else if (env.containsKey(w)) out.put(w, env.get(w));
        }
        // a task must find its programs and the commands of the cluster even with --export=NONE
        if (!out.containsKey("PATH")) out.put("PATH", env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        for (String keep : List.of("MOTLEY_HOME", "MOTLEY_SOCKET", "HOME", "USER", "LOGNAME"))
            if (!out.containsKey(keep) && env.containsKey(keep)) out.put(keep, env.get(keep));
        return out;
    }

    private static LocalTasks.Sink file(
            Map<String, LocalTasks.Sink> files, String pattern, StepPattern.Fields f, Path cwd, boolean append)
            throws IOException {
        String path = new StepPattern(pattern).expand(f, cwd.toString());
        LocalTasks.Sink s = files.get(path);
        if (s == null) {
            s = new LocalTasks.Sink(new FileOutputStream(path, append), true);
            files.put(path, s);
        }
        return s;
    }

    private static LocalTasks.Input input(String input, int task, StepPattern.Fields f, Path cwd) {
        if (input.equals("none")) return new LocalTasks.NoInput();
        if (input.equals("all")) return new LocalTasks.FromSrun();
        if (input.matches("\\d+"))
            return Integer.parseInt(input) == task ? new LocalTasks.FromSrun() : new LocalTasks.NoInput();
        return new LocalTasks.FromFile(Path.of(new StepPattern(input).expand(f, cwd.toString())));
    }

    /**
     * srun's stdin for a task on another node: each write travels there through the agent and the
     * controller, and returns once that node has written it to the task (so srun reads no faster
     * than the task); close ends the task's stdin. After a refusal (the task ended) it takes no more.
     */
    static final class RemoteInput extends java.io.OutputStream {
        private final long jobId;
        private final int stepId;
        private final int task;
        private final Io io;
        private boolean done;

        RemoteInput(long jobId, int stepId, int task, Io io) {
            this.jobId = jobId;
            this.stepId = stepId;
            this.task = task;
            this.io = io;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (done) throw new IOException("task " + task + " takes no more input");
            for (int i = off; i < off + len; i += StepMessages.INPUT_CHUNK)
                send(java.util.Arrays.copyOfRange(b, i, Math.min(off + len, i + StepMessages.INPUT_CHUNK)), false);
        }

        @Override
        public void close() {
            if (done) return;
            try {
                send(new byte[0], true);
            } catch (IOException e) {
                // the task has gone: its stdin went with it
            }
            done = true;
        }

        private void send(byte[] data, boolean eof) throws IOException {
            // a connection a chunk: the agent closes one that sends no request for AgentRequestTimeout, and srun's
            // stdin (a terminal, a slow pipe) may pause longer than that
            try (Line line = Line.open(io)) {
                line.ask(new StepMessages.Input(jobId, stepId, task, data, eof));
            } catch (RequestFailed | AgentClient.ClusterUnreachable e) {
                done = true;
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    /**
     * On each SIGWINCH (srun's terminal was resized) sends task {@code task}'s terminal on its node srun's new size, one
     * at a time, each read when it is sent, so that the last resize wins. Nothing where SIGWINCH cannot be caught.
     */
    static void followResizes(Step step, int task, Io io) {
        Object one = new Object();
        try {
            sun.misc.Signal.handle(
                    new sun.misc.Signal("WINCH"),
                    sig -> Thread.ofVirtual().start(() -> {
                        synchronized (one) {
                            String size = RawTerminal.size();
                            if (size == null || size.isBlank()) return;
                            try (Line line = Line.open(io)) {
                                line.ask(new StepMessages.Input(
                                        step.jobId(),
                                        step.id(),
                                        task,
                                        new byte[0],
                                        false,
                                        StepMessages.Terminal.ofSttySize(size)));
                            } catch (Exception e) {
                                // the task has ended, or the cluster cannot be reached: its terminal keeps its size
                            }
                        }
                    }));
        } catch (IllegalArgumentException e) {
            // no SIGWINCH on this system
        }
    }

    /** How long srun waits before it asks again a controller that could not be reached. */
    static final long UNREACHABLE_PAUSE_MS = 1000;

    /** How long srun tries to report its step's end to a controller that cannot be reached. */
    static final long END_TRIES_MS = 120_000;

    /** How long srun waits for the ends of tasks on other nodes once their step has ended without them. */
    static final long LOST_TASKS_WAIT_MS = 10_000;

    /**
     * Reads what the tasks on other nodes do, through the controller, until each has ended: their
     * output to their sinks, their ends to {@code ends}. A task whose end never comes after its step
     * ended (its node failed, the job ended) counts as killed.
     */
    private static Thread relayRemote(
            Step step,
            LocalTasks tasks,
            List<StepMessages.RemoteTask> remote,
            Map<Integer, LocalTasks.Sink[]> sinks,
            Map<Integer, String> waiting,
            List<TaskEnds.End> ends,
            java.util.function.BiConsumer<Integer, Integer> ended,
            Io io) {
        Map<String, LocalTasks.Relay> relays = new LinkedHashMap<>();
        for (StepMessages.RemoteTask r : remote) {
            waiting.put(r.task(), r.node());
            LocalTasks.Sink[] s = sinks.get(r.task());
            relays.put(r.task() + ".out", tasks.relay(r.task(), s[0]));
            relays.put(r.task() + ".err", tasks.relay(r.task(), s[1]));
        }
        return Thread.ofPlatform().daemon().name("srun-relay").start(() -> {
            long cursor = 0;
            long quietSince = 0;
            try (Line client = Line.open(io)) {
                while (!waiting.isEmpty()) {
                    // the controller away (restarting): the tasks run on, and their ends come once it is back
                    StepMessages.IoEvents got =
                            client.askUntilAnswered(new StepMessages.Io(step.jobId(), step.id(), cursor, 30));
                    for (StepMessages.TaskEvent e : got.events()) {
                        if (e.isEnd()) {
                            relays.get(e.task() + ".out").close();
                            relays.get(e.task() + ".err").close();
                            String node = waiting.remove(e.task());
                            if (node != null) {
                                ends.add(new TaskEnds.End(e.task(), node, e.status()));
                                ended.accept(e.task(), e.status());
                            }
                        } else {
                            LocalTasks.Relay r = relays.get(e.task() + "." + e.stream());
                            if (r != null) r.accept(e.data());
                        }
                    }
                    cursor = got.next();
                    if (got.running() || !got.events().isEmpty()) {
                        quietSince = 0;
                        continue;
                    }
                    if (quietSince == 0) quietSince = System.nanoTime();
                    if (System.nanoTime() - quietSince > LOST_TASKS_WAIT_MS * 1_000_000L) break;
                    Thread.sleep(200);
                }
            } catch (Exception e) {
                // the controller cannot be asked: the tasks not heard of count as lost
            }
            waiting.forEach((task, node) -> {
                relays.get(task + ".out").close();
                relays.get(task + ".err").close();
                ends.add(new TaskEnds.End(task, node, 128 + 9));
            });
        });
    }

    /** Waits on the controller for the step to be cancelled (scancel JOB.STEP) and then ends the tasks. */
    private static Thread watchForCancel(Step step, LocalTasks tasks, Io io, AtomicBoolean cancelled) {
        return Thread.ofPlatform().daemon().name("srun-watch").start(() -> {
            try (Line client = Line.open(io)) {
                while (!Thread.currentThread().isInterrupted()) {
                    Step now = client.askUntilAnswered(new StepMessages.Wait(step.jobId(), step.id(), 30))
                            .steps()
                            .get(0);
                    if (now.state() == StepState.RUNNING) continue;
                    if (now.state() == StepState.CANCELLED && !cancelled.getAndSet(true)) {
                        io.err().println("srun: Job step aborted: Waiting up to 32 seconds for job step to finish.");
                        io.err()
                                .println("slurmstepd: error: *** STEP " + step.displayId() + " ON "
                                        + String.join(",", step.nodes()) + " CANCELLED AT " + stamp(now.end())
                                        + " ***");
                        terminate(tasks);
                    }
                    return;
                }
            } catch (Exception e) {
                // the controller cannot be asked: the step runs on, and srun reports its end when it can
            }
        });
    }

    private static void terminate(LocalTasks tasks) {
        tasks.kill(false);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(KILL_WAIT_MS);
            } catch (InterruptedException e) {
                return;
            }
            tasks.kill(true);
        });
    }

    /**
     * -K: the first task to exit non-zero, here or on another node, ends the others: those here, and through
     * the controller those on other nodes (asked once more when they were launched after it, see the caller).
     * Returns what a task's end is told to, for the tasks on other nodes.
     */
    private static java.util.function.BiConsumer<Integer, Integer> killOnBadExit(
            Step step, LocalTasks tasks, Io io, AtomicBoolean done) {
        java.util.function.BiConsumer<Integer, Integer> onEnd = (task, status) -> {
            if (status != 0 && !done.getAndSet(true)) {
                io.err().println("srun: Terminating StepId=" + step.displayId());
                terminate(tasks);
                Thread.ofPlatform().daemon().name("srun-terminate").start(() -> terminateRemote(step, io));
            }
        };
        tasks.whenTaskEnds(onEnd);
        return onEnd;
    }

    /** Asks the controller to end the step's tasks on other nodes; the step's end is still srun's to report. */
    static void terminateRemote(Step step, Io io) {
        try {
            io.gateway().ask(new StepMessages.Terminate(step.jobId(), step.id()));
        } catch (Exception e) {
            // the step has ended (its end kills them), or the controller cannot be asked: they run to their end
        }
    }

    /** In the environment of the srun that runs the step of a job made by srun outside an allocation. */
    static final String ENDS_JOB = "MOTLEY_SRUN_ENDS_JOB";

    /** Ctrl-C once: the tasks' states; twice within a second: the step is cancelled, as in Slurm. */
    private static void installInterrupt(
            Step step, LocalTasks tasks, Map<Integer, String> remoteRunning, Io io, AtomicBoolean cancelled) {
        AtomicLong last = new AtomicLong();
        // where SIGINT cannot be taken (ignored when the JVM started, as under nohup), there is nothing to install
        io.interrupts().onInterrupt(() -> {
            long now = System.nanoTime();
            long before = last.getAndSet(now);
            if (before != 0 && now - before < 1_000_000_000L) {
                io.err().println("srun: sending Ctrl-C to StepId=" + step.displayId());
                io.err().println("srun: forcing job termination");
                io.err().println("srun: Job step aborted: Waiting up to 32 seconds for job step to finish.");
                cancelled.set(true);
                try {
                    io.gateway().ask(new StepMessages.Cancel(step.jobId(), step.id()));
                } catch (Exception e) {
                    // the tasks end here all the same; the step's end is reported when they have
                }
                tasks.kill(true);
                return;
            }
            io.err().println("srun: interrupt (one more within 1 sec to abort)");
            List<Integer> running = new ArrayList<>(tasks.runningTasks());
            running.addAll(remoteRunning.keySet());
            running.sort(null);
            List<Integer> done = new ArrayList<>(tasks.pids().keySet());
            done.removeAll(running);
            if (!running.isEmpty())
                io.err()
                        .println("srun: StepId=" + step.displayId() + " task" + (running.size() > 1 ? "s " : " ")
                                + TaskEnds.ranges(running) + ": running");
            if (!done.isEmpty())
                io.err()
                        .println("srun: StepId=" + step.displayId() + " task" + (done.size() > 1 ? "s " : " ")
                                + TaskEnds.ranges(done) + ": exited");
        });
    }

    /**
     * A way to the cluster for one of srun's threads that waits on it: a connection of its own in the
     * JVM client; the agent's relay, which takes requests from several threads at once, when the agent
     * runs srun for the native client.
     */
    interface Line extends AutoCloseable {
        <A extends io.motley.protocol.Message.Answer> A ask(io.motley.protocol.Message.Request<A> request)
                throws AgentClient.ClusterUnreachable;

        @Override
        void close();

        /**
         * For a request that only reads: asked again a second later while the controller cannot be
         * reached (it is restarting) or the connection broke before its answer came; other
         * refusals are thrown.
         */
        default <A extends io.motley.protocol.Message.Answer> A askUntilAnswered(
                io.motley.protocol.Message.Request<A> request) throws InterruptedException {
            while (true) {
                try {
                    return ask(request);
                } catch (AgentClient.ClusterUnreachable away) {
                    // asked again below
                } catch (RequestFailed f) {
                    if (!Failure.LOST.equals(f.detail())) throw f;
                }
                Thread.sleep(UNREACHABLE_PAUSE_MS);
            }
        }

        static Line open(Io io) throws AgentClient.ClusterUnreachable {
            if (io.hosted()) {
                return new Line() {
                    @Override
                    public <A extends io.motley.protocol.Message.Answer> A ask(
                            io.motley.protocol.Message.Request<A> request) throws AgentClient.ClusterUnreachable {
                        return io.gateway().ask(request);
                    }

                    @Override
                    public void close() {}
                };
            }
            AgentClient client = AgentClient.connect();
            return new Line() {
                @Override
                public <A extends io.motley.protocol.Message.Answer> A ask(
                        io.motley.protocol.Message.Request<A> request) throws AgentClient.ClusterUnreachable {
                    return client.ask(request);
                }

                @Override
                public void close() {
                    client.close();
                }
            };
        }
    }

    private static void end(Io io, Step step, StepState state, int code, int sig) {
        StepMessages.End report = new StepMessages.End(step.jobId(), step.id(), state, code, sig);
        try {
            io.gateway().ask(report);
            return;
        } catch (RequestFailed e) {
            io.err()
                    .println(
                            "srun: error: cannot record the end of StepId=" + step.displayId() + ": " + e.getMessage());
            return;
        } catch (Exception idle) {
            // the agent closes a connection left idle while the tasks ran: the end goes on a new one
        }
        // the controller away (restarting) is waited for a while: the step would stay running without its end
        long deadline = System.nanoTime() + END_TRIES_MS * 1_000_000L;
        while (true) {
            try (Line line = Line.open(io)) {
                line.ask(report);
                return;
            } catch (AgentClient.ClusterUnreachable e) {
                if (System.nanoTime() - deadline < 0) {
                    try {
                        Thread.sleep(UNREACHABLE_PAUSE_MS);
                        continue;
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt();
                    }
                }
                io.err()
                        .println("srun: error: cannot record the end of StepId=" + step.displayId() + ": "
                                + e.getMessage());
                return;
            } catch (Exception e) {
                io.err()
                        .println("srun: error: cannot record the end of StepId=" + step.displayId() + ": "
                                + e.getMessage());
                return;
            }
        }
    }

    /** The CPUs this process may run on (the job's), from /proc; empty where that cannot be read. */
    static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:"))
                    return cpuList(line.substring(18).trim());
            }
        } catch (IOException e) {
            // not Linux: no binding
        }
        return List.of();
    }

    static List<Integer> cpuList(String list) {
        List<Integer> out = new ArrayList<>();
        for (String part : list.split(",")) {
            if (part.isBlank()) continue;
            int dash = part.indexOf('-');
            int a = Integer.parseInt(
                    part.substring(0, dash < 0 ? part.length() : dash).trim());
            int b = dash < 0 ? a : Integer.parseInt(part.substring(dash + 1).trim());
            for (int i = a; i <= b; i++) out.add(i);
        }
        return out;
    }

    private static String stamp(long epoch) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
                .format(Instant.ofEpochSecond(epoch).atZone(ZoneId.systemDefault()));
    }

    private static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static long parseLong(String s, long fallback) {
        try {
            return s == null ? fallback : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
