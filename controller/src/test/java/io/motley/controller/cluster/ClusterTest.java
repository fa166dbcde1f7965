package io.motley.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.store.Store;
import io.motley.core.cluster.NodeState;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.Scheduler;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
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

    static final class FakeLink implements AgentChannel {
        final String node;
        final List<Frame> sent = new ArrayList<>();

        FakeLink(String node) {
            this.node = node;
        }

        @Override
        public String node() {
            return node;
        }

        @Override
        public synchronized void send(Frame f) {
            sent.add(f);
        }

        @Override
        public void close() {}

        synchronized List<String> ops() {
            return sent.stream()
                    .map(f -> f.op()
                            + (f.has("id")
                                    ? ":" + f.str("id")
                                    : f.children().isEmpty()
                                            ? ""
                                            : ":" + f.children().get(0).str("id")))
                    .toList();
        }
    }

    Cluster cluster(Store store) {
        return new Cluster(ClusterConfig.parse("NodeTimeout=10"), store, now::get);
    }

    static JobRequest req(int cpus) {
        return new JobRequest(
                "j",
                List.of(),
                1,
                cpus,
                false,
                1,
                JobRequest.UNSET,
                JobRequest.UNSET,
                JobRequest.UNSET,
                null,
                null,
                "/tmp",
                null,
                Map.of(),
                "#!/bin/sh\ntrue\n",
                List.of(),
                false,
                null,
                null,
                "h");
    }

    static Frame registration(String node, int cpus, Frame... inventory) {
        Frame f = Frame.op(Ops.REGISTER)
                .put("name", node)
                .put("cpus", cpus)
                .put("mem", 4000)
                .put("state", "UP");
        for (Frame i : inventory) f.add(i);
        return f;
    }

    @Test
    void acceptedJobsSurviveARestartAndLostLaunchesAreResent() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long a = c.submit(req(1), 0, 0, "root").lng("id", -1);
        long b = c.submit(req(1), 0, 0, "root").lng("id", -1);
        long p = c.submit(req(2), 0, 0, "root").lng("id", -1);
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
        c2.register(
                n1b,
                registration(
                        "n1",
                        2,
                        new Frame().put("op", "running").put("id", a),
                        new Frame().put("op", "running").put("id", 999)));
        assertThat(n1b.ops()).contains("launch:" + b, "kill:999").doesNotContain("launch:" + a);

        c2.jobEnded(
                "n1",
                Frame.op(Ops.JOB_ENDED)
                        .put("id", a)
                        .put("state", "COMPLETED")
                        .put("code", 0)
                        .put("signal", 0)
                        .put("end", now.get()));
        c2.jobEnded(
                "n1",
                Frame.op(Ops.JOB_ENDED)
                        .put("id", a)
                        .put("state", "FAILED")
                        .put("code", 1)
                        .put("signal", 0)
                        .put("end", now.get()));
        assertThat(c2.job(a)).get().extracting(Job::state).isEqualTo(JobState.COMPLETED);
        assertThat(n1b.ops()).filteredOn(s -> s.equals("ack_ended:" + a)).hasSize(2);
        again.close();
    }

    @Test
    void silentNodesGoDownTheirJobsFailAndTheyComeBack() {
        Store store = Store.sqlite(dir.resolve("db"));
        // without JobRequeue the job ends NODE_FAIL (RequeueDeadlineTest covers the requeue)
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=10\nJobRequeue=0"), store, now::get);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long a = c.submit(req(1), 0, 0, "root").lng("id", -1);
        c.schedulePass();
        now.addAndGet(5);
        c.checkNodes();
        assertThat(c.nodes().get(0).state()).isEqualTo(NodeState.UP);
        now.addAndGet(11);
        c.checkNodes();
        assertThat(c.nodes().get(0).state()).isEqualTo(NodeState.DOWN);
        assertThat(c.nodes().get(0).reason()).isEqualTo("Not responding");
        assertThat(c.job(a)).get().extracting(Job::state).isEqualTo(JobState.NODE_FAIL);

        // it returns still running the job: the job already failed, so the agent is told to kill it
        FakeLink back = new FakeLink("n1");
        c.register(back, registration("n1", 1, new Frame().put("op", "running").put("id", a)));
        assertThat(c.nodes().get(0).state()).isEqualTo(NodeState.UP);
        assertThat(back.ops()).contains("kill:" + a);
        store.close();
    }

    @Test
    void cancelRulesFollowSlurm() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long run = c.submit(req(1), 1000, 1000, "ann").lng("id", -1);
        long pend = c.submit(req(1), 1000, 1000, "ann").lng("id", -1);
        c.schedulePass();
        assertThat(c.job(pend)).get().extracting(Job::reason).isEqualTo(PendingReason.Resources);
        assertThat(c.cancel(List.of(pend), 1001))
                .extracting(Cluster.Outcome::error)
                .containsExactly("Access/permission denied");
        assertThat(c.cancel(List.of(pend, run, 4242L), 1000))
                .extracting(Cluster.Outcome::error)
                .containsExactly(null, null, "Invalid job id specified");
        assertThat(c.job(pend))
                .get()
                .extracting(Job::state, Job::cancelledBy)
                .containsExactly(JobState.CANCELLED, 1000);
        assertThat(c.job(run))
                .get()
                .extracting(Job::state)
                .as("running until the agent reports")
                .isEqualTo(JobState.RUNNING);
        assertThat(n1.ops()).contains("kill:" + run);
        c.jobEnded(
                "n1",
                Frame.op(Ops.JOB_ENDED)
                        .put("id", run)
                        .put("state", "CANCELLED")
                        .put("code", 0)
                        .put("signal", 15)
                        .put("end", now.get()));
        assertThat(c.job(run)).get().extracting(Job::state, Job::cancelledBy).containsExactly(JobState.CANCELLED, 1000);
        assertThat(c.cancel(List.of(run), 0))
                .extracting(Cluster.Outcome::error)
                .containsExactly("Job/step already completing or completed");
        store.close();
    }

    @Test
    void refusedSubmissionsSpendAnIdAndAreRecordedFailed() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store);
        c.register(new FakeLink("n1"), registration("n1", 2));
        Frame no = c.submit(req(64), 0, 0, "root");
        assertThat(no.isError()).isTrue();
        assertThat(no.str("message")).isEqualTo("Requested node configuration is not available");
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
        long cancelled = c.submit(req(1), 0, 0, "root").lng("id", -1);
        long updated = c.submit(req(1), 0, 0, "root").lng("id", -1);
        long fine = c.submit(req(1), 0, 0, "root").lng("id", -1);
        Cluster.PassInput in = c.snapshotForPass();
        Plan plan = Scheduler.plan(in.snapshot(), in.options());
        assertThat(plan.starts()).hasSize(3);
        // while the plan was being made:
        c.cancel(List.of(cancelled), 0);
        assertThat(c.updateJob(updated, Map.of("TimeLimit", "5"), 0)).isEmpty();
        c.commitPass(in, plan);
        assertThat(c.job(cancelled).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(c.job(updated).orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(c.job(fine).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(n1.ops()).filteredOn(op -> op.startsWith("launch")).containsExactly("launch:" + fine);
        // the next pass starts the updated job with its new limit
        c.schedulePass();
        assertThat(c.job(updated).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(c.job(updated).orElseThrow().timeLimitSeconds()).isEqualTo(300);

        long late = c.submit(req(1), 0, 0, "root").lng("id", -1);
        in = c.snapshotForPass();
        plan = Scheduler.plan(in.snapshot(), in.options());
        assertThat(c.updateNode("n1", "DRAIN", "maintenance", 0)).isEmpty();
        c.commitPass(in, plan);
        assertThat(c.job(late).orElseThrow().state()).isEqualTo(JobState.PENDING);
    }
}
