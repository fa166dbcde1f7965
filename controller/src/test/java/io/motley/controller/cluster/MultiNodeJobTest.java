package io.motley.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.ClusterTest.FakeLink;
import io.motley.controller.store.Store;
import io.motley.core.cluster.NodeState;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job over several nodes: started on all at once, its script on the first, failed when one is lost. */
class MultiNodeJobTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_700_000_000);

    static AgentReport.Load load() {
        return new AgentReport.Load(0.1, 1000, null, null, 0);
    }

    @Test
    void aThreeNodeJobHoldsEveryNodeRunsOnTheFirstAndFailsWhenOneIsLost() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=10\nJobRequeue=0"), store, now::get);
        FakeLink n1 = new FakeLink("n1");
        FakeLink n2 = new FakeLink("n2");
        FakeLink n3 = new FakeLink("n3");
        c.register(n1, ClusterTest.registration("n1", 2));
        c.register(n2, ClusterTest.registration("n2", 2));
        c.register(n3, ClusterTest.registration("n3", 2));
        JobRequest wide = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("wide")
                .ntasks(6)
                .nodes(3)
                .submitHost("h")
                .build();
        long big = Calls.id(c.submit(wide, Calls.as(0, 0, "root")));
        long small = Calls.id(c.submit(ClusterTest.req(1), Calls.as(0, 0, "root")));
        c.schedulePass();
        Job j = c.job(big).orElseThrow();
        assertThat(j.state()).isEqualTo(JobState.RUNNING);
        assertThat(j.nodes()).containsExactly("n1", "n2", "n3");
        assertThat(j.nodeList()).isEqualTo("n[1-3]");
        assertThat(j.allocCpus()).isEqualTo(6);
        assertThat(n1.ops()).contains("launch:" + big);
        // the other nodes' agents are told to hold the job's part there, for its steps' tasks
        assertThat(n2.ops()).contains("launch:" + big);
        assertThat(n3.ops()).contains("launch:" + big);
        // every node is full: the one-CPU job waits
        assertThat(c.job(small).orElseThrow().state()).isEqualTo(JobState.PENDING);

        // n3 falls silent; n1 and n2 keep beating
        now.addAndGet(11);
        c.heartbeat("n1", load());
        c.heartbeat("n2", load());
        c.checkNodes();
        assertThat(c.nodes().stream()
                        .filter(n -> n.name().equals("n3"))
                        .findFirst()
                        .orElseThrow()
                        .state())
                .isEqualTo(NodeState.DOWN);
        assertThat(c.job(big).orElseThrow().state()).isEqualTo(JobState.NODE_FAIL);
        // the script on the batch host is killed, and the nodes still up are free again
        assertThat(n1.ops()).contains("kill:" + big);
        // and the node still up lets the job's part go
        assertThat(n2.ops()).contains("kill:" + big);
        c.schedulePass();
        assertThat(c.job(small).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(List.of("n1", "n2")).contains(c.job(small).orElseThrow().node());
        store.close();
    }
}
