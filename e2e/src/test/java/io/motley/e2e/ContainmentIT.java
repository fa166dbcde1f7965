package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent contains jobs with what the host offers, says which, and runs them as their submitter. */
class ContainmentIT {
    @TempDir
    Path dir;

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Test
    void memoryLimitEndsAJobOutOfMemoryAndUsageIsRecorded() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 2, "2000M");
            c.awaitNodesUp("n1");
            String node = c.cmd("scontrol", "show", "node", "n1").out();
            assertThat(node).containsPattern("Containment=(cgroup1|cgroup2|process) JobUser=\\S+");

            long oom = c.submit(
                    "--mem=50M",
                    "-o",
                    "oom-%j.out",
                    "--wrap",
                    "python3 -c 'x = bytearray(300 * 1024 * 1024); import time; time.sleep(5)'");
            c.awaitState(oom, "OUT_OF_MEMORY", Duration.ofSeconds(40));
            assertThat(Files.readString(c.workFile("oom-" + oom + ".out")))
                    .contains("error: Detected 1 oom_kill event in StepId=" + oom
                            + ".batch. Some of the step tasks have been OOM Killed.");
            assertThat(c.cmd("sacct", "-j", Long.toString(oom), "-X", "-n", "-P", "-o", "State,ExitCode")
                            .out()
                            .trim())
                    .isEqualTo("OUT_OF_MEMORY|0:125");

            long busy = c.submit(
                    "--mem=200M",
                    "--wrap",
                    // two seconds of CPU, not of wall time: on a loaded machine it gets less than its wall time
                    "python3 -c 'x = bytearray(64 * 1024 * 1024); import time\nwhile time.process_time() < 2: pass'");
            c.awaitState(busy, "COMPLETED", Duration.ofSeconds(40));
            String usage = c.cmd("sacct", "-j", Long.toString(busy), "-n", "-P", "-o", "JobID,MaxRSS,TotalCPU")
                    .out();
            String step = usage.lines()
                    .filter(l -> l.startsWith(busy + ".batch|"))
                    .findFirst()
                    .orElseThrow();
            long rssK = Long.parseLong(step.split("\\|")[1].replace("K", ""));
            assertThat(rssK).as(step).isGreaterThan(60 * 1024);
            assertThat(step.split("\\|")[2]).as(step).matches("00:0[1-9]\\.\\d{3}|00:[1-5]\\d\\.\\d{3}");
            TestCluster.Run seff = c.cmd("seff", Long.toString(busy));
            assertThat(seff.out())
                    .contains(
                            "State: COMPLETED (exit code 0)", "CPU Efficiency:", "Memory Efficiency:", "of 200.00 MB");
        }
    }

    @Test
    void forcedFallbackIsReportedAndStillKillsDetachedProcesses() throws Exception {
        try (TestCluster c = new TestCluster(dir, "ContainmentType=process\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            assertThat(c.cmd("scontrol", "show", "node", "n1").out()).contains("Containment=process");
            Path pidFile = c.workFile("escapee.pid");
            long id = c.submit("--wrap", "setsid sh -c 'echo $$ > " + pidFile + "; exec sleep 300' & sleep 300");
            c.awaitState(id, "RUNNING", Duration.ofSeconds(20));
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
            long escapee = Long.parseLong(Files.readString(pidFile).trim());
            c.cmd("scancel", Long.toString(id));
            c.awaitState(id, "CANCELLED", Duration.ofSeconds(30));
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> ProcessHandle.of(escapee)
                            .map(h -> !h.isAlive() || ClusterIT.zombie(escapee))
                            .orElse(true));
        }
    }

    @Test
    void aRootAgentRunsTheJobAsTheUserWhoSubmittedIt() throws Exception {
        assumeTrue(root(), "running jobs as their submitter needs the agent to run as root");
        assumeTrue(
                new File("/usr/sbin/useradd").canExecute() && new File("/usr/sbin/runuser").canExecute(),
                "useradd and runuser are needed to act as a second user");
        String user = "motleytest";
        if (new ProcessBuilder("id", "-u", user).start().waitFor() != 0) {
            assertThat(new ProcessBuilder("useradd", "-m", "-s", "/bin/sh", user)
                            .inheritIO()
                            .start()
                            .waitFor())
                    .isZero();
        }
        try (TestCluster c =
                new TestCluster(dir, "PartitionName=main Default=YES\nPartitionName=staff AllowGroups=root\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            assertThat(c.cmd("scontrol", "show", "node", "n1").out()).contains("JobUser=submitter");
            Path work = Files.createTempDirectory(Path.of("/tmp"), "motley-e2e-user-");
            new ProcessBuilder("chown", user, work.toString()).start().waitFor();
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> cmd = new ArrayList<>(List.of(
                    "runuser",
                    "-u",
                    user,
                    "--",
                    TestCluster.BIN.resolve("sbatch").toString(),
                    "--parsable",
                    "-o",
                    "who-%j.out",
                    "--wrap",
                    "id -un; umask"));
            TestCluster.Run r = c.cmdIn(work, null, cmd.toArray(String[]::new));
            assertThat(r.rc()).as(r.err()).isZero();
            long id = Long.parseLong(r.out().trim());
            c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
            Path out = work.resolve("who-" + id + ".out");
            assertThat(Files.readAllLines(out).get(0)).isEqualTo(user);
            assertThat(Files.getOwner(out).getName()).isEqualTo(user);
            assertThat(c.cmd("squeue", "-h", "-t", "all", "-j", Long.toString(id), "-o", "%u")
                            .out()
                            .trim())
                    .isEqualTo(user);
            // the agent vouches for the user's groups too: a partition for group root is closed to them
            TestCluster.Run staff = c.cmdIn(
                    work,
                    null,
                    "runuser",
                    "-u",
                    user,
                    "--",
                    TestCluster.BIN.resolve("sbatch").toString(),
                    "-p",
                    "staff",
                    "--wrap",
                    "true");
            assertThat(staff.rc()).isEqualTo(1);
            assertThat(staff.err()).contains("AllowGroups=root");
            TestCluster.deleteTree(work);
        }
    }
}
