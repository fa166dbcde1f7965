package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scontrol requeue and sbatch --deadline through the real commands. */
class RequeueDeadlineIT {
    @TempDir
    Path dir;

    @Test
    void requeuedJobsRunAgainAndJobsThatCannotMeetTheirDeadlineEndDeadline() throws Exception {
        // a short hold-back after a requeue (Slurm's is 121 s) keeps the test quick
        try (TestCluster c = new TestCluster(dir, "RequeueDelay=2\n")) {
            c.startController();
            c.startAgent("n1", 2, "2000M");
            c.awaitNodesUp("n1");

            // a time limit that cannot fit before the deadline: removed at once, never started
            Path started = c.workFile("toolong.started");
            long tooLong = c.submit("-t", "10", "--deadline=now+60", "--wrap", "touch " + started);
            c.awaitState(tooLong, "DEADLINE", Duration.ofSeconds(20));
            assertThat(started).doesNotExist();
            String shown = c.cmd("scontrol", "show", "job", Long.toString(tooLong)).out();
            assertThat(shown).contains("JobState=DEADLINE Reason=DeadLine", "ExitCode=0:1", "Deadline=20");
            assertThat(c.cmd("squeue", "-h", "-t", "all", "-j", Long.toString(tooLong), "-o", "%t").out().trim()).isEqualTo("DL");
            assertThat(c.cmd("sacct", "-j", Long.toString(tooLong), "-X", "-n", "-P", "-o", "State,ExitCode,Start").out().trim())
                    .isEqualTo("DEADLINE|0:1|None");
            // no time limit from the job or the partition: refused as slurmctld refuses it
            TestCluster.Run noLimit = c.cmd("sbatch", "--deadline=now+1hour", "--wrap", "true");
            assertThat(noLimit.rc()).isEqualTo(1);
            assertThat(noLimit.err()).isEqualTo(
                    "sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)\n");

            // requeue of a running job: killed, back to the queue under its id, run again to the end
            Path count = c.workFile("count");
            long twice = c.submit("-o", "twice.out", "--wrap",
                    "n=$(cat " + count + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + count
                            + "; echo \"run $n restart=${SLURM_RESTART_COUNT:-none}\"; [ $n -ge 2 ] || sleep 60");
            c.awaitState(twice, "RUNNING", Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(count) && Files.readString(count).trim().equals("1"));
            TestCluster.Run requeue = c.cmd("scontrol", "requeue", Long.toString(twice));
            assertThat(requeue.rc()).as(requeue.err()).isZero();
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(twice), "-o", "%t %r").out().trim()).isEqualTo("PD BeginTime");
            c.awaitState(twice, "COMPLETED", Duration.ofSeconds(30));
            assertThat(Files.readString(count).trim()).isEqualTo("2");
            // the second run opened the output file afresh, as Slurm's default open mode (truncate) does
            assertThat(Files.readString(c.workFile("twice.out"))).isEqualTo("run 2 restart=1\n");
            assertThat(c.cmd("scontrol", "show", "job", Long.toString(twice)).out()).contains("Requeue=1 Restarts=1 ");
            assertThat(c.cmd("sacct", "-j", Long.toString(twice), "-X", "-n", "-P", "-o", "JobID,State").out().trim())
                    .isEqualTo(twice + "|COMPLETED");

            // requeue of a finished job: it runs again
            Path log = c.workFile("done.log");
            long done = c.submit("--wrap", "echo ran >> " + log);
            c.awaitState(done, "COMPLETED", Duration.ofSeconds(20));
            assertThat(c.cmd("scontrol", "requeue", Long.toString(done)).rc()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(log).size() == 2);
            c.awaitState(done, "COMPLETED", Duration.ofSeconds(20));

            // --no-requeue and pending jobs are refused with Slurm's words
            long noRequeue = c.submit("--no-requeue", "--wrap", "sleep 60");
            long other = c.submit("--wrap", "sleep 60");
            c.awaitState(noRequeue, "RUNNING", Duration.ofSeconds(20));
            c.awaitState(other, "RUNNING", Duration.ofSeconds(20));
            long held = c.submit("-H", "--wrap", "true");
            TestCluster.Run refused = c.cmd("scontrol", "requeue", noRequeue + "," + held);
            assertThat(refused.rc()).isEqualTo(1);
            assertThat(refused.err()).isEqualTo("Requested operation is presently disabled for job " + noRequeue + "\n"
                    + "Job is pending execution for job " + held + "\n");
            assertThat(c.state(noRequeue)).isEqualTo("RUNNING");

            // a pending job whose deadline passes while it waits for the busy node
            long waits = c.submit("-t", "1", "--deadline=now+66", "--wrap", "true");
            assertThat(c.state(waits)).isEqualTo("PENDING");
            c.awaitState(waits, "DEADLINE", Duration.ofSeconds(30));
            assertThat(c.cmd("sacct", "-j", Long.toString(waits), "-X", "-n", "-P", "-o", "State").out().trim()).isEqualTo("DEADLINE");
        }
    }
}
