package io.motley.bench.scheduler;

import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.scheduler.Allocation;
import io.motley.core.scheduler.Constraint;
import io.motley.core.scheduler.QueuedJob;
import io.motley.core.scheduler.Snapshot;
import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A seeded generator of scheduler input for benchmarks: a heterogeneous cluster (node classes
 * differing in CPUs, memory, features, GPUs and Weight; overlapping partitions given as hostlists;
 * some nodes drained or down), a running set that fills most of it, and a long pending queue of
 * varied jobs. The same seed and sizes always give the same workload.
 */
public final class Workloads {

    /** Epoch seconds the snapshots are taken at (2026-01-01T00:00:00Z); the scheduler reads no clock. */
    public static final long NOW = 1_767_225_600L;

    /** Id of the first pending job; running jobs have the ids below it, as they were submitted earlier. */
    public static final long FIRST_PENDING_ID = 10_000_000L;

    static final String A100 = "NVIDIA A100-SXM4-80GB";
    static final String H100 = "NVIDIA H100 80GB HBM3";
    static final String V100 = "Tesla V100-SXM2-32GB";
    static final List<String> GPU_MODELS = List.of(A100, H100, V100);

    /** The kinds of node the cluster is built from, in the order their index ranges follow each other. */
    public enum NodeClass {
        SMALL,
        STANDARD,
        INFINIBAND,
        BIGMEM,
        GPU
    }

    /** A generated cluster and queue; {@link #snapshot()} and {@link #afterOneJobEnds()} are what the scheduler is given. */
    public record Workload(
            List<NodeView> nodes,
            Map<String, NodeClass> classes,
            List<Partition> partitions,
            List<Allocation> running,
            List<QueuedJob> pending) {

        /** The full state: every running allocation and every pending job. */
        public Snapshot snapshot() {
            return new Snapshot(nodes, partitions, running, pending, 0, NOW);
        }

        /** The allocation whose end {@link #afterOneJobEnds()} models: the one holding the most CPUs on an UP node. */
        public Allocation endingJob() {
            Map<String, NodeView> byName = new java.util.HashMap<>();
            for (NodeView n : nodes) byName.put(n.name(), n);
            return running.stream()
                    .filter(a -> byName.get(a.node()).schedulable())
                    .max(Comparator.comparingInt(Allocation::cpus).thenComparingLong(a -> -a.jobId()))
                    .orElseThrow();
        }

        /** The state right after one job ended: the same snapshot without {@link #endingJob()}'s allocation. */
        public Snapshot afterOneJobEnds() {
            Allocation ended = endingJob();
            List<Allocation> left = running.stream().filter(a -> a != ended).toList();
            return new Snapshot(nodes, partitions, left, pending, 0, NOW);
        }
    }

    private Workloads() {}

    /** The node name of 1-based index {@code i}: n00001, n00002, ... */
    public static String nodeName(int i) {
        return String.format("n%05d", i);
    }

    /** A hostlist range of 1-based indices, e.g. n[00001-07500]. */
    static String range(int from, int to) {
        return String.format("n[%05d-%05d]", from, to);
    }

    /** A cluster of {@code nodeCount} nodes (at least 200) with {@code jobCount} pending jobs. */
    public static Workload generate(long seed, int nodeCount, int jobCount) {
        if (nodeCount < 200)
            throw new IllegalArgumentException("need at least 200 nodes for every node class, got " + nodeCount);
        Random rnd = new Random(seed);
        int n = nodeCount;
        // index ranges of the node classes (1-based, inclusive ends)
        int smallEnd = n * 15 / 100;
        int stdEnd = n * 65 / 100;
        int ibEnd = n * 75 / 100;
        int bigEnd = n * 90 / 100;

        List<NodeView> nodes = new ArrayList<>(n);
        Map<String, NodeClass> classes = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            NodeClass c = i <= smallEnd
                    ? NodeClass.SMALL
                    : i <= stdEnd
                            ? NodeClass.STANDARD
                            : i <= ibEnd ? NodeClass.INFINIBAND : i <= bigEnd ? NodeClass.BIGMEM : NodeClass.GPU;
            NodeView v = node(rnd, i, c, bigEnd);
            nodes.add(v);
            classes.put(v.name(), c);
        }

