package io.motley.controller.web;

import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dashboard's history charts: a bounded ring of samples of the cluster (one per {@link
 * #INTERVAL_SECONDS}, a day of them by default), kept in the controller's memory only, so the
 * charts work with no Prometheus and start empty after a restart.
 */
public final class History {
    /** How often the controller takes a sample. */
    public static final long INTERVAL_SECONDS = 30;

    /** A day of samples at {@link #INTERVAL_SECONDS}. */
    public static final int DAY = (int) (24 * 3600 / INTERVAL_SECONDS);

    /** The most users a sample names; the rest are summed under {@link #OTHERS}. */
    public static final int MAX_USERS = 12;

    public static final String OTHERS = "(others)";

    /**
     * The cluster at {@code time}: CPUs, memory and GPUs of the nodes that take jobs (not DOWN or
     * INVAL) and what of them is allocated, the queue, and the jobs (running and pending) per user.
     */
    public record Sample(
            long time,
            int cpus,
            int cpusAllocated,
            long memMiB,
            long memAllocatedMiB,
            int gpus,
            int gpusAllocated,
            int running,
            int pending,
            Map<String, Integer> jobsByUser) {
        public Sample {
            jobsByUser = Collections.unmodifiableMap(new LinkedHashMap<>(jobsByUser));
        }
    }

    private final int capacity;
    private final ArrayDeque<Sample> ring;

    public History(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("a history holds at least one sample");
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(Math.min(capacity, DAY));
    }

    /** Adds {@code s}, dropping the oldest sample when the ring is full. */
    public synchronized void add(Sample s) {
        if (ring.size() == capacity) ring.removeFirst();
        ring.addLast(s);
    }

    /** The samples, oldest first. */
    public synchronized List<Sample> samples() {
        return List.copyOf(ring);
    }

    /** A sample of {@code nodes} and {@code jobs} taken at {@code time}. */
    public static Sample sample(long time, List<Node> nodes, List<Job> jobs) {
        int cpus = 0;
        int cpusAllocated = 0;
        long mem = 0;
        long memAllocated = 0;
        int gpus = 0;
        for (Node n : nodes) {
            if (n.state() == NodeState.DOWN || n.state() == NodeState.INVAL) continue;
            cpus += n.cpus();
            cpusAllocated += n.allocCpus();
            mem += n.memMiB();
            memAllocated += n.allocMemMiB();
            gpus += n.gpus().size();
        }
        int running = 0;
        int pending = 0;
        int gpusAllocated = 0;
        Map<String, Integer> byUser = new TreeMap<>();
        for (Job j : jobs) {
            if (j.state().holdsAllocation()) {
                running++;
                gpusAllocated += j.gpuList().size();
            } else if (j.state() == JobState.PENDING) pending++;
            else continue;
            byUser.merge(j.user() == null ? "" : j.user(), 1, Integer::sum);
        }
        return new Sample(
                time,
                cpus,
                cpusAllocated,
                mem,
                memAllocated,
                gpus,
                Math.min(gpusAllocated, gpus),
                running,
                pending,
                largest(byUser));
    }

    /** The {@link #MAX_USERS} users with most jobs (ties by name), the rest summed as {@link #OTHERS}. */
    static Map<String, Integer> largest(Map<String, Integer> byUser) {
        List<Map.Entry<String, Integer>> all = new ArrayList<>(byUser.entrySet());
        all.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Integer> out = new LinkedHashMap<>();
        int others = 0;
        for (int i = 0; i < all.size(); i++) {
            if (i < MAX_USERS) out.put(all.get(i).getKey(), all.get(i).getValue());
            else others += all.get(i).getValue();
        }
        if (others > 0) out.put(OTHERS, others);
        return out;
    }
}
