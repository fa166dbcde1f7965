package io.motley.agent.enforcement;

import io.motley.core.job.Usage;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job's containment on this node, made by the chosen {@link Containment}: the job's first
 * process joins it before the script starts, it measures what the job uses, tells whether memory
 * ran out, kills every process the job started (detached ones too) and is removed at the end.
 *
 * <p>Memory and CPU of the job's processes are sampled (every {@link #SAMPLE_MILLIS} ms by the
 * launcher) for MaxRSS and MaxVMSize, as Slurm's jobacct_gather does. Where the kernel cannot
 * enforce the memory limit the same sample enforces it: a job over its limit is killed and
 * counted as an out-of-memory event.
 */
public abstract sealed class JobBox permits CgroupV2.Box, CgroupV1.Box, ProcessTracking.Box {
    private static final Logger log = LoggerFactory.getLogger(JobBox.class);
    /** How often the launcher samples a running job. */
    public static final long SAMPLE_MILLIS = 500;

    protected final long jobId;
    protected final String node;
    protected final JobLimits limits;
    private final boolean memoryBySampling;
    private long maxRssKiB;
    private long maxVmKiB;
    private final Map<ProcessTable.Key, long[]> cpuByProcess = new HashMap<>();
    private volatile int sampledOomKills;
    private final StepSampler steps = new StepSampler();

    JobBox(long jobId, String node, JobLimits limits, boolean kernelEnforcesMemory) {
        this.jobId = jobId;
        this.node = node;
        this.limits = limits;
        this.memoryBySampling = !kernelEnforcesMemory && limits.memMiB() > 0;
    }

    public long jobId() {
        return jobId;
    }

    public JobLimits limits() {
        return limits;
    }

    /** The strategy's name: cgroup2, cgroup1 or process. */
    public abstract String strategy();

    /** What a restarted agent needs to find this box again ({@link Containment#reopen}). */
    public abstract List<String> location();

    /** cgroup.procs files the job's first process writes its own pid into before it becomes the job. */
    public abstract List<Path> joinFiles();

    /** Whether the box itself keeps the job on its CPUs (a cpuset); otherwise see {@link #bindCommand()}. */
    protected abstract boolean bindsCpus();

    /** Whether the memory limit is held by sampling rather than by the kernel. */
    public boolean memoryBySampling() {
        return memoryBySampling;
    }

    /**
     * A command that, given a pid as its last argument, binds that process to the job's CPUs
     * ({@code taskset -pc LIST}); empty where the box binds them itself or nothing can.
     */
    public List<String> bindCommand() {
        String cpus = bindCpus();
        return cpus.isEmpty() ? List.of() : List.of(taskset().orElseThrow(), "-pc", cpus);
    }

    /**
     * The CPU list ({@code 0,2-3}) the job's first process binds itself to where {@link #bindCommand()} would bind
     * it; "" where that command is empty.
     */
    public String bindCpus() {
        if (bindsCpus() || limits.cpus().isEmpty() || taskset().isEmpty()) return "";
        return CpuAllocator.formatList(limits.cpus());
    }

    /** The job's first process (the one that leads its process group), once known. */
    public void track(long pid) {}

    /** The job's processes as the box sees them now (zombies excluded). */
    protected abstract List<Long> members();

    public List<Long> processes() {
        List<Long> live = new ArrayList<>();
        for (ProcessTable.Proc p : ProcessTable.of(members()).values()) {
            if (!p.dead()) live.add(p.pid());
        }
        return live;
    }

    /**
     * The job's live processes outside process group {@code pgid} (the batch shell's): its steps,
     * which sbatch --signal without B: reaches, as Slurm signals steps and not the batch step.
     */
    public List<Long> processesOutsideGroup(long pgid) {
        List<Long> live = new ArrayList<>();
        for (ProcessTable.Proc p : ProcessTable.of(members()).values()) {
            if (!p.dead() && p.pgid() != pgid) live.add(p.pid());
        }
        return live;
    }

    /** Measures the job now; kills it where the memory limit is held by sampling and it is over. */
    public synchronized Usage sample() {
        long rss = 0;
        long vm = 0;
        var procs = ProcessTable.of(members()).values();
        steps.sample(procs);
        for (ProcessTable.Proc p : procs) {
            if (p.dead()) continue;
            rss += p.rssKiB();
            vm += p.vmKiB();
            cpuByProcess.put(p.key(), new long[] {p.userMs(), p.systemMs()});
        }
        maxRssKiB = Math.max(maxRssKiB, rss);
        maxVmKiB = Math.max(maxVmKiB, vm);
        if (memoryBySampling && rss > limits.memMiB() * 1024 && sampledOomKills == 0) {
            sampledOomKills = 1;
            log.warn(
                    "job is over its memory limit; killing it job={} rss_kib={} limit_mib={} strategy={}",
                    jobId,
                    rss,
                    limits.memMiB(),
                    strategy());
            killAll();
        }
        return usage();
    }

    /** The most the job used so far: peak memory of the samples, CPU from the kernel's counters where kept. */
    public synchronized Usage usage() {
        long[] cpu = kernelCpuMs().orElseGet(() -> {
            long u = 0;
            long s = 0;
            for (long[] t : cpuByProcess.values()) {
                u += t[0];
                s += t[1];
            }
            return new long[] {u, s};
        });
        return new Usage(maxRssKiB, maxVmKiB, cpu[0], cpu[1]);
    }

    /**
     * Each task of the job's steps here as last sampled (the batch script's processes as the batch
     * step's task 0), named as on node {@code nodeName} (the box's own name may be its group's).
     */
    public List<io.motley.core.step.TaskUsage> stepUsage(String nodeName) {
        return steps.usage(nodeName);
    }

    /** Out-of-memory events: the kernel's kills in the job's group, or the agent's kill when it samples. */
    public int oomKills() {
        return kernelOomKills() + sampledOomKills;
    }

    protected int kernelOomKills() {
        return 0;
    }

    /** User and system CPU ms of every process the job ever had, where the kernel keeps that for the group. */
    protected Optional<long[]> kernelCpuMs() {
        return Optional.empty();
    }

    /** Sends {@code signal} (a name kill(1) knows: TSTP, STOP, CONT) to every live process of the job. */
    public void signalAll(String signal) {
        ProcessTable.signal(processes(), signal);
    }

    /**
     * scontrol suspend's last step, after SIGTSTP: stops every process of the job, SIGSTOP here;
     * a box with a freezer freezes the group instead, as Slurm's proctrack/cgroup does.
     */
    public void freeze() {
        signalAll("STOP");
    }

    /**
     * scontrol resume: SIGCONT to every process (it also clears the stop SIGTSTP caused), then a
     * frozen group is thawed, in Slurm's order.
     */
    public void thaw() {
        signalAll("CONT");
    }

    /** SIGTERM to every process of the job: the polite first step of a cancel or time limit. */
    public void terminate() {
        ProcessTable.terminate(processes());
    }

    /** SIGKILL to every process of the job, including those that left its session or process group. */
    public abstract void killAll();

    /** Removes the box after the job ended (kills what is left first). */
    public abstract void remove();

    public static Optional<String> taskset() {
        for (String p : List.of("/usr/bin/taskset", "/bin/taskset", "/usr/local/bin/taskset")) {
            if (new File(p).canExecute()) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Waits a little for a condition the kernel settles asynchronously (a group emptying, freezing). */
    static boolean waitFor(BooleanSupplier done, long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) return false;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return done.getAsBoolean();
            }
        }
        return true;
    }
}
