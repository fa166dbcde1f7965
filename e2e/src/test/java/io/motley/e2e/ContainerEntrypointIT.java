package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image's entry script (dist/container/motley-entrypoint), run outside a container:
 * the suite cannot count on a Docker engine (scripts/container-test runs the image where one
 * starts). A controller's first start initialises it and keeps the join command, a second does
 * not; an agent without a token is refused with what to set, one with the token joins and runs
 * jobs, and a restart needs no token again.
 */
class ContainerEntrypointIT {
    static final Path ENTRY = TestCluster.REPO.resolve("dist/container/motley-entrypoint");

    @TempDir
    Path dir;

    final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /** A port whose next one (the join port) is free too, as far as one can tell before using them. */
    static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0)) {
                p = s.getLocalPort();
            }
            if (p >= 65000) continue;
            try (ServerSocket next = new ServerSocket(p + 1);
                    ServerSocket http = new ServerSocket(p + 2)) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no two free ports in a row");
    }

    ProcessBuilder entry(Path home, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ENTRY.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("MOTLEY_SOCKET");
        pb.environment().put("MOTLEY_HOME", home.toString());
        pb.environment().put("MOTLEY_BIN", TestCluster.BIN.toString());
        pb.environment()
                .put(
                        "MOTLEY_JAVA",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().putAll(env);
        return pb;
    }

    Process daemon(ProcessBuilder pb, Path log) throws IOException {
        Process p = pb.redirectOutput(log.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        started.add(p);
        return p;
    }

    @Test
    void theControllerInitialisesOnceAndAnAgentJoinsWithItsTokenThenRunsJobs() throws Exception {
        int port = freePortPair();
        Path ctlHome = dir.resolve("controller");
        Path ctlLog = dir.resolve("controller.out");
        Process controller = daemon(
                entry(
                        ctlHome,
                        Map.of(
                                "MOTLEY_ADVERTISE",
                                "127.0.0.1",
                                "MOTLEY_PORT",
                                Integer.toString(port),
                                "MOTLEY_BIND",
                                "127.0.0.1"),
                        "controller"),
                ctlLog);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(ctlHome.resolve("run/controller.port")));
        assertThat(Files.readString(ctlLog)).contains("motley-entrypoint: initialised");
        String join = Files.readString(ctlHome.resolve("join-command")).strip();
        assertThat(join).startsWith("motley join 127.0.0.1:" + port + " --token ");
        String token = join.substring(join.indexOf("--token ") + 8);

        String node = "ent-" + UUID.randomUUID().toString().substring(0, 6);
        Path agentHome = dir.resolve("agent");
        Map<String, String> agentEnv =
                Map.of("MOTLEY_CONTROLLER", "127.0.0.1:" + port, "MOTLEY_NODE_NAME", node, "MOTLEY_JOIN_WAIT", "30");
        TestCluster.Run refused = TestCluster.run(entry(agentHome, agentEnv, "agent"), null);
        assertThat(refused.rc()).isEqualTo(2);
        assertThat(refused.err()).contains("node " + node + " has not joined yet: set MOTLEY_JOIN_TOKEN");

        Map<String, String> withToken = new java.util.HashMap<>(agentEnv);
        withToken.put("MOTLEY_JOIN_TOKEN", token);
        Process agent = daemon(entry(agentHome, withToken, "agent"), dir.resolve("agent.out"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> TestCluster.run(entry(agentHome, Map.of(), "sinfo", "-h", "-N", "-o", "%N %t"), null)
                        .out()
                        .contains(node + " idle"));
        assertThat(Files.readString(dir.resolve("agent.out"))).contains("node " + node + " joined the cluster");

        TestCluster.Run submitted = TestCluster.run(
                entry(agentHome, Map.of(), "sbatch", "--parsable", "--wrap", "echo from the entry script"), null);
        assertThat(submitted.rc()).as(submitted.err()).isZero();
        String id = submitted.out().strip();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> TestCluster.run(
                                entry(agentHome, Map.of(), "sacct", "-n", "-X", "-j", id, "-o", "State"), null)
                        .out()
                        .contains("COMPLETED"));
        assertThat(Files.readString(dir.resolve("slurm-" + id + ".out"))).isEqualTo("from the entry script\n");

        // restarts: the controller keeps its CA and says so, the agent needs no token again
        agent.destroy();
        agent.waitFor();
        controller.destroy();
        controller.waitFor();
        Files.deleteIfExists(ctlHome.resolve("run/controller.port"));
        Path again = dir.resolve("controller-again.out");
        daemon(entry(ctlHome, Map.of("MOTLEY_BIND", "127.0.0.1"), "controller"), again);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(ctlHome.resolve("run/controller.port")));
        assertThat(Files.readString(again)).contains("already initialised").doesNotContain("motley join");
        daemon(entry(agentHome, agentEnv, "agent"), dir.resolve("agent-again.out"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> TestCluster.run(entry(agentHome, Map.of(), "sinfo", "-h", "-N", "-o", "%N %t"), null)
                        .out()
                        .contains(node + " idle"));
    }
}
