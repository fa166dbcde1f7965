package io.motley.agent.enforcement;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containment without cgroups (no permission, no cgroup file system, macOS): a job is its first
 * process, its process group and session, every descendant seen, and every process whose
 * environment carries the job's marker ({@value #MARKER}=id with SLURMD_NODENAME=node), which is
 * how a process that double-forked or called setsid is still found. Memory is held by sampling
 * resident memory, CPUs by taskset where it exists; a kill stops every process found, looks
 * again until nothing new turns up, then SIGKILLs them all.
 */
public final class ProcessTracking implements Containment {

    /** Whether a pid is an exited process nobody reaped (a zombie), read from /proc or ps; false when it is not there. */
    public static boolean isZombie(long pid) {
        return ProcessTable.read(pid).map(ProcessTable.Proc::dead).orElse(false);
    }

    private static final Logger log = LoggerFactory.getLogger(ProcessTracking.class);
    /** The environment variable the launcher gives every job process, with the job id as value. */
    public static final String MARKER = "MOTLEY_JOB_ID";

    private final String node;

    ProcessTracking(String node) {
        this.node = node;
    }

    /** The fallback for a node: always available. */
    public static ProcessTracking forNode(String node) {
        return new ProcessTracking(node);
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public String summary() {
        return "process tracking (process group, session, descendants"
                + (ProcessTable.hasProcfs()
                        ? ", environment marker " + MARKER
                        : "; no /proc, so detached processes escape")
                + "); memory limit by sampling resident memory every " + JobBox.SAMPLE_MILLIS + " ms, CPUs bound by "
                + JobBox.taskset().map(t -> "taskset").orElse("nothing (no taskset)") + ", CPU time sampled";
    }

    @Override
    public JobBox open(long jobId, JobLimits limits) {
        return new Box(jobId, node, limits);
    }

    /** A job followed through the process table. */
    static final class Box extends JobBox {
        private volatile long root = -1;
        private final Set<ProcessTable.Key> known = new HashSet<>();
        private final Set<ProcessTable.Key> notOurs = new HashSet<>();
        private final List<String> marker;

        Box(long jobId, String node, JobLimits limits) {
            super(jobId, node, limits, false);
            this.marker = List.of(MARKER + "=" + jobId, "SLURMD_NODENAME=" + node);
        }

        @Override
        public String strategy() {
            return "process";
        }

        @Override
        public List<String> location() {
            return List.of();
        }

        @Override
        public List<Path> joinFiles() {
            return List.of();
        }

        @Override
        protected boolean bindsCpus() {
            return false;
        }

        @Override
        public void track(long pid) {
            root = pid;
        }

        @Override
        protected synchronized List<Long> members() {
            return scan().stream().map(ProcessTable.Proc::pid).toList();
        }

        /** The job's live processes now; remembers them so that a process reparented to init is still known. */
        private synchronized List<ProcessTable.Proc> scan() {
            List<ProcessTable.Proc> all = ProcessTable.all();
            Map<Long, ProcessTable.Proc> byPid = new HashMap<>();
            all.forEach(p -> byPid.put(p.pid(), p));
            Set<ProcessTable.Key> now = new HashSet<>();
            all.forEach(p -> now.add(p.key()));
            known.retainAll(now);
            notOurs.retainAll(now);
            long self = ProcessHandle.current().pid();
            long uptime = ProcessTable.uptimeTicks();
            Set<Long> pids = new LinkedHashSet<>();
            for (ProcessTable.Proc p : all) {
                if (p.dead() || p.pid() == self) continue;
                boolean ours = known.contains(p.key())
                        || (root > 0 && (p.pid() == root || p.pgid() == root || (p.sid() == root && p.sid() > 0)));
                if (!ours && !notOurs.contains(p.key())) {
                    if (ProcessTable.environHas(p.pid(), marker)) {
                        ours = true;
                    } else if (!ProcessTable.young(p, uptime)) {
                        // a young process may still be between its fork and the exec that gives it the
                        // job's environment (a job's first process, a step's task): it is looked at again
                        notOurs.add(p.key());
                    }
                }
                if (ours) pids.add(p.pid());
            }
            // descendants of what we hold (children the environment check missed, e.g. with env -i)
            boolean grew = true;
            while (grew) {
                grew = false;
                for (ProcessTable.Proc p : all) {
                    if (!p.dead() && p.pid() != self && !pids.contains(p.pid()) && pids.contains(p.ppid())) {
                        pids.add(p.pid());
                        grew = true;
                    }
                }
            }
            List<ProcessTable.Proc> out = new ArrayList<>();
            for (long pid : pids) {
                ProcessTable.Proc p = byPid.get(pid);
                known.add(p.key());
                notOurs.remove(p.key());
                out.add(p);
            }
            return out;
        }

        /** Stop everything found, look again until nothing new appears (a fork in flight), then SIGKILL. */
        @Override
        public void killAll() {
            for (int attempt = 0; attempt < 5; attempt++) {
                Set<Long> stopped = new LinkedHashSet<>();
                for (int round = 0; round < 20; round++) {
                    List<Long> found = new ArrayList<>(members());
                    found.removeAll(stopped);
                    if (found.isEmpty()) break;
                    ProcessTable.signal(found, "STOP");
                    stopped.addAll(found);
                }
                if (stopped.isEmpty()) return;
                ProcessTable.kill(stopped);
                ProcessTable.signal(stopped, "CONT");
                waitFor(() -> stopped.stream().allMatch(ProcessTable::gone), 1000);
            }
            List<Long> left = members();
            if (!left.isEmpty()) log.warn("job processes survive the kill job={} pids={}", jobId, left);
        }

        @Override
        public void remove() {
            killAll();
        }
    }
}
