package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

            // srun outside: a job of its own, step 0 inside it; stdout only the tasks', stdin to task 0. Through the
            // native client srun runs in the agent (the job holds the allocation, the agent starts the tasks); the JVM
            // client's srun runs the step as the job's script and relays its streams through files
            for (String client : List.of("native", "jvm")) {
                ProcessBuilder pb = c.command(
                        "srun",
                        "-n",
                        "2",
                        "-l",
                        "sh",
                        "-c",
                        "read x; echo \"task $SLURM_PROCID job $SLURM_JOB_ID step $SLURM_STEP_ID read '$x'\";"
                                + " exit $SLURM_PROCID");
                pb.environment().put("MOTLEY_CLIENT", client);
                TestCluster.Run two = TestCluster.run(pb, "hello\n");
                assertThat(two.rc()).as(client + ": " + two.err()).isEqualTo(1);
                assertThat(two.lines()).as(client).hasSize(2);
                long id = Long.parseLong(two.lines().get(0).replaceAll(".* job (\\d+) .*", "$1"));
                assertThat(two.lines())
                        .as(client)
                        .containsExactlyInAnyOrder(
                                "0: task 0 job " + id + " step 0 read 'hello'",
                                "1: task 1 job " + id + " step 0 read ''");
                assertThat(two.err()).as(client).isEqualTo("srun: error: n1: task 1: Exited with exit code 1\n");
                // the job has ended when srun returns, with the step's code; as Slurm's, it has no batch step
                assertThat(c.cmd("sacct", "-j", Long.toString(id), "-P", "-n", "-o", "JobID,JobName,State,ExitCode")
                                .lines())
                        .as(client)
                        .containsExactly(id + "|sh|FAILED|1:0", id + ".0|sh|FAILED|1:0");
            }

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
            // recorded when salloc returns, as slurmctld records the end salloc asks for
            assertThat(c.cmd("sacct", "-j", Long.toString(alloc), "-P", "-n", "-o", "JobID,State,ExitCode")
                            .lines())
                    .containsExactly(alloc + "|FAILED|4:0", alloc + ".0|COMPLETED|0:0");

            // srun --pty: the task has srun's terminal as its stdin and stdout
            TestCluster.Run pty =
                    onATerminal(c, "", srun + " --pty sh -c 'test -t 0 && test -t 1 && echo on a terminal; exit 5'");
            assertThat(pty.rc()).as(pty.out() + pty.err()).isEqualTo(5);
            assertThat(pty.out()).contains("on a terminal");
        }
    }

    /**
     * srun --pty whose task 0 is on another node than srun's (here n1's host, the job n2's): the task runs there, as
     * Slurm's, on a terminal of its own that n2's agent opens (motley-start), whose bytes srun relays to its own
     * terminal, raw meanwhile and as it was after. Outside an allocation and in salloc's shell.
     */
    @Test
    void anInteractiveStepWhoseTaskIsOnAnotherNodeGetsATerminalThere() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 1, "500M");
            c.startAgent("n2", 1, "500M");
            c.awaitNodesUp("n1", "n2");
            String srun = TestCluster.BIN.resolve("srun").toString();
            // an interactive shell there, typed to through srun; stty -g before and after: srun's terminal restored
            TestCluster.Run shell = onATerminal(
                    c,
                    "echo typed $((6*7)) on $SLURMD_NODENAME in $SLURM_JOB_ID.$SLURM_STEP_ID; stty size\nexit 6\n",
                    "stty -g; " + srun + " --pty -w n2 sh -i; echo srun=$?; stty -g");
            List<String> lines = shell.out().lines().map(String::strip).toList();
            assertThat(lines).as(shell.out() + shell.err()).contains("srun=6");
            // the shell's prompt may come before or after what it was typed (sent before it started), never inside
            java.util.regex.Matcher typed = java.util.regex.Pattern.compile(
                            "(?m)^(?:[#$] )?typed 42 on n2 in (\\d+)\\.0\r?$")
                    .matcher(shell.out());
            assertThat(typed.find()).as(shell.out()).isTrue();
            // script(1)'s terminal has no size: the task's is the usual one
            assertThat(lines).anyMatch(l -> l.endsWith("24 80"));
            // after the shell's last prompt
            assertThat(lines).anyMatch(l -> l.endsWith("srun: error: n2: task 0: Exited with exit code 6"));
            List<String> modes = lines.stream()
                    .filter(l -> l.matches("[0-9a-f]+(:[0-9a-f]+){10,}"))
                    .toList();
            assertThat(modes).as("srun's terminal before and after").hasSize(2);
            assertThat(modes.get(1)).as("srun's terminal as it found it").isEqualTo(modes.get(0));
            long job = Long.parseLong(typed.group(1));
            c.awaitState(job, "FAILED", java.time.Duration.ofSeconds(30));
            assertThat(c.cmd("sacct", "-j", Long.toString(job), "-P", "-n", "-o", "JobID,NodeList,State,ExitCode")
                            .lines())
                    .containsExactly(job + "|n2|FAILED|6:0", job + ".0|n2|FAILED|6:0");

            // in salloc's shell, whose job is n2's: the task has a terminal there and is the job's user's
            TestCluster.Run salloc = onATerminal(
                    c,
                    "",
                    TestCluster.BIN.resolve("salloc") + " -w n2 " + srun
                            + " --pty sh -c 'test -t 0 && test -t 1 && test -t 2 && echo on a terminal on"
                            + " $SLURMD_NODENAME; exit 5'");
            assertThat(salloc.rc()).as(salloc.out() + salloc.err()).isEqualTo(5);
            assertThat(salloc.out()).contains("on a terminal on n2");

            // srun's terminal resized while the task runs: the task's terminal on n2 takes the new size, and the task
            // gets its SIGWINCH; srun runs on this terminal in the background (given it), while this shell resizes it
            TestCluster.Run resized = onATerminal(
                    c,
                    "",
                    srun + " --pty -w n2 sh -c \"trap 'stty size; exit 7' WINCH; touch resize-ready;"
                            + " n=0; while [ \\$n -lt 200 ]; do sleep 0.1; n=\\$((n+1)); done\" </dev/tty & for i in"
                            + " $(seq 300); do"
                            + " [ -e resize-ready ] && break; sleep 0.1; done; stty rows 50 cols 132; kill -WINCH $!;"
                            + " wait $!; echo srun=$?");
            assertThat(resized.out()).as(resized.out() + resized.err()).contains("50 132", "srun=7");
        }
    }

    /** {@code command} run by sh on a pseudo-terminal of its own (script(1) makes one), typed {@code stdin} to. */
    private static TestCluster.Run onATerminal(TestCluster c, String stdin, String command) {
        return c.cmdIn(c.work, stdin, "script", "-qfec", command, "/dev/null");
    }

    /**
     * Ctrl-C on srun in an allocation, as Slurm's: once, the tasks' states and nothing ends; twice
     * within a second, the step is cancelled. With -u the tasks' output reaches srun's while they run.
     */
    @Test
    void ctrlCOnceTellsTheTasksAndTwiceWithinASecondAbortsTheStep() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 2, "1000M");
            c.awaitNodesUp("n1");
            Path out = dir.resolve("ctrl-c.out");
            Path err = dir.resolve("ctrl-c.err");
            String srunPath = TestCluster.BIN.resolve("srun").toString();
            Process salloc = c.interruptible(
                            "salloc", "-n", "2", srunPath, "-u", "-l", "sh", "-c", "echo started; sleep 300")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try {
                // both tasks' first lines arrive while they still run (-u)
                await().atMost(Duration.ofSeconds(60))
                        .untilAsserted(() -> assertThat(Files.readString(out))
                                .as(Files.readString(err))
                                .contains("0: started", "1: started"));
                // the native client (its executable is motley-client), or the JVM client where there is none
                ProcessHandle srun = salloc.descendants()
                        .filter(h -> h.info().command().orElse("").endsWith("/motley-client")
                                || String.join(" ", h.info().arguments().orElse(new String[0]))
                                        .contains("io.motley.cli.Main srun "))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no srun under salloc"));
                long job =
                        Long.parseLong(Files.readString(err).replaceAll("(?s).*Granted job allocation (\\d+).*", "$1"));

                interrupt(srun);
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(Files.readString(err))
                                .contains("srun: interrupt (one more within 1 sec to abort)\n" + "srun: StepId=" + job
                                        + ".0 tasks 0-1: running\n"));
                assertThat(srun.isAlive()).isTrue();
                assertThat(Files.readString(err)).doesNotContain("forcing job termination");

                // twice within a second: one more each poll, until two fall within a second of each other
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(300))
                        .until(() -> {
                            if (srun.isAlive()) interrupt(srun);
                            return Files.readString(err).contains("srun: forcing job termination");
                        });
                assertThat(salloc.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(Files.readString(err))
                        .contains("srun: sending Ctrl-C to StepId=" + job + ".0\n")
                        .contains("srun: Job step aborted: Waiting up to 32 seconds for job step to finish.\n");
                assertThat(c.cmd("sacct", "-j", job + ".0", "-P", "-n", "-o", "JobID,State")
                                .lines())
                        .containsExactly(job + ".0|CANCELLED");
            } finally {
                salloc.descendants().forEach(ProcessHandle::destroyForcibly);
                salloc.destroyForcibly();
            }
        }
    }

    /**
     * Ctrl-C on srun outside an allocation, as Slurm's: once, the tasks' states and nothing ends; twice within
     * a second, the step is aborted and the job srun made is cancelled. Before, the first Ctrl-C cancelled it.
     */
    @Test
    void ctrlCOnSrunOutsideAnAllocationAsksTwiceThenCancelsTheJob() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 2, "1000M");
            c.awaitNodesUp("n1");
            Path out = dir.resolve("outside.out");
            Path err = dir.resolve("outside.err");
            Process srun = c.interruptible("srun", "-n", "2", "-l", "sh", "-c", "echo started; sleep 300")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try {
                await().atMost(Duration.ofSeconds(60))
                        .untilAsserted(() -> assertThat(Files.readString(out))
                                .as(Files.readString(err))
                                .contains("0: started", "1: started"));
                long job =
                        Long.parseLong(c.cmd("squeue", "-h", "-o", "%i").out().strip());

                interrupt(srun.toHandle());
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(Files.readString(err))
                                .contains("srun: interrupt (one more within 1 sec to abort)\n" + "srun: StepId=" + job
                                        + ".0 tasks 0-1: running\n"));
                assertThat(srun.isAlive()).isTrue();
                assertThat(c.cmd("squeue", "-h", "-j", Long.toString(job), "-o", "%T")
                                .out()
                                .strip())
                        .isEqualTo("RUNNING");
                // the job only holds the allocation: no batch step, as Slurm's srun job has none
                assertThat(c.cmd("sstat", "-a", "-j", Long.toString(job), "-n", "-P", "-o", "JobID")
                                .lines())
                        .containsExactly(job + ".0");

                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(300))
                        .until(() -> {
                            if (srun.isAlive()) interrupt(srun.toHandle());
                            return Files.readString(err).contains("srun: forcing job termination");
                        });
                assertThat(srun.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(Files.readString(err)).contains("srun: sending Ctrl-C to StepId=" + job + ".0\n");
                c.awaitState(job, "CANCELLED", Duration.ofSeconds(30));
                assertThat(c.cmd("sacct", "-j", job + ".0", "-P", "-n", "-o", "JobID,State")
                                .lines())
                        .containsExactly(job + ".0|CANCELLED");
                // the job's node ran no process for the job itself, and its tasks are gone with it
                assertThat(ProcessHandle.allProcesses()
                                .filter(h -> String.join(
                                                " ", h.info().arguments().orElse(new String[0]))
                                        .contains("echo started; sleep 300"))
                                .filter(ProcessHandle::isAlive)
                                .toList())
                        .isEmpty();
                assertThat(c.log("agent-n1")).contains("job resources held without a process job=" + job + " ");
            } finally {
                srun.descendants().forEach(ProcessHandle::destroyForcibly);
                srun.destroyForcibly();
            }
        }
    }

    private static void interrupt(ProcessHandle p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
}
