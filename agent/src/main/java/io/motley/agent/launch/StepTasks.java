package io.motley.agent.launch;

import io.motley.agent.enforcement.CpuAllocator;
import io.motley.agent.enforcement.RootCommand;
import io.motley.protocol.StepMessages;
import io.motley.protocol.StepMessages.TaskEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks of job steps that an srun on another node started here (through the controller):
 * each runs in the job's box on this node, as the job's user, through an entry script like the
 * batch script's ({@link EntryScript}), in a session of its own. Its stdout and stderr are read
 * here and sent on as {@link TaskEvent}s, as they come; its end follows its output.
 */
final class StepTasks {
    private static final Logger log = LoggerFactory.getLogger(StepTasks.class);
    /** Bytes read from a task's stream before they are sent on (a chunk). */
    static final int CHUNK = 16 * 1024;
    /** How long tasks have between SIGTERM and SIGKILL when their step is ended. */
    static final long KILL_WAIT_MS = 2000;

    /** Where the tasks of one job run on this node: its box and its user, as the job's run here set them up. */
    record Place(
            long jobId,
            String node,
            Path dir,
            List<Path> joinFiles,
            List<String> bindCommand,
            List<Integer> cpus,
            String umask,
            Map<String, String> nodeEnv,
            Session session,
            JobIdentity who,
            String bindCpus,
            Starter starter) {}

    /**
     * A step's tasks here. {@code killed} outlives them: the order that starts them travels apart from the one that
     * ends them (srun -K asks for the end as soon as a task fails, maybe before they were started here), so a step
     * ended first never starts its tasks. {@code starting} counts orders still starting tasks, which keep the entry.
     */
    private static final class Here {
        final List<Process> tasks = new ArrayList<>();
        int starting;
        boolean killed;
        long killedAt;
    }

    /** How long an ended step is remembered here, so that its tasks ordered late are not started. */
    static final long REMEMBER_KILLED_MS = 10 * 60_000;

    private final Map<String, Here> steps = new ConcurrentHashMap<>();

    /**
     * The stdin of each task here that reads srun's ({@code RemoteTask.stdin}), by "job.step.task", from its
     * start until srun's end of it or the task's end; {@link #input} waits on this map for a task not started yet.
     */
    private final Map<String, java.io.OutputStream> stdins = new java.util.HashMap<>();

    /** In {@link #stdins}: the task's stdin was closed (srun's end of it, or the task's): input is refused at once. */
    private static final java.io.OutputStream CLOSED = java.io.OutputStream.nullOutputStream();

    /** The tasks here on a terminal of their own (srun --pty), by {@link #taskKey}: their starter and size file. */
    private final Map<String, Tty> terminals = new ConcurrentHashMap<>();

    private record Tty(Process starter, Path winsize) {}

    /** How long srun's input for a task waits for the task to be started here (its order travels apart). */
    static final long INPUT_WAITS_FOR_START_MS = 10_000;

    private static String taskKey(long jobId, int stepId, int task) {
        return jobId + "." + stepId + "." + task;
    }

    private static String key(long jobId, int stepId) {
        return jobId + "." + stepId;
    }

