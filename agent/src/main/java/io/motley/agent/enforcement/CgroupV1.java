package io.motley.agent.enforcement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containment through the cgroup v1 hierarchies: a group per job under
 * {@code <controller mount>/motley/<node>/job<N>} in each of memory (required: limit and
 * out-of-memory events), cpuset (binding to the job's CPUs), cpuacct (CPU time), freezer (a
 * kill that no fork can outrun) and pids, where mounted and writable.
 */
public final class CgroupV1 implements Containment {
    private static final Logger log = LoggerFactory.getLogger(CgroupV1.class);
    /** In the order a job's process joins them: cpuset first so nothing runs on foreign CPUs. */
    static final List<String> CONTROLLERS = List.of("cpuset", "memory", "cpuacct", "freezer", "pids");

    private final String node;
    private final Map<String, Path> bases;

    private CgroupV1(String node, Map<String, Path> bases) {
        this.node = node;
        this.bases = Map.copyOf(bases);
    }

    @Override
    public String name() {
        return "cgroup1";
    }

    @Override
    public String summary() {
        List<String> parts = new ArrayList<>();
        for (String c : CONTROLLERS) {
            if (bases.containsKey(c)) parts.add(c + "=" + bases.get(c));
        }
        return "cgroup v1 groups " + String.join(" ", parts) + "; memory limit by the kernel"
                + (bases.containsKey("cpuset") ? ", CPUs bound by cpuset" : ", CPUs bound by " + tasksetOrNone())
                + (bases.containsKey("cpuacct") ? ", CPU time from cpuacct" : ", CPU time sampled")
                + (bases.containsKey("freezer") ? ", kill through the freezer" : ", kill by repeated SIGKILL");
    }

    private static String tasksetOrNone() {
        return JobBox.taskset().map(t -> "taskset").orElse("nothing (no cpuset, no taskset)");
    }

    Map<String, Path> bases() {
        return bases;
    }

    /** Finds the v1 hierarchies and makes Motley's groups in them, or says why that cannot work here. */
    static CgroupV1 probe(String node) throws Unusable {
        List<CgroupFs.Mount> mounts =
                CgroupFs.mounts().stream().filter(m -> !m.v2()).toList();
        if (mounts.isEmpty()) throw new Unusable("no cgroup v1 hierarchy is mounted");
        Map<String, String> own = CgroupFs.ownCgroups();
        Map<String, Path> bases = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (String c : CONTROLLERS) {
            Optional<CgroupFs.Mount> m =
                    mounts.stream().filter(x -> x.controllers().contains(c)).findFirst();
            if (m.isEmpty()) {
                if (c.equals("memory")) throw new Unusable("the cgroup v1 memory controller is not mounted");
                skipped.add(c + " (not mounted)");
                continue;
            }
            Optional<Path> base = groupBase(m.get(), CgroupFs.ownV1Path(own, c), c, node);
            if (base.isEmpty()) {
                if (c.equals("memory")) {
                    throw new Unusable("cannot create groups in the cgroup v1 memory hierarchy at "
                            + m.get().mountPoint() + " (needs root, or a writable delegated group)");
                }
                skipped.add(c + " (not writable)");
                continue;
            }
            bases.put(c, base.get());
        }
        if (!skipped.isEmpty())
            log.info("cgroup v1 controllers not used: {} node={}", String.join(", ", skipped), node);
        return new CgroupV1(node, bases);
    }

