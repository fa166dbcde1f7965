package io.motley.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.protocol.HostCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each agent's findings about its own host, kept from its heartbeats for motley health. */
class HostChecksTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_700_000_000);
    Store store;

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    static AgentReport.Load beat(HostCheck... checks) {
        return new AgentReport.Load(0.1, 1000, null, null, 0, List.of(checks));
    }

    @Test
    void theLastFindingsOfEachKnownNodeAreKeptAndAHeartbeatWithoutAnyKeepsThem() {
        store = Store.sqlite(dir.resolve("db"));
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=30"), store, now::get);
        c.register(new ClusterTest.FakeLink("n2"), ClusterTest.registration("n2", 2));
        c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
        assertThat(c.hostChecks()).isEmpty();

        HostCheck full = new HostCheck(HostCheck.Level.FAIL, "disk", "spool", "12 MiB free (/s)");
        HostCheck roomy = new HostCheck(HostCheck.Level.OK, "disk", "spool", "5000 MiB free (/s)");
        HostCheck cert = new HostCheck(HostCheck.Level.OK, "certificate", "-", "valid for 80 more days");
        c.heartbeat("n2", beat(full, cert));
        c.heartbeat("n1", beat(roomy));
        assertThat(c.hostChecks()).containsOnlyKeys("n1", "n2");
        assertThat(c.hostChecks().firstKey()).isEqualTo("n1");
        assertThat(c.hostChecks().get("n2")).containsExactly(full, cert);

        // the next heartbeat's findings replace the last; one from an agent that sends none leaves them
        c.heartbeat("n2", beat(roomy));
        c.heartbeat("n1", new AgentReport.Load(0.1, 1000, null, null, 0));
        assertThat(c.hostChecks().get("n2")).containsExactly(roomy);
        assertThat(c.hostChecks().get("n1")).containsExactly(roomy);

        // a node the controller does not know is not reported
        c.heartbeat("stranger", beat(full));
        assertThat(c.hostChecks()).doesNotContainKey("stranger");
    }
}
