package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.store.Store;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node whose clock is off is named by a reason, keeps its jobs, and its job ends are put into our time. */
class ClockSkewTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_700_000_000);
    Store store;

    Cluster cluster(String conf) {
        store = Store.sqlite(dir.resolve("db"));
        return new Cluster(ClusterConfig.parse("NodeTimeout=30\n" + conf), store, now::get);
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    /** A heartbeat from an agent whose clock is {@code offsetMs} from ours, sent {@code transitMs} before we read it. */
    static AgentReport.Load beat(long nowSeconds, long offsetMs, long transitMs) {
        return new AgentReport.Load(0.1, 1000, null, null, nowSeconds * 1000 - transitMs + offsetMs);
    }

    static Node node(Cluster c, String name) {
        return c.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aClockFiveMinutesAheadIsAReasonOnAnUpNodeThatStillRunsJobs() {
        Cluster c = cluster("");
        ClusterTest.FakeLink n1 = new ClusterTest.FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 2));
        c.heartbeat("n1", beat(now.get(), 300_000, 2));
        assertThat(node(c, "n1").reason()).isEqualTo("Clock skew 300s ahead");
        assertThat(node(c, "n1").state()).isEqualTo(NodeState.UP);

        long id = id(c.submit(ClusterTest.req(1), as(0, 0, "root")));
        c.schedulePass();
        assertThat(n1.ops()).contains("launch:" + id);

        // its clock is set right: the reason goes once the skewed readings have left the window
        for (int i = 0; i < NodeRegistry.SKEW_SAMPLES; i++) {
            now.addAndGet(5);
            c.heartbeat("n1", beat(now.get(), 0, 2));
        }
        assertThat(node(c, "n1").reason()).isNull();
        assertThat(node(c, "n1").state()).isEqualTo(NodeState.UP);
    }

    @Test
    void aClockBehindIsSaidToBeBehind() {
        Cluster c = cluster("");
        c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
        c.heartbeat("n1", beat(now.get(), -120_000, 2));
        assertThat(node(c, "n1").reason()).isEqualTo("Clock skew 120s behind");
    }

    @Test
    void aHeartbeatLongInTransitIsNotTakenForSkew() {
        Cluster c = cluster("");
        c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
        c.heartbeat("n1", beat(now.get(), 0, 5));
        now.addAndGet(5);
        // read 45 s after it was sent (a stalled link): the agent's clock looks 45 s behind, and is not
        c.heartbeat("n1", beat(now.get(), 0, 45_000));
        assertThat(node(c, "n1").reason()).isNull();
    }

    @Test
    void withinTheBoundThereIsNoReasonAndZeroTurnsTheCheckOff() {
        Cluster c = cluster("MaxClockSkew=60\n");
        c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
        c.heartbeat("n1", beat(now.get(), 50_000, 2));
        assertThat(node(c, "n1").reason()).isNull();
        c.heartbeat("n1", beat(now.get(), 70_000, 2));
        assertThat(node(c, "n1").reason()).isEqualTo("Clock skew 72s ahead");

        store.close();
        dir = dir.resolve("off");
        Cluster off = cluster("MaxClockSkew=0\n");
        off.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
        off.heartbeat("n1", beat(now.get(), 3_600_000, 2));
        assertThat(node(off, "n1").reason()).isNull();
    }

    @Test
    void anOperatorsReasonIsNeverReplaced() {
        Cluster c = cluster("");
        c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
        assertThat(c.updateNode("n1", "DRAIN", "swap fan", Caller.uid(0))).isEmpty();
        c.heartbeat("n1", beat(now.get(), 300_000, 2));
        assertThat(node(c, "n1").reason()).isEqualTo("swap fan");
        assertThat(node(c, "n1").state()).isEqualTo(NodeState.DRAIN);
    }

    @Test
    void aSkewedNodesJobEndIsRecordedInTheControllersTime() {
        Cluster c = cluster("");
        ClusterTest.FakeLink n1 = new ClusterTest.FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 2));
        c.heartbeat("n1", beat(now.get(), 300_000, 2));
        long id = id(c.submit(ClusterTest.req(1), as(0, 0, "root")));
        c.schedulePass();
        long start = c.job(id).orElseThrow().startTime();
        now.addAndGet(7);
        // the agent stamps the end by its own clock, five minutes ahead of ours
        c.jobEnded("n1", ended(id, 0, JobState.COMPLETED, 0, 0, now.get() + 300, null));
        Job done = c.job(id).orElseThrow();
        assertThat(done.endTime()).isEqualTo(now.get());
        assertThat(done.endTime() - start).isEqualTo(7);
    }

    @Test
    void anEndStampedBeforeTheStartByAClockBehindIsHeldAtTheStart() {
        Cluster c = cluster("");
        ClusterTest.FakeLink n1 = new ClusterTest.FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 2));
        long id = id(c.submit(ClusterTest.req(1), as(0, 0, "root")));
        c.schedulePass();
        long start = c.job(id).orElseThrow().startTime();
        // no heartbeat yet, so no skew is known; the agent's clock is ten minutes behind
        now.addAndGet(3);
        c.jobEnded("n1", ended(id, 0, JobState.COMPLETED, 0, 0, now.get() - 600, null));
        assertThat(c.job(id).orElseThrow().endTime()).isEqualTo(start);
    }

    @Test
    void theReasonReadsAsSlurmsDo() {
        assertThat(NodeRegistry.skewReason(300)).isEqualTo("Clock skew 300s ahead");
        assertThat(NodeRegistry.skewReason(-45)).isEqualTo("Clock skew 45s behind");
    }
}
