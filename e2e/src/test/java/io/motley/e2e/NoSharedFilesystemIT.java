package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on a node that does not share the submit host's filesystem (docs/files.md), with two
 * agents on one machine: "sub", where jobs are submitted (it owns run/agent.sock), and "far",
 * declared SharedFilesystem=no, where they run. The job runs in a directory of its own on "far";
 * its output appears on the submit side while it runs, written by sub's agent as the submitting
 * user, and reaches it even when sub's agent is down as the job ends.
 */
class NoSharedFilesystemIT {
    @TempDir
    Path dir;

    static final String USER = "motleyfs";

    @Test
    void outputReachesTheSubmitDirectoryAsTheUserWhileTheJobRunsAndAfterTheSubmitAgentReturns() throws Exception {
        assumeTrue(SecurityIT.root(), "writing output as the submitting user needs the agents to run as root");
        assumeTrue(
                new File("/usr/sbin/useradd").canExecute() && new File("/usr/sbin/runuser").canExecute(),
                "useradd and runuser are needed to act as another user (scripts/setup-test-host installs them)");
        SecurityIT.ensureUser(USER);
        // the job's user enters its directory under MOTLEY_HOME, which is in this test's directory
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestCluster c = new TestCluster(dir, "NodeName=far SharedFilesystem=no\n")) {
            c.startController();
            c.startAgent("sub", 1, "1000M");
            c.startAgent("far", 1, "1000M");
            c.awaitNodesUp("sub", "far");
            Path work = SecurityIT.userDir(USER);
            Path go = work.resolve("go");
            TestCluster.Run r = c.cmdIn(
                    work,
                    null,
                    "runuser",
                    "-u",
                    USER,
                    "--",
                    TestCluster.BIN.resolve("sbatch").toString(),
                    "--parsable",
                    "-w",
                    "far",
                    "--wrap",
                    "echo started; pwd; echo \"$SLURM_SUBMIT_DIR\"; while [ ! -e " + go
                            + " ]; do sleep 0.2; done; echo done");
            assertThat(r.rc()).as(r.err()).isZero();
            long id = Long.parseLong(r.out().trim());
            Path out = work.resolve("slurm-" + id + ".out");

            // while it runs, the output is there, the user's, as tail -f would show it
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> Files.exists(out)
                                && Files.readString(out).lines().count() >= 3);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(
                        "no output in " + out + "; job state " + c.state(id) + "\nagent far:\n" + c.log("agent-far")
                                + "\nagent sub:\n" + c.log("agent-sub"),
                        e);
            }
            assertThat(c.state(id)).isEqualTo("RUNNING");
            assertThat(Files.getOwner(out).getName()).isEqualTo(USER);
            Path jobDir = c.home.resolve("work/far/job" + id);
            assertThat(Files.readAllLines(out)).containsExactly("started", jobDir.toString(), work.toString());
            assertThat(Files.getOwner(jobDir).getName()).isEqualTo(USER);

            // the submit host's agent is down as the job ends: the output waits on the node
            c.killAgent("sub");
            new ProcessBuilder("runuser", "-u", USER, "--", "touch", go.toString())
                    .start()
                    .waitFor();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> c.log("agent-far").contains("job ended job=" + id));
            assertThat(Files.readString(out)).doesNotContain("done");
            assertThat(c.home.resolve("spool/far/outbox/job" + id)).exists();
            // motley logs shows it from the node meanwhile (asked through far's agent: sub's is down)
            TestCluster.Run logs = c.cmdIn(
                    work,
                    null,
                    "/usr/bin/env",
                    "MOTLEY_SOCKET=" + c.home.resolve("run/agent-far.sock"),
                    TestCluster.BIN.resolve("motley").toString(),
                    "logs",
                    Long.toString(id));
            assertThat(logs.rc()).as(logs.err()).isZero();
            assertThat(logs.out()).isEqualTo("started\n" + jobDir + "\n" + work + "\ndone\n");

            c.startAgent("sub", 1, "1000M");
            await().atMost(Duration.ofSeconds(40))
                    .untilAsserted(() -> assertThat(Files.readAllLines(out))
                            .containsExactly("started", jobDir.toString(), work.toString(), "done"));
            assertThat(Files.getOwner(out).getName()).isEqualTo(USER);
            c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
            // once delivered, motley logs reads the file where it was written
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !Files.exists(c.home.resolve("spool/far/outbox/job" + id)));
            TestCluster.Run delivered = c.cmdIn(work, null, "motley", "logs", Long.toString(id));
            assertThat(delivered.rc()).as(delivered.err()).isZero();
            assertThat(delivered.out()).isEqualTo("started\n" + jobDir + "\n" + work + "\ndone\n");
            // delivered: nothing of the job is left on the node
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !Files.exists(jobDir) && !Files.exists(c.home.resolve("spool/far/outbox/job" + id)));
            TestCluster.deleteTree(work);
        }
    }

    /**
     * SharedFilesystem=auto (no NodeName line): a job whose submit directory is missing on the node
     * runs there in a directory of its own instead of failing; a refused write on the submit host
     * is the job's Reason in scontrol show job until the write succeeds.
     */
    @Test
    void aMissingSubmitDirectoryOnTheNodeNoLongerFailsTheJob() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("sub", 1, "1000M");
            c.startAgent("far", 1, "1000M");
            c.awaitNodesUp("sub", "far");
            Path submitDir = Files.createDirectories(dir.resolve("submit"));
            long id =
                    c.submit("-H", "-w", "far", "-D", submitDir.toString(), "--wrap", "echo hi from $SLURMD_NODENAME");
            // the directory is missing when the job starts (as on a node that does not have it) and when it ends
            Path away = Files.move(submitDir, dir.resolve("submit.away"));
            assertThat(c.cmd("scontrol", "release", Long.toString(id)).rc()).isZero();
            c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(c.cmd("scontrol", "show", "job", Long.toString(id))
                                    .out())
                            .contains("Reason=Output_not_delivered:_cannot_write_" + submitDir + "/slurm-" + id
                                    + ".out"));
            Files.move(away, submitDir);
            Path out = submitDir.resolve("slurm-" + id + ".out");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.exists(out) && Files.readString(out).equals("hi from far\n"));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(c.cmd("scontrol", "show", "job", Long.toString(id))
                                    .out())
                            .doesNotContain("Output_not_delivered"));
        }
    }
}
