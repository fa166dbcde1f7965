package io.motley.agent.launch;

import com.sun.security.auth.module.UnixSystem;
import io.motley.agent.enforcement.Containment;
import io.motley.agent.enforcement.CpuAllocator;
import io.motley.agent.enforcement.JobBox;
import io.motley.agent.enforcement.JobLimits;
import io.motley.agent.enforcement.ProcessTracking;
import io.motley.core.job.Job;
import io.motley.core.job.JobEnvironment;
import io.motley.core.job.JobState;
import io.motley.core.job.OutputPattern;
import io.motley.core.job.Usage;
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
import java.nio.file.StandardOpenOption;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts batch jobs and watches them to the end. Each job gets a spool directory holding its
 * order, script and outcome, a box from the node's {@link Containment} (its cgroup, or tracking
 * of its processes), CPUs of its own, and a small shell "shepherd" in its own session that runs
 * the job in a new process group and writes the exit status. The job's first process joins the
 * box before the script starts and, on an agent running as root, becomes the submitting user.
 * Neither the shepherd nor the job depends on this JVM, so jobs outlive a restart of the agent,
 * which finds them (and their boxes and CPUs) again in the spool.
 *
 * <p>A job requeued by the controller comes back as a new run of the same id. Each run has its
 * own spool directory ({@code job12} for the first, {@code job12.1}, {@code job12.2} after
 * requeues) and its own entry here, and every order and report names its run, so the end of a
 * killed run is never taken for the end of the next one. A run ordered here while an older run of
 * the same job is still on this node waits until the older one is killed and gone: they would
 * otherwise share the job's cgroup, CPUs and process marker.
 */
public final class JobLauncher {
    private static final Logger log = LoggerFactory.getLogger(JobLauncher.class);
    private static final String SHEPHERD = """
            #!/bin/sh
            # Motley job shepherd: $1 spool dir; the job's arguments follow. enter.sh becomes the job.
            spool=$1
            shift
            # eval: MOTLEY_SETSID may be a quoted perl command line (macOS has no setsid(1))
            eval "$MOTLEY_SETSID"' /bin/sh "$spool/enter.sh" "$@" </dev/null &'
            pid=$!
            echo $pid >"$spool/job.pid"
            wait $pid
            echo $? >"$spool/exit.tmp" && mv "$spool/exit.tmp" "$spool/exit"
            times >"$spool/times.tmp" && mv "$spool/times.tmp" "$spool/times"
            """;
    private static final Pattern SH_TIME = Pattern.compile("(\\d+)m([\\d.]+)s");

