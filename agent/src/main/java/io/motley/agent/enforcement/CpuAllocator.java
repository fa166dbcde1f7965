package io.motley.agent.enforcement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each job its own CPU ids on this node so that two jobs never share a core: the lowest free
 * ids first. When a job asks for more than are free (the node is oversubscribed, or shares its
 * CPUs with another agent) it gets the free ones and then the least used, and that is logged.
 */
public final class CpuAllocator {
    private static final Logger log = LoggerFactory.getLogger(CpuAllocator.class);
    private final List<Integer> cpus;
    private final Map<Long, List<Integer>> byJob = new HashMap<>();

    public CpuAllocator(List<Integer> cpus) {
        if (cpus.isEmpty()) throw new IllegalArgumentException("a node has at least one CPU");
        this.cpus = List.copyOf(new TreeSet<>(cpus));
    }

    /** The CPUs this process may run on: its affinity on Linux, else 0 to the JVM's processor count. */
    public static List<Integer> hostCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    List<Integer> ids = parseList(line.substring(line.indexOf(':') + 1));
                    if (!ids.isEmpty()) return ids;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: count instead
        }
        return IntStream.range(0, Runtime.getRuntime().availableProcessors())
                .boxed()
                .toList();
    }

    public List<Integer> cpus() {
        return cpus;
    }

    /** The lowest free ids for a job, or shared ones where too few are free. A job already holding CPUs keeps them. */
    public synchronized List<Integer> allocate(long job, int count) {
        List<Integer> held = byJob.get(job);
        if (held != null) return held;
        int want = Math.max(1, Math.min(count, cpus.size()));
        Map<Integer, Integer> use = usage();
        List<Integer> chosen = new ArrayList<>();
        for (int c : cpus) {
            if (chosen.size() == want) break;
            if (use.get(c) == 0) chosen.add(c);
        }
        if (chosen.size() < want) {
            List<Integer> busy = new ArrayList<>(cpus);
            busy.removeAll(chosen);
            busy.sort(Comparator.comparing((Integer c) -> use.get(c)).thenComparing(c -> c));
            chosen.addAll(busy.subList(0, want - chosen.size()));
            log.warn(
                    "not enough free CPUs; the job shares some with other jobs job={} asked={} cpus={} node_cpus={}",
                    job,
                    count,
                    formatList(chosen),
                    formatList(cpus));
        }
        if (count > cpus.size()) {
            log.warn(
                    "job asks for more CPUs than this host has; it gets them all job={} asked={} cpus={}",
                    job,
                    count,
                    formatList(cpus));
        }
        List<Integer> result = List.copyOf(new TreeSet<>(chosen));
        byJob.put(job, result);
        return result;
    }

    /** Takes back what a job held before this agent restarted (from its spool). */
    public synchronized void restore(long job, List<Integer> ids) {
        List<Integer> known =
                ids.stream().filter(cpus::contains).distinct().sorted().toList();
        if (!known.isEmpty()) byJob.put(job, known);
    }

    public synchronized void release(long job) {
        byJob.remove(job);
    }

    public synchronized List<Integer> of(long job) {
        return byJob.getOrDefault(job, List.of());
    }

    private Map<Integer, Integer> usage() {
        Map<Integer, Integer> use = new HashMap<>();
        cpus.forEach(c -> use.put(c, 0));
        byJob.values().forEach(ids -> ids.forEach(c -> use.merge(c, 1, Integer::sum)));
        return use;
    }

    /** Parses a Linux CPU list ("0-3,8,10-11"). */
    public static List<Integer> parseList(String text) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : text.trim().split(",")) {
            part = part.trim();
            if (part.isEmpty()) continue;
            int dash = part.indexOf('-');
            if (dash < 0) {
                out.add(Integer.parseInt(part));
            } else {
                int from = Integer.parseInt(part.substring(0, dash).trim());
                int to = Integer.parseInt(part.substring(dash + 1).trim());
                for (int i = from; i <= to; i++) out.add(i);
            }
        }
        return List.copyOf(out);
    }

    /** Writes ids as a Linux CPU list, ranges folded ("0-3,8"). */
    public static String formatList(List<Integer> ids) {
        List<Integer> sorted = List.copyOf(new TreeSet<>(ids));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < sorted.size(); i++) {
            int from = sorted.get(i);
            int to = from;
            while (i + 1 < sorted.size() && sorted.get(i + 1) == to + 1) {
                to = sorted.get(++i);
            }
            if (!b.isEmpty()) b.append(',');
            b.append(from);
            if (to != from) b.append('-').append(to);
        }
        return b.toString();
    }
}
