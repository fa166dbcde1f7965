package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scontrol update JobId=... on pending and running jobs, scontrol top, suspend and resume. */
class JobControlIT {
    @TempDir
    Path dir;

    @Test
    void pendingJobsCanBeChangedAndReordered() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\nPartitionName=short MaxTime=10\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            long blocker = c.submit("--wrap", "sleep 30");
            c.awaitState(blocker, "RUNNING", Duration.ofSeconds(20));
            long a = c.submit("-J", "a", "--wrap", "true");
            long b = c.submit("-J", "b", "--wrap", "true");

            TestCluster.Run up =
                    c.cmd("scontrol", "update", "JobId=" + a, "TimeLimit=5:00", "Partition=short", "Name=renamed");
            assertThat(up.rc()).as(up.err()).isZero();
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(a), "-o", "%j %P %l")
                            .out()
                            .trim())
                    .isEqualTo("renamed short 5:00");
            TestCluster.Run tooLong = c.cmd("scontrol", "update", "JobId=" + a, "Partition=nosuch");
            assertThat(tooLong.rc()).isEqualTo(1);
            assertThat(tooLong.err()).contains("Invalid partition name specified");
            TestCluster.Run cpus = c.cmd("scontrol", "update", "JobId=" + b, "NumCPUs=8");
            assertThat(cpus.rc()).isEqualTo(1);
            assertThat(cpus.err()).contains("Requested partition configuration not available now");

            // b goes ahead of a: both wait behind the blocker, b now first
            c.cmd("scontrol", "update", "JobId=" + a, "Partition=main");
            assertThat(c.cmd("scontrol", "top", Long.toString(b)).rc()).isZero();
            assertThat(c.cmd("squeue", "-h", "-t", "PD", "-o", "%i").lines())
                    .containsExactly(Long.toString(b), Long.toString(a));
            c.cmd("scancel", Long.toString(blocker));
            c.awaitState(a, "COMPLETED", Duration.ofSeconds(30));
            c.awaitState(b, "COMPLETED", Duration.ofSeconds(30));
            long startA = Long.parseLong(c.cmd("sacct", "-j", Long.toString(a), "-X", "-n", "-P", "-o", "Start")
                    .out()
                    .trim()
                    .replaceAll("\\D", ""));
            long startB = Long.parseLong(c.cmd("sacct", "-j", Long.toString(b), "-X", "-n", "-P", "-o", "Start")
                    .out()
                    .trim()
                    .replaceAll("\\D", ""));
            assertThat(startB).isLessThanOrEqualTo(startA);
            TestCluster.Run done = c.cmd("scontrol", "update", "JobId=" + a, "TimeLimit=1");
            assertThat(done.err()).isEqualTo("Job has already finished for job " + a + "\n");
        }
    }

    /**
     * scontrol update on a running job: its time limit, lengthened and moved by +N, is shown, and
     * each change reaches the job's agent, which counts the run's end from it (its log says so, in
     * seconds: Slurm's whole minutes). Its mail settings are kept and shown as Slurm shows them.
     */
    @Test
    void aRunningJobsNewTimeLimitIsShownAndReachesItsAgent() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            long job = c.submit("-t", "5", "--wrap", "sleep 300");
            c.awaitState(job, "RUNNING", Duration.ofSeconds(20));
            String id = Long.toString(job);

            TestCluster.Run longer = c.cmd("scontrol", "update", "JobId=" + id, "TimeLimit=10");
            assertThat(longer.rc()).as(longer.err()).isZero();
            TestCluster.Run plus = c.cmd("scontrol", "update", "JobId=" + id, "TimeLimit=+5");
            assertThat(plus.rc()).as(plus.err()).isZero();
            TestCluster.Run mail =
                    c.cmd("scontrol", "update", "JobId=" + id, "MailType=end,begin", "MailUser=ann@example.org");
            assertThat(mail.rc()).as(mail.err()).isZero();
            assertThat(c.cmd("scontrol", "show", "job", id).out())
                    .contains("TimeLimit=00:15:00")
                    .contains("MailUser=ann@example.org MailType=BEGIN,END");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.log("agent-n1").contains("job time limit changed job=" + id + " run=0 limit_s=900"));
            TestCluster.Run pending = c.cmd("scontrol", "update", "JobId=" + id, "NumTasks=2");
            assertThat(pending.err()).isEqualTo("Job is no longer pending execution for job " + id + "\n");

            // 0:30 is a whole minute, as in Slurm
            TestCluster.Run cut = c.cmd("scontrol", "update", "JobId=" + id, "TimeLimit=0:30");
            assertThat(cut.rc()).as(cut.err()).isZero();
            assertThat(c.cmd("scontrol", "show", "job", id).out()).contains("TimeLimit=00:01:00");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.log("agent-n1").contains("job time limit changed job=" + id + " run=0 limit_s=60"));
            c.cmd("scancel", id);
            c.awaitState(job, "CANCELLED", Duration.ofSeconds(30));
            TestCluster.Run done = c.cmd("scontrol", "update", "JobId=" + id, "TimeLimit=5");
            assertThat(done.err()).isEqualTo("Job has already finished for job " + id + "\n");
        }
    }

    /** scancel -s goes from the command through the controller to the agent, and to the processes -b/--full name. */
    @Test
    void scancelSignalReachesTheStepsOrTheBatchShell() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 2, "1000M");
            c.awaitNodesUp("n1");
            Path sig = dir.resolve("sig.txt");
            String step = "trap \"echo step USR1 >>" + sig + "\" USR1; echo >" + dir.resolve("step.ready")
                    + "; while [ ! -f " + dir.resolve("done") + " ]; do sleep 0.1; done";
            long job = c.submit(
                    "--wrap",
                    "trap 'echo shell USR2 >>" + sig + "' USR2; setsid /bin/sh -c '" + step + "' & " + "while [ ! -f "
                            + dir.resolve("done") + " ]; do sleep 0.1; done; wait");
            c.awaitState(job, "RUNNING", Duration.ofSeconds(20));
            long pending = c.submit("-c", "2", "--wrap", "true");
            await().atMost(Duration.ofSeconds(20)).until(() -> java.nio.file.Files.exists(dir.resolve("step.ready")));

            TestCluster.Run usr1 = c.cmd("scancel", "-s", "SIGUSR1", Long.toString(job));
            assertThat(usr1.rc()).as(usr1.err()).isZero();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> java.nio.file.Files.exists(sig)
                            && java.nio.file.Files.readString(sig).contains("step USR1"));
            assertThat(c.cmd("scancel", "-b", "-s", "12", Long.toString(job)).rc())
                    .isZero();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> java.nio.file.Files.readString(sig).contains("shell USR2"));
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(job), "-o", "%T")
                            .out()
                            .trim())
                    .isEqualTo("RUNNING");

            TestCluster.Run bogus = c.cmd("scancel", "--signal=BOGUS", Long.toString(job));
            assertThat(bogus.rc()).isEqualTo(1);
            assertThat(bogus.err()).isEqualTo("Unknown job signal: BOGUS\n");
            TestCluster.Run notYet = c.cmd("scancel", "-s", "USR1", Long.toString(pending));
            assertThat(notYet.rc()).isEqualTo(1);
            assertThat(notYet.err())
                    .contains("Kill job error on job id " + pending + ": Job can not be altered now, try again later");

            java.nio.file.Files.writeString(dir.resolve("done"), "");
            c.awaitState(job, "COMPLETED", Duration.ofSeconds(30));
        }
    }

    /** Lines in {@code f} now (0 while it does not exist). */
    private static long lines(Path f) throws java.io.IOException {
        if (!java.nio.file.Files.exists(f)) return 0;
        try (var l = java.nio.file.Files.lines(f)) {
            return l.count();
        }
    }

    /**
     * scontrol suspend and resume from the command to the job's processes: a job counting in a
     * loop stops counting and squeue shows S; resumed, it counts on and completes, with its
     * suspension in sacct's Suspended. A plain user gets Slurm's refusal, as Slurm allows only
     * operators, administrators and root.
     */
    @Test
    void suspendStopsAJobsProcessesAndResumeLetsItComplete() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                SecurityIT.root(), "acting as an unprivileged user against a root agent needs root to create one");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new java.io.File("/usr/sbin/useradd").canExecute()
                        && new java.io.File("/usr/sbin/runuser").canExecute(),
                "useradd and runuser are needed to act as another user (scripts/setup-test-host installs them)");
        SecurityIT.ensureUser(AccountsIT.OTHER);
        // the other user reaches the agent's socket under the cluster's home, in here
        java.nio.file.Files.setPosixFilePermissions(
                dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            Path count = dir.resolve("count.txt");
            long job = c.submit(
                    "--wrap", "i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo $i >>" + count + "; sleep 0.1; done");
            c.awaitState(job, "RUNNING", Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(20)).until(() -> lines(count) > 3);
            String id = Long.toString(job);

            TestCluster.Run denied = c.cmdIn(
                    dir,
                    null,
                    "runuser",
                    "-u",
                    AccountsIT.OTHER,
                    "--",
                    TestCluster.BIN.resolve("scontrol").toString(),
                    "suspend",
                    id);
            assertThat(denied.rc()).isEqualTo(1);
            assertThat(denied.err()).isEqualTo("Access/permission denied for job " + id + "\n");

            TestCluster.Run suspend = c.cmd("scontrol", "suspend", id);
            assertThat(suspend.rc()).as(suspend.err()).isZero();
            assertThat(c.cmd("squeue", "-h", "-j", id, "-o", "%t %T").out().trim())
                    .isEqualTo("S SUSPENDED");
            // the count stops: once it has stood still for a poll, it stays so
            long[] last = {-1};
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        long n = lines(count);
                        boolean same = n == last[0];
                        last[0] = n;
                        return same;
                    });
            long stopped = lines(count);
            assertThat(stopped).isLessThan(100);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> lines(count) == stopped);
            assertThat(c.cmd("squeue", "-h", "-j", id, "-o", "%t").out().trim()).isEqualTo("S");
            assertThat(c.cmd("scontrol", "show", "job", id).out())
                    .contains("JobState=SUSPENDED")
                    .doesNotContain("SuspendTime=None");
            TestCluster.Run again = c.cmd("scontrol", "resume", id, id);
            assertThat(again.rc()).isEqualTo(1);
            assertThat(again.err()).isEqualTo("Job is not suspended for job " + id + "\n");

            await().atMost(Duration.ofSeconds(20)).until(() -> lines(count) > stopped);
            c.awaitState(job, "COMPLETED", Duration.ofSeconds(60));
            assertThat(lines(count)).isEqualTo(100);
            String acct = c.cmd("sacct", "-j", id, "-X", "-n", "-P", "-o", "State,Suspended")
                    .out()
                    .trim();
            assertThat(acct).startsWith("COMPLETED|").isNotEqualTo("COMPLETED|00:00:00");
            TestCluster.Run late = c.cmd("scontrol", "suspend", id);
            assertThat(late.rc()).isEqualTo(1);
            assertThat(late.err()).isEqualTo("Job/step already completing or completed for job " + id + "\n");
        }
    }

    @Test
    void partitionStateConfigScriptAndStatisticsTravelTheWholeWay() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            TestCluster.Run config = c.cmd("scontrol", "show", "config");
            assertThat(config.rc()).as(config.err()).isZero();
            assertThat(config.out())
                    .contains("\nSchedulerTimeSlice      = 30 sec\n")
                    .contains(" is UP\n");

            assertThat(c.cmd("scontrol", "update", "PartitionName=main", "State=DOWN")
                            .rc())
                    .isZero();
            long held = c.submit("--wrap", "echo from-the-script");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.cmd("squeue", "-h", "-j", Long.toString(held), "-o", "%t %r")
                            .out()
                            .trim()
                            .equals("PD PartitionDown"));
            TestCluster.Run script = c.cmd("scontrol", "write", "batch_script", Long.toString(held), "-");
            assertThat(script.out()).contains("echo from-the-script");
            assertThat(c.cmd("scontrol", "update", "PartitionName=main", "State=UP")
                            .rc())
                    .isZero();
            c.awaitState(held, "COMPLETED", Duration.ofSeconds(30));

            TestCluster.Run sdiag = c.cmd("sdiag");
            assertThat(sdiag.rc()).as(sdiag.err()).isZero();
            assertThat(sdiag.out()).contains("Jobs submitted: 1\n").contains("Jobs completed: 1\n");
        }
    }
}