    private final Path spool;
    private final String nodeName;
    private final Consumer<Frame> reporter;
    private final String setsid;
    private final Containment containment;
    private final CpuAllocator cpus;
    private final boolean agentIsRoot;
    /** Runs by spool directory name (see {@link #runDir}). */
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, Thread.ofVirtual().factory());

    /** One job this agent is responsible for, running or ended and not yet acknowledged. */
    private static final class Running {
        final long id;
        final int run;
        final Path dir;
        final long limitSeconds;
        final long killWait;
        final String stderrPath;
        volatile JobBox box;
        /** Owner for files the agent creates on the job's behalf (its error file), -1 for the agent's own. */
        volatile int uid = -1;
        volatile int gid = -1;
        volatile ScheduledFuture<?> timeout;
        volatile ScheduledFuture<?> sampler;
        volatile boolean ended;

        Running(long id, int run, Path dir, long limitSeconds, long killWait, String stderrPath) {
            this.id = id;
            this.run = run;
            this.dir = dir;
            this.limitSeconds = limitSeconds;
            this.killWait = killWait;
            this.stderrPath = stderrPath;
        }
    }

    /** A launcher that chooses its containment itself (ContainmentType=auto). */
    public JobLauncher(Path spool, String nodeName, Consumer<Frame> reporter) throws IOException {
        this(spool, nodeName, reporter, Containment.choose("auto", groupName(nodeName, spool)));
    }

    /**
     * The name of an agent's cgroups: the node's, plus a digest of its spool directory, so that
     * two clusters on one host (two users' {@code motley up}, parallel test clusters) never share a
     * job's group even when their nodes and job ids are alike; stable across restarts, so an agent
     * finds its running jobs' groups again.
     */
    public static String groupName(String node, Path spool) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(spool.toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return node + "-" + java.util.HexFormat.of().formatHex(d, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public JobLauncher(Path spool, String nodeName, Consumer<Frame> reporter, Containment containment) throws IOException {
        this(spool, nodeName, reporter, containment, CpuAllocator.hostCpus());
    }

    /** With the CPU ids this node's jobs may be bound to (a share of the host when several agents run on it). */
    public JobLauncher(Path spool, String nodeName, Consumer<Frame> reporter, Containment containment, List<Integer> cpuIds)
            throws IOException {
        this.spool = spool;
        this.nodeName = nodeName;
        this.reporter = reporter;
        this.containment = containment;
        this.cpus = new CpuAllocator(cpuIds.isEmpty() ? CpuAllocator.hostCpus() : cpuIds);
        this.agentIsRoot = agentUid() == 0;
        Files.createDirectories(spool);
        Files.writeString(spool.resolve("shepherd.sh"), SHEPHERD);
        this.setsid = findSetsid();
        if (agentIsRoot && JobIdentity.available().isEmpty()) {
            log.warn("the agent runs as root but has none of setpriv, runuser or perl to run jobs as their submitters; jobs of"
                    + " other users will fail node={}", nodeName);
        }
        log.info("jobs run as {} node={} containment={} cpus={}", agentIsRoot ? "their submitters" : jobUser(), nodeName,
                containment.name(), CpuAllocator.formatList(cpus.cpus()));
    }

    /** The containment jobs on this node get (its name is what the node reports). */
    public Containment containment() {
        return containment;
    }

    /** Whom jobs run as, as the node reports it: "submitter" for an agent running as root, else the agent's user. */
    public String jobUser() {
        return agentIsRoot ? "submitter" : System.getProperty("user.name");
    }

    private static long agentUid() {
        try {
            return new UnixSystem().getUid();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /** setsid(1) where it exists (Linux); perl's POSIX::setsid elsewhere (macOS). */
    private static String findSetsid() {
        for (String p : List.of("/usr/bin/setsid", "/bin/setsid", "/usr/local/bin/setsid")) {
            if (new File(p).canExecute()) return p;
        }
        return "perl -MPOSIX -e 'POSIX::setsid(); exec @ARGV or die qq(exec failed: $!)' --";
    }

    /** A run's spool directory name, which is also its key here: job12, then job12.1 after a requeue. */
    static String runDir(long id, int run) {
        return run == 0 ? "job" + id : "job" + id + "." + run;
    }

    /** Starts a job the controller ordered, unless this agent already has it (an order sent twice). */
    public void launch(Frame order) {
        Job job = Codec.job(order.children().get(0));
        int run = job.restarts();
        Path dir = spool.resolve(runDir(job.id(), run));
        if (Files.exists(dir.resolve("order"))) {
            log.info("launch order repeated; job already here job={} run={}", job.id(), run);
            return;
        }
        endOlderRuns(job.id(), run, order.lng("killWait", 30));
        try {
            Files.createDirectories(dir);
            Path script = dir.resolve("script");
            Files.writeString(script, job.request().script());
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            writeAtomically(dir.resolve("started"), Long.toString(System.currentTimeMillis() / 1000));
            writeAtomically(dir.resolve("order"), encode(order));
            start(job, order.str("cluster", "motley"), order.lng("killWait", 30), dir);
        } catch (IOException | RuntimeException e) {
            log.error("launch failed job={} error={}", job.id(), e.getMessage(), e);
            cpus.release(job.id());
            finish(new Running(job.id(), run, dir, -1, 0, null), JobState.FAILED, 1, 0, Usage.NONE);
        }
    }

    /**
     * A newer run of a job supersedes older ones still here (the controller requeued it, and the
     * kill may still be under way or may have been lost): they are killed, and the new run starts
     * once they have ended, or after KillWait and a margin with a warning.
     */
    private void endOlderRuns(long id, int run, long killWait) {
        List<Running> older = running.values().stream().filter(r -> r.id == id && r.run < run && !r.ended).toList();
        if (older.isEmpty()) return;
        for (Running r : older) {
            log.info("a newer run of the job was ordered; ending the older one job={} run={} newer_run={}", id, r.run, run);
            kill(r, "CANCELLED");
        }
        long giveUp = System.currentTimeMillis() + (killWait + 15) * 1000;
        while (older.stream().anyMatch(r -> !r.ended) && System.currentTimeMillis() < giveUp) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (older.stream().anyMatch(r -> !r.ended)) {
            log.warn("an older run of the job has not ended; starting the new run anyway job={} run={}", id, run);
        }
    }

    private void start(Job job, String cluster, long killWait, Path dir) throws IOException {
        String workDir = job.request().workDir();
        String user = job.user();
        String out = OutputPattern.stdout(job, nodeName);
        String err = job.request().stderrPattern() == null ? "" : OutputPattern.stderr(job, nodeName);
        JobIdentity who = JobIdentity.of(job, agentIsRoot);
        List<Integer> ids = cpus.allocate(job.id(), job.allocCpus());
        writeAtomically(dir.resolve("cpus"), CpuAllocator.formatList(ids));
        JobBox box = openBox(job.id(), new JobLimits(job.allocMemMiB(), ids, 0));
        try {
            writeAtomically(dir.resolve("box"), String.join("\n", prepend(box.strategy(), box.location())) + "\n");
            String script = dir.resolve("script").toString();
            if (who.drops) {
                Path copy = userScript(job.id(), dir, who);
                writeAtomically(dir.resolve("script.path"), copy.toString());
                script = copy.toString();
            }
            Map<String, String> env = JobEnvironment.build(job, cluster, nodeName);
            Files.writeString(dir.resolve("enter.sh"), EntryScript.render(job.id(), box.joinFiles(), box.bindCommand(),
                    env.get("SLURM_UMASK"), who.prefix, workDir, script, out, err));
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", setsid + " /bin/sh \"$0\" \"$@\"",
                    spool.resolve("shepherd.sh").toString(), dir.toString()));
            cmd.addAll(job.request().arguments());
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear();
            pb.environment().putAll(env);
            pb.environment().putAll(who.environment);
            pb.environment().put("MOTLEY_SETSID", setsid);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("shepherd.log").toFile()));
            pb.redirectErrorStream(true);
            Process p = pb.start();
            writeAtomically(dir.resolve("shepherd.pid"), Long.toString(p.pid()));
            Running r = new Running(job.id(), job.restarts(), dir, job.timeLimitSeconds(), killWait, err.isEmpty() ? out : err);
            r.box = box;
            if (who.drops) {
                r.uid = who.uid;
                r.gid = who.gid;
            }
            running.put(runDir(r.id, r.run), r);
            log.info("job launched job={} run={} shepherd_pid={} out={} user={} containment={} cpus={} mem_mib={}", job.id(), r.run, p.pid(), out,
                    who.user, box.strategy(), CpuAllocator.formatList(ids), job.allocMemMiB());
            watch(r, p.toHandle(), System.currentTimeMillis() / 1000);
        } catch (IOException | RuntimeException e) {
            box.remove();
            throw e;
        }
    }

    private JobBox openBox(long id, JobLimits limits) {
        try {
            return containment.open(id, limits);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot make the job's {} box; tracking its processes instead job={} error={}", containment.name(), id,
                    e.getMessage());
            return ProcessTracking.forNode(nodeName).open(id, limits);
        }
    }

    /**
     * The script where the job's user can run it: the spool may sit under a home only the agent
     * can enter, so a copy owned by the user goes into a directory of its own (root's, 0711).
     */
    private static Path userScript(long id, Path dir, JobIdentity who) throws IOException {
        Path scratch = Files.createTempDirectory("motley-job" + id + "-");
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwx--x--x"));
        Path copy = scratch.resolve("script");
        Files.copy(dir.resolve("script"), copy, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("r-x------"));
        Files.setAttribute(copy, "unix:gid", who.gid);
        Files.setAttribute(copy, "unix:uid", who.uid);
        return copy;
    }

    private void watch(Running r, ProcessHandle shepherd, long startedAt) {
        if (r.limitSeconds > 0) {
            long left = Math.max(0, startedAt + r.limitSeconds - System.currentTimeMillis() / 1000);
            r.timeout = timers.schedule(() -> kill(r, "TIMEOUT"), left, TimeUnit.SECONDS);
        }
        r.sampler = timers.scheduleWithFixedDelay(() -> sample(r), 0, JobBox.SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
        if (shepherd.parent().map(p -> p.pid() == ProcessHandle.current().pid()).orElse(false)) {
            shepherd.onExit().thenRun(() -> shepherdExited(r));
        } else {
            // Adopted from an earlier agent: not our child, so poll. An orphan that exits may stay a
            // zombie where init does not reap (containers, some VMs); the exit file settles it.
            timers.schedule(() -> pollAdopted(r, shepherd), 200, TimeUnit.MILLISECONDS);
        }
    }

    private void sample(Running r) {
        if (r.ended || r.box == null) return;
        try {
            readPid(r.dir.resolve("job.pid")).ifPresent(r.box::track);
            r.box.sample();
            int ooms = r.box.oomKills();
            // an agent restarted after killing a job for its memory must still report it as out of memory
            if (ooms > 0 && !Files.exists(r.dir.resolve("oom"))) writeAtomically(r.dir.resolve("oom"), Integer.toString(ooms));
        } catch (IOException | RuntimeException e) {
            log.debug("cannot sample job job={} error={}", r.id, e.toString());
        }
    }

    private void pollAdopted(Running r, ProcessHandle shepherd) {
        if (!shepherd.isAlive() || ProcessTracking.isZombie(shepherd.pid()) || Files.exists(r.dir.resolve("exit"))) {
            shepherdExited(r);
        } else {
            timers.schedule(() -> pollAdopted(r, shepherd), 200, TimeUnit.MILLISECONDS);
        }
    }

    private void shepherdExited(Running r) {
        synchronized (r) {
            if (r.ended) return;
            if (r.timeout != null) r.timeout.cancel(false);
            if (r.sampler != null) r.sampler.cancel(false);
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
            Usage usage = Usage.NONE;
            int ooms = 0;
            if (r.box != null) {
                // a shepherd ends only after its script did: what the job left behind (daemons, detached children) goes too
                readPid(r.dir.resolve("job.pid")).ifPresent(r.box::track);
                r.box.killAll();
                usage = merge(r.box.usage(), shellTimes(r.dir.resolve("times")));
                ooms = Math.max(r.box.oomKills(), read(r.dir.resolve("oom")).map(s -> Integer.parseInt(s.trim())).orElse(0));
                r.box.remove();
            }
            cpus.release(r.id);
            read(r.dir.resolve("script.path")).ifPresent(p -> deleteUserScript(Path.of(p.trim())));
            logShepherdTrouble(r);
            if (killed.isPresent()) {
                finish(r, JobState.valueOf(killed.get().trim()), 0, 15, usage);
            } else if (ooms > 0) {
                appendToJobErr(r, "motleystep-" + nodeName + ": error: Detected " + ooms + " oom_kill event" + (ooms == 1 ? "" : "s")
                        + " in StepId=" + r.id + ".batch. Some of the step tasks have been OOM Killed.\n");
                finish(r, JobState.OUT_OF_MEMORY, 0, 9, usage);
            } else if (exit.isPresent()) {
                int rc = Integer.parseInt(exit.get().trim());
                // sh reports a death by signal as 128+signal, which is how Slurm's code:signal pair is recovered
                if (rc > 128) finish(r, JobState.FAILED, 0, rc - 128, usage);
                else finish(r, rc == 0 ? JobState.COMPLETED : JobState.FAILED, rc, 0, usage);
            } else {
                log.warn("job shepherd died without an exit status job={}", r.id);
                finish(r, JobState.FAILED, 0, 9, usage);
            }
        }
    }

    /** What the entry script could not do (join a cgroup, bind CPUs, drop privileges) lands in shepherd.log. */
    private static void logShepherdTrouble(Running r) {
        read(r.dir.resolve("shepherd.log")).map(String::trim).filter(s -> !s.isEmpty()).ifPresent(s ->
                log.warn("job shepherd reported: {} job={}", s.length() > 500 ? s.substring(0, 500) + "..." : s, r.id));
    }

    /** Per field the larger: the box's counters, or the shell's own times for all the children it waited for. */
    static Usage merge(Usage box, Optional<long[]> shell) {
        if (shell.isEmpty()) return box;
        return new Usage(box.maxRssKiB(), box.maxVmKiB(), Math.max(box.userCpuMs(), shell.get()[0]),
                Math.max(box.systemCpuMs(), shell.get()[1]));
    }

    /** The second line of sh's {@code times}: user and system time of the children, as "1m2.345s 0m0.100s". */
    static Optional<long[]> shellTimes(Path f) {
        return read(f).flatMap(text -> {
            String[] lines = text.trim().split("\n");
            if (lines.length < 2) return Optional.empty();
            Matcher m = SH_TIME.matcher(lines[1]);
            long[] ms = new long[2];
            for (int i = 0; i < 2; i++) {
                if (!m.find()) return Optional.empty();
                ms[i] = Long.parseLong(m.group(1)) * 60_000 + Math.round(Double.parseDouble(m.group(2)) * 1000);
            }
            return Optional.of(ms);
        });
    }

    private void finish(Running r, JobState state, int code, int signal, Usage usage) {
        long end = System.currentTimeMillis() / 1000;
        Frame result = Frame.op(Ops.JOB_ENDED).put("id", r.id).put("run", r.run).put("state", state.name()).put("code", code)
                .put("signal", signal).put("end", end);
        Codec.putUsage(result, usage);
        try {
            Files.createDirectories(r.dir);
            writeAtomically(r.dir.resolve("result"), encode(result));
        } catch (IOException e) {
            log.error("cannot record job result job={}", r.id, e);
        }
        r.ended = true;
        running.put(runDir(r.id, r.run), r);
        log.info("job ended job={} run={} state={} exit={}:{} max_rss_kib={} cpu_ms={}", r.id, r.run, state, code, signal, usage.maxRssKiB(),
                usage.totalCpuMs());
        reporter.accept(result);
    }

    /**
     * Ends a job: records why, SIGTERM to its process group, descendants and everything in its box,
     * and after KillWait SIGKILL to all of them, detached processes included.
     */
    public void kill(long id, String why) {
        kill(id, 0, why);
    }

    /** Kills one run of a job; an order for another run (one a requeue replaced) leaves this one alone. */
    public void kill(long id, int run, String why) {
        Running r = running.get(runDir(id, run));
        if (r == null || r.ended) {
            Path dir = spool.resolve(runDir(id, run));
            if (!Files.exists(dir)) log.info("kill for a job not here job={} run={}", id, run);
            return;
        }
        kill(r, why);
    }

    private void kill(Running r, String why) {
        long id = r.id;
        String state = "TIMEOUT".equals(why) ? "TIMEOUT" : "CANCELLED";
        if (Files.exists(r.dir.resolve("killed"))) return;
        try {
            writeAtomically(r.dir.resolve("killed"), state);
        } catch (IOException e) {
            log.warn("cannot record kill job={} error={}", id, e.getMessage());
        }
        String when = Durations.formatTimestamp(System.currentTimeMillis() / 1000, ZoneId.systemDefault());
        appendToJobErr(r, "motleystep-" + nodeName + ": error: *** JOB " + id + " ON " + nodeName + " CANCELLED AT " + when
                + ("TIMEOUT".equals(state) ? " DUE TO TIME LIMIT" : "REQUEUE".equals(why) ? " DUE TO JOB REQUEUE" : "") + " ***\n");
        Optional<Long> pgid = readPid(r.dir.resolve("job.pid"));
        log.info("job killing job={} why={} pgid={}", id, state, pgid.orElse(-1L));
        List<ProcessHandle> tree = new ArrayList<>();
        pgid.flatMap(ProcessHandle::of).ifPresent(h -> {
            tree.add(h);
            h.descendants().forEach(tree::add);
        });
        JobBox box = r.box;
        if (box != null) pgid.ifPresent(box::track);
        pgid.ifPresent(g -> signalGroup(g, "TERM"));
        tree.forEach(ProcessHandle::destroy);
        if (box != null) box.terminate();
        timers.schedule(() -> {
            // a run that has ended was emptied and its box removed; the next run of the same job may
            // already live in a box of the same name, and this SIGKILL must not reach it
            if (r.ended) return;
            pgid.ifPresent(g -> signalGroup(g, "KILL"));
            tree.forEach(ProcessHandle::destroyForcibly);
            if (box != null) box.killAll();
        }, r.killWait, TimeUnit.SECONDS);
    }

    /** Appends a line to the job's error file, creating it as the job's user where it is not there yet. */
    private static void appendToJobErr(Running r, String text) {
        if (r.stderrPath == null) return;
        Path f = Path.of(r.stderrPath);
        try {
            boolean existed = Files.exists(f);
            Files.writeString(f, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (!existed && r.uid >= 0) {
                Files.setAttribute(f, "unix:gid", r.gid);
                Files.setAttribute(f, "unix:uid", r.uid);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot write to the job's error file job={} file={} error={}", r.id, f, e.getMessage());
        }
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
        acknowledged(id, 0);
    }

    public void acknowledged(long id, int run) {
        String key = runDir(id, run);
        Running r = running.get(key);
        if (r != null && !r.ended) return;
        running.remove(key);
        Path dir = spool.resolve(key);
        read(dir.resolve("script.path")).ifPresent(p -> deleteUserScript(Path.of(p.trim())));
        deleteTree(dir);
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
                if (!n.matches("job\\d+(\\.\\d+)?")) continue;
                int dot = n.indexOf('.');
                long id = Long.parseLong(dot < 0 ? n.substring(3) : n.substring(3, dot));
                int run = dot < 0 ? 0 : Integer.parseInt(n.substring(dot + 1));
                Optional<Frame> result = read(dir.resolve("result")).map(s -> decodeFile(dir.resolve("result")));
                if (result.isPresent()) {
                    out.add(result.get());
                    running.computeIfAbsent(n, k -> {
                        Running r = new Running(id, run, dir, -1, 0, null);
                        r.ended = true;
                        return r;
                    });
                    continue;
                }
                if (!Files.exists(dir.resolve("order"))) {
                    deleteTree(dir);
                    continue;
                }
                if (!running.containsKey(n)) adopt(id, run, dir);
                if (running.get(n) != null && running.get(n).ended) {
                    out.add(decodeFile(dir.resolve("result")));
                } else {
                    out.add(new Frame().put("op", "running").put("id", id).put("run", run));
                }
            }
        } catch (IOException e) {
            log.error("cannot read the spool {}", spool, e);
        }
        return out;
    }

    /** Picks up a job an earlier agent process started: its CPUs, its box, and its shepherd or its end. */
    private void adopt(long id, int run, Path dir) {
        Frame order = decodeFile(dir.resolve("order"));
        Job job = Codec.job(order.children().get(0));
        String out = OutputPattern.stdout(job, nodeName);
        String err = OutputPattern.stderr(job, nodeName);
        Running r = new Running(id, run, dir, job.timeLimitSeconds(), order.lng("killWait", 30), err);
        if (agentIsRoot && job.uid() > 0) {
            r.uid = job.uid();
            r.gid = Math.max(0, job.gid());
        }
        List<Integer> ids = read(dir.resolve("cpus")).map(s -> CpuAllocator.parseList(s.trim())).orElse(List.of());
        cpus.restore(id, ids);
        JobLimits limits = new JobLimits(job.allocMemMiB(), ids, 0);
        List<String> boxFile = read(dir.resolve("box")).map(s -> List.of(s.trim().split("\n"))).orElse(List.of("process"));
        r.box = Containment.reopen(boxFile.get(0).trim(), id, nodeName, limits, boxFile.subList(1, boxFile.size()));
        running.put(runDir(id, run), r);
        long startedAt = read(dir.resolve("started")).map(s -> Long.parseLong(s.trim())).orElse(System.currentTimeMillis() / 1000);
        Optional<ProcessHandle> shepherd = shepherdOf(dir);
        if (shepherd.isPresent()) {
            log.info("adopted running job job={} shepherd_pid={} containment={} cpus={}", id, shepherd.get().pid(),
                    r.box.strategy(), CpuAllocator.formatList(ids));
            watch(r, shepherd.get(), startedAt);
        } else {
            shepherdExited(r);
        }
    }

    /** The shepherd recorded at launch, if it is still there (and not a recycled pid: it must be a shell). */
    private Optional<ProcessHandle> shepherdOf(Path dir) {
        return readPid(dir.resolve("shepherd.pid")).flatMap(ProcessHandle::of)
                .filter(h -> h.isAlive() && !ProcessTracking.isZombie(h.pid()))
                .filter(h -> h.info().command().map(c -> c.endsWith("sh") || c.endsWith("setsid")).orElse(true));
    }

    public int runningCount() {
        return (int) running.values().stream().filter(r -> !r.ended).count();
    }

    private static <T> List<T> prepend(T first, List<T> rest) {
        List<T> out = new ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return out;
    }

    /** Only the file the agent made and its own directory: the user owns the file, never the directory. */
    private static void deleteUserScript(Path script) {
        try {
            Files.deleteIfExists(script);
            Files.deleteIfExists(script.getParent());
        } catch (IOException e) {
            log.debug("cannot remove the job's script copy {} error={}", script, e.getMessage());
        }
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
