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
            ServerCpu server = conf.isEmpty() ? null : new ServerCpu(args[2], args[3], args[4]);
            long serverBefore = server == null ? 0 : server.nanos();
            long cpuBefore = ownCpuNanos();
            long s = System.nanoTime();
            refused.addAndGet(run(cluster, r, caller, count, clients));
            double secs = (System.nanoTime() - s) / 1e9;
            double ownMicros = (ownCpuNanos() - cpuBefore) / 1e3 / count;
            double serverMicros = server == null ? 0 : (server.nanos() - serverBefore) / 1e3 / count;
            System.out.printf(
                    Locale.ROOT,
                    "%s: %d clients, %,d submissions in %.2f s = %,.0f/s (refused %d); CPU a submission:"
                            + " controller %.0f us, database server %.0f us%n",
                    conf.isEmpty() ? "sqlite " + home : args[2],
                    clients,
                    count,
                    secs,
                    count / secs,
                    refused.get(),
                    ownMicros,
                    serverMicros);
        }
    }

    /** This JVM's CPU time (every thread: clients, committer, JIT, GC). */
    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * The CPU time of the PostgreSQL backends serving the store (read from /proc: the server runs
     * on this machine), so that the server's share is counted as well as the controller's on a
     * machine whose other load makes wall time a poor measure. Backends that ended meanwhile are
     * not counted; the pool keeps its connections open.
     */
    private static final class ServerCpu {
        private final String url;
        private final String user;
        private final String password;

        ServerCpu(String url, String user, String passFile) throws java.io.IOException {
            this.url = url;
            this.user = user;
            String p = Files.readString(Path.of(passFile)).strip();
            this.password = p.isEmpty() ? null : p;
        }

        long nanos() throws java.sql.SQLException, java.io.IOException {
            long ticks = 0;
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password);
                    java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity"
                            + " WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
                while (rs.next()) {
                    Path stat = Path.of("/proc/" + rs.getLong(1) + "/stat");
                    if (!Files.exists(stat)) continue;
                    String text = Files.readString(stat);
                    String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
                    // fields 14 and 15 of stat (utime, stime), counted from the state field (3)
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
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
