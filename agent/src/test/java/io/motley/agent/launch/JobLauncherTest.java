package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.agent.enforcement.Containment;
import io.motley.agent.enforcement.ProcessTracking;
import io.motley.agent.enforcement.TestHosts;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import io.motley.protocol.StepMessages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes under the shepherd: exit codes, signals, time limits, kills, usage, and adoption by a new launcher. */
class JobLauncherTest {
    @TempDir
    Path dir;

    final List<JobEnded> reports = new CopyOnWriteArrayList<>();

    @AfterEach
    void removeCgroups() {
        TestHosts.removeGroups("n1");
    }

    Launch order(long id, String body, long limit) {
        JobRequest r = JobRequest.builder("#!/bin/sh\n" + body + "\n", dir.toString())
                .name("t")
                .timeLimit(TimeLimit.of(limit))
                .environment(Map.of("PATH", "/usr/bin:/bin"))
                .arguments(List.of("x y"))
                .submitHost("h")
                .build();
        return new Launch("c", 1, started(id, r, TimeLimit.of(limit)));
    }

    /** Job {@code id} of root's, asking {@code req}, started on n1 with 1 CPU and 100 MiB. */
    static Job started(long id, JobRequest req, TimeLimit limit) {
        return Job.builder(id, req)
                .owner("root", 0, 0)
                .priority(1)
                .times(Job.Times.submitted(1))
                .allocation(Job.Allocation.queued("main", limit))
                .build()
                .started("main", "n1", 1, 100, limit, 2);
    }

