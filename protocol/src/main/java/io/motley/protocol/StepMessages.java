package io.motley.protocol;

import io.motley.core.step.Step;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
import io.motley.core.step.TaskUsage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The requests about job steps and their one answer, a list of steps, with their frames. srun
 * creates a step in its job ({@link Create}), reports its end ({@link End}) and meanwhile waits on
 * it ({@link Wait}, answered when the step is no longer running or after the given seconds, so that
 * srun learns of a scancel); scancel JOB.STEP cancels one ({@link Cancel}); squeue -s, scontrol
 * show step and sacct list them ({@link ListSteps}).
 */
public final class StepMessages {
    private StepMessages() {}

    public static final String CREATE = "step_create";
    public static final String END = "step_end";
    public static final String WAIT = "step_wait";
    public static final String LIST = "steps";
    public static final String CANCEL = "step_cancel";
    public static final String TERMINATE = "step_terminate";

    public static final String LAUNCH = "step_launch";
    public static final String IO = "step_io";
    public static final String RUN_TASKS = "step_run";
    public static final String KILL_TASKS = "step_kill";
    public static final String TASK_EVENT = "step_task";
    public static final String STAT = "step_stat";
    public static final String STAT_TASKS = "step_stat_tasks";
    public static final String TASK_STATS = "step_task_stats";
    public static final String INPUT = "step_input";
    public static final String TASK_INPUT = "step_task_input";
    public static final String INPUT_TAKEN = "step_input_taken";

    /** The most srun's stdin one {@link Input} carries. */
    public static final int INPUT_CHUNK = 64 * 1024;

    /** The longest a {@link Wait} is held before it is answered with the step still running. */
    public static final int MAX_WAIT_SECONDS = 60;

    /** srun inside job {@code jobId}: a new step of it. */
    public record Create(long jobId, StepRequest request) implements Message.StepCall<Steps> {
        public Create {
            Objects.requireNonNull(request, "request");
        }
    }

    /** srun: its step's tasks have all ended so (the highest exit code and signal among them). */
    public record End(long jobId, int stepId, StepState state, int exitCode, int signal)
            implements Message.StepCall<Steps> {}

    /** srun: answer once step {@code stepId} is no longer running, or after {@code seconds}. */
    public record Wait(long jobId, int stepId, int seconds) implements Message.StepCall<Steps> {}

    /** The steps of these jobs (all of them, ended ones too), or every running step when {@code jobIds} is empty. */
    public record ListSteps(List<Long> jobIds) implements Message.StepCall<Steps> {
        public ListSteps {
            jobIds = List.copyOf(jobIds);
        }
    }

    /** scancel JOB.STEP. */
    public record Cancel(long jobId, int stepId) implements Message.StepCall<Steps> {}

    /**
     * srun -K, after a task exited non-zero: end the step's tasks on other nodes (SIGTERM, then SIGKILL).
     * The step stays running until srun has read their ends and reports the step's.
     */
    public record Terminate(long jobId, int stepId) implements Message.StepCall<Steps> {}

    /** The steps a request is about. */
    public record Steps(List<Step> steps) implements Message.StepAnswer {
        public Steps {
            steps = List.copyOf(steps);
        }
    }

    /**
     * One task of a step that runs on another node than its srun: its id, that node, its whole environment, its
     * CPU binding there (null for none), whether it reads srun's stdin ({@link Input}; else /dev/null), and the
     * terminal it runs on there (srun --pty; null for none), which then is its stdin, stdout and stderr.
     */
    public record RemoteTask(
            int task, String node, Map<String, String> env, Bind bind, boolean stdin, Terminal terminal) {
        public RemoteTask {
            Objects.requireNonNull(node, "node");
            env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }

        public RemoteTask(int task, String node, Map<String, String> env, Bind bind, boolean stdin) {
            this(task, node, env, bind, stdin, null);
        }

        public RemoteTask(int task, String node, Map<String, String> env, Bind bind) {
            this(task, node, env, bind, false);
        }

        public RemoteTask(int task, String node, Map<String, String> env) {
            this(task, node, env, null, false);
        }
    }

