package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.options.GetOpt;
import io.motley.core.options.UsageException;
import io.motley.core.step.Step;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
import io.motley.protocol.Frame;
import io.motley.protocol.Message;
import io.motley.protocol.Messages;
import io.motley.protocol.StepMessages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SrunTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final List<Message> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Busy answers to give before the step is created. */
    int busy;

    String refusal;

    String hostname = "vm";

    final Map<String, String> env = new HashMap<>(Map.of(
            "SLURM_JOB_ID", "12",
            "SLURM_NTASKS", "1",
            "SLURM_CPUS_ON_NODE", "4",
            "SLURMD_NODENAME", "vm",
            "PATH", System.getenv("PATH"),
            "SLURM_JOB_NAME", "train"));

    /** The node this host's agent answers a local ping with; null: none (an agent from before it said). */
    String localNode;

    int srun(String stdin, String... args) throws Exception {
        return new Srun().run(Arrays.asList(args), io(stdin));
    }

    Io io(String stdin) {
        return new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                false,
                env,
                dir.toString(),
                this::answer,
                0,
                ZoneId.of("UTC"),
                hostname,
                "ann",
                1000);
    }

    private Frame answer(Frame req) {
        Message m = Messages.request(req);
        asked.add(m);
        return switch (m) {
            case StepMessages.Create c -> {
                if (refusal != null) yield Messages.encode(new Message.Failure(refusal));
                if (busy-- > 0) yield Messages.encode(new Message.Failure("Requested nodes are busy", "retry", false));
                yield Messages.encode(
                        new StepMessages.Steps(List.of(Step.started(12, 3, c.request(), List.of("vm"), 5))));
            }
            case StepMessages.End e -> Messages.encode(new StepMessages.Steps(List.of()));
            case Message.Ping p when p.local() -> Messages.encode(new Message.Pong(null, localNode, "ok"));
            default -> throw new IllegalStateException("unexpected " + m);
        };
    }

    private StepMessages.End ended() {
        return asked.stream()
                .filter(StepMessages.End.class::isInstance)
                .map(StepMessages.End.class::cast)
                .findFirst()
                .orElseThrow();
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void labelledTasksSeeTheirIdsAndSrunExitsWithTheHighestStatus() throws Exception {
        int code = srun(
                "",
                "-n",
                "3",
                "-l",
                "sh",
                "-c",
                "echo hi $SLURM_PROCID of $SLURM_NTASKS step $SLURM_STEP_ID; exit $SLURM_PROCID");
        assertThat(code).isEqualTo(2);
        assertThat(out().lines().sorted().toList())
                .containsExactly("0: hi 0 of 3 step 3", "1: hi 1 of 3 step 3", "2: hi 2 of 3 step 3");
        assertThat(err().lines().toList())
                .containsExactly(
                        "srun: error: vm: task 1: Exited with exit code 1",
                        "srun: error: vm: task 2: Exited with exit code 2");
        assertThat(ended()).isEqualTo(new StepMessages.End(12, 3, StepState.FAILED, 2, 0));
        StepMessages.Create created = (StepMessages.Create) asked.get(0);
        assertThat(created.request()).isEqualTo(new StepRequest(3, 0, 0, 1, 0, false, "sh"));
    }

    /**
     * The node srun is on: inside a job its SLURMD_NODENAME; in salloc's shell, the node of this host's agent (a step
     * on other nodes then has all its tasks started there, srun --pty's task 0 on a terminal there); with an agent
     * that does not say, the one node of a one-node step, as srun did before.
     */
    @Test
    void srunIsOnItsJobsNodeElseOnTheNodeOfThisHostsAgent() {
        Step onN2 = Step.started(12, 3, new StepRequest(1, 0, 0, 1, 0, false, "sh"), List.of("n2"), 5);
        env.put("SLURMD_NODENAME", "n3");
        assertThat(Srun.here(onN2, io(""))).isEqualTo("n3");
        env.remove("SLURMD_NODENAME");
        localNode = "n1";
        assertThat(Srun.here(onN2, io(""))).isEqualTo("n1");
        localNode = null;
        assertThat(Srun.here(onN2, io(""))).isEqualTo("n2");
    }

    @Test
    void jobidRunsAStepOfThatJobFromOutsideAnyAllocation() throws Exception {
        // a login shell's srun --jobid=12: no SLURM_JOB_ID of its own, yet a step of job 12 (as in Slurm)
        env.remove("SLURM_JOB_ID");
        env.remove("SLURMD_NODENAME");
        assertThat(srun("", "--jobid=12", "--overlap", "true")).isZero();
        StepMessages.Create created = (StepMessages.Create) asked.get(0);
        assertThat(created.jobId()).isEqualTo(12);
        assertThat(created.request().overlap()).isTrue();
        assertThat(ended()).isEqualTo(new StepMessages.End(12, 3, StepState.COMPLETED, 0, 0));
        // --jobid wins over the environment's job, and must be a job id
        env.put("SLURM_JOB_ID", "99");
        asked.clear();
        assertThat(srun("", "--jobid", "12", "true")).isZero();
        assertThat(((StepMessages.Create) asked.get(0)).jobId()).isEqualTo(12);
        assertThatThrownBy(() -> srun("", "--jobid=abc", "true"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--jobid");
    }

    @Test
    void aSignalledTaskIsReportedByItsSignalsName() throws Exception {
        int code = srun("", "sh", "-c", "kill -9 $$");
        assertThat(code).isEqualTo(137);
        assertThat(err()).isEqualTo("srun: error: vm: task 0: Killed\n");
        assertThat(ended()).isEqualTo(new StepMessages.End(12, 3, StepState.FAILED, 0, 9));
    }

    @Test
    void stdinGoesToTaskZeroAndEveryTaskHasTheStepsEnvironment() throws Exception {
        int code = srun(
                "from stdin\n",
                "-n",
                "2",
                "-o",
                "out-%j.%s-%t.txt",
                "sh",
                "-c",
                "cat; echo $SLURM_LOCALID $SLURM_NODEID $SLURM_STEP_NODELIST $SLURM_STEP_TASKS_PER_NODE"
                        + " $SLURM_CPUS_ON_NODE $SLURM_JOB_NAME $SLURMD_NODENAME; test -n \"$SLURM_TASK_PID\"");
        assertThat(code).isZero();
        assertThat(out()).isEmpty();
        assertThat(Files.readString(dir.resolve("out-12.3-0.txt"))).isEqualTo("from stdin\n0 0 vm 2 4 train vm\n");
        assertThat(Files.readString(dir.resolve("out-12.3-1.txt"))).isEqualTo("1 0 vm 2 4 train vm\n");
        assertThat(ended().state()).isEqualTo(StepState.COMPLETED);
    }

    @Test
    void aBusyAllocationIsAskedAgainAsSlurmSays() throws Exception {
        busy = 2;
        assertThat(srun("", "true")).isZero();
        assertThat(err())
                .isEqualTo("srun: Job 12 step creation temporarily disabled, retrying (Requested nodes are busy)\n"
                        + "srun: Step created for StepId=12.3\n");
    }

    @Test
    void aRefusedStepEndsSrunWithSlurmsError() throws Exception {
        refusal = "More processors requested than permitted";
        assertThat(srun("", "-n", "9", "true")).isEqualTo(1);
        assertThat(err())
                .isEqualTo("srun: error: Unable to create step for job 12: More processors requested than permitted\n");
    }

    @Test
    void aMissingProgramFailsAsSlurmstepdsExecve() throws Exception {
        assertThat(srun("", "no-such-program-here")).isEqualTo(2);
        assertThat(err())
                .isEqualTo("slurmstepd: error: execve(): no-such-program-here: No such file or directory\n"
                        + "srun: error: vm: task 0: Exited with exit code 2\n");
    }

    @Test
    void killOnBadExitEndsTheOtherTasks() throws Exception {
        int code = srun("", "-n", "2", "-K", "sh", "-c", "if [ $SLURM_PROCID = 1 ]; then exit 3; fi; exec sleep 60");
        assertThat(code).isEqualTo(143);
        assertThat(err())
                .contains("srun: Terminating StepId=12.3")
                .contains("srun: error: vm: task 0: Terminated")
                .contains("srun: error: vm: task 1: Exited with exit code 3");
    }

    @Test
    void underSallocTheTasksRunHereAsTheJobsOneNode() throws Exception {
        // salloc's command runs on the submit host: no SLURMD_NODENAME, and a host name that is not the node's
        env.remove("SLURMD_NODENAME");
        hostname = "login";
        assertThat(srun("", "sh", "-c", "echo on $SLURMD_NODENAME")).isZero();
        assertThat(out()).isEqualTo("on vm\n");
    }

    @Test
    void theStepsShapeFollowsSlurmsDefaults() {
        GetOpt g = new GetOpt("srun", Srun.OPTIONS, true);
        Map<String, String> jobEnv = Map.of("SLURM_NTASKS", "4", "SRUN_CPUS_PER_TASK", "2");
        assertThat(Srun.request(g.parse(List.of("hostname")), g, jobEnv))
                .isEqualTo(new StepRequest(4, 0, 0, 2, 0, false, "hostname"));
        assertThat(Srun.request(
                        g.parse(List.of(
                                "-N", "2", "--ntasks-per-node=3", "--mem=1G", "--overlap", "-J", "x", "/bin/true")),
                        g,
                        Map.of()))
                .isEqualTo(new StepRequest(6, 2, 3, 1, 1024, true, "x"));
        assertThat(Srun.request(g.parse(List.of("-N", "3", "/bin/true")), g, Map.of())
                        .tasks())
                .isEqualTo(3);
    }

    @Test
    void aNodelistAsMpirunGivesItTakesThoseNodesOrSaysWhyNot() {
        GetOpt g = new GetOpt("srun", Srun.OPTIONS, true);
        // Open MPI's launch of its daemons: one task on each node of the job, named
        GetOpt.Parsed mpi = g.parse(List.of(
                "--ntasks-per-node=1",
                "--kill-on-bad-exit",
                "--cpu-bind=none",
                "--nodes=2",
                "--nodelist=n[1-2]",
                "--ntasks=2",
                "orted"));
        assertThat(Srun.request(mpi, g, Map.of()))
                .isEqualTo(new StepRequest(2, 2, 1, 1, 0, false, "orted", List.of("n1", "n2")));
        assertThat(Srun.request(g.parse(List.of("-w", "n1,n3", "hostname")), g, Map.of())
                        .nodes())
                .isEqualTo(2);
        StepRequest two = new StepRequest(2, 2, 1, 1, 0, false, "orted");
        assertThat(Srun.notOnNodelist(Step.started(12, 0, two, List.of("n1", "n2"), 5), mpi))
                .isNull();
        assertThat(Srun.notOnNodelist(
                        Step.started(12, 0, two, List.of("n1", "n2"), 5), g.parse(List.of("-w", "n1,n3", "hostname"))))
                .isEqualTo("Unable to run StepId=12.0 on n[1,3]: the controller gave it n[1-2] (a controller from"
                        + " before steps could name their nodes)");
    }

    @Test
    void exportNoneKeepsSlurmsVariablesAndThoseNamed() {
        Map<String, String> from = Map.of("SLURM_JOB_ID", "1", "FOO", "x", "BAR", "y", "PATH", "/bin");
        assertThat(Srun.exported(from, "NONE")).containsOnlyKeys("SLURM_JOB_ID", "PATH");
        assertThat(Srun.exported(from, "FOO,BAZ=z")).containsOnlyKeys("SLURM_JOB_ID", "PATH", "FOO", "BAZ");
        assertThat(Srun.exported(from, "ALL")).containsAllEntriesOf(from);
        assertThat(Srun.cpuList("0-2,5")).containsExactly(0, 1, 2, 5);
    }

    /** The caller's files as the agent reaches them for the native client: none are read in these tests. */
    static final CallerFiles CLIENTS = new CallerFiles() {
        @Override
        public byte[] read(Path path) throws java.io.IOException {
            throw new java.io.IOException("not read here");
        }

        @Override
        public void write(Path path, byte[] bytes) throws java.io.IOException {
            throw new java.io.IOException("not written here");
        }

        @Override
        public Packed pack(Path dir, List<String> paths, long limit) throws java.io.IOException {
            throw new java.io.IOException("not packed here");
        }
    };

    @Test
    void runByTheAgentSrunStartsNoProcessAndHasItsNodesAgentStartTheTasks() throws Exception {
        List<Runnable> trapped = new java.util.concurrent.CopyOnWriteArrayList<>();
        Interrupts interrupts = new Interrupts() {
            @Override
            public boolean onInterrupt(Runnable handler) {
                trapped.add(handler);
                return true;
            }

            @Override
            public void ignore() {}
        };
        java.util.concurrent.CountDownLatch told = new java.util.concurrent.CountDownLatch(1);
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                false,
                env,
                dir.toString(),
                req -> {
                    Message m = Messages.request(req);
                    asked.add(m);
                    return switch (m) {
                        case StepMessages.Create c ->
                            Messages.encode(new StepMessages.Steps(
                                    List.of(Step.started(12, 3, c.request(), List.of("vm"), 5))));
                        case StepMessages.Io x -> {
                            // the events come once Ctrl-C has been pressed and its report read
                            try {
                                told.await();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                            yield Messages.encode(new StepMessages.IoEvents(
                                    2,
                                    List.of(
                                            new StepMessages.TaskEvent(
                                                    12, 3, 0, "out", "from the node\n".getBytes(), 0),
                                            StepMessages.TaskEvent.ended(12, 3, 0, 3)),
                                    false));
                        }
                        case StepMessages.Wait w -> {
                            try {
                                Thread.sleep(60_000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            yield Messages.encode(new StepMessages.Steps(List.of()));
                        }
                        default -> Messages.encode(new StepMessages.Steps(List.of()));
                    };
                },
                0,
                ZoneId.of("UTC"),
                hostname,
                "ann",
                1000,
                CLIENTS,
                interrupts);
        assertThat(io.hosted()).isTrue();
        Thread ctrlC = Thread.ofVirtual().start(() -> {
            while (trapped.isEmpty() || asked.stream().noneMatch(StepMessages.Io.class::isInstance))
                Thread.onSpinWait();
            trapped.get(0).run();
            told.countDown();
        });
        // a command that would write a file here if srun started it itself
        Path mark = dir.resolve("ran-here");
        int code = new Srun().run(List.of("touch", mark.toString()), io);
        ctrlC.join();
        assertThat(mark).doesNotExist();
        assertThat(code).isEqualTo(3);
        assertThat(out()).isEqualTo("from the node\n");
        StepMessages.Launch launch = asked.stream()
                .filter(StepMessages.Launch.class::isInstance)
                .map(StepMessages.Launch.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(launch.tasks()).hasSize(1);
        assertThat(launch.tasks().get(0).node()).isEqualTo("vm");
        assertThat(launch.tasks().get(0).env()).containsEntry("SLURM_PROCID", "0");
        assertThat(launch.command()).containsExactly("touch", mark.toString());
        // Ctrl-C once, through the client: the task on the node is reported running
        assertThat(err().lines().toList())
                .startsWith("srun: interrupt (one more within 1 sec to abort)", "srun: StepId=12.3 task 0: running")
                .contains("srun: error: vm: task 0: Exited with exit code 3");
        assertThat(ended()).isEqualTo(new StepMessages.End(12, 3, StepState.FAILED, 3, 0));
    }

    @Test
    void srunRunsInTheJvmClientWhereItWouldOpenFilesOrATerminal() {
        Map<String, String> inJob = Map.of("SLURM_JOB_ID", "12");
        assertThat(Srun.whyInJvm(List.of("true"), inJob)).isNull();
        assertThat(Srun.whyInJvm(List.of("-n", "2", "-l", "-i", "all", "hostname"), inJob))
                .isNull();
        // outside an allocation as inside one
        assertThat(Srun.whyInJvm(List.of("true"), Map.of())).isNull();
        assertThat(Srun.whyInJvm(List.of("-o", "out", "true"), Map.of())).isEqualTo("srun with an output file");
        assertThat(Srun.whyInJvm(List.of("--pty", "bash"), Map.of())).isEqualTo("srun --pty");
        assertThat(Srun.whyInJvm(List.of("--pty", "bash"), inJob)).isEqualTo("srun --pty");
        assertThat(Srun.whyInJvm(List.of("-o", "out-%t", "true"), inJob)).isEqualTo("srun with an output file");
        assertThat(Srun.whyInJvm(List.of("--error=e", "true"), inJob)).isEqualTo("srun with an output file");
        assertThat(Srun.whyInJvm(List.of("-i", "in.txt", "cat"), inJob)).isEqualTo("srun with an input file");
        // a bad option: refused the same way on either path
        assertThat(Srun.whyInJvm(List.of("--bogus"), inJob)).isNull();
    }
}
