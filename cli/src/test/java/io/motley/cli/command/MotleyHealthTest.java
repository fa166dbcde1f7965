package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MotleyHealthTest {
    @TempDir
    Path home;

    static Node contained(Node n, String containment) {
        return new Node(
                n.name(),
                n.address(),
                n.cpus(),
                n.memMiB(),
                n.sockets(),
                n.coresPerSocket(),
                n.threadsPerCore(),
                n.arch(),
                n.os(),
                n.state(),
                n.reason(),
                n.reasonTime(),
                n.allocCpus(),
                n.allocMemMiB(),
                n.freeMemMiB(),
                n.cpuLoad(),
                n.bootTime(),
                n.agentStartTime(),
                MotleyHealth.AGENT_VERSION,
                n.features(),
                n.gpus(),
                containment,
                n.jobUser(),
                n.gpuUsage(),
                n.notResponding());
    }

    Result health(FakeCluster c, String... args) throws Exception {
        Files.createDirectories(home.resolve("state"));
        return Fixtures.run(
                new MotleyHealth(), c, 1_000_000, 0, "root", "", Map.of("MOTLEY_HOME", home.toString()), args);
    }

    FakeCluster up() {
        FakeCluster c = new FakeCluster();
        c.canned.put(
                Ops.PING,
                Frame.op(Ops.OK).put("host", "ctl1").put("cluster", "home").put("database", "ok"));
        c.canned.put(Ops.HOST_CHECKS, Frame.op(Ops.OK));
        return c;
    }

    @Test
    void eachNodesOwnDiskAndCertificateAreCheckedWhereTheNodeIs() throws Exception {
        FakeCluster c = up().nodes(
                        contained(Fixtures.node("n1", 2, 2000), "cgroup v2"),
                        contained(Fixtures.node("nas", 2, 2000), "cgroup v2"));
        c.canned.put(
                Ops.HOST_CHECKS,
                io.motley.protocol.Messages.encode(new io.motley.protocol.Message.HostChecks(new java.util.TreeMap<>(
                        Map.of(
                                "n1",
                                java.util.List.of(
                                        new io.motley.protocol.HostCheck(
                                                io.motley.protocol.HostCheck.Level.OK,
                                                "disk",
                                                "spool",
                                                "5000 MiB free (/var/lib/motley/spool/n1)"),
                                        new io.motley.protocol.HostCheck(
                                                io.motley.protocol.HostCheck.Level.OK,
                                                "certificate",
                                                "-",
                                                "valid for 80 more days")),
                                "nas",
                                java.util.List.of(new io.motley.protocol.HostCheck(
                                        io.motley.protocol.HostCheck.Level.FAIL,
                                        "disk",
                                        "work",
                                        "12 MiB free (/share/motley/work/nas)")))))));
        Result r = health(c);
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out())
                .contains("OK   disk         n1:spool   5000 MiB free (/var/lib/motley/spool/n1)\n")
                .contains("OK   certificate  n1         valid for 80 more days\n")
                .contains("FAIL disk         nas:work   12 MiB free (/share/motley/work/nas)\n")
                .endsWith("1 problem, 1 warning\n");
    }

    @Test
    void aControllerThatCannotTellTheNodesOwnChecksIsAWarningOnly() throws Exception {
        FakeCluster c = up().nodes(contained(Fixtures.node("n1", 2, 2000), "cgroup v2"));
        c.canned.remove(Ops.HOST_CHECKS);
        Result r = health(c);
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("WARN node-checks  -          not available: ");
    }

    @Test
    void aFreshLocalClusterIsHealthyWithItsWarningsShown() throws Exception {
        FakeCluster c = up().nodes(contained(Fixtures.node("n1", 2, 2000), "process"));
        Result r = health(c);
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out())
                .contains("OK   controller   ctl1       reachable, cluster home")
                .contains("OK   database")
                .contains("OK   node         n1         up, 2 CPUs, 2000 MiB")
                .contains(
                        "WARN containment  n1         process: jobs are tracked but their memory and CPUs are not enforced")
                .contains("WARN certificate")
                .contains("OK   disk         state")
                .endsWith("healthy (2 warnings)\n");
    }

    @Test
    void aDownNodeOrAnUnusableDatabaseFailsIt() throws Exception {
        FakeCluster c = up().nodes(
                        contained(Fixtures.node("n1", 2, 2000), "cgroup v2"),
                        contained(Fixtures.node("n2", 2, 2000), "cgroup v2")
                                .withState(NodeState.DOWN, "Not responding", 5),
                        contained(Fixtures.node("n3", 2, 2000), "cgroup v2")
                                .withState(NodeState.DRAIN, "disk check", 5));
        c.canned.put(Ops.PING, Frame.op(Ops.OK).put("host", "ctl1").put("database", "the file was deleted"));
        Result r = health(c);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out())
                .contains("FAIL database     -          the file was deleted")
                .contains("FAIL node         n2         down: Not responding")
                .contains("WARN node         n3         drained: disk check")
                .contains("OK   containment  n1         cgroup v2")
                .endsWith("2 problems, 2 warnings\n");

        Result json = health(c, "--json");
        assertThat(json.code()).isEqualTo(1);
        assertThat(json.out())
                .startsWith("{\n")
                .contains("\"healthy\": false")
                .contains("\"level\": \"fail\"")
                .contains("\"subject\": \"n2\"");
    }

    @Test
    void anUnreachableControllerFails() throws Exception {
        FakeCluster c = new FakeCluster();
        c.canned.put(Ops.PING, Frame.error("the controller at 127.0.0.1:6917 cannot be reached"));
        Result r = health(c);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL controller");
    }

    /** A self-signed certificate valid for {@code days}, made by the JDK's keytool. */
    static void certificate(Path into, String alias, int days) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = into.resolveSibling(alias + ".p12");
        for (String[] cmd : new String[][] {
            {
                keytool.toString(),
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-dname",
                "CN=" + alias,
                "-validity",
                Integer.toString(days),
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit"
            },
            {
                keytool.toString(),
                "-exportcert",
                "-rfc",
                "-alias",
                alias,
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-file",
                into.toString()
            }
        }) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
        }
        Files.delete(store);
    }

    @Test
    void certificatesNearTheirEndWarnAndExpiredOnesFail() throws Exception {
        Path tls = Files.createDirectories(home.resolve("etc/tls"));
        certificate(tls.resolve("controller.crt"), "controller", 400);
        certificate(tls.resolve("node-n1.crt"), "n1", 10);
        long now = System.currentTimeMillis() / 1000;
        assertThat(MotleyHealth.certificates(tls, now))
                .extracting(io.motley.protocol.HostCheck::level, io.motley.protocol.HostCheck::subject)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(io.motley.protocol.HostCheck.Level.OK, "controller.crt"),
                        org.assertj.core.groups.Tuple.tuple(io.motley.protocol.HostCheck.Level.WARN, "node-n1.crt"));
        assertThat(MotleyHealth.certificates(tls, now + 11 * 86400))
                .extracting(io.motley.protocol.HostCheck::level)
                .containsExactly(io.motley.protocol.HostCheck.Level.OK, io.motley.protocol.HostCheck.Level.FAIL);
        assertThat(MotleyHealth.certificates(tls, now + 11 * 86400).get(1).message())
                .startsWith("expired ");
    }
}
