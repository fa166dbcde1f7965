package io.motley.agent.enforcement;

import io.motley.core.step.TaskUsage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each task of a job's steps uses on this node (sstat), from the same samples as the whole
 * job's: a process belongs to the step and task its initial environment names (SLURM_STEP_ID and
 * SLURM_PROCID, which srun and the agent give every task and its children inherit); one without a
 * step id belongs to the batch step, as task 0. Memory is the sum over a task's live processes,
 * now and at its peak: the highest sum sampled, or the kernel's peak of one of its processes if
 * that is higher (a peak between two samples, as a program's brief copy of its data); CPU time, major page faults and bytes read and written also count the
 * task's processes that already exited, as last sampled. A process whose environment cannot be
 * read is left out.
 */
final class StepSampler {
    private static final Set<String> NAMES = Set.of("SLURM_STEP_ID", "SLURM_PROCID");
    /** How many figures are counted by process and summed over those that exited. */
    private static final int FIGURES = 5;

    private record Who(int step, int task) {}

    private static final class Tally {
        /** CPU ms times the frequency of the CPU they ran on, the ms so weighed, the last frequency read. */
        long weightedFreq;

        long weighedMs;
        long lastFreq;
        long rss;
        long maxRss;
        long vm;
        long maxVm;
        List<Long> pids = List.of();
        /** cpu ms, major faults, read and written bytes, cpu ms in the kernel, by live process. */
        final Map<ProcessTable.Key, long[]> byProcess = new HashMap<>();
        /** The same, summed over the task's processes that exited: a task that starts many keeps one sum. */
        final long[] gone = new long[FIGURES];
    }

    /**
     * Each live process's task as last read. A process seen before its exec still has its parent's
     * environment (a task's entry script joins the job's box before it sets the task's variables,
     * srun's spawn helper has srun's), so one taken for the batch step is read again at every
     * sample until it names a step; one that names a step keeps it.
     */
    private final Map<ProcessTable.Key, Who> who = new HashMap<>();

    private final Map<Who, Tally> tasks = new LinkedHashMap<>();

    /** Shared by every job's sampler: where /proc/cpuinfo is the source, it is read once. */
    private static final CpuFrequency NODE_FREQUENCY = new CpuFrequency();

    private final CpuFrequency frequency;

    StepSampler() {
        this(NODE_FREQUENCY);
    }

    StepSampler(CpuFrequency frequency) {
        this.frequency = frequency;
    }

    /** Takes one sample of the job's processes here. */
    synchronized void sample(Collection<ProcessTable.Proc> procs) {
        Map<Who, long[]> memory = new HashMap<>();
        Map<Who, List<Long>> pids = new HashMap<>();
        Set<ProcessTable.Key> seen = new java.util.HashSet<>();
        // each CPU's frequency read once a sample, however many of the job's processes ran on it
        Map<Integer, java.util.OptionalLong> clocks = new HashMap<>();
        for (ProcessTable.Proc p : procs) {
            if (p.dead()) continue;
            seen.add(p.key());
            Who before = who.get(p.key());
            Optional<Who> w =
                    before != null && before.step() != TaskUsage.BATCH ? Optional.of(before) : identify(p.pid());
            if (w.isEmpty()) continue;
            if (before != null && !before.equals(w.get())) {
                // what it did before its exec was the task's: it moves with it
                Tally was = tasks.get(before);
                long[] sofar = was == null ? null : was.byProcess.remove(p.key());
                if (sofar != null
                        && was.byProcess.isEmpty()
                        && java.util.Arrays.stream(was.gone).allMatch(x -> x == 0)) tasks.remove(before);
            }
            who.put(p.key(), w.get());
            Tally t = tasks.computeIfAbsent(w.get(), k -> new Tally());
            long[] io = ProcessTable.io(p.pid());
            long cpuMs = p.userMs() + p.systemMs();
            long[] was = t.byProcess.put(p.key(), new long[] {cpuMs, p.majorFaults(), io[0], io[1], p.systemMs()});
            // the CPU time since the last sample ran at the frequency of the CPU the process is on now,
            // as Slurm's jobacct_gather weighs it (a process first seen: all of its time)
            java.util.OptionalLong f = clocks.computeIfAbsent(p.cpu(), frequency::of);
            if (f.isPresent()) {
                long ran = Math.max(0, cpuMs - (was == null ? 0 : was[0]));
                t.weightedFreq += ran * f.getAsLong();
                t.weighedMs += ran;
                t.lastFreq = f.getAsLong();
            }
            long[] m = memory.computeIfAbsent(w.get(), k -> new long[3]);
            m[0] += p.rssKiB();
            m[1] += p.vmKiB();
            m[2] = Math.max(m[2], ProcessTable.peakRssKiB(p.pid()));
            pids.computeIfAbsent(w.get(), k -> new ArrayList<>()).add(p.pid());
        }
        who.keySet().retainAll(seen);
        tasks.forEach((w, t) -> {
            var it = t.byProcess.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (seen.contains(e.getKey())) continue;
                for (int i = 0; i < FIGURES; i++) t.gone[i] += e.getValue()[i];
                it.remove();
            }
            long[] m = memory.getOrDefault(w, new long[3]);
            t.rss = m[0];
            t.vm = m[1];
            // no more than the task's true peak: when that process peaked, the sum was at least its peak
            t.maxRss = Math.max(t.maxRss, Math.max(m[0], m[2]));
            t.maxVm = Math.max(t.maxVm, m[1]);
            t.pids = List.copyOf(pids.getOrDefault(w, List.of()));
        });
    }

    /** Every task sampled so far, in the order first seen. */
    synchronized List<TaskUsage> usage(String node) {
        List<TaskUsage> out = new ArrayList<>();
        tasks.forEach((w, t) -> {
            long[] sum = t.gone.clone();
            for (long[] v : t.byProcess.values()) for (int i = 0; i < FIGURES; i++) sum[i] += v[i];
            long freq = t.weighedMs > 0 ? t.weightedFreq / t.weighedMs : t.lastFreq;
            out.add(new TaskUsage(
                    w.step(), w.task(), node, t.pids, t.rss, t.maxRss, t.vm, t.maxVm, sum[1], sum[0], sum[2], sum[3],
                    sum[4], freq));
        });
        return out;
    }

    private static Optional<Who> identify(long pid) {
        return ProcessTable.environ(pid, NAMES).flatMap(env -> {
            String step = env.get("SLURM_STEP_ID");
            if (step == null) return Optional.of(new Who(TaskUsage.BATCH, 0));
            try {
                return Optional.of(
                        new Who(Integer.parseInt(step), Integer.parseInt(env.getOrDefault("SLURM_PROCID", "0"))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}
