package io.motley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployerTest {

    /** A host as the deploy changes it: the bundle's checksum, its certificate, its agent. */
    static class FakeHost implements Remote {
        String sha;
        boolean joined;
        boolean running;
        String os = "Linux";
        String arch = "x86_64";
        String java = "";
        final List<String> commands = new ArrayList<>();

        @Override
        public Result run(String command, InputStream stdin) throws IOException {
            commands.add(command);
            if (command.equals(DeployPlan.PROBE))
                return ok("os=" + os + "\narch=" + arch + "\ncpus=4\nmem_kb=8192000\ngpus=0\njava=" + java
                        + "\nsystemd=no\ncgroup2=yes\n");
            if (command.startsWith("test \"$(cat")) return status(sha != null && command.endsWith("= " + sha));
            if (command.startsWith("mkdir -p /opt/motley && tar")) {
                byte[] bytes = stdin.readAllBytes();
                sha = command.replaceAll(".*echo (\\S+) > .*", "$1");
                return bytes.length > 0 ? ok("") : new Result(2, "", "tar: empty");
            }
            if (command.startsWith("test -s")) return status(joined);
            if (command.contains(" join ")) {
                if (command.contains("--token TOKEN")) return new Result(1, "", "no token");
                joined = true;
                return ok("joined");
            }
            if (command.startsWith("pgrep")) return status(running);
            if (command.contains("/dist/bin/scontrol show node"))
                return running ? ok("NodeName=x Arch=x86_64\n   State=IDLE ThreadsPerCore=1\n") : status(false);
            if (command.startsWith("if test -d /run/systemd/system")) {
                running = true;
                return ok("started-directly\n");
            }
            return new Result(127, "", "unexpected: " + command);
        }

        private static Result ok(String out) {
            return new Result(0, out, "");
        }

        private static Result status(boolean ok) {
            return new Result(ok ? 0 : 1, "", "");
        }

        @Override
        public void close() {}
    }

    final Map<String, FakeHost> hosts = new HashMap<>();
    final AtomicInteger tokens = new AtomicInteger();
    final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    Deployer deployer(Path bundle) {
        AtomicLong clock = new AtomicLong();
        return new Deployer(
                h -> {
                    FakeHost f = hosts.get(h.host());
                    if (f == null) throw new IOException("cannot connect to " + h.host() + ":22: No route to host");
                    return f;
                },
                bundle,
                () -> "tok" + tokens.incrementAndGet() + ".secret.pin",
                new PrintStream(progress, true, StandardCharsets.UTF_8),
                () -> clock.addAndGet(100),
                Duration.ofSeconds(5),
                () -> {});
    }

    static List<DeployPlan> plans(String inventory) throws Exception {
        Inventory inv = Inventory.parse(inventory);
        DeployPlan.Source src = new DeployPlan.Source("10.0.0.1:6917", "b.tar.xz", "cafe".repeat(16));
        return inv.hosts().stream().map(h -> DeployPlan.of(inv, h, src)).toList();
    }

    static final String THREE =
            "hosts:\n- host: n1\n  user: root\n- host: n2\n  user: root\n- host: n3\n  user: root\n";

    @Test
    void deploysEveryHostThenASecondRunChangesNothingAndSaysSo(@TempDir Path dir) throws Exception {
        Path bundle = Files.write(dir.resolve("b.tar.xz"), new byte[] {1, 2, 3});
        for (String n : List.of("n1", "n2", "n3")) hosts.put(n, new FakeHost());
        List<Deployer.Outcome> first = deployer(bundle).deploy(plans(THREE));
        assertThat(first).allMatch(Deployer.Outcome::ok);
        assertThat(first)
                .allSatisfy(o -> assertThat(o.changed()).containsExactly("bundle copied", "joined", "agent started"));
        assertThat(first.get(0).notes()).singleElement().asString().contains("started directly");
        assertThat(tokens).as("one token for the whole run").hasValue(1);
        assertThat(hosts.get("n2").commands).anyMatch(c -> c.contains("--token tok1.secret.pin --name n2"));

        List<Deployer.Outcome> second = deployer(bundle).deploy(plans(THREE));
        assertThat(second).allMatch(o -> o.ok() && o.changed().isEmpty());
        assertThat(tokens).as("no token when nobody joins").hasValue(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(DeployCommand.report(second, 1234, new PrintStream(out, true, StandardCharsets.UTF_8)))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("0 deployed or changed, 3 already deployed (nothing changed), 0 failed")
                .contains("Nothing to do")
                .contains("IDLE (unchanged)");
    }

    @Test
    void anUnreachableHostIsReportedAndTheOthersAreDeployed(@TempDir Path dir) throws Exception {
        Path bundle = Files.write(dir.resolve("b.tar.xz"), new byte[] {1});
        hosts.put("n1", new FakeHost());
        hosts.put("n3", new FakeHost());
        List<Deployer.Outcome> outcomes = deployer(bundle).deploy(plans(THREE));
        assertThat(outcomes).extracting(Deployer.Outcome::ok).containsExactly(true, false, true);
        assertThat(outcomes.get(1).state()).contains("cannot connect to n2:22");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(DeployCommand.report(outcomes, 1000, new PrintStream(out, true, StandardCharsets.UTF_8)))
                .isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("2 deployed or changed, 0 already deployed (nothing changed), 1 failed")
                .containsPattern("n2 +n2 +- .*FAILED: cannot connect");
    }

    @Test
    void aRunThatFailedHalfWayIsResumedWhereItStopped(@TempDir Path dir) throws Exception {
        Path bundle = Files.write(dir.resolve("b.tar.xz"), new byte[] {1});
        FakeHost n1 = new FakeHost();
        n1.sha = "cafe".repeat(16); // copied by the run that failed
        hosts.put("n1", n1);
        List<Deployer.Outcome> outcomes = deployer(bundle).deploy(plans("hosts:\n- host: n1\n  user: root\n"));
        assertThat(outcomes.get(0).changed()).containsExactly("joined", "agent started");
        assertThat(n1.commands).noneMatch(c -> c.contains("tar -C"));
    }

    @Test
    void aHostWithoutJavaIsToldHowToGetItAndNothingIsCopied(@TempDir Path dir) throws Exception {
        Path bundle = Files.write(dir.resolve("b.tar.xz"), new byte[] {1});
        FakeHost mac = new FakeHost();
        mac.os = "Darwin";
        mac.arch = "arm64";
        hosts.put("n1", mac);
        Deployer.Outcome o = deployer(bundle)
                .deploy(plans("hosts:\n- host: n1\n  user: root\n"))
                .get(0);
        assertThat(o.ok()).isFalse();
        assertThat(o.state()).contains("no Java on the PATH").contains("brew install");
        assertThat(mac.commands).containsExactly(DeployPlan.PROBE);
    }

    @Test
    void aNodeThatNeverRegistersFailsAfterTheTimeout(@TempDir Path dir) throws Exception {
        Path bundle = Files.write(dir.resolve("b.tar.xz"), new byte[] {1});
        FakeHost n1 = new FakeHost() {
            @Override
            public Result run(String command, InputStream stdin) throws IOException {
                Result r = super.run(command, stdin);
                running = false; // the agent dies at once
                return r;
            }
        };
        hosts.put("n1", n1);
        Deployer.Outcome o = deployer(bundle)
                .deploy(plans("hosts:\n- host: n1\n  user: root\n"))
                .get(0);
        assertThat(o.ok()).isFalse();
        assertThat(o.state()).isEqualTo("node did not register within 5 s");
    }
}
