package io.motley.bench.scheduler;

import io.motley.controller.cluster.AgentChannel;
import io.motley.controller.cluster.AgentReport;
import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.store.Store;
import io.motley.core.cluster.Node;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.TimeLimit;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How long a submission and a job listing (what squeue asks) take while the controller's
 * scheduler runs passes back to back over a deep queue: the controller's own Cluster and store,
 * with N pending jobs and M registered nodes whose agents are stand-ins. Prints figures only.
 * Usage: {@code bench/jmh --responsive [JOBS [NODES [SECONDS]]]}.
 */
public final class Responsiveness {
    private Responsiveness() {}

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 130_000;
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Path shm = Path.of("/dev/shm");
        Path dir = Files.createTempDirectory(
                Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")), "motley-resp");
        Random rnd = new Random(42);
        long now = System.currentTimeMillis() / 1000;
        long t0 = System.nanoTime();
        try (Store store = Store.sqlite(dir.resolve("motley.db"))) {
            for (int i = 0; i < jobs; i++) {
                JobRequest r = request(1 + rnd.nextInt(8), 60L * (1 + rnd.nextInt(600)));
                store.insertNew(id -> Job.builder(id, r)
                        .owner("bench", 1000, 1000)
                        .priority(4_294_901_760L - id)
                        .times(Job.Times.submitted(now))
                        .allocation(Job.Allocation.queued("main", r.timing().limit()))
                        .build());
            }
            System.out.printf(Locale.ROOT, "stored %,d pending jobs in %.1f s%n", jobs, (System.nanoTime() - t0) / 1e9);
            Cluster cluster = new Cluster(
                    ClusterConfig.parse("SchedulerParameters=bf_interval=1\n"),
                    store,
                    () -> System.currentTimeMillis() / 1000);
            for (int i = 0; i < nodes; i++) {
                String name = String.format(Locale.ROOT, "n%05d", i + 1);
                int cpus = 4 << rnd.nextInt(4);
                cluster.register(
                        new Silent(name),
                        new AgentReport.Registration(
                                Node.of(name, cpus, 4000L * cpus), cpus, 4000L * cpus, List.of(), List.of()));
            }
            long first = System.nanoTime();
            cluster.schedulePass();
            long pending = cluster.jobs().stream()
                    .filter(j -> j.state() == JobState.PENDING)
                    .count();
            System.out.printf(
                    Locale.ROOT,
                    "first pass (fills the cluster): %.0f ms; %,d jobs left pending%n",
                    (System.nanoTime() - first) / 1e6,
                    pending);

            List<Double> passes = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            Thread scheduler = Thread.ofPlatform().name("scheduler").start(() -> {
                while (!stop.get()) {
                    long s = System.nanoTime();
                    cluster.schedulePass();
                    passes.add((System.nanoTime() - s) / 1e6);
                }
            });
            List<Double> submits = new ArrayList<>();
            List<Double> listings = new ArrayList<>();
            List<Double> copies = new ArrayList<>();
            long until = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < until) {
                long s = System.nanoTime();
                cluster.submit(request(1, 600), new Caller(1000, 1000, "bench", null));
                submits.add((System.nanoTime() - s) / 1e6);
                s = System.nanoTime();
                List<Job> all = cluster.jobs();
                copies.add((System.nanoTime() - s) / 1e6);
                Frame out = Frame.op(Ops.OK);
                for (Job j : all) out.add(Codec.job(j, false));
                listings.add((System.nanoTime() - s) / 1e6);
                Thread.sleep(50);
            }
            stop.set(true);
            scheduler.join();
            System.out.printf(
                    Locale.ROOT,
                    "%,d jobs, %,d nodes, %d s of back-to-back passes (bf_interval=1)%n",
                    jobs,
                    nodes,
                    seconds);
            print("scheduling pass", passes);
            print("submit", submits);
            print("job list taken from the cluster", copies);
            print("job list encoded (squeue's answer)", listings);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void print(String what, List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        if (sorted.isEmpty()) return;
        System.out.printf(
                Locale.ROOT,
                "%-32s n=%-5d median %7.1f ms   p95 %7.1f ms   max %7.1f ms%n",
                what,
                sorted.size(),
                sorted.get(sorted.size() / 2),
                sorted.get((int) (sorted.size() * 0.95)),
                sorted.get(sorted.size() - 1));
    }

    private static JobRequest request(int cpus, long limit) {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("bench")
                .cpusPerTask(cpus, cpus > 1)
                .memory(new MemoryRequest.PerNode(100))
                .timeLimit(TimeLimit.of(limit))
                .submitHost("bench")
                .build();
    }

    /** An agent link that takes launch orders and never answers, so started jobs keep running. */
    private record Silent(String node) implements AgentChannel {
        @Override
        public void launch(Job job) {}

        @Override
        public void kill(long jobId, int run, KillReason why) {}

        @Override
        public void acknowledge(long jobId, int run) {}

        @Override
        public void registered(long heartbeatSeconds) {}

        @Override
        public void close() {}
    }
}
