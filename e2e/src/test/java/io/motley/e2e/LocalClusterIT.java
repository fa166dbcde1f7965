package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `motley up --daemon`, idempotent restarts after a crash, `motley down`, `motley env`, `motley logs` of the daemons. */
class LocalClusterIT {
    @TempDir
    Path dir;

    @Test
    void upDaemonWithTwoAgentsRestartsOnlyWhatDiedAndDownStopsAll() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            TestCluster.Run up = c.cmd("motley", "up", "--daemon", "--agents", "2");
            assertThat(up.rc()).as(up.err()).isZero();
            assertThat(up.out()).contains("is up").contains("2 agent(s)").contains("Logs: " + c.home.resolve("log"));
            TestCluster.Run nodes = c.cmd("sinfo", "-N", "-h", "-o", "%N %t");
            assertThat(nodes.lines()).hasSize(2).allMatch(l -> l.endsWith(" idle"));

            // a fresh local cluster is healthy: warnings (containment, certificates) do not fail it
            TestCluster.Run health = c.cmd("motley", "health");
            assertThat(health.rc()).as(health.out() + health.err()).isZero();
            assertThat(health.out())
                    .contains("OK   database")
                    .contains("OK   node")
                    .contains("healthy");
            // and each agent's own findings come with its heartbeats: its spool's free space, its certificate
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(c.cmd("motley", "health").lines())
                            .filteredOn(
                                    l -> l.matches("OK   disk         \\S+:spool \\d+ MiB free \\(.*/spool/\\S+\\)"))
                            .hasSize(2));

            topThroughATerminal(c);
            daemonLogs(c);

            long id = c.submit("--wrap", "sleep 2");
            long pid = Long.parseLong(
                    Files.readString(c.home.resolve("run/controller.pid")).trim());
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            ProcessHandle.of(pid).orElseThrow().onExit().get();

            TestCluster.Run again = c.cmd("motley", "up", "--daemon", "--agents", "2");
            assertThat(again.rc()).as(again.err()).isZero();
            assertThat(again.out()).contains("already running").doesNotContain("controller already running");
            c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));

            TestCluster.Run env = c.cmd("motley", "env");
            assertThat(env.out())
                    .contains("export MOTLEY_HOME='" + c.home + "'")
                    .contains("dist/bin");

            TestCluster.Run down = c.cmd("motley", "down");
            assertThat(down.rc()).isZero();
            assertThat(down.out()).contains("stopped controller").contains("stopped agent-");
            assertThat(Files.exists(c.home.resolve("run/controller.pid"))).isFalse();
            TestCluster.Run sick = c.cmd("motley", "health", "--json");
            assertThat(sick.rc()).as("no controller: a problem").isEqualTo(1);
            assertThat(sick.out()).contains("\"healthy\": false");
            TestCluster.Run after = c.cmd("squeue");
            assertThat(after.rc()).isEqualTo(1);
            assertThat(after.err()).contains("motley up --daemon");
        }
    }

    /**
     * motley logs --controller and --node NAME: each daemon's own log, an agent's read by that
     * agent and sent over its link (so the one asked, not its neighbour); -f shows what comes next.
     */
    private static void daemonLogs(TestCluster c) throws Exception {
        List<String> nodes = c.cmd("sinfo", "-N", "-h", "-o", "%N").lines();
        TestCluster.Run controller = c.cmd("motley", "logs", "--controller");
        assertThat(controller.rc()).as(controller.err()).isZero();
        assertThat(controller.out()).contains("controller started cluster=");

        String asked = nodes.get(1);
        String other = nodes.get(0);
        TestCluster.Run agent = c.cmd("motley", "logs", "--node", asked);
        assertThat(agent.rc()).as(agent.err()).isZero();
        assertThat(agent.out())
                .contains("registered with controller=")
                .contains("node=" + asked + "\n")
                .doesNotContain("node=" + other + "\n")
                .doesNotContain("controller started");

        TestCluster.Run unknown = c.cmd("motley", "logs", "--node", "no-such-node");
        assertThat(unknown.rc()).isEqualTo(1);
        assertThat(unknown.err()).contains("Invalid node name specified");

        Path followed = Files.createTempFile("motley-logs", ".out");
        Process f = c.command("motley", "logs", "--controller", "-f")
                .redirectOutput(followed.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readString(followed).contains("controller started cluster="));
            long id = c.submit("--wrap", "true");
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readString(followed).contains("job submitted job=" + id + " "));
            assertThat(f.isAlive()).as("-f keeps following").isTrue();
        } finally {
            f.destroyForcibly();
            Files.deleteIfExists(followed);
        }
    }

    /** motley top on a pseudo-terminal (script(1) makes one): it draws, and quits on "q". */
    private static void topThroughATerminal(TestCluster c) throws Exception {
        String top = TestCluster.BIN.resolve("motley") + " top -d 0.3";
        ProcessBuilder pb = c.command("script", "-qfec", top, "/dev/null");
        Path out = Files.createTempFile("motley-top", ".out");
        pb.redirectOutput(out.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        try {
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readString(out).contains("JOBID"));
            p.getOutputStream().write('q');
            p.getOutputStream().flush();
            assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS))
                    .as("top quits on q")
                    .isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(Files.readString(out))
                    .contains("\033[H\033[2J")
                    .contains("motley top - ")
                    .contains("NODE")
                    .contains("idle");
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
