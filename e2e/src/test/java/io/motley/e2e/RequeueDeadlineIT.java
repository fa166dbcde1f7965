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

    // Node names of their own: agents name their cgroups by node and job id, and other clusters on
    // this host (other test runs) use n1, n2 with the same small job ids.

    /** awaitState, saying on failure where the job is and what the controller logged about it. */
    static void awaitState(TestCluster c, long id, String state, Duration within) throws Exception {
        try {
            c.awaitState(id, state, within);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String log = c.log("controller")
                    .lines()
                    .filter(l -> l.contains("job=" + id + " ") || l.endsWith("job=" + id))
                    .reduce("", (a, b) -> a + b + "\n");
            String agents = "";
            try (var logs = java.nio.file.Files.list(c.home.resolve("log"))) {
                for (Path f : logs.filter(f -> f.getFileName().toString().startsWith("agent-")
                                && f.toString().endsWith(".log"))
                        .toList()) {
                    agents += java.nio.file.Files.readString(f)
                            .lines()
                            .filter(l -> l.contains("job=" + id + " ") || l.endsWith("job=" + id) || l.contains("WARN"))
                            .reduce("", (x, y) -> x + y + "\n");
                }
            }
            throw new AssertionError(
                    "job " + id + " is " + c.state(id) + ", not " + state + "\n"
                            + c.cmd("scontrol", "show", "job", Long.toString(id))
                                    .out() + log + agents,
                    e);
        }
    }

    @Test
    void requeuedJobsRunAgainAndJobsThatCannotMeetTheirDeadlineEndDeadline() throws Exception {
        // a short hold-back after a requeue (Slurm's is 121 s) keeps the test quick
        try (TestCluster c = new TestCluster(dir, "RequeueDelay=2\n")) {
            c.startController();
            c.startAgent("rq1", 2, "2000M");
            c.awaitNodesUp("rq1");

            // a time limit that cannot fit before the deadline: removed at once, never started
            Path started = c.workFile("toolong.started");
            long tooLong = c.submit("-t", "10", "--deadline=now+60", "--wrap", "touch " + started);
            awaitState(c, tooLong, "DEADLINE", Duration.ofSeconds(20));
            assertThat(started).doesNotExist();
            String shown =
                    c.cmd("scontrol", "show", "job", Long.toString(tooLong)).out();
            assertThat(shown).contains("JobState=DEADLINE Reason=DeadLine", "ExitCode=0:1", "Deadline=20");
            assertThat(c.cmd("squeue", "-h", "-t", "all", "-j", Long.toString(tooLong), "-o", "%t")
                            .out()
                            .trim())
                    .isEqualTo("DL");
            assertThat(c.cmd("sacct", "-j", Long.toString(tooLong), "-X", "-n", "-P", "-o", "State,ExitCode,Start")
                            .out()
                            .trim())
                    .isEqualTo("DEADLINE|0:1|None");
            // no time limit from the job or the partition: accepted, as slurmctld accepts it
            TestCluster.Run noLimit = c.cmd("sbatch", "--deadline=now+1hour", "-o", "/dev/null", "--wrap", "true");
            assertThat(noLimit.rc()).isZero();

            // requeue of a running job: killed, back to the queue under its id, run again to the end
            Path count = c.workFile("count");
            long twice = c.submit(
                    "-o",
                    "twice.out",
                    "--wrap",
                    "n=$(cat " + count + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + count
                            + "; echo \"run $n restart=${SLURM_RESTART_COUNT:-none}\"; [ $n -ge 2 ] || sleep 60");
            awaitState(c, twice, "RUNNING", Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.exists(count)
                            && Files.readString(count).trim().equals("1"));
            TestCluster.Run requeue = c.cmd("scontrol", "requeue", Long.toString(twice));
            assertThat(requeue.rc()).as(requeue.err()).isZero();
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(twice), "-o", "%t %r")
                            .out()
                            .trim())
                    .isEqualTo("PD BeginTime");
            awaitState(c, twice, "COMPLETED", Duration.ofSeconds(30));
            assertThat(Files.readString(count).trim()).isEqualTo("2");
            // the second run opened the output file afresh, as Slurm's default open mode (truncate) does
            assertThat(Files.readString(c.workFile("twice.out"))).isEqualTo("run 2 restart=1\n");
            assertThat(c.cmd("scontrol", "show", "job", Long.toString(twice)).out())
                    .contains("Requeue=1 Restarts=1 ");
            assertThat(c.cmd("sacct", "-j", Long.toString(twice), "-X", "-n", "-P", "-o", "JobID,State")
                            .out()
                            .trim())
                    .isEqualTo(twice + "|COMPLETED");
            // sacct -D: the run the requeue ended is a line of its own, its batch step killed
            assertThat(c.cmd("sacct", "-D", "-j", Long.toString(twice), "-n", "-P", "-o", "JobID,State")
                            .out())
                    .isEqualTo(twice + "|REQUEUED\n" + twice + ".batch|CANCELLED\n" + twice + "|COMPLETED\n" + twice
                            + ".batch|COMPLETED\n");
            assertThat(c.cmd("sacct", "-D", "-X", "-j", Long.toString(twice), "-n", "-P", "-o", "JobID,State")
                            .out())
                    .isEqualTo(twice + "|REQUEUED\n" + twice + "|COMPLETED\n");
            // -s: requeued and completed within the last hour (without -S, -s asks about this second, as in Slurm)
            assertThat(c.cmd("sacct", "-s", "RQ", "-S", "now-1hours", "-E", "now", "-X", "-n", "-P", "-o", "JobID")
                            .out())
                    .isEqualTo(twice + "\n");
            assertThat(c.cmd("sacct", "-s", "CD", "-S", "now-1hours", "-E", "now", "-X", "-n", "-P", "-o", "JobID")
                            .out())
                    .contains(twice + "\n");
            // a job that ended this very second is rightly listed: the window is the second the command asks in
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(
                                    c.cmd("sacct", "-s", "CD", "-X", "-n").out())
                            .isEmpty());
            TestCluster.Run json = c.cmd("sacct", "--json", "-D", "-j", Long.toString(twice));
            assertThat(json.rc()).as(json.err()).isZero();
            assertThat(json.out())
                    .contains(
                            "\"data_parser\": \"data_parser/v0.0.40\"",
                            "\"job_id\": " + twice + ",",
                            "\"REQUEUED\"",
                            "\"COMPLETED\"",
                            "\"id\": \"" + twice + ".batch\"");

            // requeue of a finished job: it runs again
            Path log = c.workFile("done.log");
            long done = c.submit("--wrap", "echo ran >> " + log);
            awaitState(c, done, "COMPLETED", Duration.ofSeconds(20));
            assertThat(c.cmd("scontrol", "requeue", Long.toString(done)).rc()).isZero();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readAllLines(log).size() == 2);
            awaitState(c, done, "COMPLETED", Duration.ofSeconds(20));

            // --no-requeue and pending jobs are refused with Slurm's words
            long noRequeue = c.submit("--no-requeue", "--wrap", "sleep 60");
            long other = c.submit("--wrap", "sleep 60");
            awaitState(c, noRequeue, "RUNNING", Duration.ofSeconds(20));
            awaitState(c, other, "RUNNING", Duration.ofSeconds(20));
            long held = c.submit("-H", "--wrap", "true");
            TestCluster.Run refused = c.cmd("scontrol", "requeue", noRequeue + "," + held);
            assertThat(refused.rc()).isEqualTo(1);
            assertThat(refused.err())
                    .isEqualTo("Requested operation is presently disabled for job " + noRequeue + "\n"
                            + "Job is pending execution for job " + held + "\n");
            assertThat(c.state(noRequeue)).isEqualTo("RUNNING");

            // a pending job whose deadline passes while it waits for the busy node
            long waits = c.submit("-t", "1", "--deadline=now+66", "--wrap", "true");
            assertThat(c.state(waits)).isEqualTo("PENDING");
            awaitState(c, waits, "DEADLINE", Duration.ofSeconds(30));
            assertThat(c.cmd("sacct", "-j", Long.toString(waits), "-X", "-n", "-P", "-o", "State")
                            .out()
                            .trim())
                    .isEqualTo("DEADLINE");
        }
    }

    @Test
    void aJobOnAFailedNodeIsRequeuedAndItsSurvivingRunEndedBeforeItRunsAgain() throws Exception {
        // jobs run on nf1 only; nf2 (started first, so it serves the commands' socket) keeps the commands working while
        // nf1 is gone
        try (TestCluster c = new TestCluster(
                dir, "RequeueDelay=1\nPartitionName=main Nodes=nf1 Default=YES\nPartitionName=spare Nodes=nf2\n")) {
            c.startController();
            c.startAgent("nf2", 1, "1000M");
            c.startAgent("nf1", 2, "2000M");
            c.awaitNodesUp("nf1", "nf2");
            Path count = c.workFile("count");
            long again = c.submit(
                    "-o",
                    "again.out",
                    "--wrap",
                    "n=$(cat " + count + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + count
                            + "; echo \"run $n\"; [ $n -ge 2 ] || sleep 60");
            long not = c.submit("--no-requeue", "--wrap", "sleep 60");
            awaitState(c, again, "RUNNING", Duration.ofSeconds(20));
            awaitState(c, not, "RUNNING", Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.exists(count)
                            && Files.readString(count).trim().equals("1"));

            // the agent dies (its jobs live on); after NodeTimeout the node is DOWN: requeue, or NODE_FAIL for
            // --no-requeue
            c.killAgent("nf1");
            awaitState(c, not, "NODE_FAIL", Duration.ofSeconds(20));
            assertThat(c.state(again)).isEqualTo("PENDING");

            // back again, the agent still runs the first run: it is killed, and only then does the job run again
            c.startAgent("nf1", 2, "2000M");
            awaitState(c, again, "COMPLETED", Duration.ofSeconds(40));
            assertThat(Files.readString(count).trim()).isEqualTo("2");
            assertThat(Files.readString(c.workFile("again.out"))).isEqualTo("run 2\n");
            assertThat(c.cmd("scontrol", "show", "job", Long.toString(again)).out())
                    .contains("Restarts=1");
            assertThat(c.log("controller")).contains("job requeued: its node failed job=" + again);
        }
    }
}
