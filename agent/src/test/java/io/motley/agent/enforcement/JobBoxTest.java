package io.motley.agent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each strategy's box with real processes and no launcher: joining, finding detached processes,
 * the kill, memory, and removal. The cgroup2 case uses this host's cgroup2 mount, or mounts one.
 */
class JobBoxTest {
    @TempDir
    Path dir;

    final String node = TestHosts.uniqueNode();
    final List<Process> started = new ArrayList<>();
    Path mounted;

    @AfterEach
    void cleanUp() throws Exception {
        started.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
        started.forEach(Process::destroyForcibly);
        TestHosts.removeGroups(node);
        if (mounted != null)
            new ProcessBuilder("umount", mounted.toString()).inheritIO().start().waitFor();
    }

    /** Starts {@code body} as a job's first process would: join the box, bind, carry the marker, then exec. */
    Process startIn(JobBox box, long jobId, String body) throws IOException {
        StringBuilder sh = new StringBuilder();
        for (Path f : box.joinFiles()) sh.append("echo $$ > '").append(f).append("' || exit 99; ");
        if (!box.bindCommand().isEmpty())
            sh.append(String.join(" ", box.bindCommand())).append(" $$ >/dev/null; ");
        sh.append("export MOTLEY_JOB_ID=")
                .append(jobId)
                .append(" SLURMD_NODENAME=")
                .append(node)
                .append("; exec setsid sh -c '")
                .append(body)
                .append("'");
        Process p = new ProcessBuilder("sh", "-c", sh.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out" + jobId).toFile())
                .start();
        started.add(p);
        box.track(p.pid());
        return p;
    }

    /** A job that leaves a setsid'ed and a double-forked process behind, both deaf to SIGTERM. */
    String escapees() {
        return "(setsid sh -c \"trap \\\"\\\" TERM; echo \\$\\$ > " + dir.resolve("a") + "; exec sleep 300\" &); "
                + "(trap \"\" TERM; nohup sh -c \"echo \\$\\$ > " + dir.resolve("b")
                + "; exec sleep 301\" >/dev/null 2>&1 &); "
                + "sleep 300";
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

    void killsEverythingItHolds(JobBox box) throws IOException {
        // a second call must not read the pids the first one's processes left (they are dead)
        Files.deleteIfExists(dir.resolve("a"));
        Files.deleteIfExists(dir.resolve("b"));
        Process p = startIn(box, 1, escapees());
        long a = pidIn("a");
        long b = pidIn("b");
        assertThat(ProcessHandle.of(b).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                .as("b left its parent")
                .isNotEqualTo(Optional.of(p.pid()));
        await().atMost(Duration.ofSeconds(10)).until(() -> box.processes().containsAll(List.of(p.pid(), a, b)));
        box.terminate();
        await().atMost(Duration.ofSeconds(10)).until(() -> TestHosts.dead(p.pid()));
        assertThat(TestHosts.dead(a) || TestHosts.dead(b))
                .as("they ignore SIGTERM")
                .isFalse();
        box.killAll();
        assertThat(TestHosts.dead(a)).isTrue();
        assertThat(TestHosts.dead(b)).isTrue();
        assertThat(box.processes()).isEmpty();
        box.remove();
    }

    @Test
    void cgroupV1HoldsMemoryCpusAndKillsDetachedProcesses() throws Exception {
        assumeTrue(TestHosts.isRoot(), "needs root to create cgroups");
        assumeTrue(TestHosts.hasV1Memory(), "needs a cgroup v1 memory hierarchy");
        CgroupV1 v1 = CgroupV1.probe(node);
        List<Integer> cpus = CpuAllocator.hostCpus();
        int last = cpus.get(cpus.size() - 1);
        JobBox box = v1.open(1, new JobLimits(50, List.of(last), 0));
        assertThat(box.location()).anyMatch(l -> l.startsWith("memory=") && l.endsWith("/motley/" + node + "/job1"));
        killsEverythingItHolds(box);
        assertThat(v1.bases().get("memory").resolve("job1")).doesNotExist();

        JobBox oom = v1.open(2, new JobLimits(50, List.of(last), 0));
        Process p =
                startIn(oom, 2, "grep Cpus_allowed_list /proc/self/status; dd if=/dev/zero bs=200M count=1 | sleep 30");
        await().atMost(Duration.ofSeconds(20)).until(() -> oom.oomKills() > 0);
        assertThat(Files.readString(dir.resolve("out2"))).contains("Cpus_allowed_list:\t" + last);
        oom.killAll();
        assertThat(p.waitFor()).isNotZero();
        oom.remove();

        JobBox reopened = Containment.reopen(
                "cgroup1",
                3,
                node,
                new JobLimits(0, List.of(), 0),
                v1.open(3, new JobLimits(0, List.of(), 0)).location());
        killsEverythingItHolds(reopened);
    }

    /**
     * The kill at a job's end skips the freezer when the group is already empty (most jobs end
     * with all their processes): the freeze, the wait for FROZEN and the thaw were a round trip per
     * job for nothing. Seen from the group: a state set before the kill is left as it was.
     */
    @Test
    void cgroupV1LeavesTheFreezerOfAnEmptyGroupAlone() throws Exception {
        assumeTrue(TestHosts.isRoot(), "needs root to create cgroups");
        assumeTrue(TestHosts.hasV1Memory(), "needs a cgroup v1 memory hierarchy");
        CgroupV1 v1 = CgroupV1.probe(node);
        Path freezer = v1.bases().get("freezer");
        assumeTrue(freezer != null, "needs a cgroup v1 freezer hierarchy");
        JobBox box = v1.open(6, new JobLimits(0, List.of(), 0));
        Path state = freezer.resolve("job6/freezer.state");
        Files.writeString(state, "FROZEN");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.readString(state).trim().equals("FROZEN"));
        box.killAll();
        assertThat(Files.readString(state).trim())
                .as("the empty group's freezer")
                .isEqualTo("FROZEN");
        Files.writeString(state, "THAWED");
        box.remove();
        assertThat(freezer.resolve("job6")).doesNotExist();
    }

    @Test
    void aJobsCpusetLeavesLoadBalancingToTheTopSoItsCpusChangeWithoutADomainRebuild() throws Exception {
        assumeTrue(TestHosts.isRoot(), "needs root to create cgroups");
        assumeTrue(TestHosts.hasV1Memory(), "needs a cgroup v1 memory hierarchy");
        CgroupV1 v1 = CgroupV1.probe(node);
        Path base = v1.bases().get("cpuset");
        assumeTrue(base != null, "needs a cgroup v1 cpuset hierarchy");
        assumeTrue(CgroupV1.topBalancesLoad(base.resolve("job5")), "the top cpuset balances load (the default)");
        List<Integer> cpus = CpuAllocator.hostCpus();
        int last = cpus.get(cpus.size() - 1);
        JobBox box = v1.open(5, new JobLimits(50, List.of(last), 0));
        assertThat(Files.readString(base.resolve("job5/cpuset.sched_load_balance"))
                        .trim())
                .isEqualTo("0");
        assertThat(Files.readString(base.resolve("job5/cpuset.cpus")).trim()).isEqualTo(Integer.toString(last));
        box.remove();
        assertThat(base.resolve("job5")).doesNotExist();
    }

    @Test
    void cgroupV2GroupsAndKillsDetachedProcessesEvenWithoutControllers() throws Exception {
        assumeTrue(TestHosts.isRoot(), "needs root to create or mount cgroups");
        Path root = TestHosts.cgroup2().orElseGet(this::mountCgroup2);
        assumeTrue(root != null, "no cgroup2 hierarchy and none could be mounted");
        CgroupV2 v2 = CgroupV2.probe(root, "/", node, false);
        assertThat(v2.base()).isEqualTo(root.resolve("motley.slice").resolve(node));
        JobBox box =
                v2.open(1, new JobLimits(50, List.of(CpuAllocator.hostCpus().get(0)), 0));
        assertThat(box.memoryBySampling()).isEqualTo(!v2.controllers().contains("memory"));
        killsEverythingItHolds(box);
        assertThat(v2.base().resolve("job1")).doesNotExist();
        if (!v2.controllers().containsAll(List.of("memory", "cpu"))) {
            assertThatThrownBy(() -> CgroupV2.probe(root, "/", node + "x", true))
                    .isInstanceOf(Unusable.class)
                    .hasMessageContaining("cannot give job groups the");
            assertThat(root.resolve("motley.slice").resolve(node + "x"))
                    .as("a refused probe leaves nothing")
                    .doesNotExist();
        }
    }

    @Test
    void cgroupV2SamplesMemoryWhereTheKernelCannotHoldIt() throws Exception {
        assumeTrue(TestHosts.isRoot(), "needs root to create or mount cgroups");
        Path root = TestHosts.cgroup2().orElseGet(this::mountCgroup2);
        assumeTrue(root != null, "no cgroup2 hierarchy and none could be mounted");
        CgroupV2 v2 = CgroupV2.probe(root, "/", node, false);
        JobBox box = v2.open(4, new JobLimits(50, List.of(), 0));
        Process p = startIn(box, 4, "dd if=/dev/zero bs=200M count=1 | sleep 30");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            box.sample();
            return box.oomKills() > 0;
        });
        assertThat(p.waitFor()).isNotZero();
        assertThat(box.usage().maxRssKiB()).isGreaterThan(50 * 1024);
        box.remove();
    }