    JobEnded awaitReport(long id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> reports.stream().anyMatch(f -> f.id() == id));
        return reports.stream().filter(f -> f.id() == id).findFirst().orElseThrow();
    }

    @Test
    void reportsExitCodesSignalsAndArguments() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        l.launch(order(1, "echo \"[$1]\" $SLURM_JOB_ID; exit 3", -1));
        l.launch(order(2, "kill -9 $$", -1));
        l.launch(order(3, "true", -1));
        assertThat(Orders.fields(awaitReport(1)))
                .containsEntry("state", "FAILED")
                .containsEntry("code", "3")
                .containsEntry("signal", "0");
        assertThat(Orders.fields(awaitReport(2)))
                .containsEntry("state", "FAILED")
                .containsEntry("code", "0")
                .containsEntry("signal", "9");
        assertThat(Orders.fields(awaitReport(3))).containsEntry("state", "COMPLETED");
        assertThat(Files.readString(dir.resolve("slurm-1.out"))).isEqualTo("[x y] 1\n");
        l.launch(order(3, "true", -1));
        assertThat(l.inventory())
                .extracting(Orders::op)
                .containsOnly(Ops.JOB_ENDED)
                .hasSize(3);
        l.acknowledged(1);
        assertThat(Files.exists(dir.resolve("spool/job1"))).isFalse();
    }

    /**
     * A job starts with the signals slurmstepd resets at their defaults: the shepherd starts it in
     * the background, where sh ignores SIGINT and SIGQUIT, an agent started under nohup ignores
     * SIGHUP, and an ignored signal stays ignored across exec (then `trap ... INT` and `scancel -s
     * INT` did nothing, and Python had no KeyboardInterrupt). The test's own JVM may run with some
     * of them ignored (a CI started under nohup): the job must not see that.
     */
    @Test
    void theJobAndItsStepsTasksStartWithInterruptAndQuitAtTheirDefaults() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.exists(Path.of("/proc/self/status")), "JobLauncherTest: no /proc to read SigIgn from");
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        l.launch(order(21, "grep SigIgn /proc/$$/status; exec sleep 60", -1));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(dir.resolve("slurm-21.out"))
                        && Files.readString(dir.resolve("slurm-21.out")).endsWith("\n"));
        // a step's task too, which its node's agent starts another way
        List<StepMessages.TaskEvent> events = new CopyOnWriteArrayList<>();
        l.runTasks(
                new StepMessages.RunTasks(
                        21,
                        0,
                        List.of("sh", "-c", "grep SigIgn /proc/$$/status"),
                        dir.toString(),
                        List.of(new StepMessages.RemoteTask(0, "n1", Map.of("PATH", "/usr/bin:/bin")))),
                events::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(StepMessages.TaskEvent::isEnd));
        l.kill(21, KillReason.CANCEL);
        assertThat(awaitReport(21).state()).isEqualTo(JobState.CANCELLED);
        String task = new String(events.get(0).data(), java.nio.charset.StandardCharsets.UTF_8);
        // INT 2, QUIT 3, USR1 10, USR2 12, PIPE 13, ALRM 14, TERM 15, TSTP 20, HUP 1: bit N-1 each
        long slurmstepds = 0;
        for (int sig : new int[] {1, 2, 3, 10, 12, 13, 14, 15, 20}) slurmstepds |= 1L << (sig - 1);
        for (String line :
                List.of(Files.readAllLines(dir.resolve("slurm-21.out")).get(0), task.trim())) {
            long ignored = Long.parseLong(line.substring(line.indexOf(':') + 1).trim(), 16);
            assertThat(ignored & slurmstepds).as(line).isZero();
        }
    }

    @Test
    void theScriptSeesItsOwnPidAsSlurmTaskPidAndNotSlurmUmask() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        l.launch(Orders.order(
                dir,
                "n1",
                4,
                "echo \"${SLURM_UMASK-unset} $(umask) $SLURM_TASK_PID $$\"",
                -1,
                100,
                1,
                "root",
                0,
                0,
                java.util.Map.of("SLURM_UMASK", "0027")));
        assertThat(Orders.fields(awaitReport(4))).containsEntry("state", "COMPLETED");
        String[] words = Files.readString(dir.resolve("slurm-4.out")).trim().split(" ");
        // slurmstepd applies SLURM_UMASK and takes it out of the job's environment
        assertThat(words[0]).isEqualTo("unset");
        assertThat(words[1]).isEqualTo("0027");
        assertThat(words[2]).as("SLURM_TASK_PID is the script's pid").isEqualTo(words[3]);
    }

    /** A process's state letter from /proc/PID/stat (T: stopped), or "" when it is gone. */
    static String procState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * scontrol suspend as slurmstepd does it without a freezer: SIGTSTP, then SIGSTOP; resume
     * sends SIGCONT. The time limit does not run while the job is suspended: a job suspended past
     * its limit is not killed, and completes once resumed.
     */
    @Test
    void aSuspendedRunStopsItsTimeLimitStopsAndItContinuesOnResume() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc to see a process stopped");
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add, ProcessTracking.forNode("n1"));
        long t0 = System.nanoTime();
        l.launch(order(
                6,
                "trap 'echo tstp >>sig.txt' TSTP\n"
                        + "trap 'echo cont >>sig.txt' CONT\n"
                        + "echo $$ >shell.pid\n"
                        + "i=0; while [ ! -f done ]; do i=$((i+1)); echo $i >count; sleep 0.1; done",
                6));
        Path pidFile = dir.resolve("shell.pid");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long shell = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(l.suspend(6, 0, false)).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> procState(shell).equals("T"));
        // past its 6 s limit, suspended: the limit must not have ended it
        await().atMost(Duration.ofSeconds(30))
                .until(() -> System.nanoTime() - t0 > Duration.ofSeconds(8).toNanos());
        assertThat(reports).as("a suspended job's time limit does not run").isEmpty();
        assertThat(procState(shell)).isEqualTo("T");
        String before = Files.readString(dir.resolve("count")).trim();

        assertThat(l.suspend(6, 0, true)).isTrue();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !Files.readString(dir.resolve("count")).trim().equals(before));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(dir.resolve("sig.txt"))
                        && Files.readString(dir.resolve("sig.txt")).contains("tstp")
                        && Files.readString(dir.resolve("sig.txt")).contains("cont"));
        Files.writeString(dir.resolve("done"), "");
        assertThat(Orders.fields(awaitReport(6))).containsEntry("state", "COMPLETED");
        assertThat(l.suspend(6, 0, false)).as("an ended run is not suspended").isFalse();
    }

    /**
     * An agent restarted while a run is suspended adopts it suspended: its limit does not run until
     * it is resumed, and the time it spent suspended does not count then either.
     */
    @Test
    void aRunSuspendedAcrossAnAgentRestartKeepsItsLimitStopped() throws Exception {
        // the first agent's reports go nowhere: it is gone, as far as the controller knows
        JobLauncher first = new JobLauncher(dir.resolve("spool"), "n1", f -> {}, ProcessTracking.forNode("n1"));
        long t0 = System.nanoTime();
        first.launch(order(8, "echo >ready; while [ ! -f done ]; do sleep 0.1; done", 5));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("ready")));
        first.suspend(8, 0, false);
        JobLauncher second = new JobLauncher(dir.resolve("spool"), "n1", reports::add, ProcessTracking.forNode("n1"));
        // what an agent does as it registers: it adopts the runs it finds
        assertThat(second.inventory())
                .extracting(f -> Orders.op(f) + ":" + f.id())
                .containsExactly("running:8");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> System.nanoTime() - t0 > Duration.ofSeconds(7).toNanos());
        assertThat(reports).as("the adopted suspended run's limit does not run").isEmpty();
        assertThat(second.suspend(8, 0, true)).isTrue();
        // resumed, it still has most of its 5 s: no time spent suspended was counted against it
        Files.writeString(dir.resolve("done"), "");
        assertThat(Orders.fields(awaitReport(8))).containsEntry("state", "COMPLETED");
    }

    /** A suspended run that is cancelled is continued first, so that its SIGTERM is acted on. */
    @Test
    void aSuspendedRunCanBeCancelled() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add, ProcessTracking.forNode("n1"));
        l.launch(order(7, "echo >ready; while :; do sleep 0.1; done", -1));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("ready")));
        l.suspend(7, 0, false);
        l.kill(7, 0, io.motley.core.job.KillReason.CANCEL);
        assertThat(Orders.fields(awaitReport(7))).containsEntry("state", "CANCELLED");
    }

    /**
     * scancel -s: without -b a signal reaches the job's steps (processes outside the batch shell's
     * process group) and not the shell; with -b the shell alone; with --full both.
     */
    @Test
    void aSignalReachesTheStepsTheBatchShellOrBothAsScancelAsks() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        String step = "for s in USR1 USR2 HUP; do trap \"echo step $s >>sig.txt\" $s; done; echo >step.ready;"
                + " while [ ! -f done ]; do sleep 0.1; done";
        l.launch(order(
                5,
                "for s in USR1 USR2 HUP; do trap \"echo shell $s >>sig.txt\" $s; done\n"
                        + "setsid /bin/sh -c '" + step + "' &\n"
                        + "echo >shell.ready\n"
                        + "while [ ! -f done ]; do sleep 0.1; done\n"
                        + "wait",
                -1));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(dir.resolve("step.ready")) && Files.exists(dir.resolve("shell.ready")));
        Path sig = dir.resolve("sig.txt");

        assertThat(l.signal(5, 0, 10, io.motley.protocol.Message.SignalScope.STEPS))
                .isNotEmpty();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(sig) && Files.readString(sig).contains("step USR1"));
        l.signal(5, 0, 12, io.motley.protocol.Message.SignalScope.BATCH);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(sig).contains("shell USR2"));
        // the shell runs its traps in order: had USR1 reached it, its line would be there by now
        assertThat(Files.readString(sig)).doesNotContain("shell USR1");
        l.signal(5, 0, 1, io.motley.protocol.Message.SignalScope.FULL);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Files.readString(sig).contains("shell HUP")
                        && Files.readString(sig).contains("step HUP"));
        assertThat(Files.readString(sig)).doesNotContain("step USR2");

        List<io.motley.protocol.Message.JobPid> pids = l.listPids(5, 0);
        assertThat(pids.get(0))
                .as("the batch shell is task 0")
                .extracting(
                        io.motley.protocol.Message.JobPid::jobId,
                        io.motley.protocol.Message.JobPid::step,
                        io.motley.protocol.Message.JobPid::localId)
                .containsExactly(5L, "batch", 0);
        assertThat(pids.get(0).pid())
                .isEqualTo(Long.parseLong(
                        Files.readString(dir.resolve("spool/job5/job.pid")).trim()));
        assertThat(pids).hasSizeGreaterThan(1);
        assertThat(pids.subList(1, pids.size())).allMatch(p -> p.localId() == -1);
        assertThat(l.listPids(0, 1000)).as("another user's job is not listed").isEmpty();
        assertThat(l.listPids(6, 0)).isEmpty();

        Files.writeString(dir.resolve("done"), "");
        assertThat(Orders.fields(awaitReport(5))).containsEntry("state", "COMPLETED");
        assertThat(l.listPids(0, 0)).isEmpty();
        assertThat(l.signal(5, 0, 10, io.motley.protocol.Message.SignalScope.FULL))
                .as("an ended run takes no signal")
                .isEmpty();
    }

    /**
     * An end reported and not acknowledged stays listed for the link to report again (the
     * controller's database may have lost it), also when a new launcher finds it in the spool, whose
     * bytes are a frame's and not text, until the controller acknowledges it.
     */
    @Test
    void anEndStaysUnacknowledgedUntilTheControllerAcknowledgesIt() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        l.launch(order(1, "true", -1));
        JobEnded end = awaitReport(1);
        assertThat(l.unacknowledged()).containsExactly(end);

        // end time 1000 is 0x03e8: no UTF-8 text
        JobEnded stored = new JobEnded(7, 0, JobState.COMPLETED, new ExitStatus(0, 0), 1_000, null, Usage.NONE);
        Files.createDirectories(dir.resolve("spool/job7"));
        Files.write(dir.resolve("spool/job7/result"), FrameIO.toBytes(Messages.encode(stored)));
        JobLauncher second = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        assertThat(second.unacknowledged()).isEmpty();
        assertThat(second.inventory()).contains(stored);
        assertThat(second.unacknowledged()).contains(stored);

        l.acknowledged(1);
        second.acknowledged(7);
        assertThat(l.unacknowledged()).isEmpty();
        assertThat(second.unacknowledged()).doesNotContain(stored);
        assertThat(Files.exists(dir.resolve("spool/job7"))).isFalse();
    }

    /** Job {@code id} across n1 (its batch host) and n2, with {@code body} as its script. */
    Launch acrossTwoNodes(long id, String body) {
        Launch one = order(id, body, -1);
        Job j = one.job();
        Job two = Job.builder(id, j.request())
                .owner("root", 0, 0)
                .priority(1)
                .times(Job.Times.submitted(1))
                .allocation(Job.Allocation.queued("main", TimeLimit.UNLIMITED))
                .build()
                .started(
                        "main",
                        List.of(
                                new Job.Allocation.Part("n1", 1, 100, List.of()),
                                new Job.Allocation.Part("n2", 1, 100, List.of(1))),
                        TimeLimit.UNLIMITED,
                        2);
        return new Launch("c", 1, two);
    }

    @Test
    void anotherNodeOfAMultiNodeJobHoldsItsPartAndRunsItsStepsTasksThere() throws Exception {
        JobLauncher n2 = new JobLauncher(dir.resolve("spool2"), "n2", reports::add);
        n2.launch(acrossTwoNodes(9, "echo script ran > " + dir.resolve("ran")));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("spool2/job9/job.pid")));
        assertThat(n2.inventory()).extracting(h -> Orders.op(h) + ":" + h.id()).containsExactly("running:9");

        List<StepMessages.TaskEvent> events = new CopyOnWriteArrayList<>();
        n2.runTasks(
                new StepMessages.RunTasks(
                        9,
                        0,
                        List.of(
                                "sh",
                                "-c",
                                "echo \"task $SLURM_PROCID on $SLURMD_NODENAME job $MOTLEY_JOB_ID"
                                        + " cpus $SLURM_CPUS_ON_NODE gpus $CUDA_VISIBLE_DEVICES\"; exit 3"),
                        dir.toString(),
                        // srun's own node's values, which this node's replace
                        List.of(new StepMessages.RemoteTask(
                                1,
                                "n2",
                                Map.of(
                                        "PATH",
                                        "/usr/bin:/bin",
                                        "SLURM_PROCID",
                                        "1",
                                        "SLURM_CPUS_ON_NODE",
                                        "4",
                                        "CUDA_VISIBLE_DEVICES",
                                        "0")))),
                events::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(StepMessages.TaskEvent::isEnd));
        assertThat(events)
                .containsExactly(
                        new StepMessages.TaskEvent(9, 0, 1, "out", "task 1 on n2 job 9 cpus 1 gpus 1\n".getBytes(), 0),
                        StepMessages.TaskEvent.ended(9, 0, 1, 3));

        // a task still running when its step is killed ends
        events.clear();
        n2.runTasks(
                new StepMessages.RunTasks(
                        9,
                        1,
                        List.of("sh", "-c", "echo $$ > " + dir.resolve("task.pid") + "; exec sleep 60"),
                        dir.toString(),
                        List.of(new StepMessages.RemoteTask(0, "n2", Map.of("PATH", "/usr/bin:/bin")))),
                events::add);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(dir.resolve("task.pid"))
                        && !Files.readString(dir.resolve("task.pid")).isBlank());
        n2.killTasks(9, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(StepMessages.TaskEvent::isEnd));
        assertThat(events.get(events.size() - 1).status()).isEqualTo(128 + 15);

        // the job's end lets its part go; its script never ran here
        n2.kill(9, KillReason.CANCEL);
        assertThat(awaitReport(9).state()).isEqualTo(JobState.CANCELLED);
        assertThat(dir.resolve("ran")).doesNotExist();
        assertThat(dir.resolve("slurm-9.out")).doesNotExist();

        // a job that does not run here gets its tasks ended at once
        events.clear();
        n2.runTasks(
                new StepMessages.RunTasks(
                        10,
                        0,
                        List.of("true"),
                        dir.toString(),
                        List.of(new StepMessages.RemoteTask(0, "n2", Map.of()))),
                events::add);
        assertThat(events).last().isEqualTo(StepMessages.TaskEvent.ended(10, 0, 0, 1));
    }

    @Test
    void aStepsTasksOrderedWhileTheirJobIsStillStartingWaitForTheStart() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        // a start that waits: its output's directory appears only later
        Launch plain = order(11, "sleep 60", -1);
        Path later = dir.resolve("later");
        Job slow = started(
                11,
                plain.job().request().toBuilder()
                        .output(later.resolve("out").toString(), null)
                        .build(),
                TimeLimit.UNLIMITED);
        l.launchInBackground(new Launch("c", 1, slow));
        List<StepMessages.TaskEvent> events = new CopyOnWriteArrayList<>();
        Thread.ofVirtual()
                .start(() -> l.runTasks(
                        new StepMessages.RunTasks(
                                11,
                                0,
                                List.of("sh", "-c", "echo task ran"),
                                dir.toString(),
                                List.of(new StepMessages.RemoteTask(0, "n1", Map.of("PATH", "/usr/bin:/bin")))),
                        events::add));
        Thread.sleep(300);
        assertThat(events).isEmpty();
        Files.createDirectories(later);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(StepMessages.TaskEvent::isEnd));
        assertThat(events)
                .containsExactly(
                        new StepMessages.TaskEvent(11, 0, 0, "out", "task ran\n".getBytes(), 0),
                        StepMessages.TaskEvent.ended(11, 0, 0, 0));
        l.kill(11, KillReason.CANCEL);
        assertThat(awaitReport(11).state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void sstatsFiguresNameThisNodeAndTellTheStepsTasksFromTheBatchScript() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.exists(Path.of("/proc/self/environ")), "JobLauncherTest: no /proc to read environments from");
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        // a step's task as srun starts one: in the job, with its step and task in its environment
        l.launch(order(
                6,
                "SLURM_STEP_ID=0 SLURM_PROCID=1 sh -c 'echo >task.ready; while [ ! -f done ]; do sleep 0.1; done' &\n"
                        + "while [ ! -f done ]; do sleep 0.1; done\nwait",
                -1));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("task.ready")));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(l.stepUsage(6))
                        .extracting(u -> u.node() + " " + u.step() + "/" + u.task() + " "
                                + !u.pids().isEmpty())
                        .containsExactlyInAnyOrder(
                                "n1 " + io.motley.core.step.TaskUsage.BATCH + "/0 true", "n1 0/1 true"));
        assertThat(l.stepUsage(7)).as("a job that does not run here").isEmpty();
        Files.writeString(dir.resolve("done"), "");
        assertThat(Orders.fields(awaitReport(6))).containsEntry("state", "COMPLETED");
        assertThat(l.stepUsage(6)).isEmpty();
    }

    @Test
    void timeLimitAndCancelEndTheJob() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        l.launch(order(4, "trap '' TERM; sleep 60", 1));
        l.launch(order(5, "sleep 60", -1));
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("spool/job5/job.pid")));
        l.kill(5, KillReason.CANCEL);
        assertThat(Orders.fields(awaitReport(5)))
                .containsEntry("state", "CANCELLED")
                .containsEntry("signal", "15");
        // ignores SIGTERM: the SIGKILL after KillWait ends it
        assertThat(Orders.fields(awaitReport(4))).containsEntry("state", "TIMEOUT");
        assertThat(Files.readString(dir.resolve("slurm-4.out")))
                .contains("*** JOB 4 ON n1 CANCELLED AT")
                .contains("DUE TO TIME LIMIT ***");
    }

    /**
     * scontrol update TimeLimit= on a running job: a limit given to a run without one, and already
     * passed, ends it now as TIMEOUT; a limit that comes before its launch is taken at the launch.
     */
    @Test
    void aNewLimitAlreadyPassedEndsTheRunAndOneSentBeforeTheLaunchIsTaken() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        l.launch(order(11, "echo >ready11; sleep 300", -1));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("ready11")));
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> System.nanoTime() - t0 > Duration.ofSeconds(1).toNanos());
        assertThat(l.limit(11, 0, 1)).isTrue();
        assertThat(Orders.fields(awaitReport(11))).containsEntry("state", "TIMEOUT");
        assertThat(Files.readString(dir.resolve("slurm-11.out"))).contains("DUE TO TIME LIMIT ***");

        assertThat(l.limit(12, 0, 1)).as("not launched yet").isFalse();
        l.launch(order(12, "sleep 300", -1));
        assertThat(Orders.fields(awaitReport(12))).containsEntry("state", "TIMEOUT");
        assertThat(l.limit(12, 0, 60)).as("an ended run").isFalse();
    }

    /**
     * A raised limit keeps the run past its old one, and survives an agent restart (the "limit"
     * file in the run's directory): the adopting agent counts with it, and takes a lower one later.
     */
    @Test
    void aRaisedLimitOutlivesTheOldOneAndAnAgentRestart() throws Exception {
        JobLauncher first = new JobLauncher(dir.resolve("spool"), "n1", f -> {});
        long t0 = System.nanoTime();
        first.launch(order(13, "echo >ready13; sleep 300", 3));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("ready13")));
        assertThat(first.limit(13, 0, 3600)).isTrue();
        assertThat(Files.readString(dir.resolve("spool/job13/limit")).trim()).isEqualTo("3600");
        JobLauncher second = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        assertThat(second.inventory())
                .extracting(f -> Orders.op(f) + ":" + f.id())
                .containsExactly("running:13");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> System.nanoTime() - t0 > Duration.ofSeconds(6).toNanos());
        assertThat(reports).as("past its first 3 s limit, under the raised one").isEmpty();
        assertThat(second.limit(13, 0, 2)).isTrue();
        assertThat(Orders.fields(awaitReport(13))).containsEntry("state", "TIMEOUT");
        first.kill(13, 0, KillReason.CANCEL);
    }

    @Test
    void aRequeueKillSaysSoInTheJobsOutputAndEndsTheRunCancelled() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        l.launch(order(8, "sleep 60", -1));
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("spool/job8/job.pid")));
        l.kill(8, KillReason.REQUEUE);
        assertThat(awaitReport(8).state()).isEqualTo(JobState.CANCELLED);
        assertThat(Files.readString(dir.resolve("slurm-8.out")))
                .contains("*** JOB 8 ON n1 CANCELLED AT")
                .contains("DUE TO JOB REQUEUE ***");
    }

    /** The job of an srun that runs in an agent (outside an allocation): held on its node, as {@code order} says. */
    Launch heldInAgent(long id, long limit) {
        Launch plain = order(id, "exit 3", limit);
        JobRequest req = plain.job().request().toBuilder()
                .output("/dev/null", "/dev/null")
                .options(Map.of(JobRequest.ALLOCATION, JobRequest.HELD_IN_AGENT))
                .build();
        return new Launch("c", 1, started(id, req, TimeLimit.of(limit)));
    }

    @Test
    void theJobOfAnSrunInAnAgentIsHeldWithoutAProcessRunsItsStepsAndEndsWhenKilled() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        l.launch(heldInAgent(12, -1));
        // its box and nothing else: its script, which would exit 3, is not run
        assertThat(dir.resolve("spool/job12/bare")).exists();
        assertThat(dir.resolve("spool/job12/shepherd.pid")).doesNotExist();
        assertThat(l.inventory()).extracting(f -> Orders.op(f) + ":" + f.id()).containsExactly("running:12");
        List<StepMessages.TaskEvent> events = new CopyOnWriteArrayList<>();
        Thread.ofVirtual()
                .start(() -> l.runTasks(
                        new StepMessages.RunTasks(
                                12,
                                0,
                                List.of("sh", "-c", "echo task ran; exec sleep 60"),
                                dir.toString(),
                                List.of(new StepMessages.RemoteTask(0, "n1", Map.of("PATH", "/usr/bin:/bin")))),
                        events::add));
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        assertThat(events).first().isEqualTo(new StepMessages.TaskEvent(12, 0, 0, "out", "task ran\n".getBytes(), 0));
        Thread.sleep(300);
        assertThat(reports).isEmpty();

        // an agent started again finds it held, still without a process, and its kill ends the step's task too
        JobLauncher second = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        assertThat(second.inventory())
                .extracting(f -> Orders.op(f) + ":" + f.id())
                .containsExactly("running:12");
        second.kill(12, KillReason.CANCEL);
        assertThat(Orders.fields(awaitReport(12)))
                .containsEntry("state", "CANCELLED")
                .containsEntry("signal", "15");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(StepMessages.TaskEvent::isEnd));
        assertThat(events).last().isEqualTo(StepMessages.TaskEvent.ended(12, 0, 0, 128 + 15));

        // its time limit ends one too
        l.launch(heldInAgent(13, 1));
        assertThat(Orders.fields(awaitReport(13))).containsEntry("state", "TIMEOUT");
    }

    @Test
    void aNewLauncherAdoptsRunningJobsAndDoesNotStartThemAgain() throws Exception {
        JobLauncher first = new JobLauncher(dir.resolve("spool"), "n1", f -> {});
        first.launch(order(6, "echo ran >> " + dir.resolve("count") + "; sleep 2", -1));
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("spool/job6/job.pid")));

        JobLauncher second = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        assertThat(second.inventory())
                .extracting(f -> Orders.op(f) + ":" + f.id())
                .containsExactly("running:6");
        second.launch(order(6, "echo ran >> " + dir.resolve("count"), -1));
        assertThat(Orders.fields(awaitReport(6))).containsEntry("state", "COMPLETED");
        assertThat(Files.readAllLines(dir.resolve("count"))).containsExactly("ran");
    }

    @Test
    void jobsCarryTheirMarkerAndTheEndReportCarriesUsage() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add, Containment.choose("process", "n1"));
        assertThat(l.containment().name()).isEqualTo("process");
        assertThat(l.jobUser()).isEqualTo(TestHosts.isRoot() ? "submitter" : System.getProperty("user.name"));
        l.launch(order(7, "echo $MOTLEY_JOB_ID $MOTLEY_SETSID; i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done", -1));
        JobEnded end = awaitReport(7);
        assertThat(Orders.fields(end))
                .containsEntry("state", "COMPLETED")
                .containsKeys("maxRss", "maxVm", "userCpu", "sysCpu");
        assertThat(end.usage().totalCpuMs())
                .as("the shell's own count of its children's CPU")
                .isPositive();
        assertThat(Files.readString(dir.resolve("slurm-7.out"))).isEqualTo("7\n");
    }

    /**
     * A job's launch costs few processes (they are most of a short job's cost): the shepherd is
     * started by setsid(1) with no shell between, the job's first process becomes the job by exec
     * alone, and the shepherd writes its end with builtins (no mv). Counted by running the
     * shepherd's command line and environment again under strace (setsid(1) is gone from it: it
     * exec'd the shepherd in the launcher's own child). The job's shell reads its environment from
     * the descriptor it is given with a builtin (no cat). Before: 13 programs and 5 forks.
     */
    @Test
    void aJobsShepherdIsTheLaunchersChildAndExecsFewProgramsAndForksOnce() throws Exception {
        Path strace = Path.of("/usr/bin/strace");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(strace)
                        && new ProcessBuilder(strace.toString(), "-f", "-o", "/dev/null", "/bin/true")
                                        .start()
                                        .waitFor()
                                == 0,
                "JobLauncherTest: no strace (or no ptrace) to count a launch's processes with");
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        Path go = dir.resolve("go");
        l.launch(order(23, "while [ ! -e " + go + " ]; do sleep 0.05; done", -1));
        Path run = dir.resolve("spool/job23");
        List<String> cmd;
        List<String> env;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(run.resolve("job.pid")));
            long shepherd =
                    Long.parseLong(Files.readString(run.resolve("shepherd.pid")).trim());
            cmd = List.of(new String(Files.readAllBytes(Path.of("/proc/" + shepherd + "/cmdline"))).split("\0"));
            env = List.of(new String(Files.readAllBytes(Path.of("/proc/" + shepherd + "/environ"))).split("\0"));
            assertThat(ProcessHandle.of(shepherd).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                    .as("the shepherd's parent: the launcher, no shell between")
                    .hasValue(ProcessHandle.current().pid());
            assertThat(cmd.get(0)).isEqualTo("/bin/sh");
            assertThat(cmd.get(1)).endsWith("/shepherd.sh");
        } finally {
            // the job ends whatever failed above: a failing run must not leave its loop behind
            Files.writeString(go, "");
        }
        assertThat(Orders.fields(awaitReport(23))).containsEntry("state", "COMPLETED");

        Path trace = dir.resolve("trace");
        List<String> traced = new java.util.ArrayList<>(List.of(
                strace.toString(), "-f", "-qq", "-e", "trace=execve,clone,clone3,fork,vfork", "-o", trace.toString()));
        traced.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(traced).directory(new java.io.File("/"));
        pb.environment().clear();
        for (String v : env) pb.environment().put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
        assertThat(pb.redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor())
                .isZero();
        List<String> lines = Files.readAllLines(trace);
        List<String> programs = lines.stream()
                .filter(x -> x.matches("\\d+ +execve\\(.*"))
                .map(x -> x.replaceFirst("^\\d+ +execve\\(\"([^\"]*)\".*", "$1"))
                .toList();
        long forks = lines.stream()
                .filter(x -> x.matches("\\d+ +(clone|clone3|fork|vfork)\\(.*") && !x.contains("CLONE_THREAD"))
                .count();
        assertThat(programs)
                .as("the programs a shepherd runs (" + launchPrograms() + ")")
                .hasSize(launchPrograms().size())
                .doesNotContain("/bin/mv", "/bin/cat", "/usr/bin/cat");
        assertThat(programs.get(programs.size() - 1)).endsWith("/script");
        assertThat(forks).as("the forks of a launch (the job's first process)").isEqualTo(1);
        assertThat(JobLauncher.exitStatus(run)).hasValue("0");
        assertThat(JobLauncher.shellTimes(run.resolve("times"))).isPresent();
    }

    /** What a shepherd execs: through the entry script, itself, the job's session, env, the job's shell, the script. */
    List<String> launchPrograms() {
        return List.of("the shepherd", "the job's session", "env", "the job's shell", "the script");
    }

    @Test
    void anExitStatusIsTakenOnceItsLineIsWhole() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        assertThat(JobLauncher.exitStatus(run)).isEmpty();
        Files.writeString(run.resolve("exit"), "");
        assertThat(JobLauncher.exitStatus(run)).as("created, not written yet").isEmpty();
        Files.writeString(run.resolve("exit"), "13");
        assertThat(JobLauncher.exitStatus(run)).as("cut short").isEmpty();
        Files.writeString(run.resolve("exit"), "137\n");
        assertThat(JobLauncher.exitStatus(run)).hasValue("137");
    }

    @Test
    void shellTimesAreReadAndMerged() throws Exception {
        Path times = dir.resolve("times");
        Files.writeString(times, "0m0.010000s 0m0.020000s\n1m2.500000s 0m0.250s\n");
        assertThat(JobLauncher.shellTimes(times))
                .hasValueSatisfying(t -> assertThat(t).containsExactly(62500, 250));
        assertThat(JobLauncher.merge(new Usage(10, 20, 70000, 100), JobLauncher.shellTimes(times)))
                .isEqualTo(new Usage(10, 20, 70000, 250));
        assertThat(JobLauncher.shellTimes(dir.resolve("missing"))).isEmpty();
    }
}
