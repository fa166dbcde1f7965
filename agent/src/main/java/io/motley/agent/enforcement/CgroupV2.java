package io.motley.agent.enforcement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containment through the unified cgroup v2 hierarchy, written directly (no systemd): a group per
 * job under a Motley-owned {@code <root>/motley.slice/<node>} or, without root, under the agent's
 * own delegated group. Memory (memory.max, memory.events), CPUs (cpuset.cpus, cpu.weight) and
 * pids (pids.max) where those controllers can be enabled; CPU time from cpu.stat and the kill
 * from cgroup.kill in any case. Without the memory controller (a hybrid host whose memory
 * controller belongs to v1) the group still holds and kills the job, and memory is held by
 * sampling.
 */
public final class CgroupV2 implements Containment {
    private static final Logger log = LoggerFactory.getLogger(CgroupV2.class);
    static final List<String> WANTED = List.of("cpuset", "cpu", "memory", "pids");

    private final String node;
    private final Path base;
    private final Set<String> controllers;

    private CgroupV2(String node, Path base, Set<String> controllers) {
        this.node = node;
        this.base = base;
        this.controllers = Set.copyOf(controllers);
    }

    @Override
    public String name() {
        return "cgroup2";
    }

    /** Where job groups are made. */
    public Path base() {
        return base;
    }

    /** Controllers each job's group has (a subset of cpuset, cpu, memory, pids). */
    public Set<String> controllers() {
        return controllers;
    }

    @Override
    public String summary() {
        return "cgroup v2 groups under " + base + " (controllers: " + words(controllers)
                + "); memory limit "
                + (controllers.contains("memory")
                        ? "by the kernel (memory.max)"
                        : "by sampling resident memory every " + JobBox.SAMPLE_MILLIS + " ms")
                + ", CPUs bound by "
                + (controllers.contains("cpuset")
                        ? "cpuset"
                        : JobBox.taskset().map(t -> "taskset").orElse("nothing (no cpuset, no taskset)"))
                + ", CPU time from cpu.stat, kill through "
                + (Files.exists(base.resolve("cgroup.kill")) ? "cgroup.kill" : "the freezer");
    }

    private static String words(Set<String> s) {
        return s.isEmpty() ? "none" : String.join(" ", s.stream().sorted().toList());
    }

    /** The cgroup2 mount point of this host (/sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one). */
    public static Optional<Path> mountPoint() {
        return CgroupFs.mounts().stream()
                .filter(CgroupFs.Mount::v2)
                .map(CgroupFs.Mount::mountPoint)
                .findFirst();
    }

    /** This host's cgroup2 hierarchy, as {@link #probe(Path, String, String, boolean)} takes it. */
    static CgroupV2 probe(String node, boolean requireMemoryAndCpu) throws Unusable {
        Optional<CgroupFs.Mount> m =
                CgroupFs.mounts().stream().filter(CgroupFs.Mount::v2).findFirst();
        if (m.isEmpty()) throw new Unusable("no cgroup2 hierarchy is mounted");
        String own = CgroupFs.ownCgroups().getOrDefault("", "/");
        Path ownDir = m.get().dirOf(own).orElse(m.get().mountPoint());
        return probe(
                m.get().mountPoint(), m.get().mountPoint().relativize(ownDir).toString(), node, requireMemoryAndCpu);
    }

    /**
     * Makes Motley's groups in the cgroup2 hierarchy at {@code root}: a Motley slice at its top, else
     * a delegated subtree below {@code ownPath} (this agent's group, relative to root). With
     * {@code requireMemoryAndCpu} a hierarchy without those controllers is refused; without it such
     * a hierarchy is accepted for grouping and killing.
     */
    static CgroupV2 probe(Path root, String ownPath, String node, boolean requireMemoryAndCpu) throws Unusable {
        if (!Files.exists(root.resolve("cgroup.controllers"))) throw new Unusable(root + " is not a cgroup2 hierarchy");
        List<String> rejected = new ArrayList<>();
        Optional<CgroupV2> slice = trySlice(root, node, requireMemoryAndCpu, rejected);
        if (slice.isPresent()) return slice.get();
        String rel = ownPath.replaceAll("^/+", "");
        if (!rel.isEmpty()) {
            Optional<CgroupV2> delegated = tryDelegated(root, root.resolve(rel), node, requireMemoryAndCpu, rejected);
            if (delegated.isPresent()) return delegated.get();
        }
        throw new Unusable(String.join("; ", rejected));
    }

