package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.as;
import static io.motley.controller.cluster.Calls.ended;
import static io.motley.controller.cluster.Calls.id;
import static io.motley.controller.cluster.ClusterTest.registration;
import static io.motley.controller.cluster.ClusterTest.req;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.store.Store;
import io.motley.core.cluster.PartitionState;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A submission asks for a scheduling pass only where its job could start or the queue is short:
 * while every node that could run it is full, or its partition starts nothing, a pass per
 * submission would only rank a deep queue again. The job is still considered by the next pass
 * something else asks for.
 */
class SubmitWakeTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_000_000);

    private Cluster cluster(Store store) {
        return new Cluster(ClusterConfig.parse("NodeTimeout=10"), store, now::get);
    }

    @Test
    void aSubmissionToAFullClusterAsksForNoPassAndAnEndStartsIt() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store);
            ClusterTest.FakeLink n1 = new ClusterTest.FakeLink("n1");
            c.register(n1, registration("n1", 2));
            SchedulingLoop loop = c.scheduling();
            loop.takePassWanted();

            // room on the node: each submission asks for a pass
            long a = id(c.submit(req(1), as(0, 0, "root")));
            assertThat(loop.takePassWanted()).isTrue();
            c.schedulePass();
            assertThat(loop.room()).isTrue();
            long b = id(c.submit(req(1), as(0, 0, "root")));
            assertThat(loop.takePassWanted()).isTrue();
            c.schedulePass();
            assertThat(n1.ops()).contains("launch:" + a, "launch:" + b);

            // both CPUs taken, a short queue: a pass still ranks the new job at once
            assertThat(loop.room()).isFalse();
            long w = id(c.submit(req(1), as(0, 0, "root")));
            assertThat(loop.takePassWanted()).isTrue();
            c.schedulePass();
            assertThat(c.job(w).orElseThrow().reason()).isEqualTo(PendingReason.Resources);

            // a deep queue: a submission asks for nothing, and waits
            for (int i = 1; i < SchedulingLoop.DEEP_QUEUE; i++) c.submit(req(1), as(0, 0, "root"));
            c.schedulePass();
            loop.takePassWanted();
            long d = id(c.submit(req(1), as(0, 0, "root")));
            assertThat(loop.takePassWanted()).isFalse();
            assertThat(c.job(d)).get().extracting(j -> j.state()).isEqualTo(JobState.PENDING);

            // an end asks for a pass, which starts the waiting job
            c.jobEnded("n1", ended(a, 0, JobState.COMPLETED, 0, 0, now.get(), null));
            assertThat(loop.takePassWanted()).isTrue();
            c.schedulePass();
            assertThat(n1.ops()).contains("launch:" + w);
        }
    }

    @Test
    void aPartitionThatStartsNothingLeavesNoRoom() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store);
            c.register(new ClusterTest.FakeLink("n1"), registration("n1", 4));
            c.submit(req(1), as(0, 0, "root"));
            c.schedulePass();
            assertThat(c.scheduling().room()).isTrue();
            c.updatePartition("main", PartitionState.DOWN, as(0, 0, "root"));
            for (int i = 0; i < SchedulingLoop.DEEP_QUEUE; i++) c.submit(req(1), as(0, 0, "root"));
            c.schedulePass();
            assertThat(c.scheduling().room()).isFalse();
            c.scheduling().takePassWanted();
            c.submit(req(1), as(0, 0, "root"));
            assertThat(c.scheduling().takePassWanted()).isFalse();
        }
    }

    @Test
    void aSubmissionMissedWhileThereWasNoRoomAsksForAPassOnceThereIs() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store);
            SchedulingLoop loop = c.scheduling();
            loop.passed(false, SchedulingLoop.DEEP_QUEUE);
            loop.takePassWanted();
            assertThat(loop.submitted()).isFalse();
            // a pass that began before the submission, and ends with room: the job may not have been in it
            loop.passed(true, SchedulingLoop.DEEP_QUEUE);
            assertThat(loop.takePassWanted()).isTrue();
            // once taken into account, no pass again
            loop.passed(true, SchedulingLoop.DEEP_QUEUE);
            assertThat(loop.takePassWanted()).isFalse();
        }
    }
}
