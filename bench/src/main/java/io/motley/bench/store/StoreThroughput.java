package io.motley.bench.store;

import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Submissions per second through the store alone, one client, each committed before the next
 * (as sbatch's id is answered): {@code StoreThroughput [COUNT] [StorageURL StorageUser StoragePassFile]};
 * without a URL, the SQLite file in a temporary directory on the disk ({@code java.io.tmpdir}).
 */
public final class StoreThroughput {
    private StoreThroughput() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path home = Files.createTempDirectory("motley-store-bench");
        String conf = args.length > 3
                ? "StorageURL=" + args[1] + "\nStorageUser=" + args[2] + "\nStoragePassFile=" + args[3] + "\n"
                : "";
        long t0 = System.nanoTime();
        try (Store store = Store.open(ClusterConfig.parse(conf), home)) {
            long opened = System.nanoTime();
            JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                    .name("bench")
                    .timeLimit(TimeLimit.of(600))
                    .environment(Map.of("PATH", "/usr/bin:/bin"))
                    .submitHost("h")
                    .build();
            for (int i = 0; i < count / 10; i++) store.insertNew(id -> job(id, r)); // warm-up
            long s = System.nanoTime();
            for (int i = 0; i < count; i++) store.insertNew(id -> job(id, r));
            double secs = (System.nanoTime() - s) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "%s: open+migrate %.0f ms, %,d submissions in %.2f s = %,.0f/s%n",
                    conf.isEmpty() ? "sqlite " + System.getProperty("java.io.tmpdir") : args[1],
                    (opened - t0) / 1e6,
                    count,
                    secs,
                    count / secs);
        }
    }

    private static Job job(long id, JobRequest r) {
        return Job.builder(id, r)
                .owner("bench", 1000, 1000)
                .priority(1)
                .times(Job.Times.submitted(100))
                .allocation(Job.Allocation.queued("main", TimeLimit.of(600)))
                .build();
    }
}