    private static Optional<CgroupV2> trySlice(Path root, String node, boolean require, List<String> rejected) {
        Path slice = root.resolve("motley.slice");
        Path base = slice.resolve(node);
        boolean sliceExisted = Files.isDirectory(slice);
        boolean baseExisted = Files.isDirectory(base);
        if (!CgroupFs.mkdirs(base) || !canMakeChild(base)) {
            if (!baseExisted) CgroupFs.rmdir(base);
            if (!sliceExisted) CgroupFs.rmdir(slice);
            rejected.add("cannot create groups in " + slice + " (needs root)");
            return Optional.empty();
        }
        Set<String> available = words(root.resolve("cgroup.controllers"));
        List<String> wanted = WANTED.stream().filter(available::contains).toList();
        enable(root, wanted);
        enable(slice, wanted);
        enable(base, wanted);
        Set<String> enabled = words(base.resolve("cgroup.subtree_control"));
        Optional<String> missing = missing(enabled, require, root, available);
        if (missing.isPresent()) {
            if (!baseExisted) CgroupFs.rmdir(base);
            if (!sliceExisted) CgroupFs.rmdir(slice);
            rejected.add(missing.get());
            return Optional.empty();
        }
        return Optional.of(new CgroupV2(node, base, enabled));
    }

    /**
     * Below the agent's own group, which a service manager delegated to it. cgroup v2 lets a group
     * hand controllers to its children only while it holds no processes itself, so where the agent
     * is alone in its group it moves into a leaf {@code agent} beside the job groups.
     */
    private static Optional<CgroupV2> tryDelegated(
            Path root, Path own, String node, boolean require, List<String> rejected) {
        Path top = own.resolve("motley");
        Path base = top.resolve(node);
        if (!Files.isDirectory(own) || !CgroupFs.mkdirs(base) || !canMakeChild(base)) {
            rejected.add("the agent's own group " + own + " is not delegated to it (cannot create groups there)");
            return Optional.empty();
        }
        Set<String> available = words(own.resolve("cgroup.controllers"));
        List<String> wanted = WANTED.stream().filter(available::contains).toList();
        if (!wanted.isEmpty() && !wanted.stream().allMatch(words(own.resolve("cgroup.subtree_control"))::contains)) {
            List<Long> inOwn = directProcs(own);
            long self = ProcessHandle.current().pid();
            if (inOwn.equals(List.of(self))) {
                Path leaf = own.resolve("agent");
                if (CgroupFs.mkdirs(leaf) && CgroupFs.tryWrite(leaf.resolve("cgroup.procs"), Long.toString(self))) {
                    log.info(
                            "moved the agent into a leaf of its delegated cgroup so job groups can have controllers group={} pid={}",
                            leaf,
                            self);
                }
            } else if (!inOwn.isEmpty()) {
                log.info(
                        "the agent's cgroup holds other processes, so its job groups get no controllers (start the agent in its"
                                + " own scope: systemd-run --scope -p Delegate=yes) group={} processes={}",
                        own,
                        inOwn.size());
            }
            enable(own, wanted);
            enable(top, wanted);
            enable(base, wanted);
        }
        Set<String> enabled = words(base.resolve("cgroup.subtree_control"));
        Optional<String> missing = missing(enabled, require, own, available);
        if (missing.isPresent()) {
            CgroupFs.rmdir(base);
            CgroupFs.rmdir(top);
            rejected.add(missing.get());
            return Optional.empty();
        }
        return Optional.of(new CgroupV2(node, base, enabled));
    }

