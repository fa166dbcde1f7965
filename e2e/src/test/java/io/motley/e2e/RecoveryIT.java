package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.pki.TlsHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crashes and restarts: nothing accepted is lost, nothing runs twice, nodes come and go. */
class RecoveryIT {
    @TempDir
    Path dir;

    @Test
    void controllerKill9LosesNoJobAndRunningJobsFinishRecorded() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.startAgent("n2", 1, "1000M");
            c.awaitNodesUp("n1", "n2");
            Path runs = c.workFile("runs.log");
            Path go = c.workFile("go");
            // each job appends one line when it starts: a job that ran twice would show up twice; the running ones
            // hold their nodes until the test says go (a sleep could end early on a loaded machine)
            String body = "echo $SLURM_JOB_ID >> " + runs + "; while [ ! -e " + go + " ]; do sleep 0.2; done";
            // r1 waits in a step of its own: the step is kept across the restart
            long r1 = c.submit(
                    "--wrap",
                    "echo $SLURM_JOB_ID >> " + runs + "; srun sh -c 'while [ ! -e " + go + " ]; do sleep 0.2; done'");
            long r2 = c.submit("--wrap", body);
            c.awaitState(r1, "RUNNING", Duration.ofSeconds(20));
            c.awaitState(r2, "RUNNING", Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.cmd("squeue", "-s", "-h", "-j", Long.toString(r1))
                            .out()
                            .contains(r1 + ".0"));
            long p1 = c.submit("--wrap", "echo $SLURM_JOB_ID >> " + runs);
            long p2 = c.submit("--wrap", "echo $SLURM_JOB_ID >> " + runs);
            assertThat(c.state(p1)).isEqualTo("PENDING");

            c.killController();
            TestCluster.Run down = c.cmd("squeue");
            assertThat(down.rc()).isEqualTo(1);
            assertThat(down.err())
                    .contains("cannot reach the Motley controller")
                    .contains("motley up");

            c.startController();
            assertThat(c.state(p1)).isEqualTo("PENDING");
            assertThat(c.cmd("squeue", "-s", "-h", "-j", Long.toString(r1)).out())
                    .contains(r1 + ".0");
            Files.writeString(go, "");
            for (long id : new long[] {r1, r2, p1, p2}) c.awaitState(id, "COMPLETED", Duration.ofSeconds(40));
            assertThat(Files.readAllLines(runs))
                    .containsExactlyInAnyOrder(
                            Long.toString(r1), Long.toString(r2), Long.toString(p1), Long.toString(p2));
            TestCluster.Run acct =
                    c.cmd("sacct", "-X", "-n", "-P", "-o", "JobID,State", "-j", r1 + "," + r2 + "," + p1 + "," + p2);
            assertThat(acct.lines())
                    .containsExactly(r1 + "|COMPLETED", r2 + "|COMPLETED", p1 + "|COMPLETED", p2 + "|COMPLETED");
            assertThat(c.cmd("sacct", "-n", "-P", "-o", "JobID,State", "-j", Long.toString(r1))
                            .lines())
                    .containsExactly(r1 + "|COMPLETED", r1 + ".batch|COMPLETED", r1 + ".0|COMPLETED");
        }
    }

    @Test
    void agentRestartAdoptsItsJobsAndNodeTimeoutMarksItDown() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.startAgent("n2", 1, "1000M");
            c.awaitNodesUp("n1", "n2");
            Path runs = c.workFile("runs.log");
            Path go = c.workFile("go");
            long id = c.submit(
                    "--wrap", "echo $SLURMD_NODENAME >> " + runs + "; while [ ! -e " + go + " ]; do sleep 0.2; done");
            c.awaitState(id, "RUNNING", Duration.ofSeconds(20));
            String node = c.cmd("squeue", "-h", "-j", Long.toString(id), "-o", "%N")
                    .out()
                    .trim();

            c.killAgent(node);
            c.startAgent(node, 1, "1000M");
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(c.log("agent-" + node)).contains("adopted running job job=" + id));
            Files.writeString(go, "");
            c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
            assertThat(Files.readAllLines(runs)).containsExactly(node);

            // heartbeats stop: after NodeTimeout (6 s) the node is DOWN with a reason, and back when it returns
            String other = node.equals("n1") ? "n2" : "n1";
            c.killAgent(other);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.cmd("sinfo", "-N", "-h", "-o", "%N %t %E")
                            .lines()
                            .contains(other + " down* Not responding"));
            c.startAgent(other, 1, "1000M");
            c.awaitNodesUp(other);
            assertThat(c.log("controller"))
                    .contains("node down node=" + other)
                    .contains("node back in service node=" + other);
        }
    }

    /**
     * An agent whose certificate another CA issued (it trusts this cluster's CA, so it reaches the
     * controller) is refused, says so, and registers nothing; the controller keeps serving.
     */
    @Test
    void agentWithACertificateOfAnotherCaIsRefusedAndSaysSo() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            Path otherHome = dir.resolve("other");
            TlsHome other = new TlsHome(otherHome);
            other.authority("e2e", Instant.now());
            other.node("intruder", Instant.now());
            Files.delete(other.caKey());
            Files.copy(
                    new TlsHome(c.home).caCertificate(),
                    other.caCertificate(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Process p = new ProcessBuilder(
                            TestCluster.BIN.resolve("motley").toString(),
                            "agent",
                            "--home",
                            otherHome.toString(),
                            "--name",
                            "intruder",
                            "--controller",
                            "127.0.0.1:" + c.port,
                            "--socket",
                            otherHome.resolve("agent.sock").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(otherHome.resolve("agent.out").toFile())
                    .start();
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> c.log("controller").contains("connection refused: TLS handshake failed"));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> Files.readString(otherHome.resolve("agent.out"))
                                .contains("controller refused this agent"));
                assertThat(c.log("controller")).doesNotContain("node=intruder");
                c.startAgent("n1", 1, "500M");
                c.awaitNodesUp("n1");
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }
}
