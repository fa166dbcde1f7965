package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every built-in job template, submitted with its defaults through `motley template submit`, completes. */
class TemplatesIT {
    @TempDir
    static Path dir;

    static TestCluster c;

    @BeforeAll
    static void start() throws Exception {
        Path smi = dir.resolve("nvidia-smi");
        Files.copy(
                TestCluster.REPO.resolve("agent/src/test/resources/fake-nvidia-smi"),
                smi,
                StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        c = new TestCluster(dir, "RequeueDelay=1\n");
        c.startController();
        c.startAgent("t1", 4, "4000M", Map.of("MOTLEY_NVIDIA_SMI", smi.toString()));
        c.awaitNodesUp("t1");
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    /** motley template submit NAME ... with dist/bin on PATH (the jobs call scontrol): the ids it printed. */
    List<Long> submit(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "env",
                "PATH=" + TestCluster.BIN + ":" + System.getenv("PATH"),
                TestCluster.BIN.resolve("motley").toString(),
                "template",
                "submit"));
        cmd.addAll(List.of(args));
        TestCluster.Run r = c.cmd(cmd.toArray(String[]::new));
        assertThat(r.rc()).as(r.err()).isZero();
        List<Long> ids = new ArrayList<>();
        for (String line : r.lines()) {
            assertThat(line).matches("Submitted batch job [0-9]+");
            ids.add(Long.parseLong(line.substring("Submitted batch job ".length())));
        }
        return ids;
    }

    /** Every record of the job (each array task) in sacct, once all are COMPLETED. */
    void awaitCompleted(long id, int records) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> {
                    List<String> states = c.cmd("sacct", "-j", Long.toString(id), "-X", "-n", "-P", "-o", "State")
                            .lines();
                    assertThat(states).hasSize(records).allMatch(s -> s.equals("COMPLETED"));
                });
    }

    @Test
    void listNamesEveryBuiltIn() {
        TestCluster.Run r = c.cmd(TestCluster.BIN.resolve("motley").toString(), "template", "list");
        assertThat(r.rc()).isZero();
        assertThat(r.lines().stream().map(l -> l.split(" ")[0]))
                .containsExactly("data-pipeline", "hpc-simulation", "ml-training", "param-sweep");
    }

    @Test
    void dataPipelineRunsItsArrayThenTheReduce() throws Exception {
        List<Long> ids = submit("data-pipeline");
        assertThat(ids).hasSize(2);
        awaitCompleted(ids.get(1), 1);
        awaitCompleted(ids.get(0), 4);
        assertThat(Files.readString(c.workFile("pipeline/" + ids.get(0) + "/result")))
                .isEqualTo("total: 100 lines, 200 words\n");
    }

    @Test
    void hpcSimulationRunsItsWorkersAsSrunTasks() throws Exception {
        long id = submit("hpc-simulation").get(0);
        awaitCompleted(id, 1);
        String out = Files.readString(c.workFile("hpc-simulation-" + id + ".out"));
        // one agent here: both tasks on its node, each worker an srun task with its own rank's seed
        assertThat(out)
                .contains("2 workers", "on 1 node(s): t1")
                .containsPattern("pi estimate: 3\\.1[0-9]+ from 400000 samples \\(2 workers reported\\)");
    }

    @Test
    void paramSweepRunsOneTaskARowOfTheExampleCsv() throws Exception {
        long id = submit("param-sweep").get(0);
        awaitCompleted(id, 4);
        assertThat(Files.readString(c.workFile("param-sweep-" + id + "_4.out")))
                .contains("learning_rate=0.01 batch_size=64");
    }

    @Test
    void theJobsGetTheSubmittersUmaskAsWithSbatch() throws Exception {
        // the daemons run with umask 077; a job gets its submitter's (SLURM_UMASK, set by the launcher)
        TestCluster.Run r = c.cmd(
                "bash",
                "-c",
                "umask 002; exec " + TestCluster.BIN.resolve("motley")
                        + " template submit param-sweep --set tasks=1 --set 'command=touch made-by-template'");
        assertThat(r.rc()).as(r.err()).isZero();
        long id = Long.parseLong(r.out().trim().substring("Submitted batch job ".length()));
        awaitCompleted(id, 1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(c.workFile("made-by-template"))))
                .isEqualTo("rw-rw-r--");
    }

    @Test
    void mlTrainingGetsAGpuAndResumesFromItsCheckpointAfterARequeue() throws Exception {
        long id = submit("ml-training").get(0);
        Path out = c.workFile("ml-training-" + id + ".out");
        Path checkpoint = c.workFile("checkpoints/" + id + "/epoch");
        // a requeue from outside (as after the USR1 warning) once a checkpoint exists
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(checkpoint));
        assertThat(c.cmd("scontrol", "requeue", Long.toString(id)).rc()).isZero();
        awaitCompleted(id, 1);
        String text = Files.readString(out);
        assertThat(text)
                .containsPattern("GPUs [01]\n")
                .containsPattern("resuming from checkpoint: epoch [1-5] of 5 \\(restart 1\\)")
                .contains("training finished: 5 epochs")
                // --open-mode=append: the first run's lines are still there
                .containsPattern("(?s)job [0-9]+ on .*resuming from checkpoint");
        assertThat(Files.readString(checkpoint).trim()).isEqualTo("5");
    }
}