    private static Optional<String> missing(Set<String> enabled, boolean require, Path where, Set<String> available) {
        if (!require || enabled.containsAll(List.of("memory", "cpu"))) return Optional.empty();
        List<String> lack = new ArrayList<>();
        for (String c : List.of("memory", "cpu")) {
            if (!enabled.contains(c)) lack.add(c);
        }
        return Optional.of("cgroup2 at " + where + " cannot give job groups the " + String.join(" and ", lack)
                + " controller"
                + (lack.size() > 1 ? "s" : "") + " (available there: " + words(available)
                + (available.contains("memory") ? "" : "; on a hybrid host they belong to the cgroup v1 hierarchies")
                + ")");
    }

    private static boolean canMakeChild(Path base) {
        Path probe = base.resolve("probe-" + ProcessHandle.current().pid());
        boolean ok = CgroupFs.mkdirs(probe) && Files.exists(probe.resolve("cgroup.procs"));
        CgroupFs.rmdirTree(probe);
        return ok;
    }

    private static void enable(Path dir, List<String> controllers) {
        Set<String> on = words(dir.resolve("cgroup.subtree_control"));
        for (String c : controllers) {
            if (!on.contains(c)) CgroupFs.tryWrite(dir.resolve("cgroup.subtree_control"), "+" + c);
        }
    }

    private static Set<String> words(Path f) {
        Set<String> out =
                new LinkedHashSet<>(Arrays.asList(CgroupFs.read(f).orElse("").split("\\s+")));
        out.remove("");
        return out;
    }

    private static List<Long> directProcs(Path dir) {
        return Arrays.stream(
                        CgroupFs.read(dir.resolve("cgroup.procs")).orElse("").split("\\s+"))
                .filter(s -> !s.isEmpty())
                .map(Long::parseLong)
                .toList();
    }

    @Override
    public JobBox open(long jobId, JobLimits limits) throws IOException {
        Path dir = base.resolve("job" + jobId);
        Box box = new Box(jobId, node, limits, dir, controllers.contains("memory"), controllers.contains("cpuset"));
        if (!CgroupFs.procs(dir).isEmpty()) {
            log.warn(
                    "a group for this job already holds processes (left by an earlier run); killing them job={} group={}",
                    jobId,
                    dir);
            box.killAll();
        }
        if (!Files.isDirectory(dir)) Files.createDirectory(dir);
        try {
            configure(limits, dir);
        } catch (IOException | RuntimeException e) {
            box.remove();
            throw e;
        }
        return box;
    }

    private void configure(JobLimits limits, Path dir) throws IOException {
        if (controllers.contains("memory")) {
            CgroupFs.write(dir.resolve("memory.max"), limits.memMiB() > 0 ? Long.toString(limits.memBytes()) : "max");
        }
        if (controllers.contains("cpu")) {
            // a share in proportion to the CPUs held, as Slurm's cpu.weight
            int weight = (int) Math.max(
                    1, Math.min(10000, 100L * Math.max(1, limits.cpus().size())));
            CgroupFs.tryWrite(dir.resolve("cpu.weight"), Integer.toString(weight));
        }
        if (controllers.contains("cpuset") && !limits.cpus().isEmpty()) {
            List<Integer> allowed = CpuAllocator.parseList(
                    CgroupFs.read(base.resolve("cpuset.cpus.effective")).orElse(""));
            List<Integer> cpus = limits.cpus().stream()
                    .filter(c -> allowed.isEmpty() || allowed.contains(c))
                    .toList();
            if (cpus.isEmpty()) {
                log.warn(
                        "the job's CPUs are outside this agent's cpuset; it gets the agent's cpus={} cpuset={}",
                        CpuAllocator.formatList(limits.cpus()),
                        CpuAllocator.formatList(allowed));
            } else {
                CgroupFs.write(dir.resolve("cpuset.cpus"), CpuAllocator.formatList(cpus));
            }
        }
        if (controllers.contains("pids") && limits.pidsMax() > 0) {
            CgroupFs.write(dir.resolve("pids.max"), Long.toString(limits.pidsMax()));
        }
    }

