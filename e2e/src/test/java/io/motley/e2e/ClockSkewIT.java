package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent whose clock is five minutes ahead (injected: namespaces share the kernel's clock) is
 * named by a reason in scontrol, sinfo -R and motley status, keeps running jobs, and a job's time
 * limit on it still ends the job after its limit, neither at once nor five minutes late.
 */
class ClockSkewIT {
    @TempDir
    Path dir;

    @Test
    void aNodeFiveMinutesAheadIsReportedAndItsTimeLimitsStillHold() throws Exception {
        try (TestCluster c = new TestCluster(
                dir, "MaxClockSkew=30\nPartitionName=main Default=YES\nPartitionName=quick DefaultTime=0:03\n")) {
            c.startController();
            c.startAgent("ahead", 1, "1000M", Map.of("MOTLEY_DAEMON_OPTS", "-Dmotley.test.clockOffsetSeconds=300"));
            c.startAgent("right", 1, "1000M");
            c.awaitNodesUp("ahead", "right");

            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() ->
                            c.cmd("scontrol", "show", "node", "ahead").out().contains("Reason=Clock skew 300s ahead"));
            assertThat(c.cmd("scontrol", "show", "node", "ahead").out()).contains("State=IDLE");
            assertThat(c.cmd("sinfo", "-R", "-h", "-o", "%N|%E").out().trim()).isEqualTo("ahead|Clock skew 300s ahead");
            TestCluster.Run status = c.cmd("motley", "status");
            assertThat(status.out()).as(status.err()).contains("node ahead: up, Clock skew 300s ahead");
            assertThat(status.out()).doesNotContain("node right:");

            // the node still takes jobs, and its time limit counts from the job's start, not by its clock
            long id = c.submit("-w", "ahead", "-p", "quick", "--wrap", "sleep 300");
            c.awaitState(id, "TIMEOUT", Duration.ofSeconds(40));
            String elapsed = c.cmd("sacct", "-X", "-n", "-P", "-j", Long.toString(id), "-o", "Elapsed")
                    .out()
                    .trim();
            String[] hms = elapsed.split(":");
            long seconds = Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Long.parseLong(hms[2]);
            // Slurm's tolerance: the limit, plus the kill's delivery; five minutes late would be the agent's clock
            assertThat(seconds).as("Elapsed " + elapsed).isBetween(3L, 30L);
            assertThat(c.cmd("scontrol", "show", "node", "ahead").out()).contains("Reason=Clock skew 300s ahead");
        }
    }
}
