package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore drill (issue 13): a backup taken while jobs run and wait, the controller's home
 * destroyed, restored, and every job still known and finishing.
 */
class BackupIT {
    @TempDir
    Path dir;

    @Test
    void aClusterComesBackFromItsBackupWithEveryJob() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 2, "1000M");
            c.awaitNodesUp("n1");
            Path go = c.workFile("go");
            long running = c.submit("--wrap", "while [ ! -e " + go + " ]; do sleep 0.2; done; echo ran");
            c.awaitState(running, "RUNNING", Duration.ofSeconds(20));
            long waiting = c.submit("-c", "2", "--wrap", "echo waited");
            long held = c.submit("-H", "--wrap", "echo held");

            Path backup = dir.resolve("backup");
            TestCluster.Run b = c.cmd("motley", "backup", "--to", backup.toString());
            assertThat(b.rc()).as(b.err()).isZero();
            assertThat(b.out()).contains("backup of ");

            c.killController();
            TestCluster.deleteTree(c.home.resolve("state"));
            TestCluster.deleteTree(c.home.resolve("etc"));
            TestCluster.Run r = c.cmd("motley", "restore", backup.toString());
            assertThat(r.rc()).as(r.err()).isZero();
            assertThat(r.out()).contains("agents reconnect");

            c.startController();
            c.awaitNodesUp("n1");
            assertThat(c.state(running)).isEqualTo("RUNNING");
            assertThat(c.cmd("squeue", "-h", "-o", "%i %t", "-j", waiting + "," + held)
                            .lines())
                    .containsExactlyInAnyOrder(waiting + " PD", held + " PD");
            Files.writeString(go, "");
            assertThat(c.cmd("scontrol", "release", Long.toString(held)).rc()).isZero();
            c.awaitState(running, "COMPLETED", Duration.ofSeconds(30));
            c.awaitState(waiting, "COMPLETED", Duration.ofSeconds(30));
            c.awaitState(held, "COMPLETED", Duration.ofSeconds(30));
            assertThat(Files.readString(c.workFile("slurm-" + running + ".out")))
                    .isEqualTo("ran\n");
            long next = c.submit("--wrap", "true");
            assertThat(next).as("ids go on from the restored mark").isGreaterThan(held);
        }
    }
}