    /** {@code motley/<node>} at the top of the hierarchy, else below this agent's own group; the first that works. */
    private static Optional<Path> groupBase(CgroupFs.Mount m, String ownPath, String controller, String node) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(m.mountPoint());
        m.dirOf(ownPath).filter(d -> !d.equals(m.mountPoint())).ifPresent(candidates::add);
        for (Path top : candidates) {
            Path motley = top.resolve("motley");
            Path base = motley.resolve(node);
            if (!makeGroup(top, motley, controller) || !makeGroup(motley, base, controller)) continue;
            // can we make a job's group and set it up? (creating a directory may be allowed where writing is not)
            Path probe = base.resolve("probe-" + ProcessHandle.current().pid());
            boolean ok = makeGroup(base, probe, controller)
                    && switch (controller) {
                        case "memory" -> CgroupFs.tryWrite(probe.resolve("memory.limit_in_bytes"), "-1");
                        case "freezer" -> CgroupFs.tryWrite(probe.resolve("freezer.state"), "THAWED");
                        default -> true;
                    };
            CgroupFs.rmdirTree(probe);
            if (ok) return Optional.of(base);
        }
        return Optional.empty();
    }

    /**
     * Makes a group; a new cpuset group starts with no CPUs and no memory nodes, so it takes its
     * parent's. Where the top cpuset balances load over all CPUs (the default), a new cpuset group
     * first gives up its own sched_load_balance: the kernel then makes one scheduling domain of all
     * CPUs whatever the groups below say, so the flag changes nothing for the job, but with it on
     * every change of the group's CPUs and its removal rebuild the kernel's scheduling domains
     * (three rebuilds per job, most of the agent's kernel time in a drain of short jobs).
     */
    private static boolean makeGroup(Path parent, Path dir, String controller) {
        if (!Files.isDirectory(dir) && !CgroupFs.mkdirs(dir)) return false;
        if (controller.equals("cpuset")) {
            // with no CPUs yet the group's flag changes without a rebuild
            if (CgroupFs.read(dir.resolve("cpuset.cpus")).orElse("").isEmpty() && topBalancesLoad(dir))
                CgroupFs.tryWrite(dir.resolve("cpuset.sched_load_balance"), "0");
            for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                if (CgroupFs.read(dir.resolve(f)).orElse("").isEmpty()) {
                    String inherited = CgroupFs.read(parent.resolve(f)).orElse("");
                    if (inherited.isEmpty() || !CgroupFs.tryWrite(dir.resolve(f), inherited)) return false;
                }
            }
        }
        return true;
    }

    /** Whether the top cpuset of {@code group}'s hierarchy balances load over all CPUs (cpuset.sched_load_balance 1). */
    static boolean topBalancesLoad(Path group) {
        Path top = null;
        for (Path p = group.getParent(); p != null && Files.exists(p.resolve("cpuset.cpus")); p = p.getParent())
            top = p;
        return top != null
                && CgroupFs.read(top.resolve("cpuset.sched_load_balance"))
                        .orElse("")
                        .equals("1");
    }

    @Override
    public JobBox open(long jobId, JobLimits limits) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (String c : CONTROLLERS) {
            if (bases.containsKey(c)) dirs.put(c, bases.get(c).resolve("job" + jobId));
        }
        Box box = new Box(jobId, node, limits, dirs);
        if (!CgroupFs.procs(dirs.get("memory")).isEmpty()) {
            log.warn(
                    "a group for this job already holds processes (left by an earlier run); killing them job={} group={}",
                    jobId,
                    dirs.get("memory"));
            box.killAll();
        }
        for (var e : dirs.entrySet()) {
            Path dir = e.getValue();
            if (!makeGroup(dir.getParent(), dir, e.getKey())) {
                box.remove();
                throw new IOException("cannot create cgroup " + dir);
            }
        }
        try {
            configure(jobId, limits, dirs);
        } catch (IOException | RuntimeException e) {
            box.remove();
            throw e;
        }
        return box;
    }

    private static void configure(long jobId, JobLimits limits, Map<String, Path> dirs) throws IOException {
        Path mem = dirs.get("memory");
        String limit = limits.memMiB() > 0 ? Long.toString(limits.memBytes()) : "-1";
        CgroupFs.write(mem.resolve("memory.limit_in_bytes"), limit);
        // without swap accounting this file is absent; with it, swap must not lift the limit
        if (Files.exists(mem.resolve("memory.memsw.limit_in_bytes")))
            CgroupFs.tryWrite(mem.resolve("memory.memsw.limit_in_bytes"), limit);
        Path cpuset = dirs.get("cpuset");
        if (cpuset != null && !limits.cpus().isEmpty()) {
            List<Integer> allowed =
                    CpuAllocator.parseList(CgroupFs.read(cpuset.getParent().resolve("cpuset.effective_cpus"))
                            .or(() -> CgroupFs.read(cpuset.getParent().resolve("cpuset.cpus")))
                            .orElse(""));
            List<Integer> cpus =
                    limits.cpus().stream().filter(allowed::contains).toList();
            if (cpus.isEmpty()) {
                log.warn(
                        "the job's CPUs are outside this agent's cpuset; it gets the agent's job={} cpus={} cpuset={}",
                        jobId,
                        CpuAllocator.formatList(limits.cpus()),
                        CpuAllocator.formatList(allowed));
            } else {
                CgroupFs.write(cpuset.resolve("cpuset.cpus"), CpuAllocator.formatList(cpus));
            }
        }
        Path pids = dirs.get("pids");
        if (pids != null && limits.pidsMax() > 0)
            CgroupFs.write(pids.resolve("pids.max"), Long.toString(limits.pidsMax()));
    }

    /** The box of a job an earlier agent process started, from its recorded location ("controller=dir" lines). */
    static Box reopen(long jobId, String node, JobLimits limits, List<String> location) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (String line : location) {
            int eq = line.indexOf('=');
            if (eq > 0) dirs.put(line.substring(0, eq), Path.of(line.substring(eq + 1)));
        }
        return new Box(jobId, node, limits, dirs);
    }

    /** A job's groups in the v1 hierarchies. */
    static final class Box extends JobBox {
        private final Map<String, Path> dirs;

        Box(long jobId, String node, JobLimits limits, Map<String, Path> dirs) {
            super(jobId, node, limits, dirs.containsKey("memory"));
            this.dirs = Map.copyOf(dirs);
        }

        @Override
        public String strategy() {
            return "cgroup1";
        }

        @Override
        public List<String> location() {
            List<String> out = new ArrayList<>();
            for (String c : CONTROLLERS) {
                if (dirs.containsKey(c)) out.add(c + "=" + dirs.get(c));
            }
            return out;
        }

        @Override
        public List<Path> joinFiles() {
            List<Path> out = new ArrayList<>();
            for (String c : CONTROLLERS) {
                if (dirs.containsKey(c)) out.add(dirs.get(c).resolve("cgroup.procs"));
            }
            return out;
        }

        @Override
        protected boolean bindsCpus() {
            return dirs.containsKey("cpuset");
        }

        @Override
        protected List<Long> members() {
            Path any = dirs.getOrDefault(
                    "memory", dirs.values().stream().findFirst().orElse(null));
            return any == null ? List.of() : CgroupFs.procs(any);
        }

        @Override
        protected int kernelOomKills() {
            Path mem = dirs.get("memory");
            if (mem == null) return 0;
            // oom_kill is there since Linux 4.13; older kernels only count hitting the limit, which a page cache does
            // too
            return CgroupFs.keyed(mem.resolve("memory.oom_control"), "oom_kill")
                    .orElse(0L)
                    .intValue();
        }

        @Override
        protected Optional<long[]> kernelCpuMs() {
            Path acct = dirs.get("cpuacct");
            if (acct == null || !Files.isDirectory(acct)) return Optional.empty();
            Optional<String> user = CgroupFs.read(acct.resolve("cpuacct.usage_user"));
            Optional<String> sys = CgroupFs.read(acct.resolve("cpuacct.usage_sys"));
            if (user.isPresent() && sys.isPresent()) {
                return Optional.of(
                        new long[] {Long.parseLong(user.get()) / 1_000_000, Long.parseLong(sys.get()) / 1_000_000});
            }
            long tick = ProcessTable.clockTicks();
            Optional<Long> u = CgroupFs.keyed(acct.resolve("cpuacct.stat"), "user");
            Optional<Long> s = CgroupFs.keyed(acct.resolve("cpuacct.stat"), "system");
            if (u.isEmpty() || s.isEmpty()) return Optional.empty();
            return Optional.of(new long[] {u.get() * 1000 / tick, s.get() * 1000 / tick});
        }

        /** The freezer stops the whole group at once, forks included; SIGSTOP where there is none. */
        @Override
        public void freeze() {
            Path freezer = dirs.get("freezer");
            if (freezer == null
                    || !Files.isDirectory(freezer)
                    || !CgroupFs.tryWrite(freezer.resolve("freezer.state"), "FROZEN")) super.freeze();
        }

        @Override
        public void thaw() {
            super.thaw();
            Path freezer = dirs.get("freezer");
            if (freezer != null && Files.isDirectory(freezer))
                CgroupFs.tryWrite(freezer.resolve("freezer.state"), "THAWED");
        }

        /**
         * Freeze, SIGKILL every member, thaw: frozen processes cannot fork past the kill. An empty
         * group (a job that ended with all its processes, most of them) is left as it is: nothing in
         * it can fork, and nothing outside can join it but the agent's own writes.
         */
        @Override
        public void killAll() {
            if (members().isEmpty()) return;
            Path freezer = dirs.get("freezer");
            boolean frozen = false;
            if (freezer != null && Files.isDirectory(freezer)) {
                frozen = CgroupFs.tryWrite(freezer.resolve("freezer.state"), "FROZEN")
                        && waitFor(
                                () -> CgroupFs.read(freezer.resolve("freezer.state"))
                                        .orElse("")
                                        .equals("FROZEN"),
                                2000);
            }
            for (int round = 0; round < 50; round++) {
                List<Long> pids = members();
                if (pids.isEmpty()) break;
                ProcessTable.kill(pids);
                if (frozen) {
                    CgroupFs.tryWrite(freezer.resolve("freezer.state"), "THAWED");
                    frozen = false;
                }
                waitFor(() -> members().isEmpty(), 100);
            }
            if (freezer != null && Files.isDirectory(freezer))
                CgroupFs.tryWrite(freezer.resolve("freezer.state"), "THAWED");
            if (!members().isEmpty())
                log.warn("processes survive in the job's cgroup job={} pids={}", jobId, members());
        }

        @Override
        public void remove() {
            if (!members().isEmpty()) killAll();
            for (Path dir : dirs.values()) {
                if (!waitFor(() -> CgroupFs.rmdirTree(dir), 2000))
                    log.warn("cannot remove cgroup job={} group={}", jobId, dir);
            }
        }
    }
}