    /** A pseudo-terminal of {@code rows} by {@code cols} characters, as srun's own terminal is (srun --pty). */
    public record Terminal(int rows, int cols) {
        public Terminal {
            if (rows < 1 || rows > 9999 || cols < 1 || cols > 9999)
                throw new IllegalArgumentException("a terminal of " + rows + "x" + cols);
        }

        /** As {@code stty size} prints it ("ROWS COLS"); 24 by 80 when it cannot be read. */
        public static Terminal ofSttySize(String size) {
            String[] w = size == null ? new String[0] : size.trim().split("\\s+");
            try {
                if (w.length == 2) return new Terminal(Integer.parseInt(w[0]), Integer.parseInt(w[1]));
            } catch (IllegalArgumentException e) {
                // a size of 0 (a terminal that never said) or nonsense: the usual one
            }
            return new Terminal(24, 80);
        }
    }

    /**
     * srun: bytes of its stdin for task {@code task} of its step, which runs on another node ({@code eof}: the
     * end of it, after {@code data}). Answered once that node has written them to the task (an error when the task
     * has ended or cannot be reached), so srun sends no faster than the task reads. With {@code resize}, no bytes:
     * srun's terminal has that size now, and the task's terminal there (srun --pty) is to take it.
     */
    public record Input(long jobId, int stepId, int task, byte[] data, boolean eof, Terminal resize)
            implements Message.StepCall<Steps> {
        public Input {
            Objects.requireNonNull(data, "data");
        }

        public Input(long jobId, int stepId, int task, byte[] data, boolean eof) {
            this(jobId, stepId, task, data, eof, null);
        }
    }

    /**
     * The controller to a task's node: write {@code data} to its stdin (then close it, with {@code eof}); with
     * {@code resize}, give the task's terminal that size instead.
     */
    public record TaskInput(long tag, long jobId, int stepId, int task, byte[] data, boolean eof, Terminal resize)
            implements Message.StepOrder {
        public TaskInput {
            Objects.requireNonNull(data, "data");
        }

        public TaskInput(long tag, long jobId, int stepId, int task, byte[] data, boolean eof) {
            this(tag, jobId, stepId, task, data, eof, null);
        }
    }

    /** A node's answer to {@link TaskInput} {@code tag}: written, or why not ({@code error}). */
    public record InputTaken(long tag, String error) implements Message.StepReport {}

    /**
     * srun --cpu-bind for a task on another node: the task is the {@code local}-th of the step there and is bound
     * to {@code cpus} of the job's CPUs on that node, taken in turn as srun takes them for its own tasks (0: not
     * bound); {@code verbose} has the node say so on the task's stderr, as slurmstepd does.
     */
    public record Bind(int local, int cpus, boolean verbose) {
        public Bind {
            if (local < 0 || cpus < 0) throw new IllegalArgumentException("bind: negative");
        }
    }

    /**
     * srun: run these tasks of step {@code stepId} on their nodes, through those nodes' agents, each
     * {@code command} in {@code cwd}; their output and ends come back through {@link Io}.
     */
    public record Launch(long jobId, int stepId, List<String> command, String cwd, List<RemoteTask> tasks)
            implements Message.StepCall<Steps> {
        public Launch {
            command = List.copyOf(command);
            Objects.requireNonNull(cwd, "cwd");
            tasks = List.copyOf(tasks);
        }
    }

    /**
     * srun: what the step's tasks on other nodes did after {@code cursor} (the {@code next} of the
     * last answer, 0 at first), answered once there is something or after {@code seconds}.
     */
    public record Io(long jobId, int stepId, long cursor, int seconds) implements Message.StepCall<IoEvents> {}

