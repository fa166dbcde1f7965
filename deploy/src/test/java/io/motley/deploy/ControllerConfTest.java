package io.motley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.config.ClusterConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inventory's node settings written into the controller's motley.conf, once. */
class ControllerConfTest {
    static final String INVENTORY = """
            controller: 10.0.0.1:6917
            hosts:
              - host: nas1.lan
                user: root
                partitions: [batch, gpu]
                features: [nvme, a100]
                CoreSpecCount: 1
              - host: mac1
                user: admin
                partitions: [batch]
              - host: n3
                user: root
            """;

    static List<Inventory.Host> hosts() throws Exception {
        return Inventory.parse(INVENTORY).hosts();
    }

    @Test
    void editsTheLinesThereKeepingTheirOtherKeysAndCommentsAndAddsWhatIsMissing() throws Exception {
        String conf = """
                ClusterName=home
                # the big box
                NodeName=nas1 Weight=5 Features=old   # kept comment
                PartitionName=batch Nodes=n3 Default=YES
                PartitionName=debug Nodes=ALL
                """;
        ControllerConf.Edit e = ControllerConf.apply(conf, hosts());
        assertThat(e.text()).isEqualTo("""
                        ClusterName=home
                        # the big box
                        NodeName=nas1 Weight=5 Features=nvme,a100 CoreSpecCount=1 # kept comment
                        PartitionName=batch Nodes=n3,nas1,mac1 Default=YES
                        PartitionName=debug Nodes=ALL
                        PartitionName=gpu Nodes=nas1
                        """);
        assertThat(e.changes())
                .containsExactly(
                        "NodeName=nas1: Features=nvme,a100 CoreSpecCount=1",
                        "PartitionName=batch: Nodes=+nas1",
                        "added PartitionName=gpu Nodes=nas1",
                        "PartitionName=batch: Nodes=+mac1");
        // what it wrote is what the controller reads
        ClusterConfig parsed = ClusterConfig.parse(e.text());
        assertThat(parsed.partitions()).extracting(p -> p.name()).containsExactly("batch", "debug", "gpu");

        ControllerConf.Edit again = ControllerConf.apply(e.text(), hosts());
        assertThat(again.changed()).as("a second run changes nothing").isFalse();
        assertThat(again.text()).isEqualTo(e.text());
    }

    @Test
    void aFileWithoutPartitionsKeepsItsDefaultPartitionOfAllNodes() throws Exception {
        ControllerConf.Edit e = ControllerConf.apply("ClusterName=home\n", hosts());
        assertThat(e.text()).isEqualTo("""
                        ClusterName=home
                        NodeName=nas1 Features=nvme,a100 CoreSpecCount=1
                        PartitionName=main Nodes=ALL Default=YES
                        PartitionName=batch Nodes=nas1,mac1
                        PartitionName=gpu Nodes=nas1
                        """);
        assertThat(ControllerConf.apply(e.text(), hosts()).changed()).isFalse();
    }

    @Test
    void aNodeInAHostListGetsALineOfItsOwnWithTheListsOtherKeys() throws Exception {
        ControllerConf.Edit e =
                ControllerConf.apply("NodeName=nas[1-2] Weight=3 Users=ann\nPartitionName=main Nodes=ALL\n", hosts());
        assertThat(e.text())
                .contains("NodeName=nas[1-2] Weight=3 Users=ann\n")
                .contains("NodeName=nas1 Weight=3 Users=ann Features=nvme,a100 CoreSpecCount=1\n");
        assertThat(ControllerConf.apply(e.text(), hosts()).changed()).isFalse();
    }

    @Test
    void hostsWithoutNodeSettingsChangeNothing() throws Exception {
        String conf = "ClusterName=home\n";
        assertThat(ControllerConf.apply(conf, List.of(hosts().get(2))).text()).isSameAs(conf);
    }

    @Test
    void theDryRunSaysWhatItWouldWriteAndWritesNothing(@TempDir Path dir) throws Exception {
        Path inv = Files.writeString(dir.resolve("hosts.yaml"), INVENTORY);
        Path conf = dir.resolve("home/etc/motley.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "ClusterName=home\nPartitionName=batch Nodes=ALL\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = DeployCommand.run(
                new String[] {inv.toString(), "--dry-run"},
                dir.resolve("none.tar.xz"),
                dir.resolve("home"),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(rc).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("would get the inventory's node settings:\n")
                .contains("  added NodeName=nas1 Features=nvme,a100 CoreSpecCount=1\n")
                .contains("  added PartitionName=gpu Nodes=nas1\n");
        assertThat(Files.readString(conf)).isEqualTo("ClusterName=home\nPartitionName=batch Nodes=ALL\n");
    }

    @Test
    void theFileIsReplacedWholeKeepingItsPermissions(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("motley.conf"), "ClusterName=a\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r-----"));
        DeployCommand.writeConf(conf, "ClusterName=b\n");
        assertThat(Files.readString(conf)).isEqualTo("ClusterName=b\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)))
                .isEqualTo("rw-r-----");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(conf);
        }
    }
}
