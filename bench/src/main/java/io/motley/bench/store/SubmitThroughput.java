package io.motley.bench.store;

import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Submission;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submissions per second through the controller's API ({@link Cluster#submit}, the call the
 * agent socket's submit ends in), from several clients at once, each waiting for its id as sbatch
 * does: {@code SubmitThroughput [COUNT [CLIENTS [StorageURL StorageUser StoragePassFile]]]};
 * without a URL, the embedded SQLite file (synchronous=FULL) in a temporary directory on the
 * disk ({@code java.io.tmpdir}). Every answered id is durable: the store commits before it
 * answers. Prints figures only.
 */
public final class SubmitThroughput {
    private SubmitThroughput() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path home = Files.createTempDirectory("motley-submit-bench");
        String conf = args.length > 4
                ? "StorageURL=" + args[2] + "\nStorageUser=" + args[3] + "\nStoragePassFile=" + args[4] + "\n"
                : "";
        ClusterConfig config = ClusterConfig.parse(conf);
        try (Store store = Store.open(config, home)) {
            Cluster cluster = new Cluster(config, store, () -> System.currentTimeMillis() / 1000);
            JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                    .name("bench")
                    .timeLimit(TimeLimit.of(600))
                    .environment(Map.of("PATH", "/usr/bin:/bin"))
                    .submitHost("h")
                    .build();
            Caller caller = new Caller(1000, 1000, "bench", List.of("bench"));
            run(cluster, r, caller, Math.max(clients, count / 10), clients); // warm-up
            AtomicLong refused = new AtomicLong();
            long s = System.nanoTime();
            refused.addAndGet(run(cluster, r, caller, count, clients));
            double secs = (System.nanoTime() - s) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "%s: %d clients, %,d submissions in %.2f s = %,.0f/s (refused %d)%n",
                    conf.isEmpty() ? "sqlite " + home : args[2],
                    clients,
                    count,
                    secs,
                    count / secs,
                    refused.get());
        }
    }

    /** {@code count} submissions shared by {@code clients} threads; returns how many were refused. */
    private static long run(Cluster cluster, JobRequest r, Caller caller, int count, int clients)
            throws InterruptedException {
        AtomicLong left = new AtomicLong(count);
        AtomicLong refused = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (left.getAndDecrement() > 0) {
                    if (!(cluster.submit(r, caller) instanceof Submission.Accepted)) refused.incrementAndGet();
                }
            }));
        }
        for (Thread t : threads) t.join();
        return refused.get();
    }
}
