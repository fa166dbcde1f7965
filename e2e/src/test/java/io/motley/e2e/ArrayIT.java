package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job arrays through the commands: folding, throttles, task variables and files, scancel of tasks, sacct per task. */
class ArrayIT {
    @TempDir
    Path dir;

    @Test
    void anArrayRunsItsTasksAsSlurmDoes() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 2, "2000M");
            c.awaitNodesUp("n1");
            long blocker = c.submit("-c", "2", "--wrap", "sleep 30");
            c.awaitState(blocker, "RUNNING", Duration.ofSeconds(20));
            long arr = c.submit(
                    "-J",
                    "arr",
                    "--array=1-6%2",
                    "-o",
                    "arr-%A_%a.out",
                    "--wrap",
                    "echo \"$SLURM_ARRAY_JOB_ID $SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT $SLURM_ARRAY_TASK_MIN $SLURM_ARRAY_TASK_MAX\"; sleep 1");
            assertThat(c.cmd("squeue", "-h", "-t", "PD", "-o", "%i %j").out().trim())
                    .isEqualTo(arr + "_[1-6%2] arr");
            assertThat(c.cmd("squeue", "-h", "-r", "-t", "PD", "-o", "%i").lines())
                    .containsExactly(arr + "_1", arr + "_2", arr + "_3", arr + "_4", arr + "_5", arr + "_6");
            assertThat(c.cmd("scancel", arr + "_[5-6]").rc()).isZero();
            assertThat(c.cmd("squeue", "-h", "-t", "PD", "-o", "%i").out().trim())
                    .isEqualTo(arr + "_[1-4%2]");
            c.cmd("scancel", Long.toString(blocker));

            await().atMost(Duration.ofSeconds(60))
                    .until(() -> c.cmd("squeue", "-h").out().isBlank());
            for (int i = 1; i <= 4; i++) {
                assertThat(Files.readString(c.workFile("arr-" + arr + "_" + i + ".out"))
                                .trim())
                        .isEqualTo(arr + " " + i + " 6 1 6");
            }
            assertThat(Files.exists(c.workFile("arr-" + arr + "_5.out"))).isFalse();
            List<String> acct = c.cmd("sacct", "-j", Long.toString(arr), "-X", "-n", "-P", "-o", "JobID,State")
                    .lines();
            assertThat(acct)
                    .contains(arr + "_1|COMPLETED", arr + "_2|COMPLETED", arr + "_3|COMPLETED", arr + "_4|COMPLETED");
        }
    }

    /**
     * hold, update and release of one task still pending in its array's record split it off into a job of its own
     * (its own id, ArrayTaskId), as Slurm's update_job_str does; the other tasks run meanwhile. An array's id
     * reaches every task.
     */
    @Test
    void oneTaskHeldUpdatedAndReleasedAloneAsSlurmDoes() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 2, "2000M");
            c.awaitNodesUp("n1");
            long blocker = c.submit("-c", "2", "--wrap", "sleep 30");
            c.awaitState(blocker, "RUNNING", Duration.ofSeconds(20));
            long arr = c.submit("--array=1-4", "-o", "/dev/null", "--wrap", "true");

            TestCluster.Run held = c.cmd("scontrol", "hold", arr + "_3");
            assertThat(held.rc()).isZero();
            assertThat(held.err()).isEmpty();
            assertThat(c.cmd("scontrol", "update", "JobId=" + arr + "_3", "TimeLimit=5")
                            .rc())
                    .isZero();
            assertThat(c.cmd("squeue", "-h", "-t", "PD", "-o", "%i").lines())
                    .containsExactlyInAnyOrder(arr + "_3", arr + "_[1-2,4]");
            String shown = c.cmd("scontrol", "show", "job", arr + "_3").out();
            assertThat(shown)
                    .contains("ArrayJobId=" + arr + " ArrayTaskId=3 ", "Reason=JobHeldAdmin", "TimeLimit=00:05:00")
                    .doesNotStartWith("JobId=" + arr + " ");

            // the array's id reaches all its tasks: the split one is changed too
            assertThat(c.cmd("scontrol", "update", "JobId=" + arr, "Comment=all")
                            .rc())
                    .isZero();
            assertThat(c.cmd("squeue", "-h", "-r", "-t", "PD", "-o", "%i %k").lines())
                    .contains(arr + "_1 all", arr + "_3 all");

            c.cmd("scancel", Long.toString(blocker));
            await().atMost(Duration.ofSeconds(40))
                    .until(
                            () -> c.cmd("squeue", "-h", "-o", "%i %T %r").out().trim(),
                            s -> s.equals(arr + "_3 PENDING JobHeldAdmin"));
            assertThat(c.cmd("scontrol", "release", arr + "_3").rc()).isZero();
            await().atMost(Duration.ofSeconds(40))
                    .until(() -> c.cmd("squeue", "-h").out().isBlank());
            assertThat(c.cmd("sacct", "-j", Long.toString(arr), "-X", "-n", "-P", "-o", "JobID,State")
                            .lines())
                    .contains(arr + "_1|COMPLETED", arr + "_3|COMPLETED", arr + "_4|COMPLETED");
        }
    }

    @Test
    void aDependencyOnAnArrayWaitsForEveryTask() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 2, "2000M");
            c.awaitNodesUp("n1");
            Path log = c.workFile("order.log");
            // task 1 is slow, task 2 (the array's last to start, which takes the array's id) is quick
            long arr = c.submit(
                    "--array=1-2",
                    "-o",
                    "/dev/null",
                    "--wrap",
                    "if [ $SLURM_ARRAY_TASK_ID = 1 ]; then sleep 4; fi; echo task$SLURM_ARRAY_TASK_ID >> " + log);
            long after = c.submit("--dependency=afterok:" + arr, "--wrap", "echo after >> " + log);
            long failed = c.submit("--array=1-2", "-o", "/dev/null", "--wrap", "exit $((SLURM_ARRAY_TASK_ID - 1))");
            long never = c.submit("--dependency=afterok:" + failed, "--wrap", "true");
            c.awaitState(after, "COMPLETED", Duration.ofSeconds(40));
            assertThat(Files.readAllLines(log)).containsExactly("task2", "task1", "after");
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> c.cmd("squeue", "-h", "-j", Long.toString(never), "-o", "%r")
                            .out()
                            .trim()
                            .equals("DependencyNeverSatisfied"));
        }
    }

    @Test
    void aftercorrStartsEachTaskWhenItsCorrespondingTaskCompleted() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 2, "2000M");
            c.awaitNodesUp("n1");
            Path log = c.workFile("corr.log");
            // task 1 completes at once, task 2 fails, task 3 completes after a while
            long first = c.submit(
                    "--array=1-3",
                    "-o",
                    "/dev/null",
                    "--wrap",
                    "if [ $SLURM_ARRAY_TASK_ID = 3 ]; then sleep 8; fi; exit $((SLURM_ARRAY_TASK_ID == 2))");
            long second = c.submit(
                    "--array=1-3",
                    "-o",
                    "/dev/null",
                    "--dependency=aftercorr:" + first,
                    "--wrap",
                    "echo b$SLURM_ARRAY_TASK_ID >> " + log);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> Files.exists(log) && Files.readAllLines(log).contains("b1"));
            // task 1 of the second array ran while task 3 of the first was still running: task by task, not afterok
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(first), "-o", "%t")
                            .out())
                    .contains("R");
            assertThat(Files.readAllLines(log)).doesNotContain("b3");
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readAllLines(log).contains("b3"));
            // task 2 of the second array waits on a task that failed
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> c.cmd("squeue", "-h", "-r", "-t", "PD", "-j", Long.toString(second), "-o", "%i %r")
                            .out()
                            .trim()
                            .equals(second + "_2 DependencyNeverSatisfied"));
            assertThat(Files.readAllLines(log)).containsExactly("b1", "b3");
            c.cmd("scancel", Long.toString(second));
        }
    }

    @Test
    void aLargeArrayIsOneSubmissionAndCancelTakesItAll() throws Exception {
        // indices must be below MaxArraySize (Slurm's default 1001)
        try (TestCluster c = new TestCluster(dir, "MaxArraySize=10001\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            long arr = c.submit("--array=0-9999", "-o", "/dev/null", "--wrap", "sleep 30");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.cmd("squeue", "-h", "-o", "%i %t").lines().size() == 2);
            assertThat(c.cmd("squeue", "-h", "-t", "PD", "-o", "%i").out().trim())
                    .isEqualTo(arr + "_[1-9999]");
            assertThat(c.cmd("squeue", "-h", "-t", "R", "-o", "%i").out().trim())
                    .isEqualTo(arr + "_0");
            assertThat(c.cmd("scancel", Long.toString(arr)).rc()).isZero();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.cmd("squeue", "-h").out().isBlank());
        }
    }
}
