package io.motley.agent.launch;

import io.motley.core.job.Job;
import io.motley.core.job.JobEnvironment;
import io.motley.core.job.JobState;
import io.motley.core.job.OutputPattern;
import io.motley.core.time.Durations;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts batch jobs and watches them to the end. Each job gets a spool directory holding its
 * order, script and outcome, and a small shell "shepherd" in its own session that runs the
 * script in a new process group and writes the exit status. Neither depends on this JVM, so jobs
 * outlive a restart of the agent, which finds them again in the spool.
 */
public final class JobLauncher {
    private static final Logger log = LoggerFactory.getLogger(JobLauncher.class);
    private static final String SHEPHERD = """
            #!/bin/sh
            # Motley job shepherd: $1 spool dir, $2 work dir, $3 stdout file, $4 stderr file ('' = with stdout)
            spool=$1 workdir=$2 out=$3 err=$4
            shift 4
            if ! cd "$workdir" 2>/dev/null; then
              echo "motleystep: error: couldn't chdir to \\`$workdir': No such file or directory: going to /tmp instead" >>"$out"
              cd /tmp
            fi
            if [ -z "$err" ]; then
              $MOTLEY_SETSID "$spool/script" "$@" </dev/null >"$out" 2>&1 &
            else
              $MOTLEY_SETSID "$spool/script" "$@" </dev/null >"$out" 2>"$err" &
            fi
            pid=$!
            echo $pid >"$spool/job.pid"
            wait $pid
            echo $? >"$spool/exit.tmp" && mv "$spool/exit.tmp" "$spool/exit"
            """;

