package io.motley.core.step;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * What an ended step's tasks used, over all its nodes, as sacct shows a step's usage: for memory,
 * major page faults and disk the task with the most (and its node) and the average over the tasks;
 * for CPU time the task with the least, the average, and the sum in user and kernel mode. Each
 * task's figures are its node's last sample of it ({@link TaskUsage}): memory its peak (KiB), CPU
 * time in ms, disk in bytes. {@code tasks} counts the tasks measured, which the averages divide by.
 */
public record StepUsage(
        int tasks,
        Extreme maxRss,
        long aveRssKiB,
        Extreme maxVm,
        long aveVmKiB,
        Extreme maxPages,
        long avePages,
        Extreme minCpu,
        long aveCpuMs,
        long userCpuMs,
        long systemCpuMs,
        Extreme maxDiskRead,
        long aveDiskRead,
        Extreme maxDiskWrite,
        long aveDiskWrite,
        long aveCpuFreq) {

    /** One figure at its extreme over the step's tasks: the value and the task (and its node) that had it. */
    public record Extreme(long value, String node, int task) {
        public Extreme {
            Objects.requireNonNull(node, "node");
        }
    }

    public StepUsage {
        if (tasks < 1) throw new IllegalArgumentException("step usage of no task");
        Objects.requireNonNull(maxRss, "maxRss");
        Objects.requireNonNull(maxVm, "maxVm");
        Objects.requireNonNull(maxPages, "maxPages");
        Objects.requireNonNull(minCpu, "minCpu");
        Objects.requireNonNull(maxDiskRead, "maxDiskRead");
        Objects.requireNonNull(maxDiskWrite, "maxDiskWrite");
    }

    /** CPU time of all the tasks, ms: sacct's TotalCPU. */
    public long totalCpuMs() {
        return userCpuMs + systemCpuMs;
    }

    /**
     * The usage of step {@code stepId} from its tasks' figures (those of other steps are left out);
     * empty when none of its tasks was measured. Of tasks with equal figures the lowest task id is
     * named, as the order the nodes answered in must not matter.
     */
    public static Optional<StepUsage> of(int stepId, List<TaskUsage> all) {
        List<TaskUsage> tasks = all.stream()
                .filter(t -> t.step() == stepId)
                .sorted(Comparator.comparingInt(TaskUsage::task).thenComparing(TaskUsage::node))
                .toList();
        if (tasks.isEmpty()) return Optional.empty();
        return Optional.of(new StepUsage(
                tasks.size(),
                max(tasks, TaskUsage::maxRssKiB),
                ave(tasks, TaskUsage::maxRssKiB),
                max(tasks, TaskUsage::maxVmKiB),
                ave(tasks, TaskUsage::maxVmKiB),
                max(tasks, TaskUsage::pages),
                ave(tasks, TaskUsage::pages),
                min(tasks, TaskUsage::cpuMs),
                ave(tasks, TaskUsage::cpuMs),
                tasks.stream().mapToLong(TaskUsage::userCpuMs).sum(),
                tasks.stream().mapToLong(TaskUsage::systemCpuMs).sum(),
                max(tasks, TaskUsage::readBytes),
                ave(tasks, TaskUsage::readBytes),
                max(tasks, TaskUsage::writeBytes),
                ave(tasks, TaskUsage::writeBytes),
                aveFrequency(tasks)));
    }

    /**
     * The tasks' CPU frequencies averaged, each weighed by the task's CPU time (tasks whose node did
     * not tell one left out); 0 where none is known. Slurm 22.05 adds the tasks' figures up instead.
     */
    public static long aveFrequency(List<TaskUsage> tasks) {
        double weighted = 0;
        long ms = 0;
        long seen = 0;
        for (TaskUsage t : tasks) {
            if (t.cpuFreq() <= 0) continue;
            weighted += (double) t.cpuFreq() * t.cpuMs();
            ms += t.cpuMs();
            seen = Math.max(seen, t.cpuFreq());
        }
        return ms > 0 ? Math.round(weighted / ms) : seen;
    }

    private static Extreme max(List<TaskUsage> tasks, ToLongFunction<TaskUsage> of) {
        TaskUsage most = tasks.get(0);
        for (TaskUsage t : tasks) if (of.applyAsLong(t) > of.applyAsLong(most)) most = t;
        return new Extreme(of.applyAsLong(most), most.node(), most.task());
    }

    private static Extreme min(List<TaskUsage> tasks, ToLongFunction<TaskUsage> of) {
        TaskUsage least = tasks.get(0);
        for (TaskUsage t : tasks) if (of.applyAsLong(t) < of.applyAsLong(least)) least = t;
        return new Extreme(of.applyAsLong(least), least.node(), least.task());
    }

    private static long ave(List<TaskUsage> tasks, ToLongFunction<TaskUsage> of) {
        long sum = tasks.stream().mapToLong(of).sum();
        return Math.round(sum / (double) tasks.size());
    }

    // ---- text form: how a store keeps it and a frame carries it ---------------------------------

    /**
     * The usage as one line of {@code name=value} pairs separated by commas, an extreme as
     * {@code value/node/task}: node names (hostnames) hold none of ',', '=' and '/'.
     */
    public String toText() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tasks", Integer.toString(tasks));
        m.put("maxRss", text(maxRss));
        m.put("aveRss", Long.toString(aveRssKiB));
        m.put("maxVm", text(maxVm));
        m.put("aveVm", Long.toString(aveVmKiB));
        m.put("maxPages", text(maxPages));
        m.put("avePages", Long.toString(avePages));
        m.put("minCpu", text(minCpu));
        m.put("aveCpu", Long.toString(aveCpuMs));
        m.put("userCpu", Long.toString(userCpuMs));
        m.put("systemCpu", Long.toString(systemCpuMs));
        m.put("maxRead", text(maxDiskRead));
        m.put("aveRead", Long.toString(aveDiskRead));
        m.put("maxWrite", text(maxDiskWrite));
        m.put("aveWrite", Long.toString(aveDiskWrite));
        m.put("cpuFreq", Long.toString(aveCpuFreq));
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) ->
                sb.append(sb.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

    /** The usage {@link #toText} wrote; an IllegalArgumentException saying what is wrong for anything else. */
    public static StepUsage parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("step usage: '" + pair + "' is no name=value");
            m.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return new StepUsage(
                (int) Math.min(Integer.MAX_VALUE, number(m, "tasks")),
                extreme(m, "maxRss"),
                number(m, "aveRss"),
                extreme(m, "maxVm"),
                number(m, "aveVm"),
                extreme(m, "maxPages"),
                number(m, "avePages"),
                extreme(m, "minCpu"),
                number(m, "aveCpu"),
                number(m, "userCpu"),
                number(m, "systemCpu"),
                extreme(m, "maxRead"),
                number(m, "aveRead"),
                extreme(m, "maxWrite"),
                number(m, "aveWrite"),
                // kept before it was measured: unknown
                m.containsKey("cpuFreq") ? number(m, "cpuFreq") : 0);
    }

    private static String text(Extreme e) {
        return e.value() + "/" + e.node() + "/" + e.task();
    }

    private static long number(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) throw new IllegalArgumentException("step usage: " + key + " missing");
        return number(v, key);
    }

    private static long number(String v, String key) {
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("step usage: " + key + " '" + v + "' is not a number");
        }
    }

    private static Extreme extreme(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) throw new IllegalArgumentException("step usage: " + key + " missing");
        String[] p = v.split("/", -1);
        if (p.length != 3 || p[1].isEmpty())
            throw new IllegalArgumentException("step usage: " + key + " '" + v + "' is not value/node/task");
        return new Extreme(number(p[0], key), p[1], (int) Math.min(Integer.MAX_VALUE, number(p[2], key)));
    }
}
