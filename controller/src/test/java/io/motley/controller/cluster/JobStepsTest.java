package io.motley.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.store.MemoryStore;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
import io.motley.protocol.StepMessages;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JobStepsTest {
    static final Caller ANN = new Caller(1000, 100, "ann", List.of());
    static final Caller BOB = new Caller(1001, 100, "bob", List.of());
    final Map<Long, Job> jobs = new HashMap<>();
    long now = 100;
    final JobSteps steps = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now);

    static Job running(long id, int cpus) {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp").build();
        return Job.builder(id, r)
                .owner("ann", 1000, 100)
                .build()
                .started("main", "n1", cpus, 1000, TimeLimit.UNLIMITED, 50);
    }

    static StepRequest tasks(int n) {
        return new StepRequest(n, 0, 0, 1, 0, false, "hostname");
    }

    static Job acrossTwoNodes(long id) {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp").build();
        return Job.builder(id, r)
                .owner("ann", 1000, 100)
                .build()
                .started(
                        "main",
                        List.of(
                                new Job.Allocation.Part("n1", 2, 500, List.of()),
                                new Job.Allocation.Part("n2", 2, 500, List.of())),
                        TimeLimit.UNLIMITED,
                        50);
    }

    @Test
    void aStepsTasksOnOtherNodesGoToTheirAgentsAndWhatTheyDoComesBackInOrder() throws Exception {
        ClusterTest.FakeLink n2 = new ClusterTest.FakeLink("n2");
        JobSteps across =
                new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> node.equals("n2") ? n2 : null);
        jobs.put(7L, acrossTwoNodes(7));
        var step = across.create(7, new StepRequest(4, 2, 0, 1, 0, false, "hostname"), ANN)
                .steps()
                .get(0);
        assertThat(step.nodes()).containsExactly("n1", "n2");
        List<StepMessages.RemoteTask> remote = List.of(
                new StepMessages.RemoteTask(2, "n2", Map.of("SLURM_PROCID", "2")),
                new StepMessages.RemoteTask(3, "n2", Map.of("SLURM_PROCID", "3")));
        assertThat(across.launch(new StepMessages.Launch(7, 0, List.of("hostname"), "/tmp", remote), BOB)
                        .error())
                .isEqualTo("Access/permission denied");
        // a task on a node that is not the step's is refused
        assertThat(across.launch(
                                new StepMessages.Launch(
                                        7,
                                        0,
                                        List.of("hostname"),
                                        "/tmp",
                                        List.of(new StepMessages.RemoteTask(1, "n9", Map.of()))),
                                ANN)
                        .error())
                .isEqualTo("Requested node configuration is not available");
        assertThat(across.launch(new StepMessages.Launch(7, 0, List.of("hostname"), "/tmp", remote), ANN)
                        .error())
                .isNull();
        assertThat(n2.stepOrders).containsExactly(new StepMessages.RunTasks(7, 0, List.of("hostname"), "/tmp", remote));

        across.report("n2", new StepMessages.TaskEvent(7, 0, 2, "out", "a\n".getBytes(), 0));
        // only the node that runs a task speaks for it
        across.report("n1", new StepMessages.TaskEvent(7, 0, 3, "out", "forged\n".getBytes(), 0));
        across.report("n2", StepMessages.TaskEvent.ended(7, 0, 2, 0));
        StepMessages.IoEvents first = across.io(7, 0, 0, 5, ANN);
        assertThat(first.events())
                .containsExactly(
                        new StepMessages.TaskEvent(7, 0, 2, "out", "a\n".getBytes(), 0),
                        StepMessages.TaskEvent.ended(7, 0, 2, 0));
        assertThat(first.running()).isTrue();
        assertThat(across.io(7, 0, 0, 5, BOB).events()).isEmpty();
        // an srun waiting for more is answered when it comes
        CompletableFuture<StepMessages.IoEvents> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return across.io(7, 0, first.next(), 30, ANN);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        across.report("n2", StepMessages.TaskEvent.ended(7, 0, 3, 137));
        assertThat(waiting.get().events()).containsExactly(StepMessages.TaskEvent.ended(7, 0, 3, 137));

        // scancel of the step ends its tasks on n2 too
        assertThat(across.cancel(7, 0, ANN).error()).isNull();
        assertThat(n2.stepOrders).endsWith(new StepMessages.KillTasks(7, 0));
        assertThat(across.io(7, 0, waiting.get().next(), 30, ANN).running()).isFalse();
    }

    /** Ann's input, sent on another thread: it is answered only once the node tells. */
    private static CompletableFuture<JobSteps.Result> inputLater(JobSteps steps, StepMessages.Input in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return steps.input(in, ANN);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * srun's stdin for its task on another node goes to that node's agent, and srun is answered
     * only once that agent says it wrote it (or why not); a task that is srun's own, another user,
     * or a node that does not answer in time get an error.
     */
    @Test
    void afterARestartTheEventsOfTasksLaunchedBeforeStillReachTheirSrun() throws Exception {
        // a controller that started while the step ran: it has the step (from its store) but never saw the launch
        JobSteps across = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> null);
        jobs.put(7L, acrossTwoNodes(7));
        across.create(7, new StepRequest(4, 2, 0, 1, 0, false, "hostname"), ANN);
        // srun asks from where it was; nothing yet: it waits (it returned at once before, and srun spun)
        long t0 = System.nanoTime();
        StepMessages.IoEvents none = across.io(7, 0, 12, 1, ANN);
        assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(none.events()).isEmpty();
        assertThat(none.running()).isTrue();
        assertThat(none.next()).isEqualTo(12);
        across.report("n2", StepMessages.TaskEvent.ended(7, 0, 3, 0));
        // a node that is not the step's is still refused
        across.report("n9", StepMessages.TaskEvent.ended(7, 0, 2, 0));
        StepMessages.IoEvents got = across.io(7, 0, 12, 5, ANN);
        assertThat(got.events()).containsExactly(StepMessages.TaskEvent.ended(7, 0, 3, 0));
        assertThat(got.next()).isEqualTo(13);
    }

    @Test
    void afterARestartWhatTheAgentsKeptBeforeSrunAsksAgainFollowsWhatSrunHadRead() throws Exception {
        JobSteps across = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> null);
        jobs.put(7L, acrossTwoNodes(7));
        across.create(7, new StepRequest(4, 2, 0, 1, 0, false, "hostname"), ANN);
        // the agent of n2 sends what it kept while no controller ran, before srun has asked this controller
        across.report("n2", new StepMessages.TaskEvent(7, 0, 3, "out", "kept\n".getBytes(), 0));
        across.report("n2", StepMessages.TaskEvent.ended(7, 0, 3, 0));
        // srun had read 12 events from the controller before: the kept ones are its 12th and 13th
        StepMessages.IoEvents got = across.io(7, 0, 12, 5, ANN);
        assertThat(got.events())
                .containsExactly(
                        new StepMessages.TaskEvent(7, 0, 3, "out", "kept\n".getBytes(), 0),
                        StepMessages.TaskEvent.ended(7, 0, 3, 0));
        assertThat(got.next()).isEqualTo(14);
        // read: gone
        assertThat(across.io(7, 0, 14, 0, ANN).events()).isEmpty();
    }

    @Test
    void srunsInputForATaskOnAnotherNodeIsAnsweredOnceThatNodeWroteIt() throws Exception {
        ClusterTest.FakeLink n2 = new ClusterTest.FakeLink("n2");
        JobSteps across =
                new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> node.equals("n2") ? n2 : null);
        jobs.put(7L, acrossTwoNodes(7));
        across.create(7, new StepRequest(2, 2, 0, 1, 0, false, "cat"), ANN);
        List<StepMessages.RemoteTask> remote = List.of(new StepMessages.RemoteTask(1, "n2", Map.of(), null, true));
        assertThat(across.launch(new StepMessages.Launch(7, 0, List.of("cat"), "/tmp", remote), ANN)
                        .error())
                .isNull();

        byte[] data = "hello\n".getBytes();
        CompletableFuture<JobSteps.Result> sent = inputLater(across, new StepMessages.Input(7, 0, 1, data, false));
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> n2.stepOrders.stream().anyMatch(StepMessages.TaskInput.class::isInstance));
        StepMessages.TaskInput order = (StepMessages.TaskInput) n2.stepOrders.stream()
                .filter(StepMessages.TaskInput.class::isInstance)
                .findFirst()
                .orElseThrow();
        assertThat(order.data()).isEqualTo(data);
        assertThat(order.task()).isEqualTo(1);
        // another node cannot answer for n2; srun still waits
        across.report("n1", new StepMessages.InputTaken(order.tag(), null));
        assertThat(sent).isNotDone();
        across.report("n2", new StepMessages.InputTaken(order.tag(), null));
        assertThat(sent.get(10, java.util.concurrent.TimeUnit.SECONDS).error()).isNull();

        CompletableFuture<JobSteps.Result> late = inputLater(across, new StepMessages.Input(7, 0, 1, data, true));
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> n2.stepOrders.stream()
                                .filter(StepMessages.TaskInput.class::isInstance)
                                .count()
                        == 2);
        StepMessages.TaskInput second = (StepMessages.TaskInput) n2.stepOrders.get(n2.stepOrders.size() - 1);
        assertThat(second.eof()).isTrue();
        across.report("n2", new StepMessages.InputTaken(second.tag(), "task 1 of step 7.0 has ended"));
        assertThat(late.get(10, java.util.concurrent.TimeUnit.SECONDS).error())
                .isEqualTo("task 1 of step 7.0 has ended");

        assertThat(across.input(new StepMessages.Input(7, 0, 0, data, false), ANN)
                        .error())
                .isEqualTo("task 0 does not run on another node");
        assertThat(across.input(new StepMessages.Input(7, 0, 1, data, false), BOB)
                        .error())
                .isEqualTo("Access/permission denied");
        across.inputWaitMillis = 50;
        assertThat(across.input(new StepMessages.Input(7, 0, 1, data, false), ANN)
                        .error())
                .startsWith("n2 did not take the input within ");
    }

    @Test
    void srunKillOnBadExitEndsTheTasksOnOtherNodesAndTheStepRunsOnUntilSrunReportsIt() throws Exception {
        ClusterTest.FakeLink n2 = new ClusterTest.FakeLink("n2");
        JobSteps across =
                new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> node.equals("n2") ? n2 : null);
        jobs.put(7L, acrossTwoNodes(7));
        across.create(7, new StepRequest(2, 2, 0, 1, 0, false, "hostname"), ANN);
        List<StepMessages.RemoteTask> remote = List.of(new StepMessages.RemoteTask(1, "n2", Map.of()));
        assertThat(across.launch(new StepMessages.Launch(7, 0, List.of("sleep", "99"), "/tmp", remote), ANN)
                        .error())
                .isNull();
        assertThat(across.terminate(7, 0, BOB).error()).isEqualTo("Access/permission denied");
        assertThat(across.terminate(7, 1, ANN).error()).isEqualTo("Invalid job id specified");
        assertThat(n2.stepOrders).doesNotContain(new StepMessages.KillTasks(7, 0));

        var r = across.terminate(7, 0, ANN);
        assertThat(r.error()).isNull();
        assertThat(n2.stepOrders).endsWith(new StepMessages.KillTasks(7, 0));
        // the step is still running, and the killed task's end still reaches srun
        assertThat(r.steps().get(0).state()).isEqualTo(StepState.RUNNING);
        across.report("n2", StepMessages.TaskEvent.ended(7, 0, 1, 143));
        StepMessages.IoEvents got = across.io(7, 0, 0, 5, ANN);
        assertThat(got.events()).containsExactly(StepMessages.TaskEvent.ended(7, 0, 1, 143));
        assertThat(got.running()).isTrue();

        assertThat(across.end(7, 0, StepState.FAILED, 1, 0, ANN).error()).isNull();
        assertThat(across.terminate(7, 0, ANN).error()).isEqualTo("Job/step already completing or completed");
    }

    @Test
    void stepsAreNumberedPerJobAndEndOnce() {
        jobs.put(7L, running(7, 4));
        jobs.put(8L, running(8, 4));
        assertThat(steps.create(7, tasks(1), ANN).steps().get(0).id()).isZero();
        assertThat(steps.create(8, tasks(1), ANN).steps().get(0).id()).isZero();
        assertThat(steps.create(7, tasks(1), ANN).steps().get(0).id()).isEqualTo(1);
        now = 110;
        var ended = steps.end(7, 1, StepState.FAILED, 3, 0, ANN);
        assertThat(ended.steps().get(0).state()).isEqualTo(StepState.FAILED);
        assertThat(ended.steps().get(0).elapsed(999)).isEqualTo(10);
        assertThat(steps.cancel(7, 1, ANN).error()).isEqualTo("Job/step already completing or completed");
        assertThat(steps.list(List.of(7L)))
                .extracting(s -> s.state())
                .containsExactly(StepState.RUNNING, StepState.FAILED);
        assertThat(steps.list(List.of())).extracting(s -> s.displayId()).containsExactly("7.0", "8.0");
    }

    @Test
    void onlyTheJobsOwnerOrRootMakesStepsAndOnlyInARunningJob() {
        jobs.put(7L, running(7, 4));
        assertThat(steps.create(7, tasks(1), BOB).error()).isEqualTo("Access/permission denied");
        assertThat(steps.create(9, tasks(1), ANN).error()).isEqualTo("Invalid job id specified");
        assertThat(steps.create(7, tasks(1), new Caller(0, 0, "root", List.of()))
                        .error())
                .isNull();
        jobs.put(7L, jobs.get(7L).ended(JobState.COMPLETED, ExitStatus.NONE, 120));
        assertThat(steps.create(7, tasks(1), ANN).error()).isEqualTo("Job/step already completing or completed");
        // the step that was running when its job ended ended with it
        assertThat(steps.list(List.of(7L)).get(0).state()).isEqualTo(StepState.CANCELLED);
        assertThat(steps.list(List.of(7L)).get(0).end()).isEqualTo(120);
    }

    @Test
    void aStepBeyondTheAllocationIsRefusedAndOneBesideBusyStepsIsToldToRetry() {
        jobs.put(7L, running(7, 2));
        assertThat(steps.create(7, tasks(3), ANN).error()).isEqualTo("More processors requested than permitted");
        assertThat(steps.create(7, tasks(2), ANN).error()).isNull();
        var busy = steps.create(7, tasks(1), ANN);
        assertThat(busy.error()).isEqualTo("Requested nodes are busy");
        assertThat(busy.retry()).isTrue();
        steps.end(7, 0, StepState.COMPLETED, 0, 0, ANN);
        assertThat(steps.create(7, tasks(1), ANN).error()).isNull();
    }

    @Test
    void aWaitingSrunLearnsOfTheCancelOfItsStep() throws Exception {
        jobs.put(7L, running(7, 2));
        steps.create(7, tasks(1), ANN);
        assertThat(steps.await(7, 0, 0, ANN).steps().get(0).state()).isEqualTo(StepState.RUNNING);
        CompletableFuture<JobSteps.Result> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return steps.await(7, 0, 60, ANN);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        steps.cancel(7, 0, ANN);
        assertThat(waiting.get().steps().get(0).state()).isEqualTo(StepState.CANCELLED);
    }

    @Test
    void theStepsOfTheOldestEndedJobsAreForgottenBeyondTheBound() {
        JobSteps kept = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, 2);
        jobs.put(9L, running(9, 1));
        for (long id = 1; id <= 3; id++) {
            // a job asked about without steps takes no room
            assertThat(kept.list(List.of(9L))).isEmpty();
            jobs.put(id, running(id, 1));
            kept.create(id, tasks(1), ANN);
            kept.end(id, 0, StepState.COMPLETED, 0, 0, ANN);
        }
        assertThat(kept.list(List.of(1L))).isEmpty();
        assertThat(kept.list(List.of(2L, 3L))).hasSize(2);
    }

    @Test
    void stepsOutliveTheControllerThroughTheStore() {
        MemoryStore store = new MemoryStore();
        JobSteps before = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> null, store);
        jobs.put(7L, running(7, 4));
        jobs.put(8L, running(8, 4));
        before.create(7, tasks(1), ANN);
        before.create(7, tasks(1), ANN);
        before.create(8, tasks(1), ANN);
        now = 110;
        before.end(7, 0, StepState.FAILED, 3, 0, ANN);
        jobs.put(8L, jobs.get(8L).ended(JobState.COMPLETED, ExitStatus.NONE, 105));

        // a new controller: it takes back the running jobs' steps, and reads the others' when asked
        JobSteps after = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> null, store);
        after.resume(List.of(7L));
        assertThat(after.list(List.of())).extracting(s -> s.displayId()).containsExactly("7.1");
        assertThat(after.list(List.of(7L, 8L)))
                .extracting(s -> s.displayId() + " " + s.state() + " " + s.end())
                .containsExactly("7.0 FAILED 110", "7.1 RUNNING 0", "8.0 CANCELLED 105");
        assertThat(after.create(7, tasks(1), ANN).steps().get(0).id()).isEqualTo(2);
        assertThat(after.end(7, 1, StepState.COMPLETED, 0, 0, ANN).error()).isNull();
        // the step its job's end cancelled is written so
        assertThat(store.steps(List.of(8L)).get(8L)).extracting(s -> s.state()).containsExactly(StepState.CANCELLED);
        assertThat(store.steps(List.of(7L)).get(7L))
                .extracting(s -> s.state())
                .containsExactly(StepState.FAILED, StepState.COMPLETED, StepState.RUNNING);
    }

    @Test
    void aStepTheStoreCannotSaveIsNotStarted() {
        MemoryStore store = new MemoryStore();
        JobSteps kept = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> null, store);
        jobs.put(7L, running(7, 4));
        store.failWith("database is gone");
        assertThat(kept.create(7, tasks(1), ANN).error()).isEqualTo("Unable to save the step, try again");
        store.failWith(null);
        // its id is the next step's
        assertThat(kept.create(7, tasks(1), ANN).steps().get(0).id()).isZero();
    }

    /** An agent that answers sstat's question at once with {@code tasks}, or never when null. */
    private static AgentChannel sampling(String node, JobSteps[] to, List<io.motley.core.step.TaskUsage> tasks) {
        return new AgentChannel() {
            @Override
            public String node() {
                return node;
            }

            @Override
            public void launch(Job job) {}

            @Override
            public void kill(long jobId, int run, io.motley.core.job.KillReason why) {}

            @Override
            public void acknowledge(long jobId, int run) {}

            @Override
            public void steps(io.motley.protocol.Message.StepOrder order) {
                if (tasks != null && order instanceof StepMessages.StatTasks t)
                    to[0].report(node, new StepMessages.TaskStats(t.tag(), t.jobId(), tasks));
            }

            @Override
            public void registered(long heartbeatSeconds) {}

            @Override
            public void close() {}
        };
    }

    private static io.motley.core.step.TaskUsage usage(int step, int task, String node) {
        return new io.motley.core.step.TaskUsage(step, task, node, List.of(10L), 1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void sstatAsksEveryNodeOfTheJobAndGathersTheirTasks() throws Exception {
        JobSteps[] self = new JobSteps[1];
        int batch = io.motley.core.step.TaskUsage.BATCH;
        Map<String, AgentChannel> links = Map.of(
                "n1", sampling("n1", self, List.of(usage(batch, 0, "n1"), usage(0, 0, "n1"), usage(0, 1, "n2"))),
                "n2", sampling("n2", self, List.of(usage(0, 2, "n2"), usage(batch, 0, "n2"))));
        self[0] = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, links::get);
        jobs.put(7L, acrossTwoNodes(7));
        self[0].create(7, new StepRequest(3, 2, 0, 1, 0, false, "hostname"), ANN);
        StepMessages.StepStats st = self[0].stat(7, ANN);
        assertThat(st.steps()).extracting(s -> s.id()).containsExactly(0);
        assertThat(st.batchHost()).isEqualTo("n1");
        assertThat(st.denied()).isFalse();
        assertThat(st.silent()).isEmpty();
        // a node speaks only for its own tasks, and the batch step runs on the batch host only
        assertThat(st.tasks())
                .extracting(u -> u.step() + "/" + u.task() + "@" + u.node())
                .containsExactlyInAnyOrder(batch + "/0@n1", "0/0@n1", "0/2@n2");

        // another user learns which steps run, but no node is asked for their figures
        StepMessages.StepStats bob = self[0].stat(7, BOB);
        assertThat(bob.denied()).isTrue();
        assertThat(bob.tasks()).isEmpty();
        // a job that does not run has no steps to show; one the controller does not know, no answer
        jobs.put(
                8L,
                Job.builder(8, JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp").build())
                        .owner("ann", 1000, 100)
                        .build());
        assertThat(self[0].stat(8, ANN)).isEqualTo(StepMessages.StepStats.none());
        assertThat(self[0].stat(9, ANN)).isNull();

        // a job that salloc or srun made to hold an allocation has no batch step, as Slurm's have none
        Job made = acrossTwoNodes(10);
        jobs.put(
                10L,
                made.toBuilder()
                        .request(made.request().toBuilder()
                                .options(Map.of(JobRequest.ALLOCATION, JobRequest.HELD_IN_AGENT))
                                .build())
                        .build());
        assertThat(self[0].stat(10, ANN).batchHost()).isEmpty();
    }

    @Test
    void aNodeThatDoesNotAnswerSstatIsNamed() throws Exception {
        JobSteps[] self = new JobSteps[1];
        Map<String, AgentChannel> links =
                Map.of("n1", sampling("n1", self, List.of(usage(0, 0, "n1"))), "n2", sampling("n2", self, null));
        self[0] = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, links::get);
        self[0].statWaitMillis = 200;
        jobs.put(7L, acrossTwoNodes(7));
        StepMessages.StepStats st = self[0].stat(7, ANN);
        assertThat(st.silent()).containsExactly("n2");
        assertThat(st.tasks()).extracting(u -> u.node()).containsExactly("n1");
        // an answer after the wait is for no one
        self[0].report("n2", new StepMessages.TaskStats(1, 7, List.of(usage(0, 1, "n2"))));
        // a node whose agent is not connected is named without waiting for it (an hour here)
        JobSteps unlinked = new JobSteps(
                id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> node.equals("n1") ? links.get("n1") : null);
        self[0] = unlinked;
        unlinked.statWaitMillis = TimeUnit.HOURS.toMillis(1);
        StepMessages.StepStats quick = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofMinutes(1), () -> unlinked.stat(7, ANN));
        assertThat(quick.silent()).containsExactly("n2");
        assertThat(quick.tasks()).extracting(u -> u.node()).containsExactly("n1");
    }

    /** A task's figures as its node tells them at the step's end: its peak RSS (KiB) and CPU time (ms). */
    private static io.motley.core.step.TaskUsage peak(int step, int task, String node, long rssKiB, long cpuMs) {
        return new io.motley.core.step.TaskUsage(
                step, task, node, List.of(), 0, rssKiB, 0, 2 * rssKiB, 0, cpuMs, 0, 0, cpuMs / 10, 0);
    }

    @Test
    void aStepsEndKeepsWhatItsTasksUsedOnEveryNodeAsTheirAgentsTellIt() throws Exception {
        JobSteps[] self = new JobSteps[1];
        MemoryStore store = new MemoryStore();
        Map<String, AgentChannel> links = Map.of(
                "n1",
                sampling(
                        "n1",
                        self,
                        List.of(
                                peak(0, 0, "n1", 1000, 400),
                                peak(0, 1, "n1", 5000, 100),
                                // another step's task, and the batch script's, are not this step's
                                peak(1, 0, "n1", 99_000, 9),
                                peak(io.motley.core.step.TaskUsage.BATCH, 0, "n1", 99_000, 9_000))),
                "n2",
                sampling(
                        "n2",
                        self,
                        List.of(
                                peak(0, 2, "n2", 3000, 900),
                                // a node speaks for its own tasks only
                                peak(0, 1, "n1", 77_000, 1))));
        self[0] = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, links::get, store);
        jobs.put(7L, acrossTwoNodes(7));
        self[0].create(7, new StepRequest(3, 2, 0, 1, 0, false, "burn"), ANN);
        self[0].create(7, new StepRequest(1, 1, 0, 1, 0, true, "other"), ANN);
        // another user's report is refused before any node is asked
        assertThat(self[0].end(7, 0, StepState.COMPLETED, 0, 0, BOB).error()).isEqualTo("Access/permission denied");
        now = 130;
        io.motley.core.step.Step ended =
                self[0].end(7, 0, StepState.COMPLETED, 0, 0, ANN).steps().get(0);
        io.motley.core.step.StepUsage u = ended.usage();
        assertThat(u.tasks()).isEqualTo(3);
        assertThat(u.maxRss()).isEqualTo(new io.motley.core.step.StepUsage.Extreme(5000, "n1", 1));
        assertThat(u.aveRssKiB()).isEqualTo(3000);
        assertThat(u.minCpu()).isEqualTo(new io.motley.core.step.StepUsage.Extreme(100, "n1", 1));
        assertThat(u.totalCpuMs()).isEqualTo(1400);
        // kept with the step's end, and listed so for sacct
        assertThat(store.steps(List.of(7L)).get(7L).get(0).usage()).isEqualTo(u);
        assertThat(self[0].list(List.of(7L)).get(0).usage()).isEqualTo(u);
        // a step ended already is not asked about again, and keeps what it had
        assertThat(self[0].end(7, 0, StepState.FAILED, 1, 0, ANN).steps().get(0).usage())
                .isEqualTo(u);

        // scancel JOB.STEP keeps what the tasks used until then
        io.motley.core.step.Step cancelled = self[0].cancel(7, 1, ANN).steps().get(0);
        assertThat(cancelled.state()).isEqualTo(StepState.CANCELLED);
        assertThat(cancelled.usage().maxRss()).isEqualTo(new io.motley.core.step.StepUsage.Extreme(99_000, "n1", 0));
    }

    @Test
    void aStepWhoseNodesTellNothingEndsWithoutUsageAndTheOthersTasksStillCount() throws Exception {
        JobSteps[] self = new JobSteps[1];
        Map<String, AgentChannel> links = Map.of(
                "n1", sampling("n1", self, List.of(peak(0, 0, "n1", 1000, 400))), "n2", sampling("n2", self, null));
        self[0] = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, links::get);
        self[0].usageWaitMillis = 200;
        jobs.put(7L, acrossTwoNodes(7));
        self[0].create(7, new StepRequest(2, 2, 0, 1, 0, true, "a"), ANN);
        self[0].create(7, new StepRequest(1, 1, 0, 1, 0, true, "b", List.of("n2")), ANN);
        // n2 does not answer: n1's task is all there is
        io.motley.core.step.StepUsage partial =
                self[0].end(7, 0, StepState.COMPLETED, 0, 0, ANN).steps().get(0).usage();
        assertThat(partial.tasks()).isEqualTo(1);
        assertThat(partial.maxRss().node()).isEqualTo("n1");
        // a step on n2 alone: nothing measured, no usage (sacct's fields stay empty, not 0)
        assertThat(self[0].end(7, 1, StepState.COMPLETED, 0, 0, ANN)
                        .steps()
                        .get(0)
                        .usage())
                .isNull();
        // nor where no agent is connected
        jobs.put(8L, running(8, 2));
        steps.create(8, tasks(1), ANN);
        assertThat(steps.end(8, 0, StepState.COMPLETED, 0, 0, ANN)
                        .steps()
                        .get(0)
                        .usage())
                .isNull();
    }

    @Test
    void aStepsEndAsksItsNodesForItsOwnTasksOnly() throws Exception {
        ClusterTest.FakeLink n2 = new ClusterTest.FakeLink("n2");
        JobSteps across =
                new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, node -> node.equals("n2") ? n2 : null);
        across.usageWaitMillis = 50;
        jobs.put(7L, acrossTwoNodes(7));
        across.create(7, new StepRequest(1, 1, 0, 1, 0, true, "a", List.of("n2")), ANN);
        across.create(7, new StepRequest(1, 1, 0, 1, 0, true, "b", List.of("n2")), ANN);
        across.end(7, 1, StepState.COMPLETED, 0, 0, ANN);
        // a job that ran many steps must not have every task of them all sent back at each end
        assertThat(n2.stepOrders)
                .filteredOn(o -> o instanceof StepMessages.StatTasks)
                .extracting(o -> ((StepMessages.StatTasks) o).step())
                .containsExactly(1);
        // sstat asks for them all
        across.statWaitMillis = 50;
        across.stat(7, ANN);
        assertThat(n2.stepOrders)
                .filteredOn(o -> o instanceof StepMessages.StatTasks)
                .extracting(o -> ((StepMessages.StatTasks) o).step())
                .containsExactly(1, null);
    }
}
