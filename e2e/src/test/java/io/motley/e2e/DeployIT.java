package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.e2e.TestCluster.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code motley deploy} against real sshd (Debian's openssh-server) in the test bed's hosts: the
 * deploy runs in the controller's host, as an operator would run it, and reaches the others over
 * SSH. Three hosts are deployed while a fourth (no sshd) is reported unreachable; a job runs on
 * each; a second run changes nothing. Prints the wall time of the first deploy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class DeployIT {
    private static final String TAG = Long.toString(ProcessHandle.current().pid() % 100_000);
    private static final String CTL = "dc" + TAG;
    private static final List<String> HOSTS = List.of("da" + TAG, "db" + TAG, "dd" + TAG);
    private static final String DOWN = "dx" + TAG;
    private static TestBed bed;

    @BeforeAll
    static void up() throws Exception {
        TestBed.unavailable().ifPresent(why -> org.junit.jupiter.api.Assumptions.abort("DeployIT: " + why));
        if (!Files.isExecutable(Path.of("/usr/sbin/sshd")))
            org.junit.jupiter.api.Assumptions.abort("DeployIT: /usr/sbin/sshd is missing: run scripts/setup-test-host");
        List<String> all = new java.util.ArrayList<>(HOSTS);
        all.add(DOWN);
        bed = new TestBed("dp" + TAG, CTL, all, "NodeTimeout=8\n");
        bed.init();
        bed.startController();
        // the operator's key, in the controller host's /root/.ssh
        Path ctlSsh = Files.createDirectories(bed.dir(CTL).resolve("root/.ssh"));
        Run keygen = bed.cmd(CTL, "/usr/bin/ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", "/root/.ssh/id_ecdsa");
        assertThat(keygen.rc()).as(keygen.err()).isZero();
        String pub = Files.readString(ctlSsh.resolve("id_ecdsa.pub"));
        Files.createDirectories(Path.of("/run/sshd"));
        for (String h : HOSTS) {
            Path root = bed.dir(h).resolve("root");
            Files.createDirectories(root.resolve(".ssh"));
            Files.writeString(root.resolve(".ssh/authorized_keys"), pub);
            Files.writeString(
                    root.resolve("sshd_config"),
                    String.join(
                            "\n",
                            "ListenAddress " + bed.address(h),
                            "HostKey /root/ssh_host_ecdsa_key",
                            "PidFile /root/sshd.pid",
                            "PermitRootLogin prohibit-password",
                            "PasswordAuthentication no",
                            "KbdInteractiveAuthentication no",
                            "UsePAM no",
                            "StrictModes no",
                            "AuthorizedKeysFile /root/.ssh/authorized_keys",
                            ""));
            Run hk = bed.cmd(h, "/usr/bin/ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", "/root/ssh_host_ecdsa_key");
            assertThat(hk.rc()).as(hk.err()).isZero();
            // sshd forks into the background in the host's namespaces; `testbed down` ends it
            Run sshd = bed.cmd(h, "/usr/sbin/sshd", "-f", "/root/sshd_config", "-E", "/var/lib/motley/log/sshd.log");
            assertThat(sshd.rc()).as(sshd.err()).isZero();
        }
        // a bundle without a Java runtime (the bed's hosts share the machine's JDK): quicker to make than
        // scripts/bundle's; dist/target/bin holds the native client the commands in dist/bin link to
        Path staging = Files.createDirectories(bed.dir(CTL).resolve("tmp/bundle/motley"));
        Run pack = TestCluster.run(
                new ProcessBuilder(
                                "bash",
                                "-c",
                                "set -e; s=" + staging + "; mkdir -p $s/dist/target $s/scripts;"
                                        + " cp -a dist/bin dist/conf $s/dist/; cp -a dist/target/lib dist/target/bin $s/dist/target/;"
                                        + " cp scripts/find-java.sh $s/scripts/;"
                                        + " tar -C $s/.. -cf - motley | xz -0 -T2 > "
                                        + bed.dir(CTL).resolve("root/bundle.tar.xz"))
                        .directory(TestCluster.REPO.toFile()),
                null);
        assertThat(pack.rc()).as(pack.err()).isZero();
        StringBuilder inv = new StringBuilder(
                "controller: " + bed.address(CTL) + ":" + TestBed.PORT + "\ndir: /var/lib/motley/opt\nhosts:\n");
        for (String h : HOSTS)
            inv.append("  - host: ")
                    .append(bed.address(h))
                    .append("\n    user: root\n    name: ")
                    .append(h)
                    .append("\n    cpus: 1\n    memory: 300M\n")
                    // the first host's node settings go into the controller's motley.conf
                    .append(h.equals(HOSTS.get(0)) ? "    features: [nvme]\n    partitions: [fast]\n" : "");
        inv.append("  - host: ")
                .append(bed.address(DOWN))
                .append("\n    user: root\n    name: ")
                .append(DOWN)
                .append('\n');
        Files.writeString(bed.dir(CTL).resolve("root/hosts.yaml"), inv.toString());
    }

    @AfterAll
    static void down() throws Exception {
        if (bed != null) bed.close();
    }

    private static Run deploy() {
        return bed.cmd(CTL, "motley", "deploy", "/root/hosts.yaml", "--bundle", "/root/bundle.tar.xz");
    }

    @Test
    @Order(1)
    void deploysThreeHostsAndReportsTheUnreachableOne() throws Exception {
        long start = System.nanoTime();
        Run r = deploy();
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println(r.out());
        System.out.println("DeployIT: motley deploy of three hosts (and one unreachable) took " + millis
                + " ms (wall, in the controller's host, over sshd)");
        assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("3 deployed or changed, 0 already deployed (nothing changed), 1 failed")
                .containsPattern(
                        DOWN + " +" + java.util.regex.Pattern.quote(bed.address(DOWN)) + " .*FAILED: cannot connect")
                .contains("agent started directly");
        for (String h : HOSTS) {
            assertThat(r.out())
                    .containsPattern(h + " +.*Linux/x86_64 .*IDLE \\(bundle copied, joined, agent started\\)");
            assertThat(Files.exists(bed.home(h).resolve("etc/tls/node-" + h + ".crt")))
                    .isTrue();
        }
        String first = HOSTS.get(0);
        assertThat(r.out())
                .contains("wrote the inventory's node settings into /var/lib/motley/etc/motley.conf:")
                .contains("added NodeName=" + first + " Features=nvme")
                .contains("added PartitionName=fast Nodes=" + first);
        assertThat(Files.readString(bed.home(CTL).resolve("etc/motley.conf")))
                .contains("\nNodeName=" + first + " Features=nvme\n")
                .contains("\nPartitionName=main Nodes=ALL Default=YES\nPartitionName=fast Nodes=" + first + "\n");
    }

    @Test
    @Order(2)
    void aJobRunsOnEachDeployedHost() {
        for (String h : HOSTS) {
            long id = bed.submit(HOSTS.get(0), "-w", h, "--wrap", "hostname");
            bed.awaitState(HOSTS.get(0), id, "COMPLETED", Duration.ofSeconds(60));
        }
    }

    /**
     * motley logs --node from another host: the deployed agent logs to its standard output, a file
     * (log/agent.out), which it serves over its link to the controller.
     */
    @Test
    @Order(2)
    void anAgentsLogIsReadFromAnotherHost() {
        String from = HOSTS.get(0);
        String node = HOSTS.get(1);
        Run r = bed.cmd(from, "motley", "logs", "--node", node);
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).contains("registered with controller=").contains("node=" + node);
    }

    @Test
    @Order(3)
    void aSecondRunChangesNothingAndSaysSo() throws Exception {
        String conf = Files.readString(bed.home(CTL).resolve("etc/motley.conf"));
        Run r = deploy();
        assertThat(r.out()).doesNotContain("wrote the inventory's node settings");
        assertThat(Files.readString(bed.home(CTL).resolve("etc/motley.conf"))).isEqualTo(conf);
        assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("0 deployed or changed, 3 already deployed (nothing changed), 1 failed")
                .contains("copy: the bundle is there (same checksum)")
                .contains("join: already joined")
                .contains("start: the agent already runs");
        for (String h : HOSTS) assertThat(r.out()).containsPattern(h + " +.*IDLE \\(unchanged\\)");
    }

    @Test
    @Order(4)
    void removeDrainsTheNodeStopsItsAgentAndRevokesIt() throws Exception {
        String gone = HOSTS.get(2);
        Run r = bed.cmd(CTL, "motley", "deploy", "/root/hosts.yaml", "--remove", gone);
        assertThat(r.rc()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains(gone + ": draining")
                .contains(gone + ": drained, no jobs left")
                .contains(gone + ": certificates revoked");
        assertThat(Files.exists(bed.home(gone).resolve("etc/tls/node-" + gone + ".crt")))
                .isFalse();
        assertThat(Files.readString(bed.home(CTL).resolve("etc/tls/revoked"))).contains(gone);
        // the agent was sent its stop; its JVM takes a moment to exit
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> {
                    Run agents = bed.cmd(
                            CTL, "/usr/bin/pgrep", "-f", "io.motley.agent.AgentMain .*--name " + gone + "( |$)");
                    assertThat(agents.rc())
                            .as("no agent of " + gone + " left: " + agents.out())
                            .isEqualTo(1);
                });
    }
}
