package io.motley.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AotTrainingTest {
    @TempDir
    Path dir;

    @Test
    void everyTrainedCommandGetsPastItsOptionsToTheAgentAndNoneReachesOne() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> failed = AotTraining.train(
                AotTraining.COMMANDS, dir.resolve("agent.sock"), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(failed).isEmpty();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(AotTraining.COMMANDS)
                .extracting(c -> c.get(0))
                .contains("sbatch", "squeue", "sinfo", "scancel", "sacct", "scontrol", "srun");
    }

    @Test
    void aCommandLineItsOptionsRefuseIsReported() {
        List<String> failed = AotTraining.train(
                List.of(List.of("squeue", "--no-such-option"), List.of("sinfo")),
                dir.resolve("agent.sock"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(failed).containsExactly("squeue --no-such-option");
    }

    @Test
    void refusesASocketThatExists() throws Exception {
        Path socket = Files.createFile(dir.resolve("agent.sock"));
        assertThatThrownBy(() -> AotTraining.train(AotTraining.COMMANDS, socket, System.out))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
