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

/**
 * A silent node is flagged NOT_RESPONDING after two missed heartbeats, takes no new jobs while
 * flagged, is cleared when it speaks again, and goes DOWN after NodeTimeout as before.
 */
class NotRespondingTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_700_000_000);
    Store store;

    /** NodeTimeout=30: heartbeats every 10 s, NOT_RESPONDING after 20 s of silence, DOWN after 30 s. */
    Cluster cluster() {
        store = Store.sqlite(dir.resolve("db"));
        return new Cluster(ClusterConfig.parse("NodeTimeout=30\nJobRequeue=0"), store, now::get);
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    static AgentReport.Load beat() {
        return new AgentReport.Load(0.1, 1000, null, null, 0);
    }

    static Node node(Cluster c, String name) {
        return c.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    /** The whole seconds of silence after which a node is first seen NOT_RESPONDING (checked each second). */
    int flaggedAfter(int nodeTimeout, String db) {
        Store s = Store.sqlite(dir.resolve(db));
        try {
            Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=" + nodeTimeout), s, now::get);
            c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
            for (int silent = 1; silent <= nodeTimeout + 1; silent++) {
                now.incrementAndGet();
                c.checkNodes();
                if (node(c, "n1").notResponding()) return silent;
            }
            return -1;
        } finally {
            s.close();
        }
    }

    @Test
    void theThresholdIsTwoMissedHeartbeatsAndAlwaysShortOfNodeTimeout() {
        // heartbeats every NodeTimeout/3 (1 to 10 s): flagged once two are missed
        assertThat(flaggedAfter(300, "a")).isEqualTo(21);
        assertThat(flaggedAfter(30, "b")).isEqualTo(21);
        assertThat(flaggedAfter(9, "c")).isEqualTo(7);
        assertThat(flaggedAfter(4, "d")).isEqualTo(3);
        // the heartbeat is 1 s, but two of them would be NodeTimeout itself
        assertThat(flaggedAfter(2, "e")).isEqualTo(2);
    }

    @Test
    void aSilentNodeIsFlaggedThenGoesDownAndKeepsTheFlagUntilItRegisters() {
        Cluster c = cluster();
        ClusterTest.FakeLink n1 = new ClusterTest.FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 2));
        long id = id(c.submit(ClusterTest.req(1), as(0, 0, "root")));
        c.schedulePass();
        assertThat(n1.ops()).contains("launch:" + id);

        now.addAndGet(20);
        c.checkNodes();
        assertThat(node(c, "n1").notResponding()).isFalse();

        now.addAndGet(1);
        c.checkNodes();
        Node flagged = node(c, "n1");
        assertThat(flagged.notResponding()).isTrue();
        assertThat(flagged.state()).isEqualTo(NodeState.UP);
        assertThat(flagged.reason()).isNull();
        assertThat(flagged.displayState()).isEqualTo("mixed*");
        assertThat(flagged.controlState()).isEqualTo("MIXED+NOT_RESPONDING");
        // its job goes on until NodeTimeout
        assertThat(c.job(id)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);

        now.addAndGet(10);
        c.checkNodes();
        Node down = node(c, "n1");
        assertThat(down.state()).isEqualTo(NodeState.DOWN);
        assertThat(down.reason()).isEqualTo("Not responding");
        assertThat(down.notResponding()).isTrue();
        assertThat(down.displayState()).isEqualTo("down*");
        assertThat(c.job(id)).get().extracting(Job::state).isEqualTo(JobState.NODE_FAIL);

        c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
        assertThat(node(c, "n1").notResponding()).isFalse();
        assertThat(node(c, "n1").state()).isEqualTo(NodeState.UP);
    }

    @Test
    void aHeartbeatClearsTheFlag() {
        Cluster c = cluster();
        c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
        now.addAndGet(25);
        c.checkNodes();
        assertThat(node(c, "n1").notResponding()).isTrue();

        c.heartbeat("n1", beat());
        assertThat(node(c, "n1").notResponding()).isFalse();
        assertThat(node(c, "n1").displayState()).isEqualTo("idle");
        // and its silence counts afresh: it is neither flagged nor DOWN where it would have been
        now.addAndGet(10);
        c.checkNodes();
        assertThat(node(c, "n1").notResponding()).isFalse();
        assertThat(node(c, "n1").state()).isEqualTo(NodeState.UP);
    }

    @Test
    void noNewJobStartsOnANodeThatIsNotResponding() {
        Cluster c = cluster();
        ClusterTest.FakeLink n1 = new ClusterTest.FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 2));
        now.addAndGet(25);
        c.checkNodes();

        long id = id(c.submit(ClusterTest.req(1), as(0, 0, "root")));
        c.schedulePass();
        assertThat(n1.ops()).doesNotContain("launch:" + id);
        assertThat(c.job(id)).get().extracting(Job::state).isEqualTo(JobState.PENDING);

        // it speaks again: the job starts there
        c.heartbeat("n1", beat());
        c.schedulePass();
        assertThat(n1.ops()).contains("launch:" + id);
        assertThat(c.job(id)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
    }

    @Test
    void anOperatorsDrainKeepsTheFlagBesideIt() {
        Cluster c = cluster();
        c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
        now.addAndGet(25);
        c.checkNodes();
        assertThat(c.updateNode("n1", "DRAIN", "fan", as(0, 0, "root"))).isEmpty();
        assertThat(node(c, "n1").displayState()).isEqualTo("drained*");
        assertThat(node(c, "n1").controlState()).isEqualTo("IDLE+DRAIN+NOT_RESPONDING");
    }
}
