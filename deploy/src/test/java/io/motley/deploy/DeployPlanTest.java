package io.motley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployPlanTest {
    static final DeployPlan.Source SOURCE =
            new DeployPlan.Source("10.0.0.1:6917", "/b/motley-bundle.tar.xz", "ab".repeat(32));

    @Test
    void everyHostGetsCheckCopyJoinStartWaitInThatOrder() throws Exception {
        Inventory inv = Inventory.parse(InventoryTest.FULL);
        DeployPlan p = DeployPlan.of(inv, inv.hosts().get(0), SOURCE);
        assertThat(p.steps()).extracting(DeployPlan.Step::kind).containsExactly(DeployPlan.Kind.values());
        DeployPlan.Step join = p.steps().get(2);
        assertThat(join.command()).contains("motley join 10.0.0.1:6917 --token TOKEN --name nas1 --no-start");
        assertThat(join.skipWhen()).isEqualTo("test -s /var/lib/motley/etc/tls/node-nas1.crt");
        DeployPlan.Step copy = p.steps().get(1);
        assertThat(copy.skipWhen()).contains("/opt/motley/.bundle-sha256").contains("ab".repeat(32));
        DeployPlan.Step start = p.steps().get(3);
        assertThat(start.command())
                .contains("service install agent --home /var/lib/motley --controller 10.0.0.1:6917 --name nas1"
                        + " --core-spec 1 --mem-spec 2G --gpus 0,1;")
                .contains("agent --home /var/lib/motley --controller 10.0.0.1:6917 --name nas1 --core-spec 1"
                        + " --mem-spec 2G --gpus 0,1 >")
                .contains("setsid")
                .contains("echo started-directly");
        assertThat(p.steps().get(3).says()).doesNotContain("does not carry");
    }

    @Test
    void dryRunPrintsThePlanConnectsToNothingAndExitsZero(@TempDir Path dir) throws Exception {
        Path inv = dir.resolve("hosts.yaml");
        // addresses of TEST-NET-1: nothing answers there, and a dry run must not try
        Files.writeString(
                inv,
                "controller: 192.0.2.1:6917\nhosts:\n  - host: 192.0.2.2\n    user: root\n    name: n1\n"
                        + "  - host: 192.0.2.3\n    user: root\n    name: n2\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = DeployCommand.run(
                new String[] {inv.toString(), "--dry-run"}, dir.resolve("none.tar.xz"), print(out), print(err));
        assertThat(rc).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains("2 host(s), agents connecting to 192.0.2.1:6917")
                .contains("n1 (root@192.0.2.2:22):")
                .contains("n2 (root@192.0.2.3:22):")
                .contains("(not built: run scripts/bundle first)")
                .contains("wait for node n2 to register");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aBadInventoryIsAnErrorNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path inv = dir.resolve("hosts.yaml");
        Files.writeString(inv, "hosts:\n  - host: a\n    usr: root\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = DeployCommand.run(
                new String[] {inv.toString(), "--dry-run"},
                dir.resolve("b"),
                print(new ByteArrayOutputStream()),
                print(err));
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("motley deploy: error: " + inv + ": line 3: unknown host field 'usr'");
    }

    @Test
    void hostFactsSayWhatIsMissingAndHowToGetIt() {
        HostFacts linux =
                HostFacts.parse("os=Linux\narch=x86_64\ncpus=8\nmem_kb=16384000\ngpus=0\njava=\nsystemd=no\n");
        assertThat(linux.missing()).isEmpty();
        assertThat(linux.cpus()).isEqualTo(8);
        assertThat(linux.memoryMb()).isEqualTo(16000);
        HostFacts pi = HostFacts.parse("os=Linux\narch=aarch64\ncpus=4\njava=17.0.9\n");
        assertThat(pi.missing())
                .get()
                .asString()
                .contains("Java 17.0.9 is too old")
                .contains("apt-get install");
        HostFacts mac = HostFacts.parse("os=Darwin\narch=arm64\njava=\n");
        assertThat(mac.missing())
                .get()
                .asString()
                .contains("no Java on the PATH")
                .contains("brew install");
        assertThat(HostFacts.parse("os=Darwin\narch=arm64\njava=21.0.2\n").missing())
                .isEmpty();
        assertThat(HostFacts.parse("os=Linux\narch=aarch64\njava=1.8.0_392\n").javaFeature())
                .isEqualTo(8);
        assertThat(HostFacts.parse("os=FreeBSD\narch=amd64\n").missing())
                .get()
                .asString()
                .contains("unsupported OS");
    }

    private static PrintStream print(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }
}