    private final Path spool;
    private final String nodeName;
    private final Consumer<Frame> reporter;
    private final String setsid;
    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, Thread.ofVirtual().factory());

    /** One job this agent is responsible for, running or ended and not yet acknowledged. */
    private static final class Running {
        final long id;
        final Path dir;
        final long limitSeconds;
        final long killWait;
        final String stderrPath;
        volatile ScheduledFuture<?> timeout;
        volatile boolean ended;

        Running(long id, Path dir, long limitSeconds, long killWait, String stderrPath) {
            this.id = id;
            this.dir = dir;
            this.limitSeconds = limitSeconds;
            this.killWait = killWait;
            this.stderrPath = stderrPath;
        }
    }

    public JobLauncher(Path spool, String nodeName, Consumer<Frame> reporter) throws IOException {
        this.spool = spool;
        this.nodeName = nodeName;
        this.reporter = reporter;
        Files.createDirectories(spool);
        Files.writeString(spool.resolve("shepherd.sh"), SHEPHERD);
        this.setsid = findSetsid();
    }

    /** setsid(1) where it exists (Linux); perl's POSIX::setsid elsewhere (macOS). */
    private static String findSetsid() {
        for (String p : List.of("/usr/bin/setsid", "/bin/setsid", "/usr/local/bin/setsid")) {
            if (new File(p).canExecute()) return p;
        }
        return "perl -MPOSIX -e 'POSIX::setsid(); exec @ARGV or die qq(exec failed: $!)' --";
    }

    /** Starts a job the controller ordered, unless this agent already has it (an order sent twice). */
    public void launch(Frame order) {
        Job job = Codec.job(order.children().get(0));
        Path dir = spool.resolve("job" + job.id());
        if (Files.exists(dir.resolve("order"))) {
            log.info("launch order repeated; job already here job={}", job.id());
            return;
        }
        try {
            Files.createDirectories(dir);
            Path script = dir.resolve("script");
            Files.writeString(script, job.request().script());
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            writeAtomically(dir.resolve("started"), Long.toString(System.currentTimeMillis() / 1000));
            writeAtomically(dir.resolve("order"), encode(order));
            start(job, order.str("cluster", "motley"), order.lng("killWait", 30), dir);
        } catch (IOException | RuntimeException e) {
            log.error("launch failed job={}", job.id(), e);
            finish(new Running(job.id(), dir, -1, 0, null), JobState.FAILED, 1, 0);
        }
    }

    private void start(Job job, String cluster, long killWait, Path dir) throws IOException {
        String workDir = job.request().workDir();
        String user = job.user();
        String out = OutputPattern.expand(
                job.request().stdoutPattern() == null ? OutputPattern.DEFAULT : job.request().stdoutPattern(),
                job.id(), job.request().name(), user, nodeName, workDir);
        String err = job.request().stderrPattern() == null ? ""
                : OutputPattern.expand(job.request().stderrPattern(), job.id(), job.request().name(), user, nodeName, workDir);
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", setsid + " /bin/sh \"$0\" \"$@\"",
                spool.resolve("shepherd.sh").toString(), dir.toString(), workDir, out, err));
        cmd.addAll(job.request().arguments());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(JobEnvironment.build(job, cluster, nodeName));
        pb.environment().put("MOTLEY_SETSID", setsid);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("shepherd.log").toFile()));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        writeAtomically(dir.resolve("shepherd.pid"), Long.toString(p.pid()));
        Running r = new Running(job.id(), dir, job.timeLimitSeconds(), killWait, err.isEmpty() ? out : err);
        running.put(job.id(), r);
        log.info("job launched job={} shepherd_pid={} out={}", job.id(), p.pid(), out);
        watch(r, p.toHandle(), System.currentTimeMillis() / 1000);
    }

    private void watch(Running r, ProcessHandle shepherd, long startedAt) {
        if (r.limitSeconds > 0) {
            long left = Math.max(0, startedAt + r.limitSeconds - System.currentTimeMillis() / 1000);
            r.timeout = timers.schedule(() -> kill(r.id, "TIMEOUT"), left, TimeUnit.SECONDS);
        }
        if (shepherd.parent().map(p -> p.pid() == ProcessHandle.current().pid()).orElse(false)) {
            shepherd.onExit().thenRun(() -> shepherdExited(r));
        } else {
            // Adopted from an earlier agent: not our child, so poll. An orphan that exits may stay a
            // zombie where init does not reap (containers, some VMs); the exit file settles it.
            timers.schedule(() -> pollAdopted(r, shepherd), 200, TimeUnit.MILLISECONDS);
        }
    }

    private void pollAdopted(Running r, ProcessHandle shepherd) {
        if (!shepherd.isAlive() || isZombie(shepherd.pid()) || Files.exists(r.dir.resolve("exit"))) {
            shepherdExited(r);
        } else {
            timers.schedule(() -> pollAdopted(r, shepherd), 200, TimeUnit.MILLISECONDS);
        }
    }

    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private void shepherdExited(Running r) {
        if (r.timeout != null) r.timeout.cancel(false);
        Optional<String> killed = read(r.dir.resolve("killed"));
        Optional<String> exit = read(r.dir.resolve("exit"));
        for (int i = 0; i < 10 && killed.isEmpty() && exit.isEmpty(); i++) {
            // the shepherd writes the status just before it exits; give a slow disk a moment
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            exit = read(r.dir.resolve("exit"));
        }
        // a shepherd ends only after its script did; reap what the script left in its group
        readPid(r.dir.resolve("job.pid")).ifPresent(pgid -> signalGroup(pgid, "KILL"));
        if (killed.isPresent()) {
            finish(r, JobState.valueOf(killed.get().trim()), 0, 15);
        } else if (exit.isPresent()) {
            int rc = Integer.parseInt(exit.get().trim());
            // sh reports a death by signal as 128+signal, which is how Slurm's code:signal pair is recovered
            if (rc > 128) finish(r, JobState.FAILED, 0, rc - 128);
            else finish(r, rc == 0 ? JobState.COMPLETED : JobState.FAILED, rc, 0);
        } else {
            log.warn("job shepherd died without an exit status job={}", r.id);
            finish(r, JobState.FAILED, 0, 9);
        }
    }

    private void finish(Running r, JobState state, int code, int signal) {
        long end = System.currentTimeMillis() / 1000;
        Frame result = Frame.op(Ops.JOB_ENDED).put("id", r.id).put("state", state.name()).put("code", code)
                .put("signal", signal).put("end", end);
        try {
            Files.createDirectories(r.dir);
            writeAtomically(r.dir.resolve("result"), encode(result));
        } catch (IOException e) {
            log.error("cannot record job result job={}", r.id, e);
        }
        r.ended = true;
        running.put(r.id, r);
        log.info("job ended job={} state={} exit={}:{}", r.id, state, code, signal);
        reporter.accept(result);
    }

    /** Ends a job: records why, SIGTERM to its process group and descendants, SIGKILL after KillWait. */
    public void kill(long id, String why) {
        Running r = running.get(id);
        if (r == null || r.ended) {
            Path dir = spool.resolve("job" + id);
            if (!Files.exists(dir)) log.info("kill for a job not here job={}", id);
            return;
        }
        String state = "TIMEOUT".equals(why) ? "TIMEOUT" : "CANCELLED";
        try {
            if (Files.exists(r.dir.resolve("killed"))) return;
            writeAtomically(r.dir.resolve("killed"), state);
            String when = Durations.formatTimestamp(System.currentTimeMillis() / 1000, ZoneId.systemDefault());
            String msg = "motleystep-" + nodeName + ": error: *** JOB " + id + " ON " + nodeName + " CANCELLED AT " + when
                    + ("TIMEOUT".equals(state) ? " DUE TO TIME LIMIT" : "") + " ***\n";
            if (r.stderrPath != null) {
                Files.writeString(Path.of(r.stderrPath), msg, StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            log.warn("cannot record kill job={} error={}", id, e.getMessage());
        }
        Optional<Long> pgid = readPid(r.dir.resolve("job.pid"));
        log.info("job killing job={} why={} pgid={}", id, state, pgid.orElse(-1L));
        List<ProcessHandle> tree = new ArrayList<>();
        pgid.flatMap(ProcessHandle::of).ifPresent(h -> {
            tree.add(h);
            h.descendants().forEach(tree::add);
        });
        pgid.ifPresent(g -> signalGroup(g, "TERM"));
        tree.forEach(ProcessHandle::destroy);
        timers.schedule(() -> {
            pgid.ifPresent(g -> signalGroup(g, "KILL"));
            tree.forEach(ProcessHandle::destroyForcibly);
        }, r.killWait, TimeUnit.SECONDS);
    }

    private static void signalGroup(long pgid, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            log.warn("cannot signal process group pgid={} error={}", pgid, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The controller has recorded a job's end: its spool directory can go. */
    public void acknowledged(long id) {
        Running r = running.get(id);
        if (r != null && !r.ended) return;
        running.remove(id);
        deleteTree(spool.resolve("job" + id));
    }

    /**
     * What this agent holds, for registration: running jobs, and results not yet acknowledged.
     * On the first call after start-up it also adopts the jobs an earlier agent process left.
     */
    public List<Frame> inventory() {
        List<Frame> out = new ArrayList<>();
        try (var dirs = Files.list(spool)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                String n = dir.getFileName().toString();
                if (!n.startsWith("job")) continue;
                long id = Long.parseLong(n.substring(3));
                Optional<Frame> result = read(dir.resolve("result")).map(s -> decodeFile(dir.resolve("result")));
                if (result.isPresent()) {
                    out.add(result.get());
                    running.computeIfAbsent(id, k -> {
                        Running r = new Running(id, dir, -1, 0, null);
                        r.ended = true;
                        return r;
                    });
                    continue;
                }
                if (!Files.exists(dir.resolve("order"))) {
                    deleteTree(dir);
                    continue;
                }
                if (!running.containsKey(id)) adopt(id, dir);
                if (running.get(id) != null && running.get(id).ended) {
                    out.add(decodeFile(dir.resolve("result")));
                } else {
                    out.add(new Frame().put("op", "running").put("id", id));
                }
            }
        } catch (IOException e) {
            log.error("cannot read the spool {}", spool, e);
        }
        return out;
    }

    /** Picks up a job an earlier agent process started: watch its shepherd, or record its end. */
    private void adopt(long id, Path dir) {
        Frame order = decodeFile(dir.resolve("order"));
        Job job = Codec.job(order.children().get(0));
        String out = OutputPattern.expand(job.request().stdoutPattern() == null ? OutputPattern.DEFAULT
                : job.request().stdoutPattern(), job.id(), job.request().name(), job.user(), nodeName, job.request().workDir());
        String err = job.request().stderrPattern() == null ? out : OutputPattern.expand(job.request().stderrPattern(),
                job.id(), job.request().name(), job.user(), nodeName, job.request().workDir());
        Running r = new Running(id, dir, job.timeLimitSeconds(), order.lng("killWait", 30), err);
        running.put(id, r);
        long startedAt = read(dir.resolve("started")).map(s -> Long.parseLong(s.trim())).orElse(System.currentTimeMillis() / 1000);
        Optional<ProcessHandle> shepherd = shepherdOf(dir);
        if (shepherd.isPresent()) {
            log.info("adopted running job job={} shepherd_pid={}", id, shepherd.get().pid());
            watch(r, shepherd.get(), startedAt);
        } else {
            shepherdExited(r);
        }
    }

    /** The shepherd recorded at launch, if it is still there (and not a recycled pid: it must be a shell). */
    private Optional<ProcessHandle> shepherdOf(Path dir) {
        return readPid(dir.resolve("shepherd.pid")).flatMap(ProcessHandle::of)
                .filter(h -> h.isAlive() && !isZombie(h.pid()))
                .filter(h -> h.info().command().map(c -> c.endsWith("sh") || c.endsWith("setsid")).orElse(true));
    }

    public int runningCount() {
        return (int) running.values().stream().filter(r -> !r.ended).count();
    }

    private static Optional<Long> readPid(Path f) {
        return read(f).flatMap(s -> {
            try {
                return Optional.of(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static Optional<String> read(Path f) {
        try {
            return Optional.of(Files.readString(f));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void writeAtomically(Path f, String text) throws IOException {
        writeAtomically(f, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeAtomically(Path f, byte[] bytes) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static byte[] encode(Frame f) {
        return FrameIO.toBytes(f);
    }

    private static Frame decodeFile(Path f) {
        try {
            return FrameIO.fromBytes(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new IllegalStateException("unreadable spool file " + f + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }
}