    /** The box of a job an earlier agent process started: its group, and which controllers it has. */
    static Box reopen(long jobId, String node, JobLimits limits, List<String> location) {
        Path dir = Path.of(location.get(0));
        Set<String> has = words(dir.resolve("cgroup.controllers"));
        return new Box(jobId, node, limits, dir, has.contains("memory"), has.contains("cpuset"));
    }

    /** A job's group in the unified hierarchy. */
    static final class Box extends JobBox {
        private final Path dir;
        private final boolean memory;
        private final boolean cpuset;

        Box(long jobId, String node, JobLimits limits, Path dir, boolean memory, boolean cpuset) {
            super(jobId, node, limits, memory);
            this.dir = dir;
            this.memory = memory;
            this.cpuset = cpuset;
        }

        @Override
        public String strategy() {
            return "cgroup2";
        }

        @Override
        public List<String> location() {
            return List.of(dir.toString());
        }

        @Override
        public List<Path> joinFiles() {
            return List.of(dir.resolve("cgroup.procs"));
        }

        @Override
        protected boolean bindsCpus() {
            return cpuset;
        }

        @Override
        protected List<Long> members() {
            return CgroupFs.procs(dir);
        }

        @Override
        protected int kernelOomKills() {
            return memory
                    ? CgroupFs.keyed(dir.resolve("memory.events"), "oom_kill")
                            .orElse(0L)
                            .intValue()
                    : 0;
        }

        @Override
        protected Optional<long[]> kernelCpuMs() {
            Optional<Long> user = CgroupFs.keyed(dir.resolve("cpu.stat"), "user_usec");
            Optional<Long> sys = CgroupFs.keyed(dir.resolve("cpu.stat"), "system_usec");
            if (user.isEmpty() || sys.isEmpty()) return Optional.empty();
            return Optional.of(new long[] {user.get() / 1000, sys.get() / 1000});
        }

        /** cgroup.freeze: the whole group stops at once, forks included; SIGSTOP where it cannot be written. */
        @Override
        public void freeze() {
            if (!Files.isDirectory(dir) || !CgroupFs.tryWrite(dir.resolve("cgroup.freeze"), "1")) super.freeze();
        }

        @Override
        public void thaw() {
            super.thaw();
            if (Files.isDirectory(dir)) CgroupFs.tryWrite(dir.resolve("cgroup.freeze"), "0");
        }

        /** cgroup.kill (Linux 5.14+) kills the whole subtree at once; older kernels freeze, SIGKILL and thaw. */
        @Override
        public void killAll() {
            // an empty group (a job that ended with all its processes) has nothing to kill or freeze
            if (!Files.isDirectory(dir) || members().isEmpty()) return;
            if (!CgroupFs.tryWrite(dir.resolve("cgroup.kill"), "1")) {
                boolean frozen = CgroupFs.tryWrite(dir.resolve("cgroup.freeze"), "1")
                        && waitFor(
                                () -> CgroupFs.keyed(dir.resolve("cgroup.events"), "frozen")
                                                .orElse(0L)
                                        == 1,
                                2000);
                for (int round = 0; round < 50 && !members().isEmpty(); round++) {
                    ProcessTable.kill(members());
                    if (frozen) {
                        CgroupFs.tryWrite(dir.resolve("cgroup.freeze"), "0");
                        frozen = false;
                    }
                    waitFor(() -> members().isEmpty(), 100);
                }
                CgroupFs.tryWrite(dir.resolve("cgroup.freeze"), "0");
            }
            if (!waitFor(() -> members().isEmpty(), 5000)) {
                log.warn("processes survive in the job's cgroup job={} pids={}", jobId, members());
            }
        }

        @Override
        public void remove() {
            if (!members().isEmpty()) killAll();
            if (!waitFor(() -> CgroupFs.rmdirTree(dir), 2000))
                log.warn("cannot remove cgroup job={} group={}", jobId, dir);
        }
    }
}
