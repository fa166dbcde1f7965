package io.motley.cli.step;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks of a step on this node, started by srun itself. srun runs inside its job (the batch
 * script's process tree), so every task inherits the job's containment as it stands: its cgroups
 * or process tracking marker, its CPU set and GPU binding, its user. Each task's output comes back
 * through a pipe and is written line by line (with -l its task id before each line; with -u as it
 * comes), to srun's own streams or to the -o/-e files.
 */
public final class LocalTasks {
    /** Where one stream of one task goes: a shared, synchronised writer. */
    public static final class Sink {
        private final OutputStream out;
        private final boolean close;

        public Sink(OutputStream out, boolean close) {
            this.out = out;
            this.close = close;
        }

        synchronized void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            out.flush();
        }

        void close() throws IOException {
            if (close) out.close();
        }
    }

    /** Where a task's stdin comes from. */
    public sealed interface Input {}

    /** /dev/null. */
    public record NoInput() implements Input {}

    /** srun's own stdin (task 0 by default, every task with -i all). */
    public record FromSrun() implements Input {}

    /**
     * srun's own terminal (--pty): the task reads and writes it directly, in srun's session, so
     * that an interactive shell has its controlling terminal and job control.
     */
    public record Terminal() implements Input {}

    /** A file. */
    public record FromFile(Path file) implements Input {}

    /** One task: its id, command, environment, directory, streams and the CPUs it is bound to (empty: not bound). */
    public record Task(
            int id,
            List<String> command,
            Map<String, String> env,
            Path cwd,
            Sink out,
            Sink err,
            Input in,
            List<Integer> cpus) {}

    private final String node;
    private final boolean label;
    private final int labelWidth;
    private final boolean unbuffered;
    private final String taskset;
    private final List<Running> running = new ArrayList<>();
    private final Map<Integer, Integer> status = new ConcurrentHashMap<>();

    private static final class Running {
        final Task task;
        final Process process;
        final List<Thread> pumps = new ArrayList<>();

        Running(Task task, Process process) {
            this.task = task;
            this.process = process;
        }
    }

    public LocalTasks(String node, boolean label, int tasks, boolean unbuffered) {
        this.node = node;
        this.label = label;
        this.labelWidth = Integer.toString(Math.max(0, tasks - 1)).length();
        this.unbuffered = unbuffered;
        this.taskset = Files.isExecutable(Path.of("/usr/bin/taskset"))
                ? "/usr/bin/taskset"
                : Files.isExecutable(Path.of("/bin/taskset")) ? "/bin/taskset" : null;
    }

    private volatile java.util.function.BiConsumer<Integer, Integer> ended = (task, code) -> {};

    /** Calls {@code listener} with each task's id and status as it ends (before its output is all in). */
    public void whenTaskEnds(java.util.function.BiConsumer<Integer, Integer> listener) {
        this.ended = listener;
    }

    /** Whether tasks can be bound to CPUs here (taskset(1) is installed). */
    public boolean canBind() {
        return taskset != null;
    }

    /** setsid(1) where there is one (Linux); elsewhere tasks stay in srun's process group. */
    static final String SETSID = java.util.stream.Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(p -> new File(p).canExecute())
            .findFirst()
            .orElse(null);

    /**
     * Starts a task; a command that cannot be found ends it at once with status 2, as slurmstepd's
     * failed execve does, after Slurm's line on its stderr.
     */
    public void start(Task t, InputStream srunIn) throws IOException {
        String program = t.command().get(0);
        if (resolve(program, t.env().get("PATH"), t.cwd()) == null) {
            byte[] msg = ("slurmstepd: error: execve(): " + program + ": No such file or directory\n").getBytes();
            write(t, t.err(), msg, 0, msg.length, new boolean[] {true});
            status.put(t.id(), 2);
            ended.accept(t.id(), 2);
            return;
        }
        List<String> cmd = new ArrayList<>();
        // each task in a session (and process group) of its own, as slurmstepd starts them outside the batch
        // shell's: sbatch --signal without B: reaches the steps' tasks and not the batch step
        boolean terminal = t.in() instanceof Terminal;
        if (SETSID != null && !terminal) cmd.add(SETSID);
        cmd.addAll(List.of("/bin/sh", "-c", "SLURM_TASK_PID=$$; export SLURM_TASK_PID; exec \"$@\"", "srun-task"));
        if (!t.cpus().isEmpty() && taskset != null) {
            cmd.add(taskset);
            cmd.add("-c");
            cmd.add(String.join(",", t.cpus().stream().map(String::valueOf).toList()));
        }
        cmd.addAll(t.command());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(t.env());
        pb.directory(t.cwd().toFile());
        switch (t.in()) {
            case NoInput n -> pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            case FromFile f ->
                pb.redirectInput(ProcessBuilder.Redirect.from(f.file().toFile()));
            case FromSrun s -> pb.redirectInput(ProcessBuilder.Redirect.PIPE);
            case Terminal term -> pb.inheritIO();
        }
        Process p = pb.start();
        p.onExit().thenAccept(x -> ended.accept(t.id(), x.exitValue()));
        Running r = new Running(t, p);
        synchronized (running) {
            running.add(r);
        }
        if (!terminal) {
            r.pumps.add(pump(t, p.getInputStream(), t.out()));
            r.pumps.add(pump(t, p.getErrorStream(), t.err()));
        }
        if (t.in() instanceof FromSrun) feeders.add(p.getOutputStream());
        else if (!terminal) p.getOutputStream().close();
    }

    private final List<OutputStream> feeders = new ArrayList<>();

    /**
     * Another reader of srun's stdin, fed with the local tasks that read it (a task on another node,
     * whose stream carries each write there); call before {@link #feed}.
     */
    public void feedAlso(OutputStream reader) {
        feeders.add(reader);
    }

    /** Copies srun's stdin to the tasks that read it, until its end; then closes their stdin. */
    public void feed(InputStream in) {
        if (feeders.isEmpty()) return;
        Thread.ofPlatform().daemon().name("srun-stdin").start(() -> {
            byte[] buf = new byte[io.motley.protocol.StepMessages.INPUT_CHUNK];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (OutputStream o : feeders) {
                        try {
                            o.write(buf, 0, n);
                            o.flush();
                        } catch (IOException gone) {
                            // a task that stopped reading does not stop the others' input
                        }
                    }
                }
            } catch (IOException e) {
                // srun's stdin closed under us: the tasks see its end
            }
            for (OutputStream o : feeders) {
                try {
                    o.close();
                } catch (IOException ignored) {
                    // the task has gone already
                }
            }
        });
    }

    private Thread pump(Task t, InputStream from, Sink to) {
        return Thread.ofPlatform().name("srun-task-" + t.id()).start(() -> {
            byte[] buf = new byte[8192];
            byte[] line = new byte[0];
            boolean[] atStart = {true};
            try (from) {
                int n;
                while ((n = from.read(buf)) > 0) {
                    if (unbuffered) {
                        write(t, to, buf, 0, n, atStart);
                        continue;
                    }
                    int start = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != '\n') continue;
                        byte[] whole = concat(line, buf, start, i + 1);
                        line = new byte[0];
                        write(t, to, whole, 0, whole.length, atStart);
                        start = i + 1;
                    }
                    line = concat(line, buf, start, n);
                }
                if (line.length > 0) write(t, to, line, 0, line.length, atStart);
            } catch (IOException e) {
                // the pipe broke as the task died: what it wrote has been passed on
            }
        });
    }

    private static byte[] concat(byte[] a, byte[] b, int from, int to) {
        byte[] out = new byte[a.length + to - from];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, from, out, a.length, to - from);
        return out;
    }

    /** Writes bytes of task {@code t}, its label at the start of each line under -l. */
    private void write(Task t, Sink to, byte[] b, int off, int len, boolean[] atStart) {
        try {
            if (!label) {
                to.write(b, off, len);
                return;
            }
            String prefix = String.format("%" + labelWidth + "d: ", t.id());
            var buf = new java.io.ByteArrayOutputStream(len + 8);
            for (int i = off; i < off + len; i++) {
                if (atStart[0]) buf.writeBytes(prefix.getBytes());
                buf.write(b[i]);
                atStart[0] = b[i] == '\n';
            }
            to.write(buf.toByteArray(), 0, buf.size());
        } catch (IOException e) {
            // srun's own output is gone (a closed pipe): the task runs on, as under Slurm
        }
    }

    /**
     * One stream of a task that runs on another node, whose bytes come through the controller: written
     * to {@code to} as a local task's are (line by line, or as they come with -u; labelled with -l).
     */
    public final class Relay {
        private final Task task;
        private final Sink to;
        private final boolean[] atStart = {true};
        private byte[] line = new byte[0];

        private Relay(int task, Sink to) {
            this.task = new Task(task, List.of(), Map.of(), Path.of("/"), to, to, new NoInput(), List.of());
            this.to = to;
        }

        public synchronized void accept(byte[] data) {
            if (unbuffered) {
                write(task, to, data, 0, data.length, atStart);
                return;
            }
            int start = 0;
            for (int i = 0; i < data.length; i++) {
                if (data[i] != '\n') continue;
                byte[] whole = concat(line, data, start, i + 1);
                line = new byte[0];
                write(task, to, whole, 0, whole.length, atStart);
                start = i + 1;
            }
            line = concat(line, data, start, data.length);
        }

        /** What is left of a last line without its newline. */
        public synchronized void close() {
            if (line.length > 0) write(task, to, line, 0, line.length, atStart);
            line = new byte[0];
        }
    }

    /** Where the bytes of stream {@code task} of a task on another node go. */
    public Relay relay(int task, Sink to) {
        return new Relay(task, to);
    }

    /** Waits for every task and its output; the tasks' ends. */
    public List<TaskEnds.End> await() throws InterruptedException {
        List<Running> all;
        synchronized (running) {
            all = List.copyOf(running);
        }
        for (Running r : all) {
            status.put(r.task.id(), r.process.waitFor());
            for (Thread p : r.pumps) p.join();
        }
        List<TaskEnds.End> out = new ArrayList<>();
        status.forEach((task, code) -> out.add(new TaskEnds.End(task, node, code)));
        out.sort(java.util.Comparator.comparingInt(TaskEnds.End::task));
        return out;
    }

    /** The ids of tasks still running, and of those that ended, for Ctrl-C's report. */
    public List<Integer> runningTasks() {
        List<Integer> out = new ArrayList<>();
        synchronized (running) {
            for (Running r : running) if (r.process.isAlive()) out.add(r.task.id());
        }
        return out;
    }

    /** Signals every task and its descendants: SIGKILL when {@code force}, else SIGTERM. */
    public void kill(boolean force) {
        List<Running> all;
        synchronized (running) {
            all = List.copyOf(running);
        }
        for (Running r : all) {
            r.process.descendants().forEach(h -> {
                if (force) h.destroyForcibly();
                else h.destroy();
            });
            if (force) r.process.destroyForcibly();
            else r.process.destroy();
        }
    }

    /** The pid of each started task (for --cpu-bind=verbose). */
    public Map<Integer, Long> pids() {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        synchronized (running) {
            for (Running r : running) out.put(r.task.id(), r.process.pid());
        }
        return out;
    }

    /** The program as execvp would find it; null when it cannot be run. */
    static Path resolve(String program, String path, Path cwd) {
        if (program.contains("/")) {
            Path p = cwd.resolve(program);
            return Files.isExecutable(p) && !Files.isDirectory(p) ? p : null;
        }
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
            Path p = (dir.isEmpty() ? cwd : cwd.resolve(dir)).resolve(program);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return p;
        }
        return null;
    }

    /** Closes the -o/-e files. */
    public static void closeAll(List<Sink> sinks) {
        for (Sink s : sinks) {
            try {
                s.close();
            } catch (IOException e) {
                // the data reached the file before; nothing to report at the end
            }
        }
    }
}
