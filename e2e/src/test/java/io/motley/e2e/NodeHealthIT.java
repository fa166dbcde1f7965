package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operators and health checks drain and resume nodes; a node configured larger than it is turns INVAL. */
class NodeHealthIT {
    @TempDir
    Path dir;

    @Test
    void failingHealthCheckDrainsThePassingOneResumesAndOperatorsCanDrainToo() throws Exception {
        Path flag = dir.resolve("unhealthy");
        Path check = dir.resolve("check.sh");
        Files.writeString(
                check, "#!/bin/sh\nif [ -e " + flag + " ]; then echo \"disk /scratch is full\"; exit 1; fi\nexit 0\n");
        Files.setPosixFilePermissions(check, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestCluster c = new TestCluster(dir, "HealthCheckProgram=" + check + "\nHealthCheckInterval=1\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");

            long running = c.submit("--wrap", "sleep 4");
            c.awaitState(running, "RUNNING", Duration.ofSeconds(20));
            Files.writeString(flag, "");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.cmd("sinfo", "-N", "-h", "-o", "%N %t %E")
                            .out()
                            .trim()
                            .equals("n1 drng Health check failed: disk /scratch is full"));
            long waiting = c.submit("--wrap", "true");
            // the running job finishes on the draining node; the new one does not start there
            c.awaitState(running, "COMPLETED", Duration.ofSeconds(20));
            assertThat(c.state(waiting)).isEqualTo("PENDING");
            Files.delete(flag);
            c.awaitState(waiting, "COMPLETED", Duration.ofSeconds(30));

            TestCluster.Run drain = c.cmd("scontrol", "update", "NodeName=n1", "State=DRAIN", "Reason=swap fan");
            assertThat(drain.rc()).as(drain.err()).isZero();
            assertThat(c.cmd("scontrol", "show", "node", "n1").out())
                    .contains("State=IDLE+DRAIN")
                    .contains("Reason=swap fan");
            // a passing health check does not resume what an operator drained
            long held = c.submit("--wrap", "true");
            await().pollDelay(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> c.state(held).equals("PENDING"));
            assertThat(c.cmd("scontrol", "update", "NodeName=n1", "State=RESUME")
                            .rc())
                    .isZero();
            c.awaitState(held, "COMPLETED", Duration.ofSeconds(30));
            TestCluster.Run noReason = c.cmd("scontrol", "update", "NodeName=n1", "State=DRAIN");
            assertThat(noReason.rc()).isEqualTo(1);
            assertThat(noReason.err()).contains("You must specify a reason");
        }
    }

    @Test
    void aNodeConfiguredAboveItsHardwareIsInvalWithBothNumbers() throws Exception {
        try (TestCluster c = new TestCluster(dir, "NodeName=big CPUs=64\nNodeName=small RealMemory=500\n")) {
            c.startController();
            c.startAgent("big", 1, "1000M");
            c.startAgent("small", 1, "1000M");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> c.cmd("sinfo", "-N", "-h", "-o", "%N %t").out().contains("big inval"));
            TestCluster.Run show = c.cmd("scontrol", "show", "node", "big");
            assertThat(show.out())
                    .contains("State=INVAL")
                    .contains("Configured CPUs=64 but the node has 1")
                    .contains("lower CPUs");
            // configured lower than it has: the configured value is used
            c.awaitNodesUp("small");
            assertThat(c.cmd("sinfo", "-N", "-h", "-n", "small", "-o", "%N %m")
                            .out()
                            .trim())
                    .isEqualTo("small 500");
        }
    }
}
