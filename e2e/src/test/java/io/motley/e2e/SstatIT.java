package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sstat through real daemons: a two-node job whose srun step holds memory in a task on srun's own
 * node and one on the other node; the controller asks both agents, each samples its tasks, and
 * sstat shows the step's figures and, with -a, the batch step's.
 */
class SstatIT {
    @TempDir
    Path dir;

    @Test
    void sstatShowsTheLiveUseOfAStepsTasksOnEveryNode() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("sst1", 2, "2000M");
            c.startAgent("sst2", 2, "2000M");
            c.awaitNodesUp(Duration.ofSeconds(90), "sst1", "sst2");
            Path script = c.work.resolve("mem.sh");
            // each task holds a string of 100 MiB (written, so resident) until the job is cancelled, and says
            // when it has it: perl builds the string, then copies it into $x, so its peak comes a while
            // after its memory first passes 100 MiB
            Files.writeString(script, """
                    #!/bin/sh
                    #SBATCH -N 2
                    #SBATCH --ntasks-per-node=1
                    #SBATCH -o mem-%j.out
                    srun -N 2 -n 2 perl -e 'my $x = "a" x (100 * 1024 * 1024); \
                        open(my $f, ">", "WORK/ready-$ENV{SLURM_PROCID}"); close $f; sleep 300'
                    """.replace("WORK", c.work.toString()));
            long id = c.submit(script.toString());
            c.awaitState(id, "RUNNING", Duration.ofSeconds(60));
            String job = Long.toString(id);
            // until both tasks have filled their memory, and sstat sees them
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.exists(c.work.resolve("ready-0")) && Files.exists(c.work.resolve("ready-1")));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        TestCluster.Run r = c.cmd("sstat", "-n", "-P", "-j", job, "-o", "NTasks,MaxRSS,MaxRSSNode");
                        assertThat(r.out()).as(r.err()).startsWith("2|");
                        assertThat(kib(r.out().split("[|]")[1])).as(r.out()).isGreaterThan(90 * 1024);
                    });
            TestCluster.Run step = c.cmd("sstat", "-j", job, "-P", "-o", "JobID,NTasks,Nodelist,MaxRSS,AveRSS,Pids");
            assertThat(step.err()).isEmpty();
            List<String> lines = step.out().lines().toList();
            assertThat(lines.get(0)).isEqualTo("JobID|NTasks|Nodelist|MaxRSS|AveRSS|Pids");
            String[] f = lines.get(1).split("\\|");
            assertThat(f[0]).isEqualTo(id + ".0");
            assertThat(f[1]).isEqualTo("2");
            assertThat(f[2]).isEqualTo("sst[1-2]");
            // each task's own peak, not the two tasks' sum (over 400 MiB): perl builds the 100 MiB string and
            // copies it into $x, so a task peaks near 200 MiB (209740K when this was written) and keeps 100 MiB
            assertThat(kib(f[3])).isBetween(190L * 1024, 300L * 1024);
            assertThat(kib(f[4])).isBetween(90L * 1024, 300L * 1024);
            assertThat(f[5].split(",")).hasSize(2);

            // the default layout: Slurm's header, one line for step 0
            TestCluster.Run plain = c.cmd("sstat", "-j", job);
            assertThat(plain.out().lines().toList()).hasSize(3);
            assertThat(plain.out()).startsWith("JobID         MaxVMSize  MaxVMSizeNode");

            // -a: the batch step (its shell and srun, on the first node) and the step
            TestCluster.Run all = c.cmd("sstat", "-a", "-n", "-P", "-j", job, "-o", "JobID,NTasks,Nodelist");
            assertThat(all.out().lines().toList()).containsExactly(id + ".batch|1|sst1", id + ".0|2|sst[1-2]");
            assertThat(c.cmd("sstat", "-j", id + ".7").err())
                    .isEqualTo("sstat: error: StepId=" + id + ".7 not found running.\n");

            c.cmd("scancel", job);
            c.awaitState(id, "CANCELLED", Duration.ofSeconds(60));
            TestCluster.Run after = c.cmd("sstat", "-n", "-j", job);
            assertThat(after.out()).isEmpty();
            assertThat(after.err()).isEqualTo("sstat: error: No steps running for job " + id + "\n");
        }
    }

    /** A memory figure as sstat prints it (1234K, 100M, 1.50G, or bytes) in KiB. */
    private static long kib(String v) {
        if (v.isEmpty() || v.equals("0")) return 0;
        char unit = v.charAt(v.length() - 1);
        String n = Character.isDigit(unit) ? v : v.substring(0, v.length() - 1);
        double x = Double.parseDouble(n);
        return switch (unit) {
            case 'K' -> (long) x;
            case 'M' -> (long) (x * 1024);
            case 'G' -> (long) (x * 1024 * 1024);
            default -> (long) (x / 1024);
        };
    }
}
