package io.motley.agent.launch;

import com.sun.security.auth.module.UnixSystem;
import io.motley.agent.clock.WallClock;
import io.motley.agent.enforcement.Containment;
import io.motley.agent.enforcement.CpuAllocator;
import io.motley.agent.enforcement.JobBox;
import io.motley.agent.enforcement.JobLimits;
import io.motley.agent.enforcement.ProcessTracking;
import io.motley.agent.enforcement.RootCommand;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobEnvironment;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.core.job.OutputPattern;
import io.motley.core.job.SignalSpec;
import io.motley.core.job.Staging;
import io.motley.core.job.Usage;
import io.motley.core.time.Durations;
import io.motley.protocol.FrameIO;
import io.motley.protocol.MalformedMessage;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Held;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Messages;
import io.motley.protocol.StepMessages;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * <p>Nothing the agent runs with its own privileges sees anything of the job's: the shepherd, the
 * entry script up to the privilege drop and every helper run by absolute path with a fixed
 * environment ({@link RootCommand}); the job's environment waits in the spool and is read by the
 * job's user only. The spool is the agent's alone (0700, files 0600), and what the agent writes
 * into the job's own files it writes as the job's user, so no path a user controls is ever opened
 * by root. A launch that fails ends FAILED with a one-line reason ({@code desc}) for the user.
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
    /**
     * Runs with the agent's privileges and {@link RootCommand#ENVIRONMENT}, so every program it
     * names is an absolute path. The job's first process is a subshell that reads enter.sh and
     * becomes the job by exec alone. The job is forked before the umask tightens: what the job
     * creates keeps its own umask, what the shepherd writes is the agent's alone. Its end is
     * written with builtins, the times first, then the status as one line (one write): the agent
     * takes a status file as written once it holds a whole line ({@link #exitStatus}).
     */
    private static final String SHEPHERD = """
            #!/bin/sh
            # Motley job shepherd: $1 spool dir; the job's arguments follow. enter.sh becomes the job.
            spool=$1
            shift
            { . "$spool/enter.sh"; } </dev/null &
            pid=$!
            umask 077
            echo $pid >"$spool/job.pid"
            wait $pid
            status=$?
            times >"$spool/times"
            echo $status >"$spool/exit"
            """;

    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PRIVATE_SCRIPT = PosixFilePermissions.fromString("rwx------");
    /** Appends $1 to the file $2; run as the job's user, so the user's own rights decide what may be written. */
    private static final String APPEND = "printf %s \"$1\" >>\"$2\"";

    private static final Pattern SH_TIME = Pattern.compile("(\\d+)m([\\d.]+)s");

    /** The distribution's bin (srun, sbatch, ...), first on every job's PATH; null outside a distribution (tests). */
    private static final String COMMANDS = commandsDir(System.getenv("MOTLEY_DIST"));

    private final Path spool;
    private final String nodeName;
    private final Consumer<JobEnded> reporter;
    /** How jobs (and their shepherds) get a session of their own with slurmstepd's signals at their defaults. */
    private final Session session;
    /** motley-start where the build made it, in place of the entry script's chain of programs; null: the chain. */
    private volatile Starter starter;

    private final Containment containment;
    private final CpuAllocator cpus;
    private final boolean agentIsRoot;
    /** DisableRootJobs: launch orders for jobs of uid 0 are refused. */
    private final boolean refuseRootJobs;
    /** The umask jobs get when they name none (SLURM_UMASK): the agent's own, as slurmd's. */
    private final String defaultUmask;
    /** Runs by spool directory name (see {@link #runDir}). */
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /**
     * Jobs whose launch order came and whose start is not done, each with the start's completion: a step's tasks
     * ordered meanwhile wait for it (srun outside an allocation, or under salloc, asks for them as soon as the
     * controller has the job running, which can be before this agent has started it).
     */
    private final Map<Long, java.util.concurrent.CompletableFuture<Void>> launching = new ConcurrentHashMap<>();

    /** How long a step's tasks wait for their job's start here before they are refused. */
    static final java.time.Duration START_WAIT = java.time.Duration.ofSeconds(30);

    /** Time limits that arrived before their run was launched here (the launch runs in a thread of its own). */
    private final Map<String, Long> earlyLimits = new ConcurrentHashMap<>();

    private final ScheduledExecutorService timers =
            Executors.newScheduledThreadPool(2, Thread.ofVirtual().factory());

    /** Where the link sends output chunks; until the agent attaches its link, nothing goes. */
    private volatile OutputOutbox.Sender outputSender = r -> false;
    /** Output of runs whose submit directory is not on this node, on its way to their submit host. */
    private final OutputOutbox outbox;
    /** Output of jobs submitted here that ran elsewhere, written here as their users. */
    private final OutputDelivery delivery;
    /** Per-run working directories of jobs whose submit directory is not on this node (root's, 0711). */
    private volatile Path workRoot;

    /** One job this agent is responsible for, running or ended and not yet acknowledged. */
    private static final class Running {
        final long id;
        final int run;
        final Path dir;
        /** 0: no limit; scontrol update TimeLimit= changes it (see {@link #limit}). */
        volatile long limitSeconds;

        final long killWait;
        final String stderrPath;
        /** The run's output goes to the outbox, and from there to its submit host. */
        volatile boolean remote;

        volatile JobBox box;
        /**
         * Words that run a command as the job's user (empty where the job runs as the agent's user),
         * for what the agent writes on the job's behalf (its error file); null when that user is unknown.
         */
        volatile List<String> asUser;
        /** The end as reported, kept here too: the spool may be full and unable to hold it. */
        volatile JobEnded result;

        /** The GPUs the job was given (device indices); empty for an adopted run. */
        volatile List<Integer> gpus = List.of();

        volatile ScheduledFuture<?> timeout;
        /** sbatch --signal: what to send before the time limit (null: nothing), and its timer. */
        volatile SignalSpec warning;

        volatile ScheduledFuture<?> warningTimer;
        /** When the time limit runs out, on the monotonic clock (System.nanoTime); meaningless without a limit. */
        volatile long limitEndsNanos;
        /** scontrol suspend: stopped, the time limit's timers cancelled with {@code leftNanos} still to run. */
        volatile boolean suspended;

        volatile long leftNanos;
        /** The SIGSTOP (or freeze) due two seconds after the SIGTSTP of a suspension. */
        volatile ScheduledFuture<?> stopTimer;

        volatile ScheduledFuture<?> sampler;
        /** Held without a process of its own ({@link #bare}): it ends when it is killed or its time limit comes. */
        volatile boolean bare;

        volatile boolean ended;
        /** The end, held back until the run's stage-out files are written on the submit host. */
        volatile JobEnded staging;

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
    public JobLauncher(Path spool, String nodeName, Consumer<JobEnded> reporter) throws IOException {
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
                    .digest(spool.toAbsolutePath()
                            .normalize()
                            .toString()
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return node + "-" + java.util.HexFormat.of().formatHex(d, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public JobLauncher(Path spool, String nodeName, Consumer<JobEnded> reporter, Containment containment)
            throws IOException {
        this(spool, nodeName, reporter, containment, CpuAllocator.hostCpus());
    }

    /** With the CPU ids this node's jobs may be bound to (a share of the host when several agents run on it). */
    public JobLauncher(
            Path spool, String nodeName, Consumer<JobEnded> reporter, Containment containment, List<Integer> cpuIds)
            throws IOException {
        this(spool, nodeName, reporter, containment, cpuIds, false);
    }

    /** With {@code refuseRootJobs} (DisableRootJobs=YES): jobs of uid 0 end FAILED without running. */
    public JobLauncher(
            Path spool,
            String nodeName,
            Consumer<JobEnded> reporter,
            Containment containment,
            List<Integer> cpuIds,
            boolean refuseRootJobs)
            throws IOException {
        this.spool = spool;
        this.nodeName = nodeName;
        this.reporter = reporter;
        this.containment = containment;
        this.cpus = new CpuAllocator(cpuIds.isEmpty() ? CpuAllocator.hostCpus() : cpuIds);
        this.agentIsRoot = agentUid() == 0;
        this.refuseRootJobs = refuseRootJobs;
        this.defaultUmask = agentUmask();
        // the spool holds every job's script and environment: the agent's user alone may enter it
        if (spool.getParent() != null) Files.createDirectories(spool.getParent());
        createPrivateDirectory(spool);
        Files.setPosixFilePermissions(spool, PRIVATE_DIR);
        writeAtomically(spool.resolve("shepherd.sh"), SHEPHERD.getBytes(StandardCharsets.UTF_8), PRIVATE_SCRIPT);
        this.session = Session.find();
        this.starter = Starter.find(System.getenv("MOTLEY_DIST")).orElse(null);
        workIn(spool.resolveSibling(spool.getFileName() + ".work"));
        this.outbox = new OutputOutbox(
                spool.resolve("outbox"),
                r -> outputSender.send(r),
                System::currentTimeMillis,
                OutputOutbox.DEFAULT_CAP);
        this.outbox.onDelivered(this::removeWorkDir);
        this.outbox.onStaged(this::staged);
        this.delivery = new OutputDelivery(spool.resolve("delivered"), agentIsRoot);

        timers.scheduleWithFixedDelay(this::shipOutput, 500, 500, TimeUnit.MILLISECONDS);
        if (agentIsRoot && JobIdentity.available().isEmpty()) {
            log.warn(
                    "the agent runs as root but has none of setpriv, runuser or perl to run jobs as their submitters; jobs of"
                            + " other users will fail node={}",
                    nodeName);
        }
        log.info(
                "jobs run as {} node={} containment={} cpus={} root_jobs={} start={}",
                agentIsRoot ? "their submitters" : jobUser(),
                nodeName,
                containment.name(),
                CpuAllocator.formatList(cpus.cpus()),
                refuseRootJobs ? "refused" : "allowed",
                starter != null ? starter.program() : "entry script");
    }

    /** Starts jobs and tasks through {@code s} (motley-start), or through the entry script's chain where null. */
    void starter(Starter s) {
        this.starter = s;
    }

    /**
     * Where jobs whose submit directory is not on this node get their directories (the agent uses
     * MOTLEY_HOME/work/NODE: the spool is closed to users). Made root's, 0711: each job's user
     * enters its own directory in it and lists nothing else.
     */
    public void workIn(Path dir) throws IOException {
        if (dir.getParent() != null && !Files.isDirectory(dir.getParent())) {
            Files.createDirectories(dir.getParent());
            Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
        }
        createPrivateDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        this.workRoot = dir;
        if (agentIsRoot) {
            closedAncestor(dir)
                    .ifPresent(d -> log.warn(
                            "jobs of other users cannot enter their directories under {}: {} is closed to them; jobs"
                                    + " whose submit directory is not on this node will fail to launch (docs/files.md)",
                            dir,
                            d));
        }
    }

    /** The first directory on the way to {@code dir} that other users may not pass through, if any. */
    static Optional<Path> closedAncestor(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE))
                    return Optional.of(p);
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** At most this many bytes of each stream of a job's output go to its submit host (--max-output). */
    public void outputCap(long bytes) {
        outbox.capBytes(bytes);
    }

    /**
     * Where a node reads a job's --stage-in archive that travelled in chunks (docs/files.md): the
     * controller, a piece of at most {@code max} bytes from {@code offset} at a time.
     */
    @FunctionalInterface
    public interface StageInSource {
        /** Up to {@code max} bytes from {@code offset} of job {@code id}'s archive, and the archive's size. */
        Piece read(long id, long offset, int max) throws IOException;

        /** Bytes of an archive and its whole size. */
        record Piece(byte[] data, long size) {}
    }

    private volatile StageInSource stageIns = (id, offset, max) -> {
        throw new IOException("this agent cannot read stage-in files from the controller");
    };

    /** Chunked --stage-in archives are read through {@code source} (the controller) from now on. */
    public void readStageInsFrom(StageInSource source) {
        this.stageIns = source;
    }

    /** Output chunks go out through {@code sender} (the controller link) from now on. */
    public void sendOutputThrough(OutputOutbox.Sender sender) {
        this.outputSender = sender;
        shipOutput();
    }

    /** Writes output the controller routed here from a job submitted on this node that ran elsewhere. */
    public Message.Delivered deliver(Message.Deliver d) {
        return delivery.deliver(d);
    }

    /** The submit host's answer to a chunk of a run of this node. */
    public void delivered(Message.Delivered d) {
        outbox.delivered(d);
    }

    /** motley logs: a run's output while this node's outbox holds it. */
    public Message.OutputRead readOutput(Message.ReadOutput r) {
        return outbox.read(r.tag(), runDir(r.id(), r.run()), r.stream(), r.offset(), r.max());
    }

    private void shipOutput() {
        try {
            outbox.tick();
        } catch (RuntimeException e) {
            log.warn("shipping job output failed; trying again error={}", e.toString());
        }
    }

    /** The per-run working directory goes once the run's output is delivered: emptied as its user, then removed. */
    private void removeWorkDir(Path outboxDir) {
        Path work = workRoot.resolve(outboxDir.getFileName());
        if (!Files.isDirectory(work, LinkOption.NOFOLLOW_LINKS)) return;
        List<String> cmd = new ArrayList<>();
        Optional<String> owner = read(outboxDir.resolve("owner"));
        try {
            if (owner.isPresent()) {
                String[] w = owner.get().trim().split(" ", 3);
                cmd.addAll(JobIdentity.of(0, Integer.parseInt(w[0]), Integer.parseInt(w[1]), w[2], agentIsRoot).prefix);
            } else if (agentIsRoot) {
                log.warn("the working directory's owner is unknown; leaving it dir={}", work);
                return;
            }
            cmd.addAll(List.of(
                    JobIdentity.find("find").orElse("/usr/bin/find"), work.toString(), "-mindepth", "1", "-delete"));
            Process p = RootCommand.of(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.waitFor(60, TimeUnit.SECONDS);
            Files.deleteIfExists(work);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot remove the job's working directory dir={} error={}", work, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The containment jobs on this node get (its name is what the node reports). */
    public Containment containment() {
        return containment;
    }

    /** Whom jobs run as, as the node reports it: "submitter" for an agent running as root, else the agent's user. */
    public String jobUser() {
        return agentIsRoot ? "submitter" : System.getProperty("user.name");
    }

    static String commandsDir(String dist) {
        if (dist == null || dist.isEmpty()) return null;
        Path bin = Path.of(dist, "bin").toAbsolutePath().normalize();
        return Files.isExecutable(bin.resolve("srun")) ? bin.toString() : null;
    }

    private static long agentUid() {
        try {
            return new UnixSystem().getUid();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /** The agent's umask from /proc (Linux), else the usual 0022. */
    private static String agentUmask() {
        return read(Path.of("/proc/self/status"))
                .flatMap(s -> s.lines().filter(l -> l.startsWith("Umask:")).findFirst())
                .map(l -> l.substring("Umask:".length()).trim())
                .orElse("0022");
    }

    /** A run's spool directory name, which is also its key here: job12, then job12.1 after a requeue. */
    static String runDir(long id, int run) {
        return run == 0 ? "job" + id : "job" + id + "." + run;
    }

    /**
     * {@link #launch} on a thread of its own; a step's tasks ordered after this call and before the start is done
     * wait for it.
     */
    public void launchInBackground(Launch order) {
        long id = order.job().id();
        java.util.concurrent.CompletableFuture<Void> started = new java.util.concurrent.CompletableFuture<>();
        launching.put(id, started);
        Thread.ofVirtual().name("launch-" + id).start(() -> {
            try {
                launch(order);
            } finally {
                launching.remove(id, started);
                started.complete(null);
            }
        });
    }

    /** Starts a job the controller ordered, unless this agent already has it (an order sent twice). */
    public void launch(Launch order) {
        Job job = order.job();
        int run = job.restarts();
        String key = runDir(job.id(), run);
        Path dir = spool.resolve(key);
        if (Files.exists(dir.resolve("order"))
                || Files.exists(dir.resolve("result"))
                || running.containsKey(key) && running.get(key).ended) {
            log.info("launch order repeated; job already here job={} run={}", job.id(), run);
            return;
        }
        if (refuseRootJobs && job.uid() == 0) {
            log.warn("launch refused: a job of root, and DisableRootJobs=YES job={} run={}", job.id(), run);
            finish(
                    new Running(job.id(), run, dir, -1, 0, null),
                    JobState.FAILED,
                    1,
                    0,
                    Usage.NONE,
                    "Launch refused on " + nodeName + ": DisableRootJobs=YES");
            return;
        }
        endOlderRuns(job.id(), run, order.killWaitSeconds());
        try {
            try {
                createPrivateDirectory(dir);
                String script = holds(job) ? HOLDER_SCRIPT : job.request().script();
                writeAtomically(dir.resolve("script"), script.getBytes(StandardCharsets.UTF_8), PRIVATE_SCRIPT);
                writeAtomically(dir.resolve("started"), Long.toString(WallClock.seconds()));
                writeAtomically(dir.resolve("order"), FrameIO.toBytes(Messages.encode(order)));
            } catch (IOException e) {
                throw new LaunchFailure(spoolTrouble(e), e);
            }
            start(job, order.cluster(), order.killWaitSeconds(), dir, order.sharedFilesystem());
        } catch (LaunchFailure.Slurm e) {
            log.error("launch failed job={} error=\"{}\"", job.id(), e.getMessage());
            cpus.release(job.id());
            finish(
                    new Running(job.id(), run, dir, -1, 0, null),
                    JobState.FAILED,
                    0,
                    53,
                    Usage.NONE,
                    "JobLaunchFailure");
        } catch (LaunchFailure | RuntimeException e) {
            String why = String.valueOf(e.getMessage());
            if (e instanceof LaunchFailure) log.error("launch failed job={} error=\"{}\"", job.id(), why);
            else log.error("launch failed job={} error=\"{}\"", job.id(), why, e);
            cpus.release(job.id());
            finish(
                    new Running(job.id(), run, dir, -1, 0, null),
                    JobState.FAILED,
                    1,
                    0,
                    Usage.NONE,
                    "Launch failed on " + nodeName + ": " + why);
        }
    }

    /** How long a launch waits for the directory of the job's output files to appear. */
    static final java.time.Duration OUTPUT_DIR_WAIT = java.time.Duration.ofSeconds(5);

    /** Whether {@code dir} is a directory now or becomes one within {@code wait} (looked at every 50 ms). */
    static boolean awaitDirectory(Path dir, java.time.Duration wait) {
        long until = System.nanoTime() + wait.toNanos();
        while (!Files.isDirectory(dir)) {
            if (System.nanoTime() - until >= 0) return false;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Files.isDirectory(dir);
            }
        }
        return true;
    }

    /** Why a launch did not happen, in words for the job's user (it becomes the job's Reason). */
    private static class LaunchFailure extends Exception {
        LaunchFailure(String why, Throwable cause) {
            super(why, cause);
        }

        /** What Slurm ends FAILED 0:53 with reason JobLaunchFailure (an output file it cannot open). */
        static final class Slurm extends LaunchFailure {
            Slurm(String why) {
                super(why, null);
            }
        }
    }

    /** "No space left on device (writing the job's spool)": the system's reason, without the agent's paths. */
    private static String spoolTrouble(IOException e) {
        return reason(e) + " (writing the job's spool)";
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        if (e instanceof FileSystemException f) return e.getClass().getSimpleName() + " " + f.getFile();
        return String.valueOf(e.getMessage());
    }

    /**
     * A newer run of a job supersedes older ones still here (the controller requeued it, and the
     * kill may still be under way or may have been lost): they are killed, and the new run starts
     * once they have ended, or after KillWait and a margin with a warning.
     */
    private void endOlderRuns(long id, int run, long killWait) {
        List<Running> older = running.values().stream()
                .filter(r -> r.id == id && r.run < run && !r.ended)
                .toList();
        if (older.isEmpty()) return;
        for (Running r : older) {
            log.info(
                    "a newer run of the job was ordered; ending the older one job={} run={} newer_run={}",
                    id,
                    r.run,
                    run);
            kill(r, KillReason.SUPERSEDED);
        }
        long giveUp = System.nanoTime() + (killWait + 15) * 1_000_000_000L;
        while (older.stream().anyMatch(r -> !r.ended) && System.nanoTime() - giveUp < 0) {
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

    private final StepTasks stepTasks = new StepTasks();

    /**
     * Runs a step's tasks here for an srun on another node (the controller's order), in the job's
     * box on this node and as its user; what they write and their ends go to {@code events}. A
     * job that does not run here ends each task at once with status 1 and a line on its stderr.
     */
    public void runTasks(StepMessages.RunTasks order, Consumer<StepMessages.TaskEvent> events) {
        Optional<StepTasks.Place> place;
        String why;
        try {
            place = stepPlace(order.jobId());
            java.util.concurrent.CompletableFuture<Void> starting = launching.get(order.jobId());
            if (place.isEmpty() && starting != null) {
                try {
                    starting.get(START_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    // still starting, or its start failed: looked for once more, then refused
                }
                place = stepPlace(order.jobId());
            }
            why = "job " + order.jobId() + " does not run on " + nodeName;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            place = Optional.empty();
            why = "the agent is stopping";
        } catch (IOException | RuntimeException e) {
            place = Optional.empty();
            why = e.getMessage();
        }
        if (place.isPresent()) {
            stepTasks.run(order, place.get(), events);
            return;
        }
        log.warn("step tasks refused job={} step={} why=\"{}\"", order.jobId(), order.stepId(), why);
        for (StepMessages.RemoteTask t : order.tasks()) {
            byte[] text = ("motleystep-" + nodeName + ": error: task " + t.task() + " not started: " + why + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            events.accept(new StepMessages.TaskEvent(order.jobId(), order.stepId(), t.task(), "err", text, 0));
            events.accept(StepMessages.TaskEvent.ended(order.jobId(), order.stepId(), t.task(), 1));
        }
    }

    /**
     * sstat: each task of job {@code jobId}'s steps on this node, sampled now (the batch script's
     * processes as the batch step's task 0); empty where the job does not run here.
     */
    public List<io.motley.core.step.TaskUsage> stepUsage(long jobId) {
        List<io.motley.core.step.TaskUsage> out = new ArrayList<>();
        for (Running r : running.values()) {
            if (r.id != jobId || r.ended || r.box == null) continue;
            try {
                r.box.sample();
            } catch (RuntimeException e) {
                log.debug("cannot sample job job={} error={}", r.id, e.toString());
            }
            out.addAll(r.box.stepUsage(nodeName));
        }
        return out;
    }

    /** srun's stdin for a step's task here (see {@link StepTasks#input}): null when written, else why not. */
    public String taskInput(StepMessages.TaskInput in) throws InterruptedException {
        return stepTasks.input(in);
    }

    /** Ends a step's tasks here (scancel JOB.STEP, srun's Ctrl-C twice, -K). */
    public void killTasks(long jobId, int stepId) {
        stepTasks.kill(jobId, stepId);
    }

    /** Where a step's tasks of job {@code jobId} run here: the box and user of its current run on this node. */
    private Optional<StepTasks.Place> stepPlace(long jobId) throws IOException {
        Running r = running.values().stream()
                .filter(x -> x.id == jobId && !x.ended && x.box != null)
                .max(Comparator.comparingInt(x -> x.run))
                .orElse(null);
        if (r == null) return Optional.empty();
        Job job = readOrder(r.dir.resolve("order")).job();
        JobIdentity who = JobIdentity.of(job, agentIsRoot);
        String umask =
                java.util.Objects.requireNonNullElse(job.request().environment().get("SLURM_UMASK"), defaultUmask);
        return Optional.of(new StepTasks.Place(
                jobId,
                nodeName,
                r.dir,
                r.box.joinFiles(),
                r.box.bindCommand(),
                r.box.limits().cpus(),
                umask,
                nodeEnvironment(job),
                session,
                who,
                r.box.bindCpus(),
                starter));
    }

    /**
     * Lets the job's user read its environment file through the descriptor its entry script is given (its group may
     * read it; the spool's directory keeps every path to it closed), so that the job's shell reads it itself rather
     * than through a cat(1) process. Nothing changes where no privilege is dropped.
     */
    static void readableBy(Path envFile, JobIdentity who) throws IOException {
        if (who.drops) StepTasks.readableByGroup(envFile, who.gid);
    }

    /** The variables of a job's step tasks that depend on the node they run on: its CPUs and GPUs here. */
    Map<String, String> nodeEnvironment(Job job) {
        Job.Allocation.Part part = partHere(job);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SLURM_CPUS_ON_NODE", Integer.toString(part.cpus()));
        if (!part.gpuIds().isEmpty()) {
            String gpus =
                    String.join(",", part.gpuIds().stream().map(String::valueOf).toList());
            env.put("CUDA_VISIBLE_DEVICES", gpus);
            env.put("SLURM_JOB_GPUS", gpus);
            env.put("GPU_DEVICE_ORDINAL", gpus);
            env.put("SLURM_GPUS_ON_NODE", Integer.toString(part.gpuIds().size()));
        } else {
            // no GPU of this node is the job's, whatever srun's node was given
            env.put("CUDA_VISIBLE_DEVICES", "");
            env.put("GPU_DEVICE_ORDINAL", "");
            env.put("SLURM_GPUS_ON_NODE", "0");
        }
        return env;
    }

    /**
     * What a node that is not a multi-node job's batch host runs for it: nothing but a process that
     * keeps the job's box (its cgroups or process marker, CPUs and memory) alive until the job ends,
     * as Slurm's extern step does; the job's steps run their tasks there in that box.
     */
    static final String HOLDER_SCRIPT =
            "#!/bin/sh\n# holds a multi-node job's resources on this node\n" + "while :; do sleep 3600; done\n";

    /** Whether this node only holds the job's resources: the job spans several nodes and its script runs on another. */
    boolean holds(Job job) {
        return job.nodes().size() > 1
                && !nodeName.equals(job.node())
                && job.nodes().contains(nodeName);
    }

    /** What the job holds on this node: its part of the allocation (the batch host's when none names this node). */
    Job.Allocation.Part partHere(Job job) {
        List<Job.Allocation.Part> parts = job.allocation().parts();
        for (Job.Allocation.Part p : parts) if (nodeName.equals(p.node())) return p;
        return parts.isEmpty()
                ? new Job.Allocation.Part(nodeName, job.cpusOnBatchHost(), job.allocMemPerNodeMiB(), List.of())
                : parts.get(0);
    }

    /**
     * Whether a run's output goes to its submit host (docs/files.md): where the node does not share
     * the submit directory (SharedFilesystem=no, or auto and the working directory is not here),
     * and the job came through another node's agent, which can write it there.
     */
    boolean runsRemote(Job job, String sharedFilesystem) {
        String from = job.request().submitNode();
        if (from == null || from.equals(nodeName)) return false;
        return switch (sharedFilesystem) {
            case "no" -> true;
            case "yes" -> false;
            default -> !Files.isDirectory(Path.of(job.request().workDir()));
        };
    }

    private void start(Job job, String cluster, long killWait, Path dir, String sharedFilesystem) throws LaunchFailure {
        if (bare(job)) {
            startBare(job, killWait, dir);
            return;
        }
        boolean holder = holds(job);
        String workDir = job.request().workDir();
        String out = holder ? "/dev/null" : OutputPattern.stdout(job, nodeName);
        String err = holder || job.request().stderrPattern() == null ? "" : OutputPattern.stderr(job, nodeName);
        if (err.equals(out)) err = "";
        boolean remote = !holder && runsRemote(job, sharedFilesystem);
        if (!remote) {
            // Slurm's rule where the filesystem is shared: an output file that cannot be opened fails the launch
            // Tools create --output's directory right after sbatch returns, a race Slurm wins by starting jobs
            // later; here a directory that appears within OUTPUT_DIR_WAIT runs the job (docs/files.md)
            for (String f : err.isEmpty() ? List.of(out) : List.of(out, err)) {
                Path parent = Path.of(f).getParent();
                if (parent != null && !awaitDirectory(parent, OUTPUT_DIR_WAIT))
                    throw new LaunchFailure.Slurm("output directory " + parent + " does not exist on " + nodeName);
            }
        }
        JobIdentity who;
        try {
            who = JobIdentity.of(job, agentIsRoot);
        } catch (IOException e) {
            throw new LaunchFailure(e.getMessage(), e);
        }
        Path spoolOut = null;
        Path spoolErr = null;
        String runName = dir.getFileName().toString();
        if (remote) {
            try {
                Path box = outbox.open(job.id(), job.restarts(), runName, !err.isEmpty());
                writeAtomically(box.resolve("owner"), who.uid + " " + who.gid + " " + who.user);
                spoolOut = box.resolve("out");
                spoolErr = err.isEmpty() ? null : box.resolve("err");
                Path work = workRoot.resolve(runName);
                Optional<Path> closed = closedAncestor(workRoot);
                if (who.drops && closed.isPresent()) {
                    throw new LaunchFailure(
                            "the job's user cannot reach its directory under " + workRoot + ": " + closed.get()
                                    + " is closed to other users (make it o+x, or move MOTLEY_HOME)",
                            null);
                }
                createPrivateDirectory(work);
                if (who.drops) {
                    Files.setAttribute(work, "unix:gid", who.gid);
                    Files.setAttribute(work, "unix:uid", who.uid);
                }
                workDir = work.toString();
            } catch (IOException e) {
                throw new LaunchFailure(spoolTrouble(e), e);
            }
            Optional<byte[]> stageIn = Staging.inArchive(job.request());
            Optional<Staging.Manifest> chunked = Staging.manifest(job.request());
            if (stageIn.isEmpty() && chunked.isPresent()) {
                try {
                    StagedFiles.unpack(stageIns, job.id(), chunked.get(), Path.of(workDir), who.prefix);
                } catch (IOException e) {
                    throw new LaunchFailure("Stage-in failed on " + nodeName + ": " + e.getMessage(), e);
                }
                log.info(
                        "stage-in files read from the controller and unpacked job={} run={} bytes={}",
                        job.id(),
                        job.restarts(),
                        chunked.get().size());
            }
            if (stageIn.isPresent()) {
                try {
                    StagedFiles.unpack(stageIn.get(), Path.of(workDir), who.prefix);
                } catch (IOException e) {
                    throw new LaunchFailure("Stage-in failed on " + nodeName + ": " + e.getMessage(), e);
                }
                log.info(
                        "stage-in files unpacked job={} run={} bytes={}",
                        job.id(),
                        job.restarts(),
                        stageIn.get().length);
            }
            log.info(
                    "job runs in a directory of its own; its output goes to its submit node job={} run={} dir={}"
                            + " submit_node={}",
                    job.id(),
                    job.restarts(),
                    workDir,
                    job.request().submitNode());
        }
        // this node's share: a multi-node job's other nodes hold the rest
        Job.Allocation.Part part = partHere(job);
        List<Integer> ids = cpus.allocate(job.id(), part.cpus());
        JobBox box = openBox(job.id(), new JobLimits(part.memMiB(), ids, 0));
        Path copy = null;
        try {
            Map<String, String> env = new LinkedHashMap<>(
                    JobEnvironment.withCommandsOnPath(JobEnvironment.build(job, cluster, nodeName), COMMANDS));
            // read and removed, as slurmstepd does: the job itself does not see it
            String umask = java.util.Objects.requireNonNullElse(env.remove("SLURM_UMASK"), defaultUmask);
            env.putAll(who.environment);
            Path envFile = dir.resolve("env");
            String script = dir.resolve("script").toString();
            if (who.drops) {
                try {
                    copy = userScript(job.id(), dir, who);
                } catch (IOException e) {
                    throw new LaunchFailure(
                            reason(e) + " (copying the job's script for its user to "
                                    + System.getProperty("java.io.tmpdir") + ")",
                            e);
                }
                script = copy.toString();
            }
            try {
                writeAtomically(dir.resolve("cpus"), CpuAllocator.formatList(ids));
                writeAtomically(dir.resolve("box"), String.join("\n", prepend(box.strategy(), box.location())) + "\n");
                if (copy != null) writeAtomically(dir.resolve("script.path"), copy.toString());
                boolean append = "append".equals(job.request().options().get("open-mode"));
                String enter;
                if (starter != null) {
                    // motley-start opens the environment with the agent's rights: no one else need read it
                    writeAtomically(envFile, Starter.environment(env));
                    enter = Starter.entryScript(
                            job.id(),
                            starter.words(new Starter.Spec(
                                    job.id(),
                                    nodeName,
                                    box.joinFiles(),
                                    box.bindCpus(),
                                    umask,
                                    spoolOut,
                                    spoolErr,
                                    who,
                                    envFile,
                                    remote ? "" : out,
                                    remote ? "" : err,
                                    append,
                                    workDir,
                                    List.of(script),
                                    null,
                                    null)));
                } else {
                    writeAtomically(envFile, EntryScript.environment(env, job.id()));
                    readableBy(envFile, who);
                    enter = EntryScript.render(
                            job.id(),
                            nodeName,
                            box.joinFiles(),
                            box.bindCommand(),
                            umask,
                            who.prefix,
                            envFile,
                            workDir,
                            script,
                            remote ? "" : out,
                            remote ? "" : err,
                            spoolOut,
                            spoolErr,
                            append,
                            session,
                            true);
                }
                writeAtomically(dir.resolve("enter.sh"), enter.getBytes(StandardCharsets.UTF_8), PRIVATE_SCRIPT);
                createPrivateFile(dir.resolve("shepherd.log"));
            } catch (IOException e) {
                throw new LaunchFailure(spoolTrouble(e), e);
            }
            // the shepherd in a session of its own, started by the session's words themselves: no shell between
            List<String> cmd = new ArrayList<>(session.words());
            cmd.addAll(List.of("/bin/sh", spool.resolve("shepherd.sh").toString(), dir.toString()));
            cmd.addAll(job.request().arguments());
            ProcessBuilder pb = RootCommand.of(cmd);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectOutput(
                    ProcessBuilder.Redirect.appendTo(dir.resolve("shepherd.log").toFile()));
            pb.redirectErrorStream(true);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new LaunchFailure(reason(e) + " (starting the job's shepherd)", e);
            }
            String errFile = holder
                    ? null
                    : remote ? (spoolErr != null ? spoolErr : spoolOut).toString() : err.isEmpty() ? out : err;
            Running r = new Running(job.id(), job.restarts(), dir, limitOf(dir, job), killWait, errFile);
            r.box = box;
            r.warning = holder ? null : warningOf(job);
            r.gpus = job.gpuList();
            // the outbox is the agent's own: it appends there itself
            r.asUser = remote ? List.of() : who.prefix;
            r.remote = remote;
            running.put(runDir(r.id, r.run), r);
            try {
                writeAtomically(dir.resolve("shepherd.pid"), Long.toString(p.pid()));
            } catch (IOException e) {
                // the job runs and is watched; only an agent restarted before it ends would not find it again
                log.warn("cannot record the job's shepherd job={} error={}", job.id(), reason(e));
            }
            log.info(
                    "job {} job={} run={} shepherd_pid={} out={} user={} containment={} cpus={} mem_mib={}",
                    holder ? "resources held" : "launched",
                    job.id(),
                    r.run,
                    p.pid(),
                    out,
                    who.user,
                    box.strategy(),
                    CpuAllocator.formatList(ids),
                    part.memMiB());
            watch(r, p.toHandle(), r.limitSeconds);
            Long early = earlyLimits.remove(runDir(r.id, r.run));
            if (early != null) limit(r.id, r.run, early);
        } catch (LaunchFailure | RuntimeException e) {
            box.remove();
            if (copy != null) deleteUserScript(copy);
            throw e;
        }
    }

    /** The file that marks a run held without a process ({@link #bare}), for an agent that adopts it. */
    static final String BARE = "bare";

    /**
     * Whether this node holds the job without a process of its own: the job of an srun that runs in an agent (outside
     * an allocation, {@link JobRequest#HELD_IN_AGENT}) has no batch script to run, only the allocation its steps use,
     * so its batch host makes its box and starts nothing (Slurm starts no process for such a job either). Its other
     * nodes, if any, hold their part as any multi-node job's do.
     */
    boolean bare(Job job) {
        return job.request().heldInAgent() && nodeName.equals(job.node());
    }

    /** A bare run's start: its CPUs and box, its time limit; no process. */
    private void startBare(Job job, long killWait, Path dir) throws LaunchFailure {
        Job.Allocation.Part part = partHere(job);
        List<Integer> ids = cpus.allocate(job.id(), part.cpus());
        JobBox box = openBox(job.id(), new JobLimits(part.memMiB(), ids, 0));
        try {
            writeAtomically(dir.resolve("cpus"), CpuAllocator.formatList(ids));
            writeAtomically(dir.resolve("box"), String.join("\n", prepend(box.strategy(), box.location())) + "\n");
            writeAtomically(dir.resolve(BARE), "");
        } catch (IOException e) {
            box.remove();
            throw new LaunchFailure(spoolTrouble(e), e);
        }
        Running r = new Running(job.id(), job.restarts(), dir, limitOf(dir, job), killWait, null);
        r.box = box;
        r.bare = true;
        r.gpus = job.gpuList();
        r.asUser = List.of();
        running.put(runDir(r.id, r.run), r);
        log.info(
                "job resources held without a process job={} run={} containment={} cpus={} mem_mib={}",
                job.id(),
                r.run,
                box.strategy(),
                CpuAllocator.formatList(ids),
                part.memMiB());
        watch(r, null, r.limitSeconds);
        Long early = earlyLimits.remove(runDir(r.id, r.run));
        if (early != null) limit(r.id, r.run, early);
    }

    /**
     * A killed bare run ends once its box is empty (its steps' tasks, sent SIGTERM, have gone) or at
     * {@code deadline} (System.nanoTime), when what is left gets SIGKILL as the end of any run gives it.
     */
    private void endBare(Running r, long deadline) {
        if (r.ended || r.staging != null) return;
        JobBox box = r.box;
        if (box == null || box.processes().isEmpty() || System.nanoTime() >= deadline) {
            shepherdExited(r);
            return;
        }
        timers.schedule(() -> endBare(r, deadline), 20, TimeUnit.MILLISECONDS);
    }

    private JobBox openBox(long id, JobLimits limits) {
        try {
            return containment.open(id, limits);
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "cannot make the job's {} box; tracking its processes instead job={} error={}",
                    containment.name(),
                    id,
                    e.getMessage());
            return ProcessTracking.forNode(nodeName).open(id, limits);
        }
    }

    /**
     * The script where the job's user can run it: the spool is the agent's alone, so a copy owned
     * by the user (0500) goes into a directory of its own with a random name (root's, 0711: the user
     * may run the copy but neither list nor change the directory). The directory stays 0700 until
     * the copy is the user's, so no one else ever reads the script.
     */
    private static Path userScript(long id, Path dir, JobIdentity who) throws IOException {
        Path scratch =
                Files.createTempDirectory("motley-job" + id + "-", PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
        Path copy = scratch.resolve("script");
        try {
            try (var ch = Files.newByteChannel(
                    copy,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PRIVATE_FILE))) {
                ByteBuffer text = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("script")));
                while (text.hasRemaining()) ch.write(text);
            }
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("r-x------"));
            Files.setAttribute(copy, "unix:gid", who.gid);
            Files.setAttribute(copy, "unix:uid", who.uid);
            Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwx--x--x"));
            return copy;
        } catch (IOException | RuntimeException e) {
            deleteUserScript(copy);
            throw e;
        }
    }

    /**
     * Follows a run to its end; its time limit ends it after {@code left} seconds, counted on the
     * scheduler's monotonic clock, so a wrong or stepped wall clock neither shortens nor stretches it.
     */
    private void watch(Running r, ProcessHandle shepherd, long left) {
        if (r.limitSeconds > 0) limitIn(r, TimeUnit.SECONDS.toNanos(left), true);
        // the first sample one period in: at once it would find the job's first process still the
        // shepherd's fork (not yet the job), and count that as the batch step's use
        r.sampler = timers.scheduleWithFixedDelay(
                () -> sample(r), JobBox.SAMPLE_MILLIS, JobBox.SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
        if (shepherd == null) {
            // a bare run: only a kill or its time limit ends it
        } else if (shepherd.parent()
                .map(p -> p.pid() == ProcessHandle.current().pid())
                .orElse(false)) {
            shepherd.onExit().thenRun(() -> shepherdExited(r));
        } else {
            // Adopted from an earlier agent: not our child, so poll. An orphan that exits may stay a
            // zombie where init does not reap (containers, some VMs); the exit file settles it.
            timers.schedule(() -> pollAdopted(r, shepherd), 200, TimeUnit.MILLISECONDS);
        }
    }

    /** The job's sbatch --signal, or null (none, or a value this agent cannot read: logged, not fatal). */
    private static SignalSpec warningOf(Job job) {
        String spec = job.request().options().get("signal");
        if (spec == null) return null;
        try {
            return SignalSpec.parse(spec);
        } catch (IllegalArgumentException e) {
            log.warn("the job's --signal cannot be read; none will be sent job={} signal={}", job.id(), spec);
            return null;
        }
    }

    /**
     * sbatch --signal, due: with B: to the batch shell alone, otherwise to the job's steps (its
     * processes outside the batch shell's process group, which srun's tasks leave), as in Slurm.
     */
    private void warn(Running r, SignalSpec w) {
        if (r.ended) return;
        Optional<Long> shell = readPid(r.dir.resolve("job.pid"));
        if (shell.isEmpty()) {
            log.warn("the job's batch shell is not known; --signal not sent job={} signal={}", r.id, w);
            return;
        }
        List<Long> targets = w.batchShellOnly()
                ? List.of(shell.get())
                : r.box == null ? List.<Long>of() : r.box.processesOutsideGroup(shell.get());
        log.info("job time limit near; sending --signal job={} signal={} pids={}", r.id, w, targets);
        signalProcesses(targets, w.name());
    }

    /**
     * scancel -s: sends signal {@code signal} to one run's processes here. {@link
     * Message.SignalScope#STEPS}: the job's processes outside the batch shell's process group (its
     * steps), as Slurm signals steps and not the batch step; {@code BATCH}: the batch shell alone;
     * {@code FULL}: the batch shell and every process of the job. On a node that only holds a
     * multi-node job's resources the batch shell is not the job's: only its steps are signalled.
     * The pids signalled (none where the run is not here or has ended).
     */
    public List<Long> signal(long id, int run, int signal, Message.SignalScope scope) {
        Running r = running.get(runDir(id, run));
        if (r == null || r.ended || r.staging != null) {
            log.info("signal for a run not running here job={} run={} signal={}", id, run, signal);
            return List.of();
        }
        if (r.bare) {
            // no batch shell: the steps' tasks are all there is to signal
            List<Long> targets = scope == Message.SignalScope.BATCH || r.box == null ? List.of() : r.box.processes();
            String name = new io.motley.core.job.SignalSpec(signal, 0, false, false).name();
            log.info("job signal job={} run={} signal={} scope={} pids={}", id, run, name, scope, targets);
            signalProcesses(targets, name);
            return List.copyOf(targets);
        }
        Optional<Long> shell = readPid(r.dir.resolve("job.pid"));
        if (shell.isEmpty()) {
            log.warn("the job's batch shell is not known; signal not sent job={} signal={}", id, signal);
            return List.of();
        }
        boolean holder;
        try {
            holder = holds(readOrder(r.dir.resolve("order")).job());
        } catch (RuntimeException e) {
            log.warn("cannot read the job's order; signal not sent job={} error={}", id, e.getMessage());
            return List.of();
        }
        Message.SignalScope reach = holder ? Message.SignalScope.STEPS : scope;
        List<Long> targets = new ArrayList<>();
        switch (reach) {
            case BATCH -> targets.add(shell.get());
            case STEPS -> {
                if (r.box != null) targets.addAll(r.box.processesOutsideGroup(shell.get()));
            }
            case FULL -> {
                targets.add(shell.get());
                ProcessHandle.of(shell.get())
                        .ifPresent(h -> h.descendants().map(ProcessHandle::pid).forEach(targets::add));
                if (r.box != null)
                    r.box.processes().stream().filter(p -> !targets.contains(p)).forEach(targets::add);
            }
        }
        String name = new io.motley.core.job.SignalSpec(signal, 0, false, false).name();
        log.info("job signal job={} run={} signal={} scope={} pids={}", id, run, name, reach, targets);
        signalProcesses(targets, name);
        return List.copyOf(targets);
    }

    /**
     * scontrol listpids: the processes of the runs here (of job {@code jobId}, 0 for every job) that
     * user {@code uid} may see (root: all), as Slurm lists a batch step's: its shell as task 0, then
     * every other process of the job. A node that only holds a multi-node job's resources has no
     * batch step and lists nothing for it.
     */
    public List<Message.JobPid> listPids(long jobId, int uid) {
        List<Running> runs = running.values().stream()
                .filter(r -> !r.ended && r.staging == null && (jobId == 0 || r.id == jobId))
                .sorted(Comparator.comparingLong((Running r) -> r.id).thenComparingInt(r -> r.run))
                .toList();
        List<Message.JobPid> out = new ArrayList<>();
        for (Running r : runs) {
            Job job;
            try {
                job = readOrder(r.dir.resolve("order")).job();
            } catch (RuntimeException e) {
                log.warn("cannot read the job's order; its pids are not listed job={} error={}", r.id, e.getMessage());
                continue;
            }
            if (uid != 0 && uid != job.uid()) continue;
            if (holds(job)) continue;
            Optional<Long> shell = readPid(r.dir.resolve("job.pid"));
            if (shell.isEmpty()) continue;
            out.add(new Message.JobPid(shell.get(), r.id, "batch", 0, 0));
            List<Long> others = r.box != null
                    ? r.box.processes()
                    : ProcessHandle.of(shell.get())
                            .map(h -> h.descendants().map(ProcessHandle::pid).toList())
                            .orElse(List.of());
            for (long pid : others) {
                if (pid != shell.get()) out.add(new Message.JobPid(pid, r.id, "batch", -1, -1));
            }
        }
        return out;
    }

    /** One kill(1) for all of {@code pids}, as root with the fixed environment; processes already gone are no error. */
    private static void signalProcesses(List<Long> pids, String signal) {
        io.motley.agent.enforcement.ProcessTable.signal(pids, signal);
    }

    /** Sets the run's time limit to end {@code leftNanos} from now, with its --signal warning when it is still due. */
    private void limitIn(Running r, long leftNanos, boolean warnToo) {
        r.limitEndsNanos = System.nanoTime() + leftNanos;
        // a suspended run's limit does not run: a timer that raced with the suspension does nothing
        r.timeout = timers.schedule(
                () -> {
                    if (!r.suspended) kill(r, KillReason.TIME_LIMIT);
                },
                leftNanos,
                TimeUnit.NANOSECONDS);
        SignalSpec w = r.warning;
        if (w != null && warnToo) {
            // as in Slurm, a limit shorter than the warning time sends it at once
            long before = TimeUnit.SECONDS.toNanos(w.secondsBefore());
            r.warningTimer = timers.schedule(() -> warn(r, w), Math.max(0, leftNanos - before), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * scontrol suspend ({@code resume} false) and resume of one run here, as slurmstepd does it:
     * SIGTSTP to every process of the job, and two seconds later SIGSTOP (a box with a freezer
     * freezes the group instead, as proctrack/cgroup does); resume sends SIGCONT, then thaws. The
     * time limit stops while the run is suspended: its timers are cancelled and set again for what
     * was left of it at resume. Returns false when the run is not running here (or has ended).
     */
    public boolean suspend(long id, int run, boolean resume) {
        Running r = running.get(runDir(id, run));
        if (r == null || r.ended || r.staging != null) {
            log.info("suspend for a run not running here job={} run={} resume={}", id, run, resume);
            return false;
        }
        synchronized (r) {
            if (r.suspended != resume) return true; // already so: Slurm's slurmstepd refuses it, nothing changes
            JobBox box = r.box;
            if (!resume) {
                r.suspended = true;
                boolean warned = r.warningTimer != null && r.warningTimer.isDone();
                if (r.timeout != null) {
                    r.timeout.cancel(false);
                    r.leftNanos = Math.max(0, r.limitEndsNanos - System.nanoTime());
                }
                if (r.warningTimer != null) r.warningTimer.cancel(false);
                if (warned) r.warningTimer = null;
                recordSuspension(r, true);
                List<Long> pids = stoppable(r);
                log.info("job suspending job={} run={} pids={}", id, run, pids);
                // SIGTSTP first lets an MPI daemon stop its tasks, then everything stops
                signalProcesses(pids, "TSTP");
                r.stopTimer = timers.schedule(
                        () -> {
                            synchronized (r) {
                                if (!r.suspended || r.ended) return;
                                if (box != null) box.freeze();
                                else signalProcesses(stoppable(r), "STOP");
                                log.info("job suspended job={} run={}", id, run);
                            }
                        },
                        SUSPEND_STOP_DELAY_SECONDS,
                        TimeUnit.SECONDS);
            } else {
                continueRun(r);
                recordSuspension(r, false);
                if (r.limitSeconds > 0) limitIn(r, r.leftNanos, r.warningTimer != null);
                log.info(
                        "job resumed job={} run={} limit_left_s={}",
                        id,
                        run,
                        TimeUnit.NANOSECONDS.toSeconds(r.leftNanos));
            }
        }
        return true;
    }

    /**
     * scontrol update TimeLimit= on a running job: the run's limit becomes {@code limitSeconds}
     * from its start (0: none), its end moved by the difference as slurmctld moves a job's end time;
     * a limit already passed ends the run now. The limit is kept in the run's directory ("limit"),
     * so that an agent that adopts the run after a restart counts with it. A run not (yet) launched
     * here takes the limit when its launch comes; returns false when it is not running here.
     */
    public boolean limit(long id, int run, long limitSeconds) {
        String key = runDir(id, run);
        Running r = running.get(key);
        if (r == null) {
            earlyLimits.put(key, limitSeconds);
            // the launch may have put the run there meanwhile, after looking for an early limit
            r = running.get(key);
            if (r == null || earlyLimits.remove(key) == null) return false;
        }
        if (r.ended || r.staging != null) return false;
        synchronized (r) {
            long old = r.limitSeconds;
            if (old == limitSeconds) return true;
            try {
                writeAtomically(r.dir.resolve("limit"), Long.toString(limitSeconds));
            } catch (IOException e) {
                log.warn("cannot record the run's new time limit job={} error={}", id, e.getMessage());
            }
            r.limitSeconds = limitSeconds;
            if (r.timeout != null) r.timeout.cancel(false);
            boolean warnToo;
            if (old == 0) {
                warnToo = true; // never armed
            } else if (r.suspended) {
                warnToo = r.warningTimer != null; // cancelled at the suspension, and not yet sent
            } else {
                warnToo = r.warningTimer != null && !r.warningTimer.isDone();
                if (warnToo) r.warningTimer.cancel(false);
            }
            if (limitSeconds == 0) {
                r.timeout = null;
                if (r.warningTimer != null) r.warningTimer.cancel(false);
                r.warningTimer = null;
                log.info("job time limit lifted job={} run={}", id, run);
                return true;
            }
            long left;
            if (old > 0) {
                long was = r.suspended ? r.leftNanos : r.limitEndsNanos - System.nanoTime();
                left = was + TimeUnit.SECONDS.toNanos(limitSeconds - old);
            } else {
                // there was no end to move: counted from the start on the wall clock, as an adopting agent counts
                long startedAt = read(r.dir.resolve("started"))
                        .map(t -> Long.parseLong(t.trim()))
                        .orElse(WallClock.seconds());
                long[] suspension = suspensionOf(r.dir);
                long until = suspension[1] > 0 ? suspension[1] : WallClock.seconds();
                left = TimeUnit.SECONDS.toNanos(startedAt + limitSeconds + suspension[0] - until);
            }
            left = Math.max(0, left);
            limitIn(r, left, warnToo);
            if (r.suspended) {
                // stopped with the run: set again for what is left when it resumes
                r.leftNanos = left;
                r.timeout.cancel(false);
                if (r.warningTimer != null) r.warningTimer.cancel(false);
            }
            log.info(
                    "job time limit changed job={} run={} limit_s={} was_s={} left_s={}",
                    id,
                    run,
                    limitSeconds,
                    old,
                    TimeUnit.NANOSECONDS.toSeconds(left));
        }
        return true;
    }

    /** The run's time limit: as changed since its launch ("limit" in its directory), else its order's. */
    private static long limitOf(Path dir, Job job) {
        return read(dir.resolve("limit"))
                .map(t -> {
                    try {
                        return Long.parseLong(t.trim());
                    } catch (NumberFormatException e) {
                        return null;
                    }
                })
                .orElse(job.timeLimit().secondsOr(0));
    }

    /**
     * Keeps the run's suspensions in its directory ("suspension": seconds suspended in suspensions
     * that are over, and when the current one began, 0 for none, on the wall clock), so that an
     * agent that adopts the run after a restart counts its time limit without them.
     */
    private static void recordSuspension(Running r, boolean suspending) {
        long now = WallClock.seconds();
        long[] was = suspensionOf(r.dir);
        long total = was[0] + (!suspending && was[1] > 0 ? Math.max(0, now - was[1]) : 0);
        try {
            writeAtomically(r.dir.resolve("suspension"), total + " " + (suspending ? now : 0));
        } catch (IOException e) {
            log.warn("cannot record the run's suspension job={} error={}", r.id, e.getMessage());
        }
    }

    /** The run's suspension record: {seconds suspended before, start of the current suspension or 0}. */
    private static long[] suspensionOf(Path dir) {
        return read(dir.resolve("suspension"))
                .map(t -> t.trim().split(" "))
                .filter(w -> w.length == 2)
                .map(w -> new long[] {Long.parseLong(w[0]), Long.parseLong(w[1])})
                .orElse(new long[] {0, 0});
    }

    /** Slurm's pause between a suspension's SIGTSTP and its SIGSTOP. */
    static final long SUSPEND_STOP_DELAY_SECONDS = 2;

    /** SIGCONT and thaw a suspended run, its pending SIGSTOP cancelled; the caller holds the run's lock. */
    private void continueRun(Running r) {
        r.suspended = false;
        if (r.stopTimer != null) r.stopTimer.cancel(false);
        JobBox box = r.box;
        if (box != null) box.thaw();
        else signalProcesses(stoppable(r), "CONT");
    }

    /** The run's processes a suspension stops: its box's, else its batch shell's process tree. */
    private List<Long> stoppable(Running r) {
        JobBox box = r.box;
        if (box != null) {
            // the sampler may not have told the box its first process yet, and a look it took between
            // the shepherd's fork and the job's exec saw no marker in that process's environment
            readPid(r.dir.resolve("job.pid")).ifPresent(box::track);
            return box.processes();
        }
        List<Long> pids = new ArrayList<>();
        readPid(r.dir.resolve("job.pid")).flatMap(ProcessHandle::of).ifPresent(h -> {
            pids.add(h.pid());
            h.descendants().forEach(d -> pids.add(d.pid()));
        });
        return pids;
    }

    private void sample(Running r) {
        if (r.ended || r.box == null) return;
        try {
            readPid(r.dir.resolve("job.pid")).ifPresent(r.box::track);
            r.box.sample();
            int ooms = r.box.oomKills();
            // an agent restarted after killing a job for its memory must still report it as out of memory
            if (ooms > 0 && !Files.exists(r.dir.resolve("oom")))
                writeAtomically(r.dir.resolve("oom"), Integer.toString(ooms));
        } catch (IOException | RuntimeException e) {
            log.debug("cannot sample job job={} error={}", r.id, e.toString());
        }
    }

    private void pollAdopted(Running r, ProcessHandle shepherd) {
        if (!shepherd.isAlive()
                || ProcessTracking.isZombie(shepherd.pid())
                || exitStatus(r.dir).isPresent()) {
            shepherdExited(r);
        } else {
            timers.schedule(() -> pollAdopted(r, shepherd), 200, TimeUnit.MILLISECONDS);
        }
    }

    private void shepherdExited(Running r) {
        synchronized (r) {
            if (r.ended || r.staging != null) return;
            if (r.timeout != null) r.timeout.cancel(false);
            if (r.warningTimer != null) r.warningTimer.cancel(false);
            if (r.sampler != null) r.sampler.cancel(false);
            Optional<String> killed = read(r.dir.resolve("killed"));
            Optional<String> exit = exitStatus(r.dir);
            for (int i = 0; i < 10 && killed.isEmpty() && exit.isEmpty(); i++) {
                // the shepherd writes the status just before it exits; give a slow disk a moment
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                exit = exitStatus(r.dir);
            }
            Usage usage = Usage.NONE;
            int ooms = 0;
            if (r.box != null) {
                // a shepherd ends only after its script did: what the job left behind (daemons, detached children) goes
                // too
                readPid(r.dir.resolve("job.pid")).ifPresent(r.box::track);
                r.box.killAll();
                usage = merge(r.box.usage(), shellTimes(r.dir.resolve("times")));
                ooms = Math.max(
                        r.box.oomKills(),
                        read(r.dir.resolve("oom"))
                                .map(s -> Integer.parseInt(s.trim()))
                                .orElse(0));
                r.box.remove();
            }
            cpus.release(r.id);
            read(r.dir.resolve("script.path")).ifPresent(p -> deleteUserScript(Path.of(p.trim())));
            logShepherdTrouble(r);
            if (killed.isPresent()) {
                finish(r, JobState.valueOf(killed.get().trim()), 0, 15, usage, null);
            } else if (ooms > 0) {
                appendToJobErr(
                        r,
                        "motleystep-" + nodeName + ": error: Detected " + ooms + " oom_kill event"
                                + (ooms == 1 ? "" : "s") + " in StepId=" + r.id
                                + ".batch. Some of the step tasks have been OOM Killed.\n");
                finish(r, JobState.OUT_OF_MEMORY, 0, 9, usage, null);
            } else if (exit.isPresent()) {
                int rc = Integer.parseInt(exit.get().trim());
                // sh reports a death by signal as 128+signal, which is how Slurm's code:signal pair is recovered
                if (rc > 128) finish(r, JobState.FAILED, 0, rc - 128, usage, null);
                else finish(r, rc == 0 ? JobState.COMPLETED : JobState.FAILED, rc, 0, usage, null);
            } else {
                // the usual reason a shepherd cannot write the status is a full spool: say so to the user
                String why = spoolFull()
                        ? "Job's exit status was lost on " + nodeName + ": No space left on device (the agent's spool)"
                        : null;
                log.warn("job shepherd died without an exit status job={} spool_full={}", r.id, why != null);
                finish(r, JobState.FAILED, 0, 9, usage, why);
            }
        }
    }

    /**
     * The status the shepherd wrote, once it is all there: it writes it straight into place (no
     * rename), so a file without its line's end is still being written, or was cut short by a
     * full spool.
     */
    static Optional<String> exitStatus(Path runDir) {
        return read(runDir.resolve("exit")).filter(s -> s.endsWith("\n")).map(String::trim);
    }

    /** What the entry script could not do (join a cgroup, bind CPUs, drop privileges) lands in shepherd.log. */
    private static void logShepherdTrouble(Running r) {
        read(r.dir.resolve("shepherd.log"))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .ifPresent(s -> log.warn(
                        "job shepherd reported: {} job={}", s.length() > 500 ? s.substring(0, 500) + "..." : s, r.id));
    }

    /** Per field the larger: the box's counters, or the shell's own times for all the children it waited for. */
    static Usage merge(Usage box, Optional<long[]> shell) {
        if (shell.isEmpty()) return box;
        return new Usage(
                box.maxRssKiB(),
                box.maxVmKiB(),
                Math.max(box.userCpuMs(), shell.get()[0]),
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

    /** Records and reports a run's end; {@code desc} says in a line why it did not run, where that is so. */
    /** Whether the filesystem holding the spool has (next to) no room left. */
    private boolean spoolFull() {
        try {
            return Files.getFileStore(spool).getUsableSpace() < 64 * 1024;
        } catch (IOException e) {
            return false;
        }
    }

    private void finish(Running r, JobState state, int code, int signal, Usage usage, String desc) {
        long end = WallClock.seconds();
        boolean staging = false;
        // a launch that failed after its outbox was made ends here too: what it wrote there still travels
        if (r.remote || Files.isDirectory(outbox.runDir(runDir(r.id, r.run)), LinkOption.NOFOLLOW_LINKS)) {
            String runName = runDir(r.id, r.run);
            Optional<String> stageTrouble = Optional.empty();
            if (r.remote) {
                try {
                    stageTrouble = stageOut(r, runName);
                    staging = stageTrouble.isEmpty()
                            && Files.exists(outbox.runDir(runName).resolve(Staging.STREAM));
                } catch (IOException | RuntimeException e) {
                    stageTrouble = Optional.of("Stage-out failed on " + nodeName + ": " + e.getMessage());
                }
                stageTrouble.ifPresent(t -> log.warn("stage-out not sent job={} run={} why=\"{}\"", r.id, r.run, t));
            }
            outbox.ended(runName);
            if (desc == null) desc = stageTrouble.orElse(null);
            if (desc == null) desc = outbox.overCap(runName).orElse(null);
            if (desc == null && spoolFull())
                desc = "Job output may be incomplete: No space left on device in the outbox of " + nodeName;
        }
        JobEnded result = new JobEnded(r.id, r.run, state, new ExitStatus(code, signal), end, desc, usage);
        if (staging) {
            // as Slurm's COMPLETING: the job holds its node and its dependents wait until its files are back
            r.staging = result;
            String runName = runDir(r.id, r.run);
            timers.schedule(
                    () -> staged(
                            runName,
                            "Stage-out not delivered within " + STAGE_OUT_WAIT.toMinutes()
                                    + " min (its submit host away?); kept on " + nodeName
                                    + " and sent when it returns"),
                    STAGE_OUT_WAIT.toMillis(),
                    TimeUnit.MILLISECONDS);
            log.info("job ended; waiting for its stage-out files to reach the submit host job={} run={}", r.id, r.run);
            return;
        }
        record(r, result);
    }

    /** How long a run's end waits for its stage-out files to be written on the submit host. */
    static final java.time.Duration STAGE_OUT_WAIT = java.time.Duration.ofMinutes(10);

    /**
     * Packs a remote run's --stage-out files (as its user, in its own directory) into its outbox,
     * where they travel after its output. Empty when there is nothing to send or it was packed;
     * else the reason the job's end gives.
     */
    private Optional<String> stageOut(Running r, String runName) throws IOException {
        Path orderFile = r.dir.resolve("order");
        if (!Files.isRegularFile(orderFile, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        Job job = readOrder(orderFile).job();
        List<String> patterns = Staging.outPatterns(job.request());
        Path work = workRoot.resolve(runName);
        if (patterns.isEmpty()) return Optional.empty();
        if (Files.isRegularFile(outbox.runDir(runName).resolve(Staging.STREAM), LinkOption.NOFOLLOW_LINKS)) {
            // packed before this agent restarted: it goes on from where its delivery stood
            outbox.addStage(runName);
            return Optional.empty();
        }
        if (!Files.isDirectory(work, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        JobIdentity who = JobIdentity.of(job, agentIsRoot);
        Optional<String> trouble = StagedFiles.pack(
                work, patterns, who.prefix, outbox.runDir(runName).resolve(Staging.STREAM), outbox.capBytes());
        if (trouble.isEmpty()) {
            outbox.addStage(runName);
            log.info("stage-out files packed job={} run={} patterns={}", r.id, r.run, patterns);
        }
        return trouble;
    }

    /** The submit host has written a run's stage-out files ({@code error} null), or could not: the run ends now. */
    private void staged(String runName, String error) {
        Running r = running.get(runName);
        if (r == null) return;
        JobEnded held;
        synchronized (r) {
            held = r.staging;
            if (held == null) return;
            r.staging = null;
        }
        String desc = held.desc();
        if (error != null && desc == null)
            desc = error.startsWith("Stage-out") ? error : "Stage-out not delivered: " + error;
        log.info("job stage-out settled job={} run={} error=\"{}\"", r.id, r.run, error == null ? "" : error);
        record(r, new JobEnded(held.id(), held.run(), held.state(), held.exit(), held.end(), desc, held.usage()));
    }

    private void record(Running r, JobEnded result) {
        r.result = result;
        try {
            createPrivateDirectory(r.dir);
            writeAtomically(r.dir.resolve("result"), FrameIO.toBytes(Messages.encode(result)));
        } catch (IOException | RuntimeException e) {
            // kept in memory for the next registration too
            log.error(
                    "cannot record job result; reporting it all the same job={} error={}",
                    r.id,
                    e instanceof IOException io ? reason(io) : e.toString());
        }
        r.ended = true;
        running.put(runDir(r.id, r.run), r);
        // a requeued run numbers its steps from 0 again: none of them was ended
        stepTasks.forgetJob(r.id);
        log.info(
                "job ended job={} run={} state={} exit={}:{} max_rss_kib={} cpu_ms={}",
                r.id,
                r.run,
                result.state(),
                result.exit().code(),
                result.exit().signal(),
                result.usage().maxRssKiB(),
                result.usage().totalCpuMs());
        reporter.accept(result);
    }

    /**
     * Ends a job: records why, SIGTERM to its process group, descendants and everything in its box,
     * and after KillWait SIGKILL to all of them, detached processes included.
     */
    public void kill(long id, KillReason why) {
        kill(id, 0, why);
    }

    /** Kills one run of a job; an order for another run (one a requeue replaced) leaves this one alone. */
    public void kill(long id, int run, KillReason why) {
        Running r = running.get(runDir(id, run));
        if (r == null || r.ended) {
            Path dir = spool.resolve(runDir(id, run));
            if (!Files.exists(dir)) log.info("kill for a job not here job={} run={}", id, run);
            return;
        }
        kill(r, why);
    }

    private void kill(Running r, KillReason why) {
        long id = r.id;
        // its processes are gone: it only waits for its stage-out files to be written
        if (r.staging != null) return;
        JobState state = why.endState();
        if (Files.exists(r.dir.resolve("killed"))) return;
        // a suspended run is continued first, as slurmd sends SIGCONT before it terminates a job, so
        // that SIGTERM reaches processes that can act on it
        synchronized (r) {
            if (r.suspended) continueRun(r);
        }
        try {
            writeAtomically(r.dir.resolve("killed"), state.name());
        } catch (IOException e) {
            log.warn("cannot record kill job={} error={}", id, e.getMessage());
        }
        String when = Durations.formatTimestamp(WallClock.seconds(), ZoneId.systemDefault());
        appendToJobErr(
                r,
                "motleystep-" + nodeName + ": error: *** JOB " + id + " ON " + nodeName + " CANCELLED AT " + when
                        + switch (why) {
                            case TIME_LIMIT -> " DUE TO TIME LIMIT";
                            case REQUEUE -> " DUE TO JOB REQUEUE";
                            default -> "";
                        }
                        + " ***\n");
        Optional<Long> pgid = readPid(r.dir.resolve("job.pid"));
        log.info("job killing job={} why={} state={} pgid={}", id, why, state, pgid.orElse(-1L));
        List<ProcessHandle> tree = new ArrayList<>();
        pgid.flatMap(ProcessHandle::of).ifPresent(h -> {
            tree.add(h);
            h.descendants().forEach(tree::add);
        });
        JobBox box = r.box;
        if (box != null) pgid.ifPresent(box::track);
        // the processes it knows and its box's at once; the group too, for those that left both, through kill(1), a
        // process of its own that the caller (the link's thread) does not wait for
        tree.forEach(ProcessHandle::destroy);
        if (box != null) box.terminate();
        if (r.bare) {
            endBare(r, System.nanoTime() + TimeUnit.SECONDS.toNanos(r.killWait));
            return;
        }
        pgid.ifPresent(g -> Thread.ofVirtual().start(() -> {
            // as the SIGKILL below: not once the run has ended, when the group's id may be another's
            if (!r.ended) signalGroup(g, "TERM");
        }));
        timers.schedule(
                () -> {
                    // a run that has ended was emptied and its box removed; the next run of the same job may
                    // already live in a box of the same name, and this SIGKILL must not reach it
                    if (r.ended) return;
                    pgid.ifPresent(g -> signalGroup(g, "KILL"));
                    tree.forEach(ProcessHandle::destroyForcibly);
                    if (box != null) box.killAll();
                },
                r.killWait,
                TimeUnit.SECONDS);
    }

    /**
     * Appends a line to the job's error file as the job's user (who creates it where it is not
     * there yet): the path is the user's to choose, and a root agent must never follow it itself.
     */
    private static void appendToJobErr(Running r, String text) {
        // nothing to write to (a holder's, or a job that asked for no output): no process started for it
        if (r.stderrPath == null || r.stderrPath.equals("/dev/null")) return;
        List<String> asUser = r.asUser;
        if (asUser == null) {
            log.warn("cannot write to the job's error file: its user is unknown job={} file={}", r.id, r.stderrPath);
            return;
        }
        List<String> cmd = new ArrayList<>(asUser);
        cmd.addAll(List.of("/bin/sh", "-c", APPEND, "motley-append", text, r.stderrPath));
        try {
            Process p = RootCommand.of(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .start();
            String said = new String(p.getInputStream().readNBytes(2000), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.warn("writing to the job's error file did not finish job={} file={}", r.id, r.stderrPath);
            } else if (p.exitValue() != 0) {
                log.warn("cannot write to the job's error file job={} file={} error=\"{}\"", r.id, r.stderrPath, said);
            }
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "cannot write to the job's error file job={} file={} error={}", r.id, r.stderrPath, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final String KILL = JobIdentity.find("kill").orElse("/bin/kill");

    private static void signalGroup(long pgid, String signal) {
        try {
            RootCommand.of(KILL, "-" + signal, "--", "-" + pgid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
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
        earlyLimits.remove(key);
        Running r = running.get(key);
        if (r != null && !r.ended) return;
        running.remove(key);
        Path dir = spool.resolve(key);
        read(dir.resolve("script.path")).ifPresent(p -> deleteUserScript(Path.of(p.trim())));
        deleteTree(dir);
    }

    /**
     * The ends reported and not acknowledged yet, by run: the controller may have failed to record
     * them (its database lost), so the link reports them again until it does.
     */
    public List<JobEnded> unacknowledged() {
        return running.values().stream()
                .filter(r -> r.ended && r.result != null)
                .sorted(Comparator.comparing(r -> runDir(r.id, r.run)))
                .map(r -> r.result)
                .toList();
    }

    /**
     * What this agent holds, for registration: running jobs, and results not yet acknowledged.
     * On the first call after start-up it also adopts the jobs an earlier agent process left.
     */
    public List<Held> inventory() {
        List<Held> out = new ArrayList<>();
        try (var dirs = Files.list(spool)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                String n = dir.getFileName().toString();
                if (!n.matches("job\\d+(\\.\\d+)?")) continue;
                int dot = n.indexOf('.');
                long id = Long.parseLong(dot < 0 ? n.substring(3) : n.substring(3, dot));
                int run = dot < 0 ? 0 : Integer.parseInt(n.substring(dot + 1));
                // the result is a frame's bytes, not text: whether it is there is what counts
                Path resultFile = dir.resolve("result");
                Optional<JobEnded> result = Files.isRegularFile(resultFile, LinkOption.NOFOLLOW_LINKS)
                        ? Optional.of(readResult(resultFile))
                        : Optional.empty();
                if (result.isPresent()) {
                    out.add(result.get());
                    running.computeIfAbsent(n, k -> {
                        Running r = new Running(id, run, dir, -1, 0, null);
                        r.result = result.get();
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
                Running r = running.get(n);
                if (r != null && r.ended) {
                    out.add(r.result != null ? r.result : readResult(dir.resolve("result")));
                } else {
                    out.add(new Message.Running(id, run));
                }
            }
        } catch (IOException e) {
            log.error("cannot read the spool {}", spool, e);
        }
        // ends the spool could not hold (a full disk, a launch that failed before its directory existed)
        Set<String> listed = new HashSet<>();
        out.forEach(h -> listed.add(h.id() + "." + h.run()));
        running.values().stream()
                .filter(r -> r.ended && r.result != null && !listed.contains(r.id + "." + r.run))
                .sorted(Comparator.comparing(r -> runDir(r.id, r.run)))
                .forEach(r -> out.add(r.result));
        return out;
    }

    /** Picks up a job an earlier agent process started: its CPUs, its box, and its shepherd or its end. */
    private void adopt(long id, int run, Path dir) {
        Launch order = readOrder(dir.resolve("order"));
        Job job = order.job();
        String err = holds(job) || bare(job) ? null : OutputPattern.stderr(job, nodeName);
        Path box = outbox.runDir(runDir(id, run));
        boolean remote = Files.isDirectory(box, LinkOption.NOFOLLOW_LINKS);
        if (remote) err = (Files.exists(box.resolve("err")) ? box.resolve("err") : box.resolve("out")).toString();
        Running r = new Running(id, run, dir, limitOf(dir, job), order.killWaitSeconds(), err);
        r.remote = remote;
        r.warning = holds(job) ? null : warningOf(job);
        try {
            r.asUser = remote ? List.of() : JobIdentity.of(job, agentIsRoot).prefix;
        } catch (IOException e) {
            log.warn(
                    "the adopted job's user is unknown; the agent will not write to its files job={} error={}",
                    id,
                    e.getMessage());
        }
        List<Integer> ids = read(dir.resolve("cpus"))
                .map(s -> CpuAllocator.parseList(s.trim()))
                .orElse(List.of());
        cpus.restore(id, ids);
        JobLimits limits = new JobLimits(partHere(job).memMiB(), ids, 0);
        List<String> boxFile =
                read(dir.resolve("box")).map(s -> List.of(s.trim().split("\n"))).orElse(List.of("process"));
        r.box = Containment.reopen(boxFile.get(0).trim(), id, nodeName, limits, boxFile.subList(1, boxFile.size()));
        running.put(runDir(id, run), r);
        long startedAt =
                read(dir.resolve("started")).map(s -> Long.parseLong(s.trim())).orElse(WallClock.seconds());
        Optional<ProcessHandle> shepherd = shepherdOf(dir);
        r.bare = Files.exists(dir.resolve(BARE));
        if (shepherd.isPresent() || r.bare) {
            log.info(
                    "adopted running job job={} shepherd_pid={} containment={} cpus={}",
                    id,
                    shepherd.map(ProcessHandle::pid).orElse(-1L),
                    r.box.strategy(),
                    CpuAllocator.formatList(ids));
            // across an agent restart only the wall clock spans the gap: this host's own, read on both sides;
            // time spent suspended does not count, and a run suspended now stays so, its limit stopped
            long[] suspension = suspensionOf(dir);
            long now = WallClock.seconds();
            long until = suspension[1] > 0 ? suspension[1] : now;
            long left = Math.max(0, startedAt + r.limitSeconds + suspension[0] - until);
            if (suspension[1] > 0) r.suspended = true;
            watch(r, shepherd.orElse(null), left);
            if (suspension[1] > 0) {
                synchronized (r) {
                    r.leftNanos = TimeUnit.SECONDS.toNanos(left);
                    if (r.timeout != null) r.timeout.cancel(false);
                    if (r.warningTimer != null) r.warningTimer.cancel(false);
                }
                log.info("adopted job is suspended job={} limit_left_s={}", id, left);
            }
        } else {
            shepherdExited(r);
        }
    }

    /** The shepherd recorded at launch, if it is still there (and not a recycled pid: it must be a shell). */
    private Optional<ProcessHandle> shepherdOf(Path dir) {
        return readPid(dir.resolve("shepherd.pid"))
                .flatMap(ProcessHandle::of)
                .filter(h -> h.isAlive() && !ProcessTracking.isZombie(h.pid()))
                .filter(h -> h.info()
                        .command()
                        .map(c -> c.endsWith("sh") || c.endsWith("setsid"))
                        .orElse(true));
    }

    /** What one running job holds and has used so far, for the agent's /metrics. */
    public record RunUse(
            long id, String containment, int cpus, long memLimitMiB, Usage usage, int oomKills, List<Integer> gpus) {}

    /** The jobs running here now, with their limits and use as last sampled. */
    public List<RunUse> runUses() {
        List<RunUse> out = new ArrayList<>();
        for (Running r : running.values()) {
            JobBox box = r.box;
            if (r.ended || box == null) continue;
            out.add(new RunUse(
                    r.id,
                    box.strategy(),
                    box.limits().cpus().size(),
                    box.limits().memMiB(),
                    box.usage(),
                    box.oomKills(),
                    r.gpus));
        }
        out.sort(java.util.Comparator.comparingLong(RunUse::id));
        return out;
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
        writeAtomically(f, bytes, PRIVATE_FILE);
    }

    /** Writes a spool file with {@code mode} from its creation on: no moment where another user could read it. */
    private static void writeAtomically(Path f, byte[] bytes, Set<PosixFilePermission> mode) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (var ch = Files.newByteChannel(
                tmp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(mode))) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        }
        Files.setPosixFilePermissions(tmp, mode);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void createPrivateFile(Path f) throws IOException {
        if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS))
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
    }

    private static void createPrivateDirectory(Path d) throws IOException {
        try {
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) throw e;
        }
    }

    private static JobEnded readResult(Path f) {
        if (decodeFile(f) instanceof JobEnded e) return e;
        throw new IllegalStateException("spool file " + f + " holds no job end");
    }

    private static Launch readOrder(Path f) {
        if (decodeFile(f) instanceof Launch l) return l;
        throw new IllegalStateException("spool file " + f + " holds no launch order");
    }

    private static Message decodeFile(Path f) {
        try {
            return Messages.decode(FrameIO.fromBytes(Files.readAllBytes(f)));
        } catch (IOException | MalformedMessage e) {
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