        List<Partition> partitions = List.of(
                partition(
                        "debug",
                        false,
                        range(1, n / 50) + "," + range(bigEnd + 1, bigEnd + n / 200),
                        "30:00",
                        "10:00",
                        2),
                partition("batch", true, range(1, ibEnd), "2-00:00:00", "1:00:00", 1),
                partition("long", false, range(smallEnd + 1, stdEnd), "7-00:00:00", "1-00:00:00", 1),
                partition(
                        "bigmem",
                        false,
                        range(stdEnd - n / 10 + 1, stdEnd) + "," + range(ibEnd + 1, bigEnd),
                        "3-00:00:00",
                        "1:00:00",
                        1),
                partition("gpu", false, range(bigEnd + 1, n), "2-00:00:00", "1:00:00", 1),
                // Nodes=ALL: a low-tier partition over the whole cluster
                new Partition(
                        "scavenger",
                        false,
                        null,
                        Durations.parseTimeLimit("1-00:00:00"),
                        Durations.parseTimeLimit("1:00:00"),
                        PartitionState.UP,
                        0,
                        -1,
                        null,
                        null));

        List<Allocation> running = new ArrayList<>();
        long jobId = 1;
        for (NodeView v : nodes) {
            if (v.state() == NodeState.DOWN) continue;
            jobId = fill(rnd, v, running, jobId);
        }

