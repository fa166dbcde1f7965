package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.agent.enforcement.Containment;
import io.motley.agent.enforcement.CpuAllocator;
import io.motley.agent.enforcement.TestHosts;
import io.motley.core.job.KillReason;
import io.motley.core.job.Usage;
import io.motley.protocol.Message.JobEnded;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every containment strategy through the launcher with real jobs: memory over the limit ends as
 * OUT_OF_MEMORY with Slurm's message, concurrent jobs get their own CPUs, cancel and the end of a
 * job kill detached processes, usage is reported, and a restarted agent finds a job's box again.
 * On this machine (root, cgroup v1 plus a controller-less cgroup2) all three run for real.
 */
class ContainmentLaunchTest {
    @TempDir
    Path dir;

    final String node = TestHosts.uniqueNode();
    final List<JobEnded> reports = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() {
        TestHosts.removeGroups(node);
    }

    JobLauncher launcher(String mode) throws IOException {
        Containment c = Containment.choose(mode, node);
        assumeTrue(
                c.name().equals(mode),
                mode + " is not available on this host (chosen instead: " + c.name()
                        + "); cgroups need root and a mounted hierarchy");
        return new JobLauncher(dir.resolve("spool"), node, reports::add, c);
    }

    JobEnded awaitReport(long id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> reports.stream().anyMatch(f -> f.id() == id));
        return reports.stream().filter(f -> f.id() == id).findFirst().orElseThrow();
    }

    String out(long id) throws IOException {
        return Files.readString(dir.resolve("slurm-" + id + ".out"));
    }

    long pidIn(String name) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(dir.resolve(name))
                        && !Files.readString(dir.resolve(name)).isBlank());
        try {
            return Long.parseLong(Files.readString(dir.resolve(name)).trim());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Leaves two processes behind, both deaf to SIGTERM: a double-forked setsid'ed one (out of the
     * job's process tree, group and session) and a double-forked nohup one.
     */
    String detaching(String a, String b, String then) {
        return "(setsid sh -c 'trap \"\" TERM; echo $$ > " + dir.resolve(a) + "; exec sleep 300' &)\n"
                + "(trap '' TERM; nohup sh -c 'echo $$ > " + dir.resolve(b) + "; exec sleep 301' >/dev/null 2>&1 &)\n"
                + then;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cgroup1", "cgroup2", "process"})
    void aJobOverItsMemoryEndsOutOfMemoryWithSlurmsMessage(String mode) throws Exception {
        JobLauncher l = launcher(mode);
        l.launch(Orders.order(dir, node, 11, "echo start; cat /dev/zero | tail -c 200m >/dev/null; echo after", 50, 1));
        JobEnded end = awaitReport(11);
        assertThat(Orders.fields(end)).containsEntry("state", "OUT_OF_MEMORY").containsEntry("signal", "9");
        assertThat(out(11))
                .startsWith("start\n")
                .containsPattern("motleystep-" + node + ": error: Detected \\d+ oom_kill events?"
                        + " in StepId=11\\.batch\\. Some of the step tasks have been OOM Killed\\.\n");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cgroup1", "cgroup2", "process"})
    void twoOneCpuJobsRunOnDifferentCpus(String mode) throws Exception {
        assumeTrue(CpuAllocator.hostCpus().size() >= 2, "needs two CPUs");
        JobLauncher l = launcher(mode);
        String body = "grep Cpus_allowed_list /proc/self/status; sleep 2";
        l.launch(Orders.order(dir, node, 21, body, 100, 1));
        l.launch(Orders.order(dir, node, 22, body, 100, 1));
        assertThat(Orders.fields(awaitReport(21))).containsEntry("state", "COMPLETED");
        assertThat(Orders.fields(awaitReport(22))).containsEntry("state", "COMPLETED");
        assertThat(out(21)).matches("Cpus_allowed_list:\t\\d+\n");
        assertThat(out(22)).matches("Cpus_allowed_list:\t\\d+\n").isNotEqualTo(out(21));
        assertThat(Files.readString(dir.resolve("spool/job22/cpus")).trim())
                .isEqualTo(out(22).substring(out(22).indexOf('\t') + 1).trim());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cgroup1", "cgroup2", "process"})
    void cancelKillsWhatTheJobDetached(String mode) throws Exception {
        JobLauncher l = launcher(mode);
        l.launch(Orders.order(dir, node, 31, detaching("a", "b", "sleep 300"), 100, 1));
        long a = pidIn("a");
        long b = pidIn("b");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("spool/job31/job.pid")));
        l.kill(31, KillReason.CANCEL);
        assertThat(Orders.fields(awaitReport(31)))
                .containsEntry("state", "CANCELLED")
                .containsEntry("signal", "15");
        await().atMost(Duration.ofSeconds(10)).until(() -> TestHosts.dead(a) && TestHosts.dead(b));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cgroup1", "cgroup2", "process"})
    void whatAJobLeavesBehindEndsWithIt(String mode) throws Exception {
        JobLauncher l = launcher(mode);
        // the job ends only once both have started, or the box's clean-up could beat them to their pid files
        l.launch(Orders.order(
                dir,
                node,
                41,
                detaching(
                        "a",
                        "b",
                        "until [ -s " + dir.resolve("a") + " ] && [ -s " + dir.resolve("b")
                                + " ]; do sleep 0.1; done; exit 0"),
                100,
                1));
        assertThat(Orders.fields(awaitReport(41))).containsEntry("state", "COMPLETED");
        long a = pidIn("a");
        long b = pidIn("b");
        await().atMost(Duration.ofSeconds(10)).until(() -> TestHosts.dead(a) && TestHosts.dead(b));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cgroup1", "cgroup2", "process"})
    void aBusyJobReportsMemoryAndCpu(String mode) throws Exception {
        JobLauncher l = launcher(mode);
        l.launch(Orders.order(
                dir,
                node,
                51,
                "dd if=/dev/zero bs=20M count=1 2>/dev/null | sleep 3 &\n"
                        + "i=0; while [ $i -lt 1500000 ]; do i=$((i+1)); done; wait",
                200,
                1));
        JobEnded end = awaitReport(51);
        assertThat(Orders.fields(end)).containsEntry("state", "COMPLETED");
        Usage u = end.usage();
        assertThat(u.maxRssKiB()).as("MaxRSS").isGreaterThan(15 * 1024);
        assertThat(u.maxVmKiB()).as("MaxVMSize").isGreaterThanOrEqualTo(u.maxRssKiB());
        assertThat(u.userCpuMs()).as("UserCPU").isGreaterThan(300);
        assertThat(u.totalCpuMs()).as("TotalCPU").isEqualTo(u.userCpuMs() + u.systemCpuMs());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cgroup1", "cgroup2", "process"})
    void aRestartedAgentFindsTheJobsBoxAndCpusAgain(String mode) throws Exception {
        assumeTrue(CpuAllocator.hostCpus().size() >= 2, "needs two CPUs");
        JobLauncher first = launcher(mode);
        first.launch(Orders.order(dir, node, 61, detaching("a", "b", "sleep 300"), 100, 1));
        long a = pidIn("a");
        long b = pidIn("b");
        String held = Files.readString(dir.resolve("spool/job61/cpus")).trim();
        assertThat(Files.readAllLines(dir.resolve("spool/job61/box")).get(0)).isEqualTo(mode);

        JobLauncher second = new JobLauncher(dir.resolve("spool"), node, reports::add, Containment.choose(mode, node));
        assertThat(second.inventory())
                .extracting(f -> Orders.op(f) + ":" + f.id())
                .containsExactly("running:61");
        second.launch(Orders.order(dir, node, 62, "grep Cpus_allowed_list /proc/self/status", 100, 1));
        assertThat(Orders.fields(awaitReport(62))).containsEntry("state", "COMPLETED");
        assertThat(out(62)).as("the adopted job keeps its CPU").doesNotContain("\t" + held + "\n");
        second.kill(61, KillReason.CANCEL);
        await().atMost(Duration.ofSeconds(10)).until(() -> TestHosts.dead(a) && TestHosts.dead(b));
        assertThat(Orders.fields(awaitReport(61))).containsEntry("state", "CANCELLED");
    }
}
