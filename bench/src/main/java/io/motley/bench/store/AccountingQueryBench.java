package io.motley.bench.store;

import io.motley.controller.store.Store;
import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * sacct's query over a large store: {@code AccountingQueryBench [JOBS] [StorageURL StorageUser
 * [StoragePassFile]]} fills an empty store with JOBS finished jobs (default 1,000,000; 1,000 users,
 * submitted over 100 days, each with its run and batch step), through the store's own batch path
 * (10,000 jobs a transaction), then times "one user, one day", "one user, all time" and "all
 * users, one hour" (each the median of 5, after one warm-up), as sacct asks them (with steps).
 * Without a URL: SQLite in a temporary directory.
 */
public final class AccountingQueryBench {
    private AccountingQueryBench() {}

    static final int USERS = 1000;
    static final long DAY = 86_400;
    static final long T0 = 1_780_000_000L;
    static final int DAYS = 100;

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path home = Files.createTempDirectory("motley-sacct-bench");
        String conf = "";
        if (args.length > 2) conf = "StorageURL=" + args[1] + "\nStorageUser=" + args[2] + "\n";
        if (args.length > 3 && !args[3].isEmpty()) conf += "StoragePassFile=" + args[3] + "\n";
        String where = conf.isEmpty() ? "sqlite " + home : args[1];
        try (Store store = Store.open(ClusterConfig.parse(conf), home)) {
            long s = System.nanoTime();
            fill(store, count);
            System.out.printf(
                    Locale.ROOT,
                    "%s: %,d finished jobs written in %.0f s%n",
                    where,
                    count,
                    (System.nanoTime() - s) / 1e9);
            long day = T0 + 50 * DAY;
            time(
                    "one user, one day",
                    () -> store.accounting(AccountingQuery.builder()
                            .uid(1042)
                            .window(day, day + DAY)
                            .build()));
            time(
                    "one user, all time",
                    () -> store.accounting(AccountingQuery.builder().uid(1042).build()));
            time(
                    "all users, one hour",
                    () -> store.accounting(
                            AccountingQuery.builder().window(day, day + 3600).build()));
            time(
                    "all users, one hour, -X",
                    () -> store.accounting(AccountingQuery.builder()
                            .window(day, day + 3600)
                            .allocationsOnly(true)
                            .build()));
            time(
                    "one user, FAILED in one day",
                    () -> store.accounting(AccountingQuery.builder()
                            .uid(1042)
                            .state("FAILED")
                            .window(day, day + DAY)
                            .build()));
        }
    }

    private static void time(String what, Supplier<List<AccountingRecord>> query) {
        int lines = query.get().size();
        double[] ms = new double[5];
        for (int i = 0; i < ms.length; i++) {
            long s = System.nanoTime();
            query.get();
            ms[i] = (System.nanoTime() - s) / 1e6;
        }
        java.util.Arrays.sort(ms);
        System.out.printf(
                Locale.ROOT,
                "  %-28s %,7d lines  median %8.1f ms  (min %.1f, max %.1f)%n",
                what,
                lines,
                ms[2],
                ms[0],
                ms[4]);
    }

    static void fill(Store store, int count) {
        Random rnd = new Random(42);
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("bench")
                .timeLimit(TimeLimit.of(3600))
                .environment(Map.of("PATH", "/usr/bin:/bin"))
                .account("physics")
                .submitHost("h")
                .build();
        List<Job> batch = new ArrayList<>();
        // submit times grow with the id, as a real cluster's do
        for (int i = 1; i <= count; i++) {
            long submit = T0 + (long) i * DAYS * DAY / count;
            long start = submit + rnd.nextInt(3600);
            long end = start + 60 + rnd.nextInt(4 * 3600);
            int uid = 1000 + rnd.nextInt(USERS);
            JobState state = rnd.nextInt(10) == 0 ? JobState.FAILED : JobState.COMPLETED;
            Job pending = Job.builder(i, r)
                    .owner("u" + uid, uid, uid)
                    .priority(1)
                    .times(Job.Times.submitted(submit))
                    .allocation(Job.Allocation.queued("main", TimeLimit.of(3600)))
                    .build();
            batch.add(pending.started("main", "n" + rnd.nextInt(100), 1, 1000, TimeLimit.of(3600), start)
                    .withUsage(new Usage(1000, 2000, 500, 50))
                    .ended(state, new ExitStatus(state == JobState.FAILED ? 1 : 0, 0), end));
            if (batch.size() == 10_000) {
                store.saveJobs(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) store.saveJobs(batch);
    }
}
