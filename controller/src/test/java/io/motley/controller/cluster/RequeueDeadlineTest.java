package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.*;
import static io.motley.controller.cluster.ClusterTest.registration;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.ClusterTest.FakeLink;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scontrol requeue, requeue on a failed node, and --deadline, over a real store with the clock in the test's hand. */
class RequeueDeadlineTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_000_000);

    Cluster cluster(Store store, String config) {
        return new Cluster(ClusterConfig.parse("NodeTimeout=10\n" + config), store, now::get);
    }

    static JobRequest req(TimeLimit limit, long deadline, boolean requeue) {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .timeLimit(limit)
                .submitHost("h")
                .window(0, deadline)
                .requeue(requeue)
                .build();
    }

    long submit(Cluster c, JobRequest r, int uid) {
        Submission answer = c.submit(r, as(uid, uid, uid == 0 ? "root" : "alice"));
        return id(answer);
    }

    static AgentReport.RunEnded ended(long id, int run, String state) {
        return Calls.ended(id, run, JobState.valueOf(state), 0, 0, 0, null);
    }

    Job job(Cluster c, long id) {
        return c.job(id).orElseThrow();
    }

    @Test
    void aRequeuedRunningJobIsKilledWaitsAndRunsAgainWhileItsOldRunsEndChangesNothing() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store, "");
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long a = submit(c, req(new TimeLimit.Seconds(600), 0, true), 0);
        c.schedulePass();
        assertThat(job(c, a).state()).isEqualTo(JobState.RUNNING);

        assertThat(c.requeue(List.of(a), Caller.uid(0), false))
                .extracting(Outcome::error)
                .containsOnlyNulls();
        ClusterTest.FakeLink.Order kill = n1.last();
        assertThat(kill.op()).isEqualTo("kill");
        assertThat(kill.run()).isZero();
        assertThat(kill.why()).isEqualTo(KillReason.REQUEUE);
        Job requeued = job(c, a);
        assertThat(requeued.state()).isEqualTo(JobState.PENDING);
        assertThat(requeued.reason()).isEqualTo(PendingReason.BeginTime);
        assertThat(requeued.restarts()).isEqualTo(1);
        assertThat(requeued.node()).isNull();
        assertThat(requeued.request().beginTime()).isEqualTo(now.get() + ClusterConfig.DEFAULT_REQUEUE_DELAY);

        // the killed run reports: acknowledged, and the requeued job stays pending
        c.jobEnded("n1", ended(a, 0, "CANCELLED"));
        assertThat(job(c, a).state()).isEqualTo(JobState.PENDING);
        assertThat(n1.last().op()).isEqualTo("ack_ended");
        assertThat(n1.last().run()).isZero();
        c.schedulePass();
        assertThat(job(c, a).state()).isEqualTo(JobState.PENDING);

        now.addAndGet(ClusterConfig.DEFAULT_REQUEUE_DELAY);
        c.schedulePass();
        assertThat(job(c, a).state()).isEqualTo(JobState.RUNNING);
        ClusterTest.FakeLink.Order launch = n1.last();
        assertThat(launch.op()).isEqualTo("launch");
        assertThat(launch.job().restarts()).isEqualTo(1);

        // a late duplicate of the first run's end is still ignored; the second run's end counts
        c.jobEnded("n1", ended(a, 0, "FAILED"));
        assertThat(job(c, a).state()).isEqualTo(JobState.RUNNING);
        c.jobEnded("n1", ended(a, 1, "COMPLETED"));
        assertThat(job(c, a).state()).isEqualTo(JobState.COMPLETED);
        store.close();

        // the run counter is in the stored record
        Store again = Store.sqlite(dir.resolve("db"));
        assertThat(cluster(again, "").job(a)).get().extracting(Job::restarts).isEqualTo(1);
        again.close();
    }

    @Test
    void aRequeuedJobWaitsForItsKilledRunEvenWithoutADelay() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store, "RequeueDelay=0");
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long a = submit(c, req(new TimeLimit.Seconds(600), 0, true), 0);
        c.schedulePass();
        c.requeue(List.of(a), Caller.uid(0), false);
        c.schedulePass();
        assertThat(job(c, a).state()).isEqualTo(JobState.PENDING);
        assertThat(job(c, a).reason()).isEqualTo(PendingReason.BeginTime);
        c.jobEnded("n1", ended(a, 0, "CANCELLED"));
        c.schedulePass();
        assertThat(job(c, a).state()).isEqualTo(JobState.RUNNING);
        store.close();
    }

    @Test
    void finishedJobsComeBackAndRefusalsUseSlurmsWords() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store, "RequeueDelay=5");
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long done = submit(c, req(new TimeLimit.Seconds(600), 0, true), 1000);
        long noRequeue = submit(c, req(new TimeLimit.Seconds(600), 0, false), 1000);
        c.schedulePass();
        c.jobEnded("n1", ended(done, 0, "COMPLETED"));
        c.jobEnded("n1", ended(noRequeue, 0, "FAILED"));
        long pending = submit(c, req(new TimeLimit.Seconds(600), 0, true), 1000);
        long other = submit(c, req(new TimeLimit.Seconds(600), 0, true), 0);

        List<Outcome> out = c.requeue(List.of(done, noRequeue, pending, other, 999L), Caller.uid(1000), false);
        assertThat(out)
                .extracting(Outcome::error)
                .containsExactly(
                        null,
                        "Requested operation is presently disabled",
                        "Job is pending execution",
                        "Access/permission denied",
                        "Invalid job id specified");
        Job back = job(c, done);
        assertThat(back.state()).isEqualTo(JobState.PENDING);
        assertThat(back.exit()).isEqualTo(ExitStatus.NONE);
        assertThat(back.restarts()).isEqualTo(1);

        // requeuehold: back in the queue and held until released
        now.addAndGet(1);
        c.schedulePass();
        c.jobEnded("n1", ended(other, 0, "COMPLETED"));
        c.jobEnded("n1", ended(pending, 0, "COMPLETED"));
        c.requeue(List.of(other), Caller.uid(0), true);
        assertThat(job(c, other).reason()).isEqualTo(PendingReason.JobHeldUser);
        now.addAndGet(10);
        c.schedulePass();
        assertThat(job(c, done).state()).isEqualTo(JobState.RUNNING);
        assertThat(job(c, other).state()).isEqualTo(JobState.PENDING);
        c.hold(List.of(other), Caller.uid(0), false);
        c.schedulePass();
        assertThat(job(c, other).state()).isEqualTo(JobState.RUNNING);
        store.close();
    }

    @Test
    void jobsOnAFailedNodeAreRequeuedUnlessTheySaidNoRequeue() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store, "");
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 2));
        long again = submit(c, req(new TimeLimit.Seconds(600), 0, true), 0);
        long not = submit(c, req(new TimeLimit.Seconds(600), 0, false), 0);
        c.schedulePass();
        now.addAndGet(11);
        c.checkNodes();
        assertThat(job(c, again).state()).isEqualTo(JobState.PENDING);
        assertThat(job(c, again).restarts()).isEqualTo(1);
        assertThat(job(c, not).state()).isEqualTo(JobState.NODE_FAIL);

        // the node returns still running the old run: that run is killed, by its run number
        FakeLink back = new FakeLink("n1");
        c.register(back, registration("n1", 2, running(again, 0)));
        ClusterTest.FakeLink.Order kill = back.sent.stream()
                .filter(f -> f.op().equals("kill"))
                .findFirst()
                .orElseThrow();
        assertThat(kill.id()).isEqualTo(again);
        assertThat(kill.run()).isZero();
        assertThat(kill.why()).isEqualTo(KillReason.NOT_RUNNING_HERE);
        store.close();
    }

    @Test
    void aJobThatCanNoLongerEndBeforeItsDeadlineEndsDeadlineWithoutStarting() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store, "");
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, registration("n1", 1));
        long blocker = submit(c, req(new TimeLimit.Seconds(3600), 0, true), 0);
        long tooLong = submit(c, req(new TimeLimit.Seconds(600), now.get() + 300, true), 0);
        long waits = submit(c, req(new TimeLimit.Seconds(60), now.get() + 120, true), 0);
        c.schedulePass();
        assertThat(job(c, blocker).state()).isEqualTo(JobState.RUNNING);
        Job gone = job(c, tooLong);
        assertThat(gone.state()).isEqualTo(JobState.DEADLINE);
        assertThat(gone.reason()).isEqualTo(PendingReason.DeadLine);
        assertThat(gone.exit()).isEqualTo(new ExitStatus(0, 1));
        assertThat(gone.startTime()).isZero();
        assertThat(job(c, waits).state()).isEqualTo(JobState.PENDING);

        now.addAndGet(61);
        c.schedulePass();
        assertThat(job(c, waits).state()).isEqualTo(JobState.DEADLINE);
        assertThat(n1.ops()).doesNotContain("launch:" + tooLong, "launch:" + waits);
        store.close();
    }

    @Test
    void submissionRefusesADeadlineThatIsPastOrHasNoTimeLimit() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store, "PartitionName=limited Default=YES DefaultTime=10\nPartitionName=open");
        c.register(new FakeLink("n1"), registration("n1", 1));
        Submission past = c.submit(req(TimeLimit.UNSET, now.get() - 1, true), as(0, 0, "root"));
        assertThat(failure(past)).isEqualTo("Invalid time specified");
        Submission noLimit = c.submit(
                JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                        .name("j")
                        .partitions("open")
                        .submitHost("h")
                        .window(0, now.get() + 3600)
                        .build(),
                as(0, 0, "root"));
        // no limit from the job or the partition: accepted, as slurmctld accepts it
        assertThat(accepted(noLimit)).isTrue();
        // the partition's DefaultTime is a limit: accepted
        assertThat(accepted(c.submit(req(TimeLimit.UNSET, now.get() + 3600, true), as(0, 0, "root"))))
                .isTrue();
        store.close();
    }
}