    /** Starts the order's tasks in {@code place}; every task's output and end go to {@code events}. */
    void run(StepMessages.RunTasks order, Place place, Consumer<TaskEvent> events) {
        String key = key(order.jobId(), order.stepId());
        long began = System.nanoTime();
        Here here = enter(key);
        try {
            for (StepMessages.RemoteTask t : order.tasks()) {
                try {
                    Process p;
                    synchronized (here) {
                        if (here.killed) {
                            // its end came first: as if it were started and ended at once by SIGTERM
                            events.accept(TaskEvent.ended(order.jobId(), order.stepId(), t.task(), 128 + 15));
                            continue;
                        }
                        p = start(order, t, place);
                        here.tasks.add(p);
                    }
                    if (t.terminal() != null && place.starter() != null)
                        terminals.put(
                                taskKey(order.jobId(), order.stepId(), t.task()),
                                new Tty(p, winsizeFile(place, order.stepId(), t.task())));
                    if (t.stdin()) {
                        synchronized (stdins) {
                            stdins.put(taskKey(order.jobId(), order.stepId(), t.task()), p.getOutputStream());
                            stdins.notifyAll();
                        }
                    } else {
                        p.getOutputStream().close();
                    }
                    String said = bindingSaid(place.node(), t, place.cpus(), TASKSET, p.pid());
                    if (!said.isEmpty())
                        events.accept(new TaskEvent(
                                order.jobId(),
                                order.stepId(),
                                t.task(),
                                "err",
                                said.getBytes(StandardCharsets.UTF_8),
                                0));
                    follow(order, t.task(), p, here, events);
                } catch (IOException | RuntimeException e) {
                    log.warn(
                            "step task not started job={} step={} task={} error={}",
                            order.jobId(),
                            order.stepId(),
                            t.task(),
                            e.getMessage());
                    byte[] why = ("motleystep-" + place.node() + ": error: task " + t.task() + " not started: "
                                    + e.getMessage() + "\n")
                            .getBytes(StandardCharsets.UTF_8);
                    events.accept(new TaskEvent(order.jobId(), order.stepId(), t.task(), "err", why, 0));
                    events.accept(TaskEvent.ended(order.jobId(), order.stepId(), t.task(), 1));
                }
            }
        } finally {
            synchronized (here) {
                here.starting--;
                forgetIfDone(key, here);
            }
        }
        log.info(
                "step tasks started job={} step={} tasks={} start_ms={}",
                order.jobId(),
                order.stepId(),
                order.tasks().stream().map(StepMessages.RemoteTask::task).toList(),
                String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - began) / 1e6));
    }

    /** The step's entry, counted as starting; one removed meanwhile is made again. */
    private Here enter(String key) {
        while (true) {
            Here here = steps.computeIfAbsent(key, k -> new Here());
            synchronized (here) {
                if (steps.get(key) == here) {
                    here.starting++;
                    return here;
                }
            }
        }
    }

    /** Drops a step's entry once nothing of it runs or starts here and it was not ended (the lock is held). */
    private void forgetIfDone(String key, Here here) {
        if (here.tasks.isEmpty() && here.starting == 0 && !here.killed) steps.remove(key, here);
    }

    /** Forgets the ended steps of job {@code jobId}, whose run here ended. */
    void forgetJob(long jobId) {
        String prefix = jobId + ".";
        synchronized (stdins) {
            stdins.keySet().removeIf(k -> k.startsWith(prefix));
        }
        steps.entrySet().removeIf(e -> {
            Here h = e.getValue();
            synchronized (h) {
                return e.getKey().startsWith(prefix) && h.tasks.isEmpty() && h.starting == 0;
            }
        });
    }

    /** How many steps are remembered here, running or ended. */
    int remembered() {
        return steps.size();
    }

    /** taskset(1) where it is installed, for srun --cpu-bind; null where it is not. */
    private static final String TASKSET =
            io.motley.agent.enforcement.JobBox.taskset().orElse(null);

    /**
     * The task's command bound as srun --cpu-bind asks ({@code taskset -c LIST COMMAND...}): the task takes
     * {@code bind.cpus()} of the job's CPUs here in turn from its place among the step's tasks here, as srun takes
     * them for its own. The command as it is when there is nothing to bind or no taskset. The binding comes after
     * the entry script has joined the job's box, whose cpuset would otherwise undo it.
     */
    static List<String> bound(List<String> command, StepMessages.Bind bind, List<Integer> jobCpus, String taskset) {
        List<Integer> mine = cpusOf(bind, jobCpus);
        if (mine.isEmpty() || taskset == null) return command;
        List<String> out = new ArrayList<>(List.of(taskset, "-c", cpuList(mine)));
        out.addAll(command);
        return out;
    }

    /** The CPUs a bound task takes of the job's here; none when it is not bound. */
    static List<Integer> cpusOf(StepMessages.Bind bind, List<Integer> jobCpus) {
        List<Integer> mine = new ArrayList<>();
        if (bind == null || jobCpus.isEmpty()) return mine;
        for (int k = 0; k < bind.cpus(); k++) mine.add(jobCpus.get((bind.local() * bind.cpus() + k) % jobCpus.size()));
        return mine;
    }

    /**
     * What the task's stderr is told of its binding: srun's warning when it was to be bound and taskset is missing
     * here, and --cpu-bind=verbose's line; nothing otherwise.
     */
    static String bindingSaid(String node, StepMessages.RemoteTask t, List<Integer> jobCpus, String taskset, long pid) {
        if (t.bind() == null) return "";
        List<Integer> cpus = taskset == null ? List.of() : cpusOf(t.bind(), jobCpus);
        String out = "";
        if (taskset == null && t.bind().cpus() > 0)
            out = "srun: warning: --cpu-bind=cores needs taskset(1), which is missing on " + node + ": task " + t.task()
                    + " is not bound\n";
        if (t.bind().verbose()) out += verboseLine(node, t.task(), t.bind(), cpus, pid);
        return out;
    }

    /** srun --cpu-bind=verbose's line for a task started here, as srun prints it for its own. */
    static String verboseLine(String node, int task, StepMessages.Bind bind, List<Integer> cpus, long pid) {
        if (cpus.isEmpty())
            return String.format(
                    "cpu-bind=NONE - %s, task %2d %2d [%d]: mask 0x0 set%n", node, task, bind.local(), pid);
        long mask = 0;
        for (int c : cpus) mask |= 1L << c;
        return String.format(
                "cpu-bind=MASK - %s, task %2d %2d [%d]: mask 0x%x set%n", node, task, bind.local(), pid, mask);
    }

    private static String cpuList(List<Integer> cpus) {
        return String.join(",", cpus.stream().map(String::valueOf).toList());
    }

    /** The agent's file of a terminal task's size, which motley-start reads on SIGWINCH. */
    private static Path winsizeFile(Place place, int stepId, int task) {
        return place.dir().resolve("step" + stepId + "." + task + ".winsize");
    }

    /** A terminal's size as motley-start reads it: always the same length, so that it is rewritten in place. */
    static byte[] winsizeText(StepMessages.Terminal t) {
        return String.format(java.util.Locale.ROOT, "%5d %5d\n", t.rows(), t.cols())
                .getBytes(StandardCharsets.UTF_8);
    }

    private Process start(StepMessages.RunTasks order, StepMessages.RemoteTask t, Place place) throws IOException {
        String name = "step" + order.stepId() + "." + t.task();
        Path env = place.dir().resolve(name + ".env");
        Map<String, String> vars = new LinkedHashMap<>(t.env());
        // srun's variables are its own node's: what the job holds here is this node's
        vars.putAll(place.nodeEnv());
        vars.putAll(place.who().environment);
        vars.put("SLURMD_NODENAME", place.node());
        List<String> cmd;
        if (place.starter() != null) {
            // one program before the task's own: motley-start binds it (to its share where srun binds tasks)
            write(env, Starter.environment(vars));
            List<Integer> mine = TASKSET == null ? List.of() : cpusOf(t.bind(), place.cpus());
            Path winsize = null;
            if (t.terminal() != null) {
                winsize = winsizeFile(place, order.stepId(), t.task());
                write(winsize, winsizeText(t.terminal()));
            }
            cmd = place.starter()
                    .words(new Starter.Spec(
                            order.jobId(),
                            place.node(),
                            place.joinFiles(),
                            mine.isEmpty() ? place.bindCpus() : CpuAllocator.formatList(mine),
                            place.umask(),
                            null,
                            null,
                            place.who(),
                            env,
                            "",
                            "",
                            false,
                            order.cwd(),
                            order.command(),
                            t.terminal(),
                            winsize));
        } else {
            if (t.terminal() != null)
                throw new IOException("srun --pty needs motley-start on " + place.node()
                        + ", which its build did not make (no C compiler)");
            List<String> command = bound(order.command(), t.bind(), place.cpus(), TASKSET);
            Path enter = place.dir().resolve(name + ".sh");
            write(env, EntryScript.environment(vars, order.jobId()));
            if (place.who().drops) readableByGroup(env, place.who().gid);
            write(
                    enter,
                    EntryScript.render(
                            order.jobId(),
                            place.node(),
                            place.joinFiles(),
                            place.bindCommand(),
                            place.umask(),
                            place.who().prefix,
                            env,
                            order.cwd(),
                            command.get(0),
                            "",
                            "",
                            null,
                            null,
                            false,
                            place.session(),
                            false));
            // the session's own words start the entry script, which execs the task: one process from the first
            // moment, and no shell between (its env -i resets the signals where env can; perl's words reset them
            // otherwise)
            cmd = new ArrayList<>(place.session().words());
            cmd.addAll(List.of("/bin/sh", enter.toString()));
            cmd.addAll(command.subList(1, command.size()));
        }
        ProcessBuilder pb = RootCommand.of(cmd);
        if (!t.stdin()) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    /**
     * The job's group may read {@code f} (root's, in the agent's private spool): a task's shell, the job's user, then
     * reads its environment file through the descriptor it is given, and no other path reaches it.
     */
    static void readableByGroup(Path f, int gid) throws IOException {
        Files.setAttribute(f, "unix:gid", gid);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r-----"));
    }

    private static void write(Path f, String text) throws IOException {
        write(f, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Path f, byte[] bytes) throws IOException {
        Files.deleteIfExists(f);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(f, bytes);
    }

    private void follow(StepMessages.RunTasks order, int task, Process p, Here here, Consumer<TaskEvent> events) {
        Thread out = pump(order, task, "out", p.getInputStream(), events);
        Thread err = pump(order, task, "err", p.getErrorStream(), events);
        // waits for the pumps: on a thread of its own, never the common pool's
        p.onExit()
                .thenRunAsync(
                        () -> {
                            try {
                                out.join();
                                err.join();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            int status = p.exitValue();
                            terminals.remove(taskKey(order.jobId(), order.stepId(), task));
                            synchronized (stdins) {
                                String k = taskKey(order.jobId(), order.stepId(), task);
                                java.io.OutputStream in = stdins.get(k);
                                if (in != null) stdins.put(k, CLOSED);
                                if (in != null && in != CLOSED) {
                                    try {
                                        in.close();
                                    } catch (IOException e) {
                                        // the task is gone: nothing more reaches it
                                    }
                                }
                            }
                            synchronized (here) {
                                here.tasks.remove(p);
                                forgetIfDone(key(order.jobId(), order.stepId()), here);
                            }
                            log.info(
                                    "step task ended job={} step={} task={} status={}",
                                    order.jobId(),
                                    order.stepId(),
                                    task,
                                    status);
                            events.accept(TaskEvent.ended(order.jobId(), order.stepId(), task, status));
                        },
                        r -> Thread.ofVirtual().start(r));
    }

    private static Thread pump(
            StepMessages.RunTasks order, int task, String stream, InputStream in, Consumer<TaskEvent> events) {
        return Thread.ofVirtual()
                .name("step-task-" + order.jobId() + "." + order.stepId() + "." + task)
                .start(() -> {
                    byte[] buf = new byte[CHUNK];
                    try (in) {
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            events.accept(new TaskEvent(
                                    order.jobId(), order.stepId(), task, stream, java.util.Arrays.copyOf(buf, n), 0));
                        }
                    } catch (IOException e) {
                        // the pipe broke as the task died: what it wrote has been sent
                    }
                });
    }

    /**
     * srun's stdin for a task here: written to the task (and its stdin closed after, with {@code eof}); null
     * when done, else why not. Waits up to {@link #INPUT_WAITS_FOR_START_MS} for a task whose start order is
     * still on its way; a write blocks while the task does not read, which holds srun back (its input is
     * answered only after this).
     */
    String input(StepMessages.TaskInput in) throws InterruptedException {
        String key = taskKey(in.jobId(), in.stepId(), in.task());
        if (in.resize() != null) return resize(key, in);
        java.io.OutputStream to;
        long until = System.currentTimeMillis() + INPUT_WAITS_FOR_START_MS;
        synchronized (stdins) {
            while ((to = stdins.get(key)) == null) {
                long left = until - System.currentTimeMillis();
                if (left <= 0)
                    return "task " + in.task() + " of step " + in.jobId() + "." + in.stepId()
                            + " does not run here or does not read srun's input";
                stdins.wait(left);
            }
            if (to == CLOSED) return "task " + in.task() + " of step " + in.jobId() + "." + in.stepId() + " has ended";
            if (in.eof()) stdins.put(key, CLOSED);
        }
        try {
            if (in.data().length > 0) {
                to.write(in.data());
                to.flush();
            }
            if (in.eof()) to.close();
            return null;
        } catch (IOException e) {
            synchronized (stdins) {
                stdins.replace(key, to, CLOSED);
            }
            return "task " + in.task() + " of step " + in.jobId() + "." + in.stepId() + " has ended";
        }
    }

    /**
     * srun's terminal was resized: the task's terminal takes the new size (motley-start reads it from the task's size
     * file on SIGWINCH, and its terminal sends the program its own SIGWINCH); null when done, else why not.
     */
    private String resize(String key, StepMessages.TaskInput in) {
        Tty tty = terminals.get(key);
        if (tty == null || !tty.starter().isAlive())
            return "task " + in.task() + " of step " + in.jobId() + "." + in.stepId() + " has no terminal here";
        try (java.nio.channels.FileChannel f =
                java.nio.channels.FileChannel.open(tty.winsize(), java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(winsizeText(in.resize())), 0);
        } catch (IOException e) {
            return "task " + in.task() + " of step " + in.jobId() + "." + in.stepId() + ": " + e.getMessage();
        }
        io.motley.agent.enforcement.ProcessTable.signal(List.of(tty.starter().pid()), "WINCH");
        return null;
    }

    /**
     * Ends the step's tasks here: SIGTERM to each and its descendants, SIGKILL after {@link #KILL_WAIT_MS}. Tasks of
     * the step ordered after this are not started.
     */
    void kill(long jobId, int stepId) {
        long now = System.currentTimeMillis();
        // ended steps are remembered for a while, not for ever
        steps.entrySet().removeIf(e -> {
            Here h = e.getValue();
            synchronized (h) {
                return h.killed && h.tasks.isEmpty() && h.starting == 0 && now - h.killedAt > REMEMBER_KILLED_MS;
            }
        });
        Here here = steps.computeIfAbsent(key(jobId, stepId), k -> new Here());
        List<Process> all;
        synchronized (here) {
            here.killed = true;
            here.killedAt = now;
            all = List.copyOf(here.tasks);
        }
        if (all.isEmpty()) return;
        log.info("step tasks killing job={} step={} tasks={}", jobId, stepId, all.size());
        List<ProcessHandle> tree = new ArrayList<>();
        for (Process p : all) {
            p.descendants().forEach(tree::add);
            tree.add(p.toHandle());
        }
        tree.forEach(ProcessHandle::destroy);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(KILL_WAIT_MS);
            } catch (InterruptedException e) {
                return;
            }
            // what they started meanwhile too
            for (Process p : all) p.descendants().forEach(tree::add);
            tree.forEach(ProcessHandle::destroyForcibly);
        });
    }
}