        List<QueuedJob> pending = new ArrayList<>(jobCount);
        for (int k = 0; k < jobCount; k++) pending.add(job(rnd, FIRST_PENDING_ID + k));
        return new Workload(
                List.copyOf(nodes), Map.copyOf(classes), partitions, List.copyOf(running), List.copyOf(pending));
    }

    private static Partition partition(
            String name, boolean isDefault, String hostlist, String maxTime, String defTime, int tier) {
        // as ClusterConfig builds a partition from Nodes=...: the hostlist expanded to names
        return new Partition(
                name,
                isDefault,
                Hostlist.expand(hostlist),
                Durations.parseTimeLimit(maxTime),
                Durations.parseTimeLimit(defTime),
                PartitionState.UP,
                tier,
                -1,
                null,
                null);
    }

    private static NodeView node(Random rnd, int i, NodeClass c, int bigEnd) {
        int cpus;
        long memPerCpu;
        int weight;
        Set<String> features = new LinkedHashSet<>();
        features.add("linux");
        List<Gpu> gpus = List.of();
        switch (c) {
            case SMALL -> {
                cpus = pick(rnd, 4, 8, 16);
                memPerCpu = 2048;
                weight = 1;
                boolean arm = rnd.nextInt(2) == 0;
                features.add(arm ? "aarch64" : "x86_64");
                features.add(arm ? "arm" : "intel");
            }
            case STANDARD -> {
                cpus = pick(rnd, 32, 48, 64);
                memPerCpu = pick(rnd, 2048, 4096);
                weight = 10;
                features.add("x86_64");
                features.add((i / 100) % 2 == 0 ? "intel" : "amd");
                if (rnd.nextInt(10) < 3) features.add("ssd");
            }
            case INFINIBAND -> {
                cpus = pick(rnd, 96, 128);
                memPerCpu = 4096;
                weight = 20;
                features.addAll(List.of("x86_64", "amd", "ib", "ssd"));
            }
            case BIGMEM -> {
                cpus = pick(rnd, 64, 128);
                memPerCpu = pick(rnd, 8192, 16384);
                weight = 50;
                features.addAll(List.of("x86_64", "intel", "bigmem", "ssd"));
            }
            case GPU -> {
                cpus = pick(rnd, 32, 64);
                memPerCpu = 8192;
                weight = 100;
                features.addAll(List.of("x86_64", "amd", "ssd"));
                if (rnd.nextInt(3) == 0) features.add("ib");
                String model = GPU_MODELS.get((i - bigEnd) % GPU_MODELS.size());
                int count = rnd.nextInt(3) == 0 ? 8 : 4;
                List<Gpu> g = new ArrayList<>();
                for (int d = 0; d < count; d++) {
                    g.add(new Gpu(d, model, model.equals(V100) ? 32768 : 81920, String.format("GPU-%08x-%04d", i, d)));
                }
                gpus = g;
            }
            default -> throw new IllegalStateException(c.toString());
        }
        int r = rnd.nextInt(100);
        NodeState state = r < 2 ? NodeState.DRAIN : r < 3 ? NodeState.DOWN : NodeState.UP;
        return new NodeView(nodeName(i), cpus, cpus * memPerCpu, state, gpus, features, weight);
    }

    /** Adds running allocations on a node: most nodes full, many nearly so, a few mostly idle. */
    private static long fill(Random rnd, NodeView v, List<Allocation> running, long jobId) {
        int r = rnd.nextInt(100);
        double target = r < 55 ? 1.0 : r < 90 ? 0.70 + rnd.nextDouble() * 0.25 : rnd.nextDouble() * 0.5;
        int cpusLeft = (int) Math.round(v.cpus() * target);
        long memLeft = v.memMiB();
        long perCpu = v.memMiB() / v.cpus();
        int gpuNext = 0;
        while (cpusLeft > 0) {
            int cpus = Math.min(cpusLeft, pick(rnd, 1, 2, 4, 8, 16, 32));
            long mem = Math.min(memLeft, cpus * perCpu / pick(rnd, 1, 2));
            List<Integer> gpuIds = new ArrayList<>();
            if (!v.gpus().isEmpty()) {
                int want = Math.min(v.gpus().size() - gpuNext, pick(rnd, 1, 1, 2, 4));
                for (int k = 0; k < want; k++) gpuIds.add(gpuNext++);
            }
            running.add(new Allocation(jobId++, v.name(), cpus, mem, gpuIds));
            cpusLeft -= cpus;
            memLeft -= mem;
        }
        return jobId;
    }

    private static final String[] BATCH_CONSTRAINTS = {
        "ib", "ssd", "x86_64", "aarch64", "intel&ssd", "amd|arm", "(intel|amd)&ssd"
    };
    private static final String[] LONG_CONSTRAINTS = {"ssd", "amd", "intel&ssd", "intel|amd"};
    private static final String[] BIGMEM_CONSTRAINTS = {"bigmem", "bigmem&ssd", "intel"};

    private static QueuedJob job(Random rnd, long id) {
        int r = rnd.nextInt(100);
        List<String> parts;
        int cpus;
        long mem = -2;
        long time = -2;
        int gpus = 0;
        String gpuType = null;
        String constraint = null;
        if (r < 4) {
            parts = List.of("debug");
            cpus = pick(rnd, 1, 2, 4);
            time = 60L * (5 + rnd.nextInt(26));
        } else if (r < 62 || (r >= 91 && r < 96)) {
            parts = r < 62 ? List.of("batch") : List.of("batch", "long");
            cpus = pick(rnd, 1, 1, 2, 4, 4, 8, 8, 16, 32, 64);
            if (rnd.nextInt(10) < 7) mem = cpus * (long) pick(rnd, 512, 1024, 2048, 4096);
            if (rnd.nextInt(10) < 8) time = 60L * (10 + rnd.nextInt(48 * 60 - 10));
            if (rnd.nextInt(100) == 0) time = 3 * 86400L; // over batch's MaxTime
            if (rnd.nextInt(10) == 0) constraint = BATCH_CONSTRAINTS[rnd.nextInt(BATCH_CONSTRAINTS.length)];
        } else if (r < 72) {
            parts = List.of("long");
            cpus = pick(rnd, 8, 16, 32, 48);
            time = 86400L + rnd.nextInt(6 * 86400);
            if (rnd.nextInt(10) == 0) constraint = LONG_CONSTRAINTS[rnd.nextInt(LONG_CONSTRAINTS.length)];
        } else if (r < 80 || (r >= 96 && r < 98)) {
            parts = r < 80 ? List.of("bigmem") : List.of("bigmem", "batch");
            cpus = pick(rnd, 4, 8, 16, 32, 64);
            mem = 1024L * pick(rnd, 64, 128, 192, 256, 512);
            time = 3600L * (1 + rnd.nextInt(72));
            if (r < 80 && rnd.nextInt(5) == 0) constraint = BIGMEM_CONSTRAINTS[rnd.nextInt(BIGMEM_CONSTRAINTS.length)];
        } else if (r < 88) {
            parts = List.of("gpu");
            gpus = pick(rnd, 1, 1, 1, 2, 2, 4, 8);
            cpus = gpus * pick(rnd, 2, 4, 8);
            if (rnd.nextInt(2) == 0) gpuType = Gpu.type(GPU_MODELS.get(rnd.nextInt(GPU_MODELS.size())));
            if (rnd.nextInt(10) < 8) time = 3600L * (1 + rnd.nextInt(48));
            if (rnd.nextInt(10) == 0) constraint = "ib";
        } else {
            parts = List.of("scavenger");
            cpus = pick(rnd, 1, 2, 4);
            time = 60L * (10 + rnd.nextInt(600));
        }
        boolean held = rnd.nextInt(100) < 3;
        boolean exclusive = rnd.nextInt(200) == 0 && gpus == 0;
        long priority = 1 + rnd.nextInt(100_000);
        QueuedJob.Placement placement = constraint == null && !exclusive
                ? QueuedJob.Placement.ANY
                : new QueuedJob.Placement(
                        constraint == null ? null : Constraint.parse(constraint), Set.of(), Set.of(), exclusive);
        return new QueuedJob(id, priority, parts, cpus, mem, time, held, gpus, gpuType, placement);
    }

    private static int pick(Random rnd, int... choices) {
        return choices[rnd.nextInt(choices.length)];
    }
}