    @Test
    void processTrackingFindsDetachedProcessesByTheirMarker() throws Exception {
        assumeTrue(ProcessTable.hasProcfs(), "environments are read from /proc");
        JobBox box = ProcessTracking.forNode(node).open(1, new JobLimits(0, List.of(), 0));
        assertThat(box.joinFiles()).isEmpty();
        killsEverythingItHolds(box);
        JobBox other = ProcessTracking.forNode(node + "-other").open(1, new JobLimits(0, List.of(), 0));
        assertThat(other.processes())
                .as("the same job id on another node is not ours")
                .isEmpty();
    }

    /**
     * A process looked at between its fork and the exec that gives it the job's marker is not
     * written off for good: a task started by a process outside the job (the agent) would otherwise
     * escape its job's signals and kill.
     */
    @Test
    void processTrackingLooksAgainAtAProcessSeenBeforeItsExec() throws Exception {
        assumeTrue(ProcessTable.hasProcfs(), "environments are read from /proc");
        JobBox box = ProcessTracking.forNode(node).open(7, new JobLimits(0, List.of(), 0));
        Path ready = dir.resolve("ready");
        Process p = new ProcessBuilder(
                        "sh",
                        "-c",
                        "while [ ! -f '" + ready + "' ]; do sleep 0.05; done; exec env MOTLEY_JOB_ID=7 SLURMD_NODENAME="
                                + node + " sleep 30")
                .start();
        started.add(p);
        assertThat(box.processes()).as("no marker before the exec").doesNotContain(p.pid());
        Files.writeString(ready, "");
        await().atMost(Duration.ofSeconds(10)).until(() -> box.processes().contains(p.pid()));
        box.killAll();
        assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void processTrackingKillsAJobOverItsMemoryLimit() throws Exception {
        JobBox box = ProcessTracking.forNode(node).open(5, new JobLimits(50, List.of(), 0));
        Process p = startIn(box, 5, "dd if=/dev/zero bs=200M count=1 | sleep 30");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            box.sample();
            return box.oomKills() > 0;
        });
        assertThat(p.waitFor()).isNotZero();
        assertThat(box.usage().maxRssKiB()).isGreaterThan(50 * 1024);
        assertThat(box.usage().maxVmKiB()).isGreaterThanOrEqualTo(box.usage().maxRssKiB());
    }

    private Path mountCgroup2() {
        try {
            Path at = Files.createDirectories(dir.resolve("cgroup2"));
            if (new ProcessBuilder("mount", "-t", "cgroup2", "none", at.toString())
                            .inheritIO()
                            .start()
                            .waitFor()
                    != 0) return null;
            mounted = at;
            return at;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
