package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** srun inside a batch job: steps with their tasks, exit codes and signals, scancel of one step, sacct's step rows. */
class StepsIT {
    @TempDir
    Path dir;

    @Test
    void stepsRunInsideTheJobAndSacctListsThemWithTheirOwnEnds() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 2, "1000M");
            c.awaitNodesUp("n1");
            Path script = c.work.resolve("steps.sh");
            Files.writeString(script, """
                    #!/bin/sh
                    #SBATCH -n 2
                    #SBATCH -o steps-%j.out
                    echo "srun=$(command -v srun)"
                    srun -n 2 -l sh -c 'echo "task $SLURM_PROCID of $SLURM_NTASKS step $SLURM_STEP_ID on $SLURMD_NODENAME"'
                    # without -n a step has the job's task count, as in Slurm
                    srun sh -c 'exit 3'; echo "rc=$?"
                    srun sh -c 'kill -9 $$'; echo "rc=$?"
                    srun -n 3 true; echo "rc=$?"
                    """);
            long id = c.submit(script.toString());
            c.awaitState(id, "COMPLETED", Duration.ofSeconds(60));
            String out = Files.readString(c.workFile("steps-" + id + ".out"));
            assertThat(out)
                    .contains("srun=" + TestCluster.BIN.resolve("srun") + "\n")
                    .contains("0: task 0 of 2 step 0 on n1\n")
                    .contains("1: task 1 of 2 step 0 on n1\n")
                    .contains("srun: error: n1: tasks 0-1: Exited with exit code 3\nrc=3\n")
                    .contains("srun: error: n1: tasks 0-1: Killed\nrc=137\n")
                    .contains("srun: error: Unable to create step for job " + id
                            + ": More processors requested than permitted\nrc=1\n");
            TestCluster.Run sacct =
                    c.cmd("sacct", "-j", Long.toString(id), "-P", "-n", "-o", "JobID,JobName,State,ExitCode");
            assertThat(sacct.lines())
                    .containsExactly(
                            id + "|steps.sh|COMPLETED|0:0",
                            id + ".batch|batch|COMPLETED|0:0",
                            id + ".0|sh|COMPLETED|0:0",
                            id + ".1|sh|FAILED|3:0",
                            id + ".2|sh|FAILED|0:9");
            assertThat(c.cmd("sacct", "-j", Long.toString(id), "-X", "-P", "-n", "-o", "JobID")
                            .lines())
                    .containsExactly(Long.toString(id));
        }
    }

    @Test
    void scancelOfOneStepEndsItsTasksAndTheJobGoesOn() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 2, "1000M");
            c.awaitNodesUp("n1");
            long id =
                    c.submit("-o", "cancel-%j.out", "--wrap", "srun sleep 300; echo \"rc=$?\"; srun true; echo after");
            String step = id + ".0";
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> c.cmd("sacct", "-j", step, "-P", "-n", "-o", "JobID,State")
                            .out()
                            .contains(step + "|RUNNING"));
            TestCluster.Run cancel = c.cmd("scancel", step);
            assertThat(cancel.rc()).as(cancel.err()).isZero();
            c.awaitState(id, "COMPLETED", Duration.ofSeconds(60));
            String out = Files.readString(c.workFile("cancel-" + id + ".out"));
            assertThat(out)
                    .contains("slurmstepd: error: *** STEP " + step + " ON n1 CANCELLED AT ")
                    .contains("srun: error: n1: task 0: Terminated\nrc=143\nafter\n");
            assertThat(c.cmd("sacct", "-j", Long.toString(id), "-P", "-n", "-o", "JobID,State")
                            .lines())
                    .contains(step + "|CANCELLED", id + ".1|COMPLETED");
        }
    }
}