    /**
     * What one task did: wrote {@code data} on {@code stream} "out" or "err", or ended ("end", with
     * {@code status} as Process.exitValue gives it: the exit code, or 128 + the signal). Sent by the
     * task's agent and passed on to srun unchanged.
     */
    public record TaskEvent(long jobId, int stepId, int task, String stream, byte[] data, int status)
            implements Message.StepReport {
        public static final String END = "end";

        public TaskEvent {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(data, "data");
        }

        public static TaskEvent ended(long jobId, int stepId, int task, int status) {
            return new TaskEvent(jobId, stepId, task, END, new byte[0], status);
        }

        public boolean isEnd() {
            return END.equals(stream);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TaskEvent e
                    && e.jobId == jobId
                    && e.stepId == stepId
                    && e.task == task
                    && e.stream.equals(stream)
                    && e.status == status
                    && Arrays.equals(e.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(jobId, stepId, task, stream, status, Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "TaskEvent[" + jobId + "." + stepId + " task=" + task + " " + stream + " bytes=" + data.length
                    + " status=" + status + "]";
        }
    }

    /**
     * The answer to {@link Io}: the events after the cursor, the cursor to ask from next, and whether
     * the step still runs (a step ended by scancel or its job's end will send no more).
     */
    public record IoEvents(long next, List<TaskEvent> events, boolean running) implements Message.StepAnswer {
        public IoEvents {
            events = List.copyOf(events);
        }
    }

    /** The controller to a node's agent: run these tasks of a step, in the job's box there, as the job's user. */
    public record RunTasks(long jobId, int stepId, List<String> command, String cwd, List<RemoteTask> tasks)
            implements Message.StepOrder {
        public RunTasks {
            command = List.copyOf(command);
            Objects.requireNonNull(cwd, "cwd");
            tasks = List.copyOf(tasks);
        }
    }

    /** The controller to a node's agent: end the step's tasks there (SIGTERM, then SIGKILL). */
    public record KillTasks(long jobId, int stepId) implements Message.StepOrder {}

    /**
     * sstat: the running steps of job {@code jobId} and what each of their tasks uses now, asked of
     * every node of the job by the controller.
     */
    public record Stat(long jobId) implements Message.StepCall<StepStats> {}

    /**
     * The answer to {@link Stat}: the job's running srun steps (as the controller holds them), each
     * task's use as its node sampled it (the batch script's as {@link TaskUsage#BATCH}), the job's
     * nodes that did not answer in time, the node its batch step runs on (empty: the job does not
     * run), and whether the caller may not see the figures (another user's job: no node was asked).
     */
    public record StepStats(
            List<Step> steps, List<TaskUsage> tasks, List<String> silent, String batchHost, boolean denied)
            implements Message.StepAnswer {
        public StepStats {
            steps = List.copyOf(steps);
            tasks = List.copyOf(tasks);
            silent = List.copyOf(silent);
            Objects.requireNonNull(batchHost, "batchHost");
        }

        /** A job that does not run: no steps. */
        public static StepStats none() {
            return new StepStats(List.of(), List.of(), List.of(), "", false);
        }
    }

    /**
     * The controller to a node's agent: sample job {@code jobId}'s tasks there and report them with
     * {@code tag}; those of step {@code step} only (a step's end), or all of them when it is null.
     */
    public record StatTasks(long tag, long jobId, Integer step) implements Message.StepOrder {
        /** Every task of the job there (sstat). */
        public StatTasks(long tag, long jobId) {
            this(tag, jobId, null);
        }
    }

    /** A node's agent to the controller: the answer to {@link StatTasks} {@code tag}. */
    public record TaskStats(long tag, long jobId, List<TaskUsage> tasks) implements Message.StepReport {
        public TaskStats {
            tasks = List.copyOf(tasks);
        }
    }

    static Frame encode(Message m) {
        return switch (m) {
            case Create x ->
                Frame.op(CREATE)
                        .put("job", x.jobId())
                        .put("tasks", x.request().tasks())
                        .put("nodes", x.request().nodes())
                        .put("tasksPerNode", x.request().tasksPerNode())
                        .put("cpusPerTask", x.request().cpusPerTask())
                        .put("mem", x.request().memMiB())
                        .put("overlap", x.request().overlap())
                        .put("name", x.request().name())
                        .put(
                                "nodelist",
                                x.request().nodelist().isEmpty()
                                        ? null
                                        : String.join(",", x.request().nodelist()));
            case End x ->
                Frame.op(END)
                        .put("job", x.jobId())
                        .put("step", x.stepId())
                        .put("state", x.state().name())
                        .put("exit", x.exitCode())
                        .put("signal", x.signal());
            case Wait x ->
                Frame.op(WAIT).put("job", x.jobId()).put("step", x.stepId()).put("seconds", x.seconds());
            case ListSteps x ->
                Frame.op(LIST)
                        .put(
                                "jobs",
                                String.join(
                                        ",",
                                        x.jobIds().stream().map(String::valueOf).toList()));
            case Cancel x -> Frame.op(CANCEL).put("job", x.jobId()).put("step", x.stepId());
            case Terminate x -> Frame.op(TERMINATE).put("job", x.jobId()).put("step", x.stepId());
            case Steps x -> {
                Frame f = Frame.op(Ops.OK);
                for (Step s : x.steps()) f.add(step(s));
                yield f;
            }
            case Launch x -> tasks(Frame.op(LAUNCH), x.jobId(), x.stepId(), x.command(), x.cwd(), x.tasks());
            case RunTasks x -> tasks(Frame.op(RUN_TASKS), x.jobId(), x.stepId(), x.command(), x.cwd(), x.tasks());
            case KillTasks x -> Frame.op(KILL_TASKS).put("job", x.jobId()).put("step", x.stepId());
            case Input x ->
                input(
                        Frame.op(INPUT)
                                .put("job", x.jobId())
                                .put("step", x.stepId())
                                .put("task", x.task()),
                        x.data(),
                        x.eof(),
                        x.resize());
            case TaskInput x ->
                input(
                        Frame.op(TASK_INPUT)
                                .put("tag", x.tag())
                                .put("job", x.jobId())
                                .put("step", x.stepId())
                                .put("task", x.task()),
                        x.data(),
                        x.eof(),
                        x.resize());
            case InputTaken x -> Frame.op(INPUT_TAKEN).put("tag", x.tag()).put("error", x.error());
            case Io x ->
                Frame.op(IO)
                        .put("job", x.jobId())
                        .put("step", x.stepId())
                        .put("cursor", x.cursor())
                        .put("seconds", x.seconds());
            case TaskEvent x -> event(Frame.op(TASK_EVENT), x);
            case IoEvents x -> {
                Frame f = Frame.op(Ops.OK).put("next", x.next()).put("running", x.running());
                for (TaskEvent e : x.events()) f.add(event(new Frame(), e));
                yield f;
            }
            case Stat x -> Frame.op(STAT).put("job", x.jobId());
            case StatTasks x ->
                Frame.op(STAT_TASKS)
                        .put("tag", x.tag())
                        .put("job", x.jobId())
                        .put("step", x.step() == null ? null : x.step().toString());
            case TaskStats x -> {
                Frame f = Frame.op(TASK_STATS).put("tag", x.tag()).put("job", x.jobId());
                for (TaskUsage u : x.tasks()) f.add(usage(u));
                yield f;
            }
            case StepStats x -> {
                Frame f = Frame.op(Ops.OK)
                        .put("silent", String.join(",", x.silent()))
                        .put("batchHost", x.batchHost())
                        .put("denied", x.denied());
                Frame steps = new Frame();
                for (Step s : x.steps()) steps.add(step(s));
                Frame tasks = new Frame();
                for (TaskUsage u : x.tasks()) tasks.add(usage(u));
                yield f.add(steps).add(tasks);
            }
            default ->
                throw new IllegalArgumentException(
                        "not a step message: " + m.getClass().getSimpleName());
        };
    }

    private static Frame tasks(
            Frame f, long jobId, int stepId, List<String> command, String cwd, List<RemoteTask> tasks) {
        f.put("job", jobId).put("step", stepId).put("cwd", cwd);
        Frame argv = new Frame();
        for (int i = 0; i < command.size(); i++) argv.put(Integer.toString(i), command.get(i));
        f.add(argv);
        for (RemoteTask t : tasks) {
            Frame env = new Frame();
            t.env().forEach(env::put);
            Frame task = new Frame().put("task", t.task()).put("node", t.node()).put("stdin", t.stdin() ? "1" : null);
            if (t.bind() != null)
                task.put("bindLocal", t.bind().local())
                        .put("bindCpus", t.bind().cpus())
                        .put("bindVerbose", t.bind().verbose() ? "1" : null);
            if (t.terminal() != null)
                task.put("ttyRows", t.terminal().rows())
                        .put("ttyCols", t.terminal().cols());
            f.add(task.add(env));
        }
        return f;
    }

    private static Frame bytes(Frame f, byte[] data) {
        if (data.length > 0) f.put("data", Base64.getEncoder().encodeToString(data));
        return f;
    }

    private static byte[] bytes(Frame f) {
        try {
            return Base64.getDecoder().decode(f.str("data", ""));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("data: not base64");
        }
    }

    private static Frame event(Frame f, TaskEvent e) {
        f.put("job", e.jobId()).put("step", e.stepId()).put("task", e.task()).put("stream", e.stream());
        if (e.data().length > 0) f.put("data", Base64.getEncoder().encodeToString(e.data()));
        if (e.isEnd()) f.put("status", e.status());
        return f;
    }

    private static TaskEvent event(Frame f) {
        byte[] data;
        try {
            data = Base64.getDecoder().decode(f.str("data", ""));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("data: not base64");
        }
        String stream = f.str("stream", "");
        if (!List.of("out", "err", TaskEvent.END).contains(stream))
            throw new MalformedMessage("stream: '" + io.motley.core.job.FreeText.quote(stream, 32) + "' is no stream");
        return new TaskEvent(number(f, "job"), count(f, "step"), count(f, "task"), stream, data, count(f, "status"));
    }

    private record TaskList(List<String> command, List<RemoteTask> tasks) {}

    private static TaskList taskList(Frame f) {
        if (f.children().isEmpty()) throw new MalformedMessage("command: missing");
        List<String> command = new ArrayList<>(f.children().get(0).fields().values());
        if (command.isEmpty()) throw new MalformedMessage("command: empty");
        List<RemoteTask> tasks = new ArrayList<>();
        for (Frame t : f.children().subList(1, f.children().size())) {
            Map<String, String> env =
                    t.children().isEmpty() ? Map.of() : t.children().get(0).fields();
            Bind bind = t.has("bindLocal")
                    ? new Bind(count(t, "bindLocal"), count(t, "bindCpus"), t.bool("bindVerbose"))
                    : null;
            Terminal terminal;
            try {
                terminal = t.has("ttyRows") ? new Terminal(count(t, "ttyRows"), count(t, "ttyCols")) : null;
            } catch (IllegalArgumentException e) {
                throw new MalformedMessage("tty: " + e.getMessage());
            }
            tasks.add(new RemoteTask(count(t, "task"), t.str("node", ""), env, bind, t.bool("stdin"), terminal));
        }
        return new TaskList(command, tasks);
    }

    /** srun's input for a task: its bytes, its end, and its terminal's new size (null: none). */
    private static Frame input(Frame f, byte[] data, boolean eof, Terminal resize) {
        f.put("eof", eof ? "1" : null);
        if (resize != null) f.put("resizeRows", resize.rows()).put("resizeCols", resize.cols());
        return bytes(f, data);
    }

    /** An input's new terminal size (resizeRows, resizeCols); null when it carries none. */
    private static Terminal resize(Frame f) {
        if (!f.has("resizeRows")) return null;
        try {
            return new Terminal(count(f, "resizeRows"), count(f, "resizeCols"));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("resize: " + e.getMessage());
        }
    }

    private static Frame usage(TaskUsage u) {
        return new Frame()
                .put("step", u.step() == TaskUsage.BATCH ? "batch" : Integer.toString(u.step()))
                .put("task", u.task())
                .put("node", u.node())
                .put(
                        "pids",
                        String.join(",", u.pids().stream().map(String::valueOf).toList()))
                .put("rss", u.rssKiB())
                .put("maxRss", u.maxRssKiB())
                .put("vm", u.vmKiB())
                .put("maxVm", u.maxVmKiB())
                .put("pages", u.pages())
                .put("cpu", u.cpuMs())
                .put("read", u.readBytes())
                .put("write", u.writeBytes())
                .put("sysCpu", u.systemCpuMs())
                .put("freq", u.cpuFreq());
    }

    private static TaskUsage usage(Frame f) {
        String step = f.str("step", "");
        List<Long> pids = new ArrayList<>();
        for (String p : f.str("pids", "").split(",")) if (!p.isBlank()) pids.add(number(p, "pids"));
        return new TaskUsage(
                "batch".equals(step) ? TaskUsage.BATCH : (int) Math.min(Integer.MAX_VALUE, number(step, "step")),
                count(f, "task"),
                f.str("node", ""),
                pids,
                number(f, "rss"),
                number(f, "maxRss"),
                number(f, "vm"),
                number(f, "maxVm"),
                number(f, "pages"),
                number(f, "cpu"),
                number(f, "read"),
                number(f, "write"),
                // an agent from before it was told: all of the CPU time counts as the user's
                number(f, "sysCpu"),
                // and its CPU frequency is unknown
                number(f, "freq"));
    }

    private static List<TaskUsage> usages(Frame f) {
        List<TaskUsage> out = new ArrayList<>();
        for (Frame c : f.children()) out.add(usage(c));
        return out;
    }

    private static Frame step(Step s) {
        return new Frame()
                .put("job", s.jobId())
                .put("step", s.id())
                .put("name", s.name())
                .put("state", s.state().name())
                .put("nodes", String.join(",", s.nodes()))
                .put("tasks", s.tasks())
                .put("cpus", s.cpus())
                .put("mem", s.memMiB())
                .put("overlap", s.overlap())
                .put("start", s.start())
                .put("end", s.end())
                .put("exit", s.exitCode())
                .put("signal", s.signal())
                .put("usage", s.usage() == null ? null : s.usage().toText());
    }

    static Message decode(Frame f) {
        return switch (f.op()) {
            case CREATE -> {
                try {
                    yield new Create(
                            number(f, "job"),
                            new StepRequest(
                                    count(f, "tasks"),
                                    count(f, "nodes"),
                                    count(f, "tasksPerNode"),
                                    count(f, "cpusPerTask"),
                                    number(f, "mem"),
                                    f.bool("overlap"),
                                    f.str("name", ""),
                                    f.str("nodelist", "").isEmpty()
                                            ? List.of()
                                            : List.of(f.str("nodelist").split(","))));
                } catch (IllegalArgumentException e) {
                    throw new MalformedMessage("step: " + e.getMessage());
                }
            }
            case END -> new End(number(f, "job"), count(f, "step"), state(f), count(f, "exit"), count(f, "signal"));
            case WAIT -> new Wait(number(f, "job"), count(f, "step"), count(f, "seconds"));
            case LIST -> {
                List<Long> ids = new ArrayList<>();
                for (String t : f.str("jobs", "").split(",")) if (!t.isBlank()) ids.add(number(t, "jobs"));
                yield new ListSteps(ids);
            }
            case CANCEL -> new Cancel(number(f, "job"), count(f, "step"));
            case TERMINATE -> new Terminate(number(f, "job"), count(f, "step"));
            case LAUNCH -> {
                TaskList t = taskList(f);
                yield new Launch(number(f, "job"), count(f, "step"), t.command(), f.str("cwd", "/"), t.tasks());
            }
            case RUN_TASKS -> {
                TaskList t = taskList(f);
                yield new RunTasks(number(f, "job"), count(f, "step"), t.command(), f.str("cwd", "/"), t.tasks());
            }
            case KILL_TASKS -> new KillTasks(number(f, "job"), count(f, "step"));
            case IO -> new Io(number(f, "job"), count(f, "step"), number(f, "cursor"), count(f, "seconds"));
            case TASK_EVENT -> event(f);
            case STAT -> new Stat(number(f, "job"));
            case STAT_TASKS ->
                new StatTasks(number(f, "tag"), number(f, "job"), f.has("step") ? count(f, "step") : null);
            case TASK_STATS -> new TaskStats(number(f, "tag"), number(f, "job"), usages(f));
            case INPUT -> {
                byte[] data = bytes(f);
                if (data.length > INPUT_CHUNK) throw new MalformedMessage("data: over " + INPUT_CHUNK + " bytes");
                yield new Input(number(f, "job"), count(f, "step"), count(f, "task"), data, f.bool("eof"), resize(f));
            }
            case TASK_INPUT ->
                new TaskInput(
                        number(f, "tag"),
                        number(f, "job"),
                        count(f, "step"),
                        count(f, "task"),
                        bytes(f),
                        f.bool("eof"),
                        resize(f));
            case INPUT_TAKEN -> new InputTaken(number(f, "tag"), f.has("error") ? f.str("error") : null);
            default -> throw new MalformedMessage("'" + f.op() + "' is not a step request");
        };
    }

    static Message.StepAnswer answer(Message.StepCall<?> request, Frame f) {
        if (request instanceof Io) {
            List<TaskEvent> events = new ArrayList<>();
            for (Frame c : f.children()) events.add(event(c));
            return new IoEvents(number(f, "next"), events, f.bool("running"));
        }
        if (request instanceof Stat) {
            if (f.children().size() < 2) throw new MalformedMessage("step stats: missing steps or tasks");
            String silent = f.str("silent", "");
            return new StepStats(
                    answer(f.children().get(0)).steps(),
                    usages(f.children().get(1)),
                    silent.isEmpty() ? List.of() : Arrays.asList(silent.split(",")),
                    f.str("batchHost", ""),
                    f.bool("denied"));
        }
        return answer(f);
    }

    static Steps answer(Frame f) {
        List<Step> out = new ArrayList<>();
        for (Frame c : f.children()) {
            out.add(new Step(
                    number(c, "job"),
                    count(c, "step"),
                    c.str("name", ""),
                    state(c),
                    c.str("nodes", "").isEmpty()
                            ? List.of()
                            : Arrays.asList(c.str("nodes").split(",")),
                    count(c, "tasks"),
                    count(c, "cpus"),
                    number(c, "mem"),
                    c.bool("overlap"),
                    number(c, "start"),
                    number(c, "end"),
                    count(c, "exit"),
                    count(c, "signal"),
                    stepUsage(c)));
        }
        return new Steps(out);
    }

    /** A step's usage, null when the frame has none (a running step, or one whose tasks were not measured). */
    private static io.motley.core.step.StepUsage stepUsage(Frame f) {
        String text = f.str("usage", "");
        if (text.isEmpty()) return null;
        try {
            return io.motley.core.step.StepUsage.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage(e.getMessage());
        }
    }

    private static StepState state(Frame f) {
        String s = f.str("state", "");
        try {
            return StepState.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("state: '" + io.motley.core.job.FreeText.quote(s, 32) + "' is no step state");
        }
    }

    private static long number(Frame f, String key) {
        return number(f.str(key, "0"), key);
    }

    private static long number(String v, String key) {
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new MalformedMessage(key + ": '" + io.motley.core.job.FreeText.quote(v, 32) + "' is not a number");
        }
    }

    private static int count(Frame f, String key) {
        long n = number(f, key);
        if (n > Integer.MAX_VALUE) throw new MalformedMessage(key + ": '" + n + "' is too large");
        return (int) n;
    }
}
