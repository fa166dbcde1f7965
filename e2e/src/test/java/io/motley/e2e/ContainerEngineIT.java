package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container image in a real Docker engine: scripts/container-test --start-engine starts one of
 * its own (Debian's docker.io, its state in a temporary directory, no bridge, no iptables rules, no
 * published port), builds the image from this checkout with a debootstrap base (kept in
 * /var/cache/motley between runs), runs a controller container and an unprivileged agent container
 * with {@code docker run}, then again with dist/container/compose.yaml and Debian's docker-compose,
 * a job each time, and stops the engine. The script runs once, as root with a fixed environment;
 * each test reads its part of what it printed. ContainerEntrypointIT tests the entry script alone.
 */
class ContainerEngineIT {
    static final Path SCRIPT = TestCluster.REPO.resolve("scripts/container-test");
    static final Pattern ENGINE_DIR = Pattern.compile("engine starting in (/tmp/motley-engine\\.\\S+)");
    static final Pattern SKIP = Pattern.compile("SKIP: (.*)");

    static int rc;
    static String output;
    static String engineDir;
    static List<String> bridgesBefore;

    /** The host's network interfaces a Docker engine would have made (docker0, br-ID). */
    static List<String> dockerBridges() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .map(NetworkInterface::getName)
                .filter(n -> n.equals("docker0") || n.startsWith("br-"))
                .sorted()
                .toList();
    }

    @BeforeAll
    static void runTheScript() throws Exception {
        assumeTrue(SecurityIT.root(), "ContainerEngineIT: starting a Docker engine needs root");
        assumeTrue(
                new File("/usr/sbin/dockerd").canExecute(),
                "ContainerEngineIT: Debian's docker.io is needed (scripts/setup-test-host installs it)");
        bridgesBefore = dockerBridges();
        Path log = Files.createTempFile("motley-container-test", ".log");
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), "--start-engine")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("HOME", "/root");
        pb.environment().put("LANG", "C.UTF-8");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home")); // scripts/bundle's jlink
        Process p = pb.start();
        try {
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroy(); // SIGTERM: the script stops its engine on the way out
                if (!p.waitFor(90, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            }
            rc = p.exitValue();
        } finally {
            output = Files.readString(log);
            Files.delete(log);
            System.out.print(output);
            Matcher m = ENGINE_DIR.matcher(output);
            engineDir = m.find() ? m.group(1) : null;
            if (engineDir != null && Files.exists(Path.of(engineDir))) {
                // killed before it could clean up: what it left is stopped here, and the test below fails
                TestCluster.run(new ProcessBuilder(SCRIPT.toString(), "--stop-engine", engineDir), null, 120);
            }
        }
        Matcher skip = SKIP.matcher(output);
        if (rc == 77 && skip.find()) abort("ContainerEngineIT: " + skip.group(1));
    }

    @Test
    void theImageRunsAControllerAndAnUnprivilegedAgentThatRunsAJob() {
        assertThat(output)
                .containsPattern("engine up: \\S+, storage \\S+, cgroup v[12]")
                .containsPattern("base motley-base:bookworm (from the cache|made with debootstrap)")
                .containsPattern("image built: [0-9a-f]{12}, \\d+ MB")
                .contains("run: controller up; join token ")
                .contains("agent up: box1 idle")
                .containsPattern("job \\d+ COMPLETED, its output: hello from the container\\|root\\|")
                // no cgroup tree to write in an unprivileged container: the agent says it only tracks processes
                .containsPattern("containment as motley health reports it: WARN containment +box1 +process: ")
                .contains("run: PASSED");
    }

    @Test
    void theComposeFileBringsUpTheSamePairWithoutABridgeAndDownLeavesNothing() {
        Matcher skipped = Pattern.compile("compose: SKIP: (.*)").matcher(output);
        if (skipped.find()) abort("ContainerEngineIT: " + skipped.group(1));
        assertThat(output)
                .containsPattern("compose: controller up \\(docker-compose version [0-9.]+\\); join token ")
                .contains("agent up: box2 idle")
                .containsPattern("containment as motley health reports it: WARN containment +box2 +process: ")
                .contains("compose: PASSED (down: no container or volume left)")
                .contains("] PASSED\n");
        assertThat(rc).as(output).isZero();
    }

    @Test
    void theEngineIsStoppedWithNothingLeftRunningOrMountedAndTheHostsNetworkAsItWas() throws IOException {
        assertThat(engineDir).as(output).isNotNull();
        assertThat(output).contains("engine stopped, " + engineDir + " removed");
        assertThat(Path.of(engineDir)).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(engineDir);
        String ns = Path.of(engineDir).getFileName().toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            assertThat(procs.filter(d -> d.getFileName().toString().matches("\\d+"))
                            .filter(d -> {
                                try {
                                    return new String(Files.readAllBytes(d.resolve("cmdline"))).contains(ns);
                                } catch (IOException gone) {
                                    return false;
                                }
                            })
                            .toList())
                    .as("processes naming the engine")
                    .isEmpty();
        }
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            assertThat(Stream.concat(Stream.of(Path.of("/sys/fs/cgroup")), controllers) // v2, v1
                            .map(c -> c.resolve(ns))
                            .filter(Files::exists)
                            .toList())
                    .as("the engine's cgroups")
                    .isEmpty();
        }
        assertThat(dockerBridges()).as("bridges").isEqualTo(bridgesBefore);
    }
}
