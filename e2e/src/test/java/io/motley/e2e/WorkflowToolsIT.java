package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What workflow tools and Python executors send and expect (issue 11): --signal before the time
 * limit, --open-mode=append, --wckey, an output directory made just after sbatch returns, a
 * finished job leaving `squeue -j`, and sbatch printing nothing but the id line.
 */
class WorkflowToolsIT {
    @TempDir
    Path dir;

    @Test
    void optionsToolsSendAreHonoured() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 2, "2000M");
            c.awaitNodesUp("n1");

            // --signal=B:USR1@58 with a one-minute limit: the batch shell gets USR1 about 2 s in, traps it, ends
            Path trapped = c.workFile("trapped");
            long sig = c.submit(
                    "-t",
                    "1",
                    "--signal=B:USR1@58",
                    "--wrap",
                    "trap 'echo got-usr1 > " + trapped + "; exit 0' USR1; while :; do sleep 0.2; done");
            c.awaitState(sig, "COMPLETED", Duration.ofSeconds(30));
            assertThat(Files.readString(trapped).trim()).isEqualTo("got-usr1");

            // without B: the signal goes to the steps (srun's tasks) and not to the batch shell, which USR1 would kill
            Path stepGot = c.workFile("step-got");
            Path stepScript = c.workFile("step.sh");
            Files.writeString(
                    stepScript,
                    "#!/bin/sh\ntrap 'echo got-usr1 > " + stepGot + "; exit 0' USR1\nwhile :; do sleep 0.2; done\n");
            stepScript.toFile().setExecutable(true);
            long steps = c.submit("-t", "1", "--signal=USR1@58", "--wrap", "srun " + stepScript + "; echo batch-lived");
            c.awaitState(steps, "COMPLETED", Duration.ofSeconds(30));
            assertThat(Files.readString(stepGot).trim()).isEqualTo("got-usr1");
            assertThat(Files.readString(c.workFile("slurm-" + steps + ".out"))).contains("batch-lived");

            // --open-mode=append keeps what the output file held
            Path log = c.workFile("append.log");
            Files.writeString(log, "before\n");
            long app = c.submit("--open-mode=append", "-o", log.toString(), "--wrap", "echo after");
            c.awaitState(app, "COMPLETED", Duration.ofSeconds(30));
            assertThat(Files.readString(log)).isEqualTo("before\nafter\n");

            // --wckey is kept and shown by sacct; %J names the output file by the job id
            long wk = c.submit("--wckey=proj1", "-o", "wk-%J.out", "--wrap", "echo wk");
            c.awaitState(wk, "COMPLETED", Duration.ofSeconds(30));
            assertThat(c.cmd("sacct", "-n", "-X", "-j", Long.toString(wk), "-o", "WCKey%10")
                            .out()
                            .trim())
                    .isEqualTo("proj1");
            assertThat(Files.readString(c.workFile("wk-" + wk + ".out"))).isEqualTo("wk\n");

            // a finished job leaves `squeue -j` (tools poll it until it comes back empty); -t all still shows it
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(wk)).out()).isEmpty();
            assertThat(c.cmd("squeue", "-h", "-t", "all", "-j", Long.toString(wk), "-o", "%T")
                            .out()
                            .trim())
                    .isEqualTo("COMPLETED");

            // the output directory made right after sbatch returns: the job runs
            Path later = c.workFile("later");
            TestCluster.Run sb = c.cmd(
                    "sbatch", "--mail-type=END", "--get-user-env", "-o", later + "/%j.out", "--wrap", "echo late-dir");
            assertThat(sb.rc()).isZero();
            assertThat(sb.out()).matches("Submitted batch job [0-9]+\n");
            assertThat(sb.err()).as("nothing but the id line").isEmpty();
            long late = Long.parseLong(sb.out().replaceAll("[^0-9]", ""));
            Files.createDirectories(later);
            c.awaitState(late, "COMPLETED", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(Files.readString(later.resolve(late + ".out")))
                            .isEqualTo("late-dir\n"));

            // one that never appears fails as in Slurm
            long never = c.submit("-o", c.workFile("never") + "/%j.out", "--wrap", "true");
            c.awaitState(never, "FAILED", Duration.ofSeconds(30));
            assertThat(c.cmd("sacct", "-n", "-X", "-j", Long.toString(never), "-o", "ExitCode")
                            .out()
                            .trim())
                    .isEqualTo("0:53");
        }
    }
}
