package io.motley.bench.scale;

import io.motley.cli.command.Gateway;
import io.motley.cli.command.Io;
import io.motley.cli.command.Squeue;
import io.motley.controller.cluster.AgentChannel;
import io.motley.controller.cluster.AgentReport;
import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Submission;
import io.motley.controller.store.Store;
import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounts.AccountsDb;
import io.motley.core.cluster.Node;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.scheduler.Plan;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Message;
import io.motley.protocol.Messages;
import io.motley.protocol.QueueSelection;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The controller's heap with N pending jobs, and what squeue over them costs the controller and
 * the command. Each job arrives as sbatch sends it (the bytes of a submit message carrying this
 * process's environment plus Slurm's variables, decoded anew for every job, so nothing is shared
 * that a real submission would not share) and goes through the controller's own Cluster.submit;
 * the store keeps nothing (its memory is the database's, not the controller's heap). Prints
 * figures only. Usage: {@code bench/jmh --pending [JOBS]} (default 1,000,000; give the JVM -Xmx
 * above the goal of 2 GB to see how far under it the heap stays).
 */
public final class PendingScale {
    private PendingScale() {}

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long before = heapAfterGc();
        Cluster cluster = filled(jobs);
        measure(cluster, jobs, before);
    }

    /** A controller's Cluster holding {@code jobs} pending jobs, each submitted as sbatch sends it. */
    static Cluster filled(int jobs) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        for (String v : List.of("SLURM_NTASKS", "SLURM_CPUS_PER_TASK", "SLURM_MEM_PER_CPU", "OMP_NUM_THREADS"))
            env.put(v, "1");
        JobRequest asked = JobRequest.builder("#!/bin/bash\n#SBATCH -t 10\nsrun ./simulate --steps 1000\n", "/home/u/w")
                .name("simulate")
                .timeLimit(new TimeLimit.Seconds(600))
                .environment(env)
                .submitHost("laptop")
                .build();
        byte[] wire = FrameIO.toBytes(Messages.encode(new Message.Submit(asked)));
        Cluster cluster =
                new Cluster(ClusterConfig.parse(""), new Discarding(), () -> System.currentTimeMillis() / 1000);
        cluster.register(
                new Silent("n1"),
                new AgentReport.Registration(Node.of("n1", 64, 256_000), 64, 256_000, List.of(), List.of()));
        Caller caller = new Caller(1000, 1000, "alice", List.of("users"));
        long t0 = System.nanoTime();
        for (int i = 1; i <= jobs; i++) {
            Message.Submit s = (Message.Submit) Messages.decode(FrameIO.fromBytes(wire));
            if (!(cluster.submit(s.job(), caller) instanceof Submission.Accepted))
                throw new IllegalStateException("submission refused: " + cluster.submit(s.job(), caller));
            if (i % 200_000 == 0)
                System.out.printf(
                        Locale.ROOT, "%,d jobs submitted (%.0f/s)%n", i, i / ((System.nanoTime() - t0) / 1e9));
        }
        System.out.printf(
                Locale.ROOT,
                "%,d pending jobs (%d environment variables each, %,d bytes on the wire each)%n",
                jobs,
                env.size(),
                wire.length);
        return cluster;
    }

    private static void measure(Cluster cluster, int jobs, long before) throws Exception {
        long held = heapAfterGc() - before;
        System.out.printf(
                Locale.ROOT,
                "controller heap with %,d pending jobs: %,d MiB, %,d bytes a job%n",
                jobs,
                held >> 20,
                held / jobs);

        // before: every job's whole record (what squeue asked for until it had a request of its own; scontrol's still).
        // Past a few hundred thousand jobs its 750-byte records no longer fit -Xmx6g beside the queue (1,000,000: out
        // of memory while encoding), so it is measured only below that.
        if (jobs > 300_000) {
            System.out.printf(
                    Locale.ROOT, "whole records over %,d jobs: not measured (out of memory at -Xmx6g)%n", jobs);
        } else {
            long s = System.nanoTime();
            List<Job> listed = cluster.jobs();
            List<Message.Listed> rows = new ArrayList<>(listed.size());
            for (Job j : listed) rows.add(new Message.Listed(j, null));
            byte[] answer = FrameIO.toBytes(Messages.encode(new Message.JobList(rows)));
            long server = System.nanoTime() - s;
            s = System.nanoTime();
            Message.JobList decoded =
                    (Message.JobList) Messages.answer(new Message.Jobs(null), FrameIO.fromBytes(answer));
            long client = System.nanoTime() - s;
            System.out.printf(
                    Locale.ROOT,
                    "whole records over %,d jobs: controller builds and encodes the answer in %,d ms (%,d MiB),"
                            + " the command decodes it in %,d ms%n",
                    decoded.jobs().size(),
                    server / 1_000_000,
                    answer.length >> 20,
                    client / 1_000_000);
        }
        for (int round = 0; round < 3; round++) squeue(cluster);
        long s = System.nanoTime();
        cluster.schedulePass();
        long passMs = (System.nanoTime() - s) / 1_000_000;
        long after = heapAfterGc() - before;
        // the cluster is used after the measurement, so that it is still reachable while the heap is measured
        System.out.printf(
                Locale.ROOT,
                "one scheduling pass over them (one 64-CPU node): %,d ms; heap after it %,d MiB with %,d jobs in view%n",
                passMs,
                after >> 20,
                cluster.jobs().size());
    }

    /**
     * squeue in its default format: the controller selects, orders and encodes the rows as it
     * answers the request (Requests.queue), and the command, given those bytes, decodes and prints
     * every line (to a null stream), with a warm JVM.
     */
    private static void squeue(Cluster cluster) throws Exception {
        long s = System.nanoTime();
        long s0 = s;
        Message.Queue q =
                (Message.Queue) Messages.request(FrameIO.fromBytes(FrameIO.toBytes(Messages.encode(new Message.Queue(
                        Set.of(),
                        Set.of(),
                        EnumSet.of(JobState.PENDING, JobState.RUNNING),
                        Set.of(),
                        Set.of(),
                        Set.of(),
                        Set.of(),
                        "iPjutMDR")))));
        Map<Long, Plan.Reservation> expected = cluster.expectedStarts();
        List<Job> all = cluster.jobs();
        long listed = System.nanoTime();
        io.motley.protocol.Frame columns = QueueSelection.answer(q, all, id -> {
            Plan.Reservation r = expected.isEmpty() ? null : expected.get(id);
            return r == null ? null : new Message.ExpectedStart(r.start(), r.node());
        });
        long selected = System.nanoTime();
        byte[] answer = FrameIO.toBytes(columns);
        long server = System.nanoTime() - s;
        AtomicLong lines = new AtomicLong();
        PrintStream out = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                if (b == '\n') lines.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                for (int i = off; i < off + len; i++) if (b[i] == '\n') lines.incrementAndGet();
            }
        });
        Gateway given = request -> {
            try {
                return FrameIO.fromBytes(answer);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Io io = new Io(
                out,
                System.err,
                InputStream.nullInputStream(),
                false,
                Map.of(),
                "/",
                given,
                System.currentTimeMillis() / 1000,
                ZoneId.systemDefault(),
                "bench",
                "alice",
                1000);
        s = System.nanoTime();
        int rc = new Squeue().run(List.of(), io);
        out.flush();
        long client = System.nanoTime() - s;
        if (rc != 0) throw new IllegalStateException("squeue exited " + rc);
        System.out.printf(
                Locale.ROOT,
                "squeue over %,d jobs: controller selects, builds and encodes the answer in %,d ms (%,.1f MiB;"
                        + " jobs listed %,d ms, selected, ordered and put in columns %,d ms, encoded %,d ms),"
                        + " the command decodes it and prints every line in %,d ms%n",
                lines.get() - 1,
                server / 1_000_000,
                answer.length / 1048576.0,
                (listed - s0) / 1_000_000,
                (selected - listed) / 1_000_000,
                (s0 + server - selected) / 1_000_000,
                client / 1_000_000);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** A store that gives ids and keeps nothing: the heap measured is the controller's own. */
    private static final class Discarding implements Store {
        private final AtomicLong next = new AtomicLong(1);

        @Override
        public Job insertNew(LongFunction<Job> make) {
            return make.apply(next.getAndIncrement());
        }

        @Override
        public CompletableFuture<Job> insertGrouped(LongFunction<Job> make) {
            return CompletableFuture.completedFuture(insertNew(make));
        }

        @Override
        public void saveJob(Job job) {}

        @Override
        public void saveJobs(List<Job> jobs) {}

        @Override
        public List<Job> activeJobs() {
            return List.of();
        }

        @Override
        public List<Job> endedSince(long since) {
            return List.of();
        }

        @Override
        public List<AccountingRecord> accounting(AccountingQuery query) {
            return List.of();
        }

        @Override
        public void saveNode(Node node) {}

        @Override
        public List<Node> nodes() {
            return List.of();
        }

        @Override
        public long countJobs(JobState state) {
            return 0;
        }

        @Override
        public Optional<String> problem() {
            return Optional.empty();
        }

        @Override
        public void close() {}

        @Override
        public AccountsDb accounts() {
            return AccountsDb.empty();
        }

        @Override
        public void saveAccounts(AccountsDb db) {}
    }

    /** An agent link that takes orders and never answers. */
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
