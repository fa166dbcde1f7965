package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import io.motley.core.step.Step;
import io.motley.protocol.Frame;
import io.motley.protocol.Message;
import io.motley.protocol.Messages;
import io.motley.protocol.StepMessages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * salloc and srun outside an allocation against a fake cluster that runs each submitted batch
 * script as a process here (as the agent of this host would), job 5, running until it exits.
 */
class AllocationTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final List<Message> asked = new ArrayList<>();
    final Map<String, String> env = new HashMap<>();
    JobRequest submitted;
    Process script;
    boolean cancelled;
    /** The code a Complete ended the job with (the holder's kill, as the controller's); null when none did. */
    Integer completedWith;

    int run(Command cmd, String stdin, String... args) throws Exception {
        env.put("PATH", dir + ":" + System.getenv("PATH"));
        env.put("SHELL", "/bin/sh");
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                false,
                env,
                dir.toString(),
                this::answer,
                0,
                ZoneId.of("UTC"),
                "vm",
                "ann",
                1000);
        return cmd.run(Arrays.asList(args), io);
    }

    private synchronized Frame answer(Frame req) {
        Message m = Messages.request(req);
        asked.add(m);
        return switch (m) {
            case Message.Submit s -> {
                submitted = s.job();
                try {
                    Path file = dir.resolve("job-script");
                    Files.writeString(file, submitted.script());
                    List<String> cmd = new ArrayList<>(List.of("/bin/sh", file.toString()));
                    cmd.addAll(submitted.arguments());
                    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
                    pb.environment().put("PATH", env.get("PATH"));
                    pb.redirectInput(new File("/dev/null"));
                    pb.redirectOutput(new File(submitted.stdoutPattern()));
                    pb.redirectError(new File(
                            submitted.stderrPattern() == null ? submitted.stdoutPattern() : submitted.stderrPattern()));
                    script = pb.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                yield Messages.encode(new Message.Submitted(5));
            }
            case Message.Jobs j -> Messages.encode(new Message.JobList(List.of(new Message.Listed(job(), null))));
            case Message.Cancel c -> {
                cancelled = true;
                script.destroyForcibly();
                yield Messages.encode(new Message.Outcomes(List.of()));
            }
            case Message.Complete c -> {
                completedWith = c.code();
                script.destroyForcibly();
                try {
                    script.waitFor();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                yield Messages.encode(new Message.Outcomes(List.of()));
            }
            default -> throw new IllegalStateException("unexpected " + m);
        };
    }

    private Job job() {
        JobState state = JobState.RUNNING;
        ExitStatus exit = ExitStatus.NONE;
        if (!script.isAlive()) {
            int code = completedWith != null ? completedWith : script.exitValue();
            state = cancelled ? JobState.CANCELLED : code == 0 ? JobState.COMPLETED : JobState.FAILED;
            exit = new ExitStatus(code, 0);
        }
        return Job.builder(5, submitted)
                .owner("ann", 1000, 1000)
                .state(state)
                .times(new Job.Times(1, 2, 0))
                .allocation(new Job.Allocation("main", "vm", 2, 100, List.of(), TimeLimit.UNLIMITED))
                .outcome(new Job.Outcome(exit, null, null))
                .build();
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sallocRunsItsCommandWithTheJobsVariablesAndEndsTheJobWithItsStatus() throws Exception {
        Path seen = dir.resolve("seen");
        int code = run(
                new Salloc(),
                "",
                "-n",
                "2",
                "sh",
                "-c",
                "echo $SLURM_JOB_ID $SLURM_JOB_NODELIST $SLURM_NTASKS ${SLURMD_NODENAME:-none} > " + seen + "; exit 3");
        assertThat(code).isEqualTo(3);
        assertThat(Files.readString(seen)).isEqualTo("5 vm 2 none\n");
        assertThat(err().lines().toList())
                .containsExactly(
                        "salloc: Granted job allocation 5",
                        "salloc: Waiting for resource configuration",
                        "salloc: Nodes vm are ready for job",
                        "salloc: Relinquishing job allocation 5");
        assertThat(submitted.name()).isEqualTo("sh");
        assertThat(submitted.ntasks()).isEqualTo(2);
        // marked as salloc's allocation: no batch step in the listings
        assertThat(submitted.options()).containsEntry(JobRequest.ALLOCATION, "salloc");
        // the job was completed with the command's status, not cancelled
        assertThat(completedWith).isEqualTo(3);
        assertThat(cancelled).isFalse();
        assertThat(out()).isEmpty();
    }

    /** A job's start and end are polled every 4 ms for a second (most come within tens), then every 20 ms. */
    @Test
    void pollsAreCloseForASecondThenFurtherApart() {
        long now = System.nanoTime();
        assertThat(Allocation.nextPause(1, now)).isEqualTo(2);
        assertThat(Allocation.nextPause(2, now)).isEqualTo(4);
        assertThat(Allocation.nextPause(4, now)).isEqualTo(4);
        long aWhileAgo = now - 2_000_000_000L;
        assertThat(Allocation.nextPause(4, aWhileAgo)).isEqualTo(8);
        assertThat(Allocation.nextPause(16, aWhileAgo)).isEqualTo(20);
        assertThat(Allocation.nextPause(20, aWhileAgo)).isEqualTo(20);
    }

    /** srun and salloc say their job is queued once the scheduler gave it a reason to wait, or after a second. */
    @Test
    void aJobIsSaidToWaitOnlyWithAReasonOrAfterASecond() throws Exception {
        submitted = JobRequest.builder("#!/bin/sh\n", "/tmp").build();
        Job fresh = Job.builder(5, submitted)
                .owner("ann", 1000, 1000)
                .state(JobState.PENDING)
                .reason(io.motley.core.job.PendingReason.None)
                .build();
        assertThat(Allocation.waits(fresh, 200_000_000L))
                .as("not yet seen by the scheduler")
                .isFalse();
        assertThat(Allocation.waits(fresh, 1_000_000_000L)).isTrue();
        assertThat(Allocation.waits(fresh.withReason(io.motley.core.job.PendingReason.Resources), 0))
                .isTrue();
        assertThat(Allocation.waits(null, 0)).as("not listed yet").isFalse();
    }

    @Test
    void srunOutsideAnAllocationRunsTheStepAsTheJobsScriptAndRelaysItsStreams() throws Exception {
        // the srun the job's script calls: here a stand-in that shows its arguments and its input
        Path inner = dir.resolve("srun");
        Files.writeString(inner, """
                #!/bin/sh
                echo "inner srun $*"
                cat
                echo "to stderr" >&2
                exit 7
                """);
        inner.toFile().setExecutable(true);
        int code = run(new Srun(), "line one\nline two\n", "-n", "2", "-l", "-t", "5", "sh", "-c", "true");
        assertThat(code).isEqualTo(7);
        assertThat(out()).isEqualTo("inner srun -n 2 -l -t 5 sh -c true\nline one\nline two\n");
        assertThat(err()).isEqualTo("to stderr\n");
        assertThat(submitted.ntasks()).isEqualTo(2);
        assertThat(submitted.name()).isEqualTo("sh");
        assertThat(submitted.timing().limit()).isEqualTo(new TimeLimit.Seconds(300));
        assertThat(cancelled).isFalse();
    }

    @Test
    void runByTheAgentSrunOutsideAnAllocationHoldsAJobRunsTheStepFromHereAndCompletesTheJobWithItsCode()
            throws Exception {
        List<Message> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicReference<JobRequest> job =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Message.Complete> completed =
                new java.util.concurrent.atomic.AtomicReference<>();
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                false,
                Map.of("PATH", "/usr/bin:/bin", "HOME", "/home/ann"),
                dir.toString(),
                f -> {
                    Message m = Messages.request(f);
                    seen.add(m);
                    return switch (m) {
                        case Message.Submit s -> {
                            job.set(s.job());
                            yield Messages.encode(new Message.Submitted(5));
                        }
                        case Message.Jobs j -> {
                            Message.Complete c = completed.get();
                            Job running = Job.builder(5, job.get())
                                    .owner("ann", 1000, 1000)
                                    .state(c == null ? JobState.RUNNING : JobState.FAILED)
                                    .times(new Job.Times(1, 2, 0))
                                    .allocation(
                                            new Job.Allocation("main", "n2", 2, 100, List.of(), TimeLimit.UNLIMITED))
                                    .outcome(new Job.Outcome(
                                            c == null ? ExitStatus.NONE : new ExitStatus(c.code(), 0), null, null))
                                    .build();
                            yield Messages.encode(new Message.JobList(List.of(new Message.Listed(running, null))));
                        }
                        case StepMessages.Create c ->
                            Messages.encode(
                                    new StepMessages.Steps(List.of(Step.started(5, 0, c.request(), List.of("n2"), 3))));
                        case StepMessages.Io x ->
                            Messages.encode(new StepMessages.IoEvents(
                                    2,
                                    List.of(
                                            new StepMessages.TaskEvent(5, 0, 0, "out", "on n2\n".getBytes(), 0),
                                            StepMessages.TaskEvent.ended(5, 0, 0, 4)),
                                    false));
                        case StepMessages.Wait w -> {
                            try {
                                Thread.sleep(60_000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            yield Messages.encode(new StepMessages.Steps(List.of()));
                        }
                        case Message.Complete c -> {
                            completed.set(c);
                            yield Messages.encode(new Message.Outcomes(List.of(Message.Outcome.done(5))));
                        }
                        default -> Messages.encode(new StepMessages.Steps(List.of()));
                    };
                },
                0,
                ZoneId.of("UTC"),
                "login",
                "ann",
                1000,
                SrunTest.CLIENTS,
                Interrupts.JVM);
        assertThat(io.hosted()).isTrue();
        int code = new Srun().run(List.of("-t", "5", "--gres=gpu:1", "hostname"), io);
        assertThat(code).isEqualTo(4);
        assertThat(out()).isEqualTo("on n2\n");
        assertThat(err()).isEqualTo("srun: error: n2: task 0: Exited with exit code 4\n");
        // the job only holds the allocation, writing nowhere: no file of this host is named
        assertThat(job.get().script()).isEqualTo(Allocation.HOLDER);
        assertThat(job.get().stdoutPattern()).isEqualTo("/dev/null");
        assertThat(job.get().options()).containsEntry(JobRequest.ALLOCATION, JobRequest.HELD_IN_AGENT);
        assertThat(job.get().timing().limit()).isEqualTo(new TimeLimit.Seconds(300));
        // a GPU option is the job's, as sbatch's
        assertThat(job.get().gpusPerNode()).isEqualTo(1);
        // the task, started by n2's agent, has the job's variables
        var launch = seen.stream()
                .filter(StepMessages.Launch.class::isInstance)
                .map(StepMessages.Launch.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(launch.tasks()).extracting(t -> t.node()).containsExactly("n2");
        assertThat(launch.tasks().get(0).env())
                .containsEntry("SLURM_JOB_ID", "5")
                .containsEntry("SLURM_STEP_ID", "0")
                .doesNotContainKey(Srun.ENDS_JOB);
        // the step ends, then the job is completed with the step's code, not cancelled
        assertThat(seen).noneMatch(Message.Cancel.class::isInstance);
        assertThat(completed.get()).isEqualTo(new Message.Complete(5, 4));
        int stepEnd = seen.indexOf(seen.stream()
                .filter(StepMessages.End.class::isInstance)
                .findFirst()
                .orElseThrow());
        assertThat(stepEnd).isLessThan(seen.indexOf(completed.get()));
        // the controller records the end when it answers: srun does not poll the job after it (the end of its stdin,
        // sent to the task by a thread of its own, may still come)
        assertThat(seen.subList(seen.indexOf(completed.get()), seen.size())).noneMatch(Message.Jobs.class::isInstance);
    }

    @Test
    void srunOutsideAnAllocationSaysWhyWhenTheJobIsRefused() throws Exception {
        Srun srun = new Srun();
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                false,
                Map.of("PATH", "/usr/bin:/bin"),
                dir.toString(),
                f -> Messages.encode(new Message.Failure("Requested node configuration is not available")),
                0,
                ZoneId.of("UTC"),
                "vm",
                "ann",
                1000);
        assertThat(srun.run(List.of("--mem=100G", "hostname"), io)).isEqualTo(1);
        assertThat(err())
                .isEqualTo(
                        "srun: error: Unable to allocate resources: Requested node configuration is not available\n");
    }
}
