package io.motley.cli.slurmconf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.cli.command.Io;
import io.motley.core.config.ClusterConfig;
import io.motley.core.options.UsageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley import as a command: gres.conf beside slurm.conf is read, --out never overwrites, the list goes to stderr. */
class ImportCommandTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) throws Exception {
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                false,
                Map.of(),
                dir.toString(),
                req -> {
                    throw new AssertionError("no cluster call expected");
                },
                0,
                ZoneId.of("UTC"),
                "h",
                "root",
                0);
        return new ImportCommand().run(List.of(args), io);
    }

    @Test
    void writesTheConfWithGresBesideItAndListsTheRestOnStderr() throws Exception {
        Files.writeString(
                dir.resolve("slurm.conf"),
                "ClusterName=lab\nSlurmctldHost=head\nNodeName=g1 CPUs=8 Gres=gpu:2\nPartitionName=p Nodes=g1\n");
        Files.writeString(dir.resolve("gres.conf"), "NodeName=g1 Name=gpu File=/dev/nvidia[0-1]\n");
        assertThat(run("slurm.conf", "--out", "motley.conf")).isZero();
        String conf = Files.readString(dir.resolve("motley.conf"));
        assertThat(ClusterConfig.parse(conf).clusterName()).isEqualTo("lab");
        assertThat(conf).contains("NodeName=g1 CPUs=8\n").contains("--gpus 0,1");
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("wrote " + dir.resolve("motley.conf"));
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("motley import: not carried over (1):\n  SlurmctldHost=head: ");

        assertThatThrownBy(() -> run("slurm.conf", "--out", "motley.conf"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("exists");
        assertThat(Files.readString(dir.resolve("motley.conf"))).isEqualTo(conf);
    }

    @Test
    void withoutOutTheConfGoesToStdout() throws Exception {
        Files.writeString(dir.resolve("slurm.conf"), "ClusterName=lab\n");
        assertThat(run("slurm.conf")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\nClusterName=lab\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aValueMotleyCannotUseIsAnErrorNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("slurm.conf"), "KillWait=soon\n");
        assertThatThrownBy(() -> run("slurm.conf"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("slurm.conf gives a value Motley cannot use");
    }
}
