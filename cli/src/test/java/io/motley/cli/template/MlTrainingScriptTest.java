package io.motley.cli.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ml-training script's own logic, run by bash outside a cluster: on USR1 (what --signal=B:USR1@60
 * sends) it saves a checkpoint and requeues itself; the next run resumes from that checkpoint.
 */
class MlTrainingScriptTest {
    @TempDir
    Path dir;

    Process start(String epochs) throws Exception {
        JobTemplate t = TemplateLibrary.builtIn("ml-training");
        String script = JobTemplate.render(
                t.scripts().get(0),
                t.values(Map.of(
                        "epochs",
                        epochs,
                        "epoch_seconds",
                        "1",
                        "checkpoint_dir",
                        dir.resolve("ck").toString())),
                Map.of());
        Files.writeString(dir.resolve("job.sh"), script);
        ProcessBuilder pb = new ProcessBuilder(
                        "/bin/bash", dir.resolve("job.sh").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().put("SLURM_JOB_ID", "42");
        pb.environment().put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
        return pb.start();
    }

    @Test
    void usr1SavesACheckpointRequeuesAndTheNextRunResumes() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(
                bin.resolve("scontrol"), "#!/bin/sh\necho \"$@\" >> \"" + dir.resolve("scontrol.args") + "\"\n");
        Files.setPosixFilePermissions(bin.resolve("scontrol"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path checkpoint = dir.resolve("ck/42/epoch");

        Process first = start("1000");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(checkpoint));
        new ProcessBuilder("kill", "-USR1", Long.toString(first.pid())).start().waitFor();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        assertThat(first.exitValue()).as(out).isZero();
        assertThat(Files.readString(dir.resolve("scontrol.args"))).isEqualTo("requeue 42\n");
        String saved = Files.readString(checkpoint).trim();
        assertThat(out).contains("time limit near: checkpoint saved at epoch " + saved + ", requeueing job 42");

        int next = Integer.parseInt(saved) + 1;
        Process second = start(Integer.toString(next));
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String resumed = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        assertThat(resumed)
                .contains("resuming from checkpoint: epoch " + saved + " of " + next)
                .contains("epoch " + next + "/" + next + " done")
                .doesNotContain("epoch 1/" + next + " done")
                .contains("training finished: " + next + " epochs");
        assertThat(Files.readString(checkpoint).trim()).isEqualTo(Integer.toString(next));
    }
}
