package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** srun outside an allocation, salloc, and srun --pty through a pseudo-terminal (script(1) makes one). */
class AllocationsIT {
    @TempDir
    Path dir;

    @Test
    void srunOutsideSallocAndAnInteractiveStep() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 2, "1000M");
            c.awaitNodesUp("n1");
            String srun = TestCluster.BIN.resolve("srun").toString();

            // srun outside: a job of its own, step 0 inside it; stdout only the tasks', stdin to task 0
            TestCluster.Run two = c.cmdIn(
                    c.work,
                    "hello\n",
                    "srun",
                    "-n",
                    "2",
                    "-l",
                    "sh",
                    "-c",
                    "read x; echo \"task $SLURM_PROCID job $SLURM_JOB_ID step $SLURM_STEP_ID read '$x'\"; exit $SLURM_PROCID");
            assertThat(two.rc()).as(two.err()).isEqualTo(1);
            assertThat(two.lines()).hasSize(2);
            long id = Long.parseLong(two.lines().get(0).replaceAll(".* job (\\d+) .*", "$1"));
            assertThat(two.lines())
                    .containsExactlyInAnyOrder(
                            "0: task 0 job " + id + " step 0 read 'hello'", "1: task 1 job " + id + " step 0 read ''");
            assertThat(two.err()).contains("srun: error: n1: task 1: Exited with exit code 1");
            c.awaitState(id, "FAILED", java.time.Duration.ofSeconds(30));
            assertThat(c.cmd("sacct", "-j", id + ".0", "-P", "-n", "-o", "JobID,JobName,State,ExitCode")
                            .lines())
                    .containsExactly(id + ".0|sh|FAILED|1:0");

            // salloc: the command runs here with the job's variables; srun in it makes steps of that job
            TestCluster.Run salloc = c.cmd(
                    "salloc",
                    "-n",
                    "1",
                    "sh",
                    "-c",
                    srun + " sh -c 'echo step $SLURM_JOB_ID.$SLURM_STEP_ID on $SLURMD_NODENAME';"
                            + " echo alloc $SLURM_JOB_ID $SLURM_JOB_NODELIST; exit 4");
            assertThat(salloc.rc()).as(salloc.err()).isEqualTo(4);
            long alloc = Long.parseLong(salloc.lines().get(1).split(" ")[1]);
            assertThat(salloc.lines()).containsExactly("step " + alloc + ".0 on n1", "alloc " + alloc + " n1");
            assertThat(salloc.err().lines().toList())
                    .containsExactly(
                            "salloc: Granted job allocation " + alloc,
                            "salloc: Waiting for resource configuration",
                            "salloc: Nodes n1 are ready for job",
                            "salloc: Relinquishing job allocation " + alloc);
            c.awaitState(alloc, "FAILED", java.time.Duration.ofSeconds(30));
            assertThat(c.cmd("sacct", "-j", Long.toString(alloc), "-P", "-n", "-o", "JobID,State,ExitCode")
                            .lines())
                    .contains(alloc + "|FAILED|4:0", alloc + ".0|COMPLETED|0:0");

            // srun --pty: the task has srun's terminal as its stdin and stdout
            TestCluster.Run pty = c.cmdIn(
                    c.work,
                    "",
                    "script",
                    "-qfec",
                    srun + " --pty sh -c 'test -t 0 && test -t 1 && echo on a terminal; exit 5'",
                    "/dev/null");
            assertThat(pty.rc()).as(pty.out() + pty.err()).isEqualTo(5);
            assertThat(pty.out()).contains("on a terminal");
        }
    }
}
