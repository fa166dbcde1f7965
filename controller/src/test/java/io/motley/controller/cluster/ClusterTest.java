package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.motley.controller.store.Store;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.PartitionState;
import io.motley.core.cluster.Reconciliation;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.Scheduler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's brain over a real store, with agent links faked and the clock in the test's hand. */
class ClusterTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_000_000);

    /** Records the orders sent to one agent, as "launch:ID", "kill:ID", "ack_ended:ID" or "ok". */
    static final class FakeLink implements AgentChannel {
        final String node;
        /** Every order in the order sent. */
        final List<Order> sent = new ArrayList<>();

        /** One order: its kind, job id, run, the kill's reason and the launched job. */
        record Order(String op, long id, int run, KillReason why, Job job) {}

        FakeLink(String node) {
            this.node = node;
        }

        @Override
        public String node() {
            return node;
        }

        @Override
        public synchronized void launch(Job job) {
            sent.add(new Order("launch", job.id(), job.restarts(), null, job));
        }

        @Override
        public synchronized void kill(long jobId, int run, KillReason why) {
            sent.add(new Order("kill", jobId, run, why, null));
        }

        @Override
        public synchronized void acknowledge(long jobId, int run) {
            sent.add(new Order("ack_ended", jobId, run, null, null));
        }

        @Override
        public synchronized void registered(long heartbeatSeconds) {
            sent.add(new Order("ok", -1, 0, null, null));
        }

        /** The suspend and resume orders sent, as "suspend:JOB.RUN" or "resume:JOB.RUN". */
        final List<String> suspends = new ArrayList<>();

        @Override
        public synchronized void suspend(long jobId, int run, boolean resume) {
            suspends.add((resume ? "resume:" : "suspend:") + jobId + "." + run);
        }

        /** The time limit orders sent, as "JOB.RUN:SECONDS" (0: none). */
        final List<String> limits = new ArrayList<>();

        @Override
        public synchronized void timeLimit(long jobId, int run, TimeLimit limit) {
            limits.add(jobId + "." + run + ":" + limit.secondsOr(0));
        }

        /** The signals sent, as "JOB.RUN:SIGNAL:SCOPE". */
        final List<String> signals = new ArrayList<>();

        @Override
        public synchronized void signal(long jobId, int run, int signal, io.motley.protocol.Message.SignalScope scope) {
            signals.add(jobId + "." + run + ":" + signal + ":" + scope);
        }

        /** The step orders, in the order sent. */
        final List<io.motley.protocol.Message.StepOrder> stepOrders = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public synchronized void steps(io.motley.protocol.Message.StepOrder order) {
            stepOrders.add(order);
        }

        volatile boolean closed;

        @Override
        public void close() {
            closed = true;
        }

        synchronized Order last() {
            return sent.get(sent.size() - 1);
        }

        synchronized List<String> ops() {
            return sent.stream()
                    .map(o -> o.id() < 0 ? o.op() : o.op() + ":" + o.id())
                    .toList();
        }
    }

    Cluster cluster(Store store) {
        return new Cluster(ClusterConfig.parse("NodeTimeout=10"), store, now::get);
    }

    static JobRequest req(int cpus) {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .cpusPerTask(cpus)
                .submitHost("h")
                .build();
    }

    static AgentReport.Registration registration(String node, int cpus, Reconciliation.ReportedRun... inventory) {
        Node n = Node.of(node, cpus, 4000);
        return new AgentReport.Registration(n, cpus, 4000, List.of(inventory), List.of());
    }

    /** Whether a thread waits to enter {@code lock}'s monitor. */
    static boolean someoneWaitsFor(Object lock) {
        for (java.lang.management.ThreadInfo t :
                java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(true, false)) {
            if (t.getThreadState() == Thread.State.BLOCKED
                    && t.getLockInfo() != null
                    && t.getLockInfo().getIdentityHashCode() == System.identityHashCode(lock)) return true;
        }
        return false;
    }

    @Test
    void aSubmissionWaitsForItsCommitWithoutHoldingTheTables() throws Exception {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        java.util.concurrent.CompletableFuture<Submission> submitted;
        java.util.concurrent.CompletableFuture<List<Job>> read;
        // holding the store's lock stalls its commit: the submission waits for it
        synchronized (store) {
            submitted = java.util.concurrent.CompletableFuture.supplyAsync(() -> c.submit(req(1), as(0, 0, "root")));
            org.awaitility.Awaitility.await().until(() -> someoneWaitsFor(store));
            read = java.util.concurrent.CompletableFuture.supplyAsync(c::jobs);
            // other requests go on meanwhile, and the job is not in view before it is committed
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(20))
                    .until(read::isDone);
            assertThat(read.get()).isEmpty();
        }
        long id = id(submitted.get());
        assertThat(c.job(id)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.PENDING));
        store.close();
    }

    @Test
    void aSubmissionTheStoreRefusesIsAnsweredWithItsMessageAndLeavesNothingInView() {
        io.motley.controller.store.MemoryStore store = new io.motley.controller.store.MemoryStore();
        Cluster c = cluster(store);
        store.failWith(
                "the job was not accepted, it could not be saved: the job database jdbc:postgresql://db/motley is unreachable");
        Submission s = c.submit(req(1), as(0, 0, "root"));
        assertThat(accepted(s)).isFalse();
        assertThat(failure(s)).contains("is unreachable");
        assertThat(c.jobs()).isEmpty();
        store.failWith(null);
        assertThat(id(c.submit(req(1), as(0, 0, "root")))).isEqualTo(1);
    }

    @Test
    void acceptedJobsSurviveARestartAndLostLaunchesAreResent() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long a = id(c.submit(req(1), as(0, 0, "root")));
        long b = id(c.submit(req(1), as(0, 0, "root")));
        long p = id(c.submit(req(2), as(0, 0, "root")));
        c.schedulePass();
        assertThat(n1.ops()).contains("launch:" + a, "launch:" + b);
        store.close();

        // a new controller process over the same database: the agent reports only job a
        Store again = Store.sqlite(dir.resolve("db"));
        Cluster c2 = cluster(again);
        assertThat(c2.jobs())
                .extracting(Job::id, Job::state)
                .contains(
                        org.assertj.core.groups.Tuple.tuple(a, JobState.RUNNING),
                        org.assertj.core.groups.Tuple.tuple(p, JobState.PENDING));
        FakeLink n1b = new FakeLink("n1");
        c2.register(n1b, registration("n1", 2, running(a, 0), running(999, 0)));
        assertThat(n1b.ops()).contains("launch:" + b, "kill:999").doesNotContain("launch:" + a);

        c2.jobEnded("n1", ended(a, 0, JobState.valueOf("COMPLETED"), 0, 0, now.get(), null));
        c2.jobEnded("n1", ended(a, 0, JobState.valueOf("FAILED"), 1, 0, now.get(), null));
        assertThat(c2.job(a)).get().extracting(Job::state).isEqualTo(JobState.COMPLETED);
        assertThat(n1b.ops()).filteredOn(s -> s.equals("ack_ended:" + a)).hasSize(2);
        again.close();
    }

    @Test
    void theStepsOfARunningJobSurviveARestart() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        c.register(new FakeLink("n1"), registration("n1", 2));
        long a = id(c.submit(req(1), as(0, 0, "root")));
        c.schedulePass();
        Caller root = as(0, 0, "root");
        c.steps().create(a, new io.motley.core.step.StepRequest(1, 0, 0, 1, 0, false, "true"), root);
        c.steps().end(a, 0, io.motley.core.step.StepState.COMPLETED, 0, 0, root);
        c.steps().create(a, new io.motley.core.step.StepRequest(1, 0, 0, 1, 0, true, "sleep"), root);
        store.close();

        Store again = Store.sqlite(dir.resolve("db"));
        Cluster c2 = cluster(again);
        // squeue -s: the running step; sacct and scontrol show step: both
        assertThat(c2.steps().list(List.of()))
                .extracting(s -> s.displayId() + " " + s.name())
                .containsExactly(a + ".1 sleep");
        assertThat(c2.steps().list(List.of(a)))
                .extracting(s -> s.id() + " " + s.state())
                .containsExactly("0 COMPLETED", "1 RUNNING");
        again.close();
    }

    @Test
    void silentNodesGoDownTheirJobsFailAndTheyComeBack() {
        Store store = Store.sqlite(dir.resolve("db"));
        // without JobRequeue the job ends NODE_FAIL (RequeueDeadlineTest covers the requeue)
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=10\nJobRequeue=0"), store, now::get);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long a = id(c.submit(req(1), as(0, 0, "root")));
        c.schedulePass();
        now.addAndGet(5);
        c.checkNodes();
        assertThat(c.nodes().get(0).state()).isEqualTo(NodeState.UP);
        now.addAndGet(11);
        c.checkNodes();
        assertThat(c.nodes().get(0).state()).isEqualTo(NodeState.DOWN);
        assertThat(c.nodes().get(0).reason()).isEqualTo("Not responding");
        assertThat(c.job(a)).get().extracting(Job::state).isEqualTo(JobState.NODE_FAIL);
        // its link is closed: an agent behind a partition that heals must register again, not heartbeat on
        assertThat(n1.closed).isTrue();

        // it returns still running the job: the job already failed, so the agent is told to kill it
        FakeLink back = new FakeLink("n1");
        c.register(back, registration("n1", 1, running(a, 0)));
        assertThat(c.nodes().get(0).state()).isEqualTo(NodeState.UP);
        assertThat(back.ops()).contains("kill:" + a);
        store.close();
    }

    @Test
    void aJobWithoutMemHasDefMemPerCpuFromSubmissionSoACancelledPendingOneKeepsItsReqMem() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=10\nDefMemPerCPU=1000"), store, now::get);
        long pend = id(c.submit(req(2), as(1000, 1000, "ann")));
        long given = id(c.submit(
                req(2).toBuilder()
                        .memory(new io.motley.core.job.MemoryRequest.PerNode(300))
                        .build(),
                as(1000, 1000, "ann")));
        assertThat(c.cancel(List.of(pend, given), Map.of(), Caller.uid(1000)))
                .extracting(Outcome::error)
                .containsExactly(null, null);
        assertThat(c.job(pend))
                .get()
                .extracting(Job::state, Job::allocMemMiB)
                .containsExactly(JobState.CANCELLED, 2000L);
        assertThat(c.job(pend)
                        .orElseThrow()
                        .request()
                        .requestedMemMiB(c.job(pend).orElseThrow().allocMemMiB()))
                .isEqualTo(2000);
        assertThat(c.job(given).orElseThrow().request().requestedMemMiB(0)).isEqualTo(300);
        store.close();
    }

    @Test
    void cancelRulesFollowSlurm() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long run = id(c.submit(req(1), as(1000, 1000, "ann")));
        long pend = id(c.submit(req(1), as(1000, 1000, "ann")));
        c.schedulePass();
        assertThat(c.job(pend)).get().extracting(Job::reason).isEqualTo(PendingReason.Resources);
        assertThat(c.cancel(List.of(pend), Map.of(), Caller.uid(1001)))
                .extracting(Outcome::error)
                .containsExactly("Access/permission denied");
        assertThat(c.cancel(List.of(pend, run, 4242L), Map.of(), Caller.uid(1000)))
                .extracting(Outcome::error)
                .containsExactly(null, null, "Invalid job id specified");
        assertThat(c.job(pend))
                .get()
                .extracting(Job::state, j -> j.outcome().cancelledBy())
                .containsExactly(JobState.CANCELLED, 1000);
        assertThat(c.job(run))
                .get()
                .extracting(Job::state)
                .as("running until the agent reports")
                .isEqualTo(JobState.RUNNING);
        assertThat(n1.ops()).contains("kill:" + run);
        c.jobEnded("n1", ended(run, 0, JobState.valueOf("CANCELLED"), 0, 15, now.get(), null));
        assertThat(c.job(run))
                .get()
                .extracting(Job::state, j -> j.outcome().cancelledBy())
                .containsExactly(JobState.CANCELLED, 1000);
        assertThat(c.cancel(List.of(run), Map.of(), Caller.uid(0)))
                .extracting(Outcome::error)
                .containsExactly("Job/step already completing or completed");
        store.close();
    }

    @Test
    void aJobCancelledWhileRunningIsCancelledThoughItsRunEndedOnItsOwnBeforeTheKill() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long failed = id(c.submit(req(1), as(1000, 1000, "ann")));
        long completed = id(c.submit(req(1), as(1000, 1000, "ann")));
        c.schedulePass();
        c.cancel(List.of(failed, completed), Map.of(), Caller.uid(1000));
        // each run exits before the agent has the kill: the agent reports what it saw
        c.jobEnded("n1", ended(failed, 0, JobState.FAILED, 0, 15, now.get(), null));
        c.jobEnded("n1", ended(completed, 0, JobState.COMPLETED, 0, 0, now.get(), null));
        assertThat(c.job(failed))
                .get()
                .extracting(Job::state, j -> j.outcome().cancelledBy(), j -> j.exit())
                .containsExactly(JobState.CANCELLED, 1000, new io.motley.core.job.ExitStatus(0, 15));
        assertThat(c.job(completed)).get().extracting(Job::state).isEqualTo(JobState.CANCELLED);
        // a job nobody cancelled keeps its own end
        long own = id(c.submit(req(1), as(1000, 1000, "ann")));
        c.schedulePass();
        c.jobEnded("n1", ended(own, 0, JobState.FAILED, 3, 0, now.get(), null));
        assertThat(c.job(own)).get().extracting(Job::state).isEqualTo(JobState.FAILED);
        store.close();
    }

    @Test
    void aJobCompletedByItsHolderEndsWithTheHoldersCodeNotCancelled() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long ok = id(c.submit(req(1), as(1000, 1000, "ann")));
        long bad = id(c.submit(req(1), as(1000, 1000, "ann")));
        c.schedulePass();
        assertThat(c.complete(ok, 0, Caller.uid(1000)).error()).isNull();
        assertThat(c.complete(bad, 3, Caller.uid(1000)).error()).isNull();
        // recorded at once, as slurmctld records the end its srun asks for
        assertThat(c.job(ok))
                .get()
                .extracting(Job::state, j -> j.exit(), j -> j.endTime())
                .containsExactly(JobState.COMPLETED, new io.motley.core.job.ExitStatus(0, 0), now.get());
        assertThat(c.job(bad)).get().extracting(Job::state).isEqualTo(JobState.FAILED);
        assertThat(store.endedSince(0)).extracting(Job::id, Job::state).contains(tuple(ok, JobState.COMPLETED));
        // the holders are killed as a cancel kills them
        assertThat(n1.sent)
                .filteredOn(o -> o.op().equals("kill"))
                .extracting(o -> o.id())
                .containsExactly(ok, bad);
        // asked twice, or by another user, or for no such job: refused, and nothing changes
        assertThat(c.complete(ok, 5, Caller.uid(1000)).error()).isEqualTo("Job/step already completing or completed");
        assertThat(c.complete(bad, 0, Caller.uid(1001)).error()).isEqualTo("Access/permission denied");
        assertThat(c.complete(999, 0, Caller.uid(1000)).error()).isEqualTo("Invalid job id specified");
        // the killed holders report what the kill did, a second later: the ends stay as recorded, with their usage
        now.addAndGet(1);
        c.jobEnded("n1", ended(ok, 0, JobState.CANCELLED, 0, 9, now.get(), null));
        c.jobEnded(
                "n1",
                new AgentReport.RunEnded(
                        bad,
                        0,
                        JobState.CANCELLED,
                        0,
                        9,
                        now.get(),
                        new io.motley.core.job.Usage(4096, 8192, 1000, 500),
                        null));
        assertThat(c.job(bad)).get().extracting(j -> j.usage().totalCpuMs()).isEqualTo(1500L);
        assertThat(c.job(ok))
                .get()
                .extracting(Job::state, j -> j.exit(), j -> j.endTime())
                .containsExactly(JobState.COMPLETED, new io.motley.core.job.ExitStatus(0, 0), now.get() - 1);
        assertThat(c.job(bad))
                .get()
                .extracting(Job::state, j -> j.exit(), j -> j.outcome().cancelledBy())
                .containsExactly(JobState.FAILED, new io.motley.core.job.ExitStatus(3, 0), null);
        // a pending job completed by its holder (srun interrupted while waiting) is cancelled
        long pending = id(c.submit(req(2), as(1000, 1000, "ann")));
        assertThat(c.complete(pending, 0, Caller.uid(1000)).error()).isNull();
        assertThat(c.job(pending)).get().extracting(Job::state).isEqualTo(JobState.CANCELLED);
        store.close();
    }

    @Test
    void aJobItsHolderEndedKeepsItsNodeUntilItsRunHasEnded() {
        Cluster c = cluster(new io.motley.controller.store.MemoryStore());
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long held = id(c.submit(req(2), as(1000, 1000, "ann")));
        c.schedulePass();
        assertThat(c.complete(held, 0, Caller.uid(1000)).error()).isNull();
        long next = id(c.submit(req(2), as(1000, 1000, "ann")));
        c.schedulePass();
        // the holder's processes are still being killed on n1: its CPUs are not free yet
        assertThat(c.job(held)).get().extracting(Job::state).isEqualTo(JobState.COMPLETED);
        assertThat(c.job(next)).get().extracting(Job::state).isEqualTo(JobState.PENDING);
        c.jobEnded("n1", ended(held, 0, JobState.CANCELLED, 0, 15, now.get(), null));
        c.schedulePass();
        assertThat(c.job(next)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);

        // a holder whose agent comes back without its run (restarted, the run gone) lets its node go then
        assertThat(c.complete(next, 0, Caller.uid(1000)).error()).isNull();
        long third = id(c.submit(req(2), as(1000, 1000, "ann")));
        c.schedulePass();
        assertThat(c.job(third)).get().extracting(Job::state).isEqualTo(JobState.PENDING);
        c.register(new FakeLink("n1"), registration("n1", 2));
        c.schedulePass();
        assertThat(c.job(third)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
        assertThat(c.job(next)).get().extracting(Job::state).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void aHoldersEndTheStoreCannotRecordNowIsRecordedAtItsRunsEnd() {
        io.motley.controller.store.MemoryStore store = new io.motley.controller.store.MemoryStore();
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long held = id(c.submit(req(1), as(1000, 1000, "ann")));
        c.schedulePass();
        store.failWith("the job database is unreachable");
        assertThat(c.complete(held, 4, Caller.uid(1000)).error()).isNull();
        assertThat(c.job(held)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
        assertThat(n1.sent)
                .filteredOn(o -> o.op().equals("kill"))
                .extracting(o -> o.id())
                .containsExactly(held);
        store.failWith(null);
        c.jobEnded("n1", ended(held, 0, JobState.CANCELLED, 0, 15, now.get(), null));
        assertThat(c.job(held))
                .get()
                .extracting(Job::state, j -> j.exit())
                .containsExactly(JobState.FAILED, new io.motley.core.job.ExitStatus(4, 0));
    }

    /** {@code n} as an agent started at {@code agentStart} registers it. */
    static Node startedAt(Node n, long agentStart) {
        return io.motley.protocol.Codec.node(io.motley.protocol.Codec.node(n).put("agentStart", agentStart));
    }

    @Test
    void anAgentsRestartCancelsTheJobsItsSrunsHeldAndNothingElse() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        Node started100 = startedAt(Node.of("n1", 4, 4000), 100);
        c.register(n1, new AgentReport.Registration(started100, 4, 4000, List.of(), List.of()));
        java.util.function.Function<String, JobRequest> held = how -> req(1).toBuilder()
                .options(Map.of(JobRequest.ALLOCATION, how))
                .build()
                .withSubmitNode("n1");
        long inAgent = id(c.submit(held.apply(JobRequest.HELD_IN_AGENT), as(1000, 1000, "ann")));
        long jvmSrun = id(c.submit(held.apply("srun"), as(1000, 1000, "ann")));
        long elsewhere = id(c.submit(
                req(1).toBuilder()
                        .options(Map.of(JobRequest.ALLOCATION, JobRequest.HELD_IN_AGENT))
                        .build()
                        .withSubmitNode("n2"),
                as(1000, 1000, "ann")));
        long batch = id(c.submit(req(1).withSubmitNode("n1"), as(1000, 1000, "ann")));
        c.schedulePass();
        List<Reconciliation.ReportedRun> runs = java.util.stream.Stream.of(inAgent, jvmSrun, elsewhere, batch)
                .map(id -> new Reconciliation.ReportedRun(id, 0, false))
                .toList();
        // the link dropped and the same agent came back: its sruns live on
        FakeLink again = new FakeLink("n1");
        c.register(again, new AgentReport.Registration(started100, 4, 4000, runs, List.of()));
        assertThat(again.sent).noneMatch(o -> o.op().equals("kill"));
        // a new agent process: the srun that ran in the old one is gone, and its job with it
        FakeLink restarted = new FakeLink("n1");
        c.register(restarted, new AgentReport.Registration(startedAt(started100, 200), 4, 4000, runs, List.of()));
        assertThat(restarted.sent)
                .filteredOn(o -> o.op().equals("kill"))
                .extracting(o -> o.id())
                .containsExactly(inAgent);
        c.jobEnded("n1", ended(inAgent, 0, JobState.CANCELLED, 0, 9, now.get(), null));
        assertThat(c.job(inAgent))
                .get()
                .extracting(Job::state, j -> j.outcome().cancelledBy())
                .containsExactly(JobState.CANCELLED, 1000);
        for (long other : List.of(jvmSrun, elsewhere, batch))
            assertThat(c.job(other)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
        store.close();
    }

    @Test
    void pastInactiveLimitASilentAgentsSrunsAreTakenForGoneAndTheirJobsCancelledOnce() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=300\nInactiveLimit=60"), store, now::get);
        FakeLink n1 = new FakeLink("n1");
        FakeLink n2 = new FakeLink("n2");
        c.register(n1, registration("n1", 2));
        c.register(n2, registration("n2", 2));
        java.util.function.BiFunction<String, String, JobRequest> held = (how, through) -> req(2).toBuilder()
                .options(Map.of(JobRequest.ALLOCATION, how))
                .build()
                .withSubmitNode(through);
        // srun on n1 holds a job that runs on n2 (n1 is full with a batch job)
        long batch = id(c.submit(req(2).withSubmitNode("n1"), as(1000, 1000, "ann")));
        c.schedulePass();
        long inAgent = id(c.submit(held.apply(JobRequest.HELD_IN_AGENT, "n1"), as(1000, 1000, "ann")));
        long jvmSrun = id(c.submit(held.apply("srun", "n1"), as(1000, 1000, "ann")));
        c.schedulePass();
        assertThat(c.job(inAgent)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
        assertThat(c.job(inAgent)).get().extracting(Job::node).isEqualTo("n2");
        // n2 goes on heartbeating, n1 falls silent: within the limit nothing happens
        long start = now.get();
        now.set(start + 50);
        c.heartbeat("n2", new AgentReport.Load(0.1, 1000, null, null, now.get() * 1000));
        c.checkNodes();
        assertThat(n2.sent).noneMatch(o -> o.op().equals("kill"));
        // past it, the job n1's srun held is cancelled (its kill goes to n2, where it runs), once
        now.set(start + 61);
        c.heartbeat("n2", new AgentReport.Load(0.1, 1000, null, null, now.get() * 1000));
        c.checkNodes();
        c.checkNodes();
        assertThat(n2.sent)
                .filteredOn(o -> o.op().equals("kill"))
                .extracting(o -> o.id())
                .containsExactly(inAgent);
        // the batch job on n1 and the JVM client's srun job are not the agent's to lose
        assertThat(c.job(batch)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
        assertThat(c.job(jvmSrun)).get().extracting(Job::state).isNotEqualTo(JobState.CANCELLED);
        store.close();
    }

    @Test
    void aSignalReachesOnlyRunningJobsAndChangesNoState() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long run = id(c.submit(req(1), as(1000, 1000, "ann")));
        long pend = id(c.submit(req(1), as(1000, 1000, "ann")));
        c.schedulePass();
        var steps = io.motley.protocol.Message.SignalScope.STEPS;
        assertThat(c.signal(List.of(run), Map.of(), 10, steps, Caller.uid(1001)))
                .extracting(Outcome::error)
                .containsExactly("Access/permission denied");
        assertThat(n1.signals).isEmpty();
        assertThat(c.signal(List.of(run, pend, 4242L), Map.of(), 10, steps, Caller.uid(1000)))
                .extracting(Outcome::error, Outcome::alwaysShown)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(null, false),
                        org.assertj.core.groups.Tuple.tuple("Job can not be altered now, try again later", true),
                        org.assertj.core.groups.Tuple.tuple("Invalid job id specified", false));
        assertThat(n1.signals).containsExactly(run + ".0:10:STEPS");
        assertThat(n1.ops()).doesNotContain("kill:" + run);
        assertThat(c.job(run)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
        assertThat(c.job(pend)).get().extracting(Job::state).isEqualTo(JobState.PENDING);
        c.signal(List.of(run), Map.of(), 12, io.motley.protocol.Message.SignalScope.BATCH, Caller.uid(0));
        assertThat(n1.signals).last().isEqualTo(run + ".0:12:BATCH");
        // once a cancel is under way, the job is completing
        c.cancel(List.of(run), Map.of(), Caller.uid(1000));
        assertThat(c.signal(List.of(run), Map.of(), 10, steps, Caller.uid(1000)))
                .extracting(Outcome::error)
                .containsExactly("Job/step already completing or completed");
        store.close();
    }

    /**
     * scontrol suspend / resume, as slurmctld's job_suspend2: operators only (Slurm refuses a plain
     * user even their own job), Slurm's errors for a pending, a finished and a not suspended job,
     * the order to the job's node, and a suspended job keeps its CPUs: the job waiting behind it
     * does not start until it ends.
     */
    /** An array's id suspends and resumes its running tasks, as Slurm's does every task of the array. */
    @Test
    void anArraysIdSuspendsAndResumesItsRunningTasks() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        Caller root = Caller.uid(0);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long array = id(c.submit(req(1).toBuilder().array("1-3").build(), root));
        c.schedulePass();
        List<Job> running =
                c.jobs().stream().filter(j -> j.state() == JobState.RUNNING).toList();
        assertThat(running).hasSize(2);
        // the third task still waits: no error for it
        assertThat(c.suspend(List.of(array), root, false))
                .extracting(Outcome::error)
                .containsOnlyNulls();
        assertThat(n1.suspends).hasSize(2);
        for (Job t : running) assertThat(c.job(t.id()).orElseThrow().state()).isEqualTo(JobState.SUSPENDED);
        assertThat(c.suspend(List.of(array), root, true))
                .extracting(Outcome::error)
                .containsOnlyNulls();
        assertThat(n1.suspends).hasSize(4).last().asString().startsWith("resume:");
        for (Job t : running) assertThat(c.job(t.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void onlyOperatorsSuspendAndASuspendedJobKeepsItsCpus() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        Caller root = Caller.uid(0);
        for (String line : List.of(
                "add account lab", "add user olive account=lab adminlevel=Operator", "add user ann account=lab")) {
            assertThat(c.changeAccounts(io.motley.core.accounts.Sacctmgr.parse(List.of(line.split(" "))), root, true)
                            .changed())
                    .isTrue();
        }
        Caller olive = as(1001, 1001, "olive");
        Caller ann = as(1004, 1004, "ann");
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long run = id(c.submit(req(1), ann));
        long behind = id(c.submit(req(1), ann));
        c.schedulePass();
        assertThat(c.suspend(List.of(run), ann, false))
                .extracting(Outcome::error)
                .containsExactly("Access/permission denied");
        assertThat(c.suspend(List.of(behind, 4242L), olive, false))
                .extracting(Outcome::error)
                .containsExactly("Job is pending execution", "Invalid job id specified");
        assertThat(c.suspend(List.of(run), olive, true))
                .extracting(Outcome::error)
                .containsExactly("Job is not suspended");
        assertThat(n1.suspends).isEmpty();

        now.addAndGet(10);
        assertThat(c.suspend(List.of(run), olive, false))
                .extracting(Outcome::error)
                .containsOnlyNulls();
        assertThat(n1.suspends).containsExactly("suspend:" + run + ".0");
        Job suspended = c.job(run).orElseThrow();
        assertThat(suspended.state()).isEqualTo(JobState.SUSPENDED);
        assertThat(suspended.times().suspendTime()).isEqualTo(now.get());
        // suspending it again changes nothing, as in Slurm
        assertThat(c.suspend(List.of(run), root, false))
                .extracting(Outcome::error)
                .containsOnlyNulls();
        assertThat(n1.suspends).hasSize(1);

        now.addAndGet(60);
        c.schedulePass();
        assertThat(c.job(behind).orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(n1.ops()).doesNotContain("launch:" + behind);

        assertThat(c.suspend(List.of(run), root, true))
                .extracting(Outcome::error)
                .containsOnlyNulls();
        assertThat(n1.suspends).containsExactly("suspend:" + run + ".0", "resume:" + run + ".0");
        Job resumed = c.job(run).orElseThrow();
        assertThat(resumed.state()).isEqualTo(JobState.RUNNING);
        assertThat(resumed.times().suspendedSecs()).isEqualTo(60);

        // suspended, it can still be cancelled, and then it is over
        c.suspend(List.of(run), root, false);
        assertThat(c.cancel(List.of(run), Map.of(), ann))
                .extracting(Outcome::error)
                .containsOnlyNulls();
        c.jobEnded("n1", ended(run, 0, JobState.CANCELLED, 0, 15, now.get(), null));
        assertThat(c.job(run).orElseThrow().state()).isEqualTo(JobState.CANCELLED);

        // the job behind it gets the CPU; suspended, it can be requeued by an administrator
        c.schedulePass();
        assertThat(c.job(behind).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        c.suspend(List.of(behind), root, false);
        assertThat(c.requeue(List.of(behind), root, false))
                .extracting(Outcome::error)
                .containsOnlyNulls();
        assertThat(n1.ops()).contains("kill:" + behind);
        Job requeued = c.job(behind).orElseThrow();
        assertThat(requeued.state()).isEqualTo(JobState.PENDING);
        assertThat(requeued.times().suspendTime()).isZero();
        assertThat(n1.ops()).contains("kill:" + run);
    }

    @Test
    void willRunSaysWhereAndWhenAJobWouldStartAndStoresNothing() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        Caller ann = as(1000, 1000, "ann");

        Cluster.WillRun idle = c.willRun(req(2), ann);
        assertThat(idle.failure()).isNull();
        assertThat(idle)
                .extracting(Cluster.WillRun::start, Cluster.WillRun::cpus, Cluster.WillRun::nodes)
                .containsExactly(now.get(), 2L, "n1");
        assertThat(c.jobs()).isEmpty();

        JobRequest tenMinutes = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .cpusPerTask(1)
                .timeLimit(io.motley.core.job.TimeLimit.of(600))
                .submitHost("h")
                .build();
        long running = id(c.submit(tenMinutes, ann));
        c.schedulePass();
        assertThat(c.job(running)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
        Cluster.WillRun later = c.willRun(req(2), ann);
        assertThat(later.id()).isEqualTo(running + 1);
        assertThat(later)
                .extracting(Cluster.WillRun::start, Cluster.WillRun::nodes)
                .containsExactly(now.get() + 600, "n1");
        // one CPU is still free: a one-CPU job would start now
        assertThat(c.willRun(req(1), ann).start()).isEqualTo(now.get());

        Cluster.WillRun never = c.willRun(req(8), ann);
        assertThat(never.failure()).isEqualTo("Requested node configuration is not available");
        assertThat(c.jobs()).extracting(Job::id).containsExactly(running);
        store.close();
    }

    @Test
    void anEndTheStoreFailsToRecordChangesNothingAndIsRecordedWholeWhenReportedAgain() {
        io.motley.controller.store.MemoryStore store = new io.motley.controller.store.MemoryStore();
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long run = id(c.submit(req(1), as(1000, 1000, "alice")));
        c.schedulePass();
        assertThat(c.cancel(List.of(run), Map.of(), Caller.uid(1000)))
                .extracting(Outcome::error)
                .containsOnlyNulls();

        store.failWith("the job database jdbc:postgresql://db/motley is unreachable");
        c.jobEnded("n1", ended(run, 0, JobState.CANCELLED, 0, 15, now.get(), null));
        assertThat(c.job(run)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
        assertThat(n1.ops()).doesNotContain("ack_ended:" + run);

        // the agent reports it again once the database is back: who cancelled it was kept for this
        store.failWith(null);
        c.jobEnded("n1", ended(run, 0, JobState.CANCELLED, 0, 15, now.get(), null));
        assertThat(c.job(run))
                .get()
                .extracting(Job::state, j -> j.outcome().cancelledBy())
                .containsExactly(JobState.CANCELLED, 1000);
        assertThat(n1.ops()).containsOnlyOnce("ack_ended:" + run);
    }

    @Test
    void anAgentThatRegistersWhileTheStoreIsAwayKeepsItsNodeAndItsJobsRun() {
        io.motley.controller.store.MemoryStore store = new io.motley.controller.store.MemoryStore();
        Cluster c = cluster(store);
        c.register(new FakeLink("n1"), registration("n1", 1));
        long run = id(c.submit(req(1), as(1000, 1000, "alice")));
        c.schedulePass();

        store.failWith("the job database jdbc:postgresql://db/motley is unreachable");
        FakeLink back = new FakeLink("n1");
        c.register(back, registration("n1", 1, running(run, 0)));
        assertThat(back.ops()).containsExactly("ok");
        assertThat(c.nodes()).singleElement().extracting(Node::state).isEqualTo(NodeState.UP);
        assertThat(c.job(run)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
    }

    @Test
    void refusedSubmissionsSpendAnIdAndAreRecordedFailed() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        c.register(new FakeLink("n1"), registration("n1", 2));
        Submission no = c.submit(req(64), as(0, 0, "root"));
        assertThat(accepted(no)).isFalse();
        assertThat(failure(no)).isEqualTo("Requested node configuration is not available");
        List<Job> all = c.accounting(0, Long.MAX_VALUE, -1, List.of());
        assertThat(all)
                .singleElement()
                .extracting(Job::state, j -> j.exit().toString())
                .containsExactly(JobState.FAILED, "1:0");
        store.close();
    }

    @Test
    void aStartPlannedBeforeTheJobWasCancelledOrUpdatedOrItsNodeDrainedIsNotMade() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 4));
        long cancelled = id(c.submit(req(1), as(0, 0, "root")));
        long updated = id(c.submit(req(1), as(0, 0, "root")));
        long fine = id(c.submit(req(1), as(0, 0, "root")));
        SchedulingLoop.PassInput in = c.scheduling().snapshot();
        Plan plan = Scheduler.plan(in.snapshot(), in.options());
        assertThat(plan.starts()).hasSize(3);
        // while the plan was being made:
        c.cancel(List.of(cancelled), Map.of(), Caller.uid(0));
        assertThat(c.updateJob(updated, Map.of("TimeLimit", "5"), Caller.uid(0)))
                .isEmpty();
        c.scheduling().commit(in, plan);
        assertThat(c.job(cancelled).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(c.job(updated).orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(c.job(fine).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(n1.ops()).filteredOn(op -> op.startsWith("launch")).containsExactly("launch:" + fine);
        // the next pass starts the updated job with its new limit
        c.schedulePass();
        assertThat(c.job(updated).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(c.job(updated).orElseThrow().timeLimit()).isEqualTo(new TimeLimit.Seconds(300));

        long late = id(c.submit(req(1), as(0, 0, "root")));
        in = c.scheduling().snapshot();
        plan = Scheduler.plan(in.snapshot(), in.options());
        assertThat(c.updateNode("n1", "DRAIN", "maintenance", Caller.uid(0))).isEmpty();
        c.scheduling().commit(in, plan);
        assertThat(c.job(late).orElseThrow().state()).isEqualTo(JobState.PENDING);
    }

    @Test
    void anOperatorsWeightIsWhatTheSchedulerAndTheNodeListGoBy() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        c.register(new FakeLink("n1"), registration("n1", 4));
        c.register(new FakeLink("n2"), registration("n2", 4));
        assertThat(c.updateNode("n1", "", null, 10, Caller.uid(0))).isEmpty();
        assertThat(c.nodes()).extracting(Node::name, Node::weight).containsExactly(tuple("n1", 10), tuple("n2", 1));
        assertThat(c.nodes().get(0).state()).isEqualTo(NodeState.UP);
        // the lighter node is given work first
        long id = id(c.submit(req(1), as(0, 0, "root")));
        c.schedulePass();
        assertThat(c.job(id).orElseThrow().nodeList()).isEqualTo("n2");
        // a bad state word changes nothing, the weight included
        assertThat(c.updateNode("n2", "BOGUS", null, 50, Caller.uid(0))).contains("Invalid node state specified");
        assertThat(c.nodes().get(1).weight()).isEqualTo(1);
        assertThat(c.updateNode("n2", "", null, 50, Caller.uid(1000))).contains("Access/permission denied");
    }

    @Test
    void aPartitionsNewMaxTimeAndDefaultTimeHoldForJobsSubmittedAfter() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        c.register(new FakeLink("n1"), registration("n1", 4));
        long before = id(c.submit(req(1), as(0, 0, "root")));
        assertThat(c.updatePartition("main", null, 3600L, 600L, Caller.uid(0))).isEmpty();
        assertThat(c.partitions().get(0).maxTimeSeconds()).isEqualTo(3600);
        assertThat(c.partitions().get(0).defaultTimeSeconds()).isEqualTo(600);
        assertThat(c.partitions().get(0).state()).isEqualTo(PartitionState.UP);
        long after = id(c.submit(req(1), as(0, 0, "root")));
        assertThat(c.job(after).orElseThrow().timeLimit()).isEqualTo(new TimeLimit.Seconds(600));
        assertThat(c.job(before).orElseThrow().timeLimit()).isNotEqualTo(new TimeLimit.Seconds(600));
        assertThat(c.updatePartition("main", null, -1L, null, Caller.uid(1000))).contains("Access/permission denied");
        assertThat(c.updatePartition("nope", null, -1L, null, Caller.uid(0)))
                .contains("Invalid partition name specified");
    }

    @Test
    void anOperatorsSbatchPriorityIsTheJobsAndStaysSo() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        JobRequest asked = req(1).toBuilder().options(Map.of("priority", "10")).build();
        long byRoot = id(c.submit(asked, as(0, 0, "root")));
        long byUser = id(c.submit(asked, as(1000, 1000, "alice")));
        c.refreshPriorities(now.get());
        assertThat(c.job(byRoot).orElseThrow().priority()).isEqualTo(10);
        assertThat(c.job(byUser).orElseThrow().priority()).isNotEqualTo(10);
        assertThat(c.job(byUser).orElseThrow().request().options()).containsEntry("priority", "10");
    }

    @Test
    void aReasonAloneChangesANodesReasonAndLeavesItsState() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        c.register(new FakeLink("n1"), registration("n1", 4));
        assertThat(c.updateNode("n1", "DRAIN", "fan", Caller.uid(0))).isEmpty();
        assertThat(c.updateNode("n1", "", "new fan on order", Caller.uid(0))).isEmpty();
        assertThat(c.nodes().get(0).state()).isEqualTo(NodeState.DRAIN);
        assertThat(c.nodes().get(0).reason()).isEqualTo("new fan on order");
        assertThat(c.nodes().get(0).controlState()).isEqualTo("IDLE+DRAIN");
        assertThat(c.updateNode("n1", "ALLOCATED", null, Caller.uid(0))).contains("Invalid node state specified");
    }

    @Test
    void anUpdatedPlacementOrStartTimeIsWhatTheSchedulerGoesByAndABadOneIsRefusedAsAtSubmit() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        c.register(new FakeLink("n1"), registration("n1", 4));
        c.register(new FakeLink("n2"), registration("n2", 4));
        long id = id(c.submit(req(4), as(0, 0, "root")));
        // kept off n1, and into the future
        assertThat(c.updateJob(id, Map.of("ExcNodeList", "n1", "StartTime", "now+1hour"), Caller.uid(0)))
                .isEmpty();
        assertThat(c.job(id).orElseThrow().request().excludeList()).isEqualTo("n1");
        c.schedulePass();
        assertThat(c.job(id).orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(c.job(id).orElseThrow().reason()).isEqualTo(PendingReason.BeginTime);
        // what sbatch would refuse, update refuses: a node that is not there, a feature no node has
        assertThat(c.updateJob(id, Map.of("ReqNodeList", "n9"), Caller.uid(0))).isPresent();
        assertThat(c.updateJob(id, Map.of("Features", "nosuch"), Caller.uid(0))).isPresent();
        assertThat(c.job(id).orElseThrow().request().nodeList()).isNull();
        assertThat(c.updateJob(id, Map.of("ExcNodeList", "n[1-2]"), Caller.uid(0)))
                .contains("Requested partition configuration not available now");
        assertThat(c.updateJob(id, Map.of("StartTime", ""), Caller.uid(0))).isEmpty();
        c.schedulePass();
        assertThat(c.job(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(c.job(id).orElseThrow().nodeList()).isEqualTo("n2");
    }

    /** Slurm's rule: an Operator or Administrator (sacctmgr AdminLevel) controls any user's jobs; others only their own. */
    @Test
    void operatorsAndAdministratorsControlOtherUsersJobsAndPlainUsersDoNot() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        Caller root = Caller.uid(0);
        for (String line : List.of(
                "add account lab",
                "add user olive account=lab adminlevel=Operator",
                "add user adam account=lab adminlevel=Administrator",
                "add user pat account=lab",
                "add user ann account=lab")) {
            assertThat(c.changeAccounts(io.motley.core.accounts.Sacctmgr.parse(List.of(line.split(" "))), root, true)
                            .changed())
                    .as(line)
                    .isTrue();
        }
        Caller olive = as(1001, 1001, "olive");
        Caller adam = as(1002, 1002, "adam");
        Caller pat = as(1003, 1003, "pat");
        long a = id(c.submit(req(1), as(1004, 1004, "ann")));
        long b = id(c.submit(req(1), as(1004, 1004, "ann")));
        assertThat(c.hold(List.of(a), pat, true))
                .singleElement()
                .satisfies(o -> assertThat(o.error()).isEqualTo("Access/permission denied"));
        assertThat(c.updateJob(a, Map.of("TimeLimit", "5"), pat)).contains("Access/permission denied");
        // an Operator's hold is an administrator's hold, as root's is
        assertThat(c.hold(List.of(a), olive, true))
                .singleElement()
                .satisfies(o -> assertThat(o.error()).isNull());
        assertThat(c.job(a).orElseThrow().reason()).isEqualTo(PendingReason.JobHeldAdmin);
        assertThat(c.updateJob(a, Map.of("TimeLimit", "5"), olive)).isEmpty();
        assertThat(c.cancel(List.of(b), Map.of(), pat))
                .singleElement()
                .satisfies(o -> assertThat(o.error()).isEqualTo("Access/permission denied"));
        assertThat(c.cancel(List.of(b), Map.of(), adam))
                .singleElement()
                .satisfies(o -> assertThat(o.error()).isNull());
        assertThat(c.job(b).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(c.job(a).orElseThrow().state()).isEqualTo(JobState.PENDING);
    }

    @Test
    void aPartitionSetDownByRootStartsNoJobsUntilItIsUpAgain() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 4));
        assertThat(c.updatePartition("main", PartitionState.DOWN, Caller.uid(1000)))
                .contains("Access/permission denied");
        assertThat(c.updatePartition("nope", PartitionState.DOWN, Caller.uid(0)))
                .contains("Invalid partition name specified");
        assertThat(c.updatePartition("main", PartitionState.DOWN, Caller.uid(0)))
                .isEmpty();
        assertThat(c.partitions().get(0).state()).isEqualTo(PartitionState.DOWN);
        long waiting = id(c.submit(req(1), as(0, 0, "root")));
        c.schedulePass();
        assertThat(c.job(waiting).orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(c.job(waiting).orElseThrow().reason()).isEqualTo(PendingReason.PartitionDown);

        // INACTIVE also refuses new jobs at submit
        assertThat(c.updatePartition("main", PartitionState.INACTIVE, Caller.uid(0)))
                .isEmpty();
        assertThat(c.submit(req(1), as(0, 0, "root"))).isInstanceOf(Submission.Refused.class);

        assertThat(c.updatePartition("main", PartitionState.UP, Caller.uid(0))).isEmpty();
        c.schedulePass();
        assertThat(c.job(waiting).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void theBatchScriptIsGivenToItsOwnerAndRootOnly() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        long id = id(c.submit(req(1), as(1000, 1000, "ann")));
        assertThat(c.batchScript(id, Caller.uid(1000))).isEqualTo(new Cluster.ScriptLookup("#!/bin/sh\ntrue\n", null));
        assertThat(c.batchScript(id, Caller.uid(0)).script()).isEqualTo("#!/bin/sh\ntrue\n");
        assertThat(c.batchScript(id, Caller.uid(1001)).error()).isEqualTo("Invalid user id");
        assertThat(c.batchScript(id + 1, Caller.uid(0)).error()).isEqualTo("Invalid job id specified");
    }

    @Test
    void aHoldByRootReadsJobHeldAdminAndAUsersHoldJobHeldUser() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        long byRoot = id(c.submit(req(1), as(1000, 1000, "ann")));
        long byAnn = id(c.submit(req(1), as(1000, 1000, "ann")));
        c.hold(List.of(byRoot), Caller.uid(0), true);
        c.hold(List.of(byAnn), as(1000, 1000, "ann"), true);
        c.schedulePass();
        assertThat(c.job(byRoot).orElseThrow().reason()).isEqualTo(PendingReason.JobHeldAdmin);
        assertThat(c.job(byAnn).orElseThrow().reason()).isEqualTo(PendingReason.JobHeldUser);
        c.hold(List.of(byRoot), Caller.uid(0), false);
        assertThat(c.job(byRoot).orElseThrow().reason()).isEqualTo(PendingReason.None);
        // scontrol uhold by root: a user's hold, which its owner may release
        c.hold(List.of(byRoot), Map.of(), Caller.uid(0), true, true);
        c.schedulePass();
        assertThat(c.job(byRoot).orElseThrow().reason()).isEqualTo(PendingReason.JobHeldUser);
        assertThat(c.hold(List.of(byRoot), as(1000, 1000, "ann"), false)).allMatch(o -> o.error() == null);
        assertThat(c.job(byRoot).orElseThrow().reason()).isEqualTo(PendingReason.None);
    }

    @Test
    void diagnosticsCountSubmissionsStartsEndsAndPasses() {
        Cluster c = cluster(Store.sqlite(dir.resolve("db")));
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long runs = id(c.submit(req(1), as(0, 0, "root")));
        long waits = id(c.submit(req(1), as(0, 0, "root")));
        long cancelled = id(c.submit(req(1), as(0, 0, "root")));
        c.schedulePass();
        c.cancel(List.of(cancelled), Map.of(), Caller.uid(0));
        Cluster.Diagnostics d = c.diagnostics();
        assertThat(d.figures().submitted()).isEqualTo(3);
        assertThat(d.figures().started()).isEqualTo(1);
        assertThat(d.figures().canceled()).isEqualTo(1);
        assertThat(d.figures().completed()).isZero();
        assertThat(d.pending()).isEqualTo(1);
        assertThat(d.running()).isEqualTo(1);
        assertThat(d.figures().main().count()).isEqualTo(1);
        assertThat(d.figures().main().lastQueueLength()).isEqualTo(3);
        assertThat(c.job(runs).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(c.job(waits).orElseThrow().state()).isEqualTo(JobState.PENDING);
    }
}
