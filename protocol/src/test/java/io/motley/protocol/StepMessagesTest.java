package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.step.Step;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepMessagesTest {
    private static final Step STEP = Step.started(
                    42, 1, new StepRequest(4, 1, 0, 2, 100, true, "hostname"), List.of("n1", "n2"), 1000)
            .ended(StepState.FAILED, 3, 0, 1010);

    @Test
    void everyStepRequestRoundTripsAndIsKnownAsARequest() {
        for (Message m : List.<Message>of(
                new StepMessages.Create(42, new StepRequest(4, 1, 2, 2, 100, true, "hostname")),
                new StepMessages.Create(42, new StepRequest(2, 2, 0, 1, 0, false, "orted", List.of("n2", "n3"))),
                new StepMessages.End(42, 1, StepState.CANCELLED, 0, 15),
                new StepMessages.Wait(42, 1, 30),
                new StepMessages.ListSteps(List.of(42L, 43L)),
                new StepMessages.ListSteps(List.of()),
                new StepMessages.Cancel(42, 1),
                new StepMessages.Terminate(42, 1))) {
            Frame f = Messages.encode(m);
            assertThat(Messages.isRequest(f.op())).isTrue();
            assertThat(Messages.decode(f)).isEqualTo(m);
            assertThat(Messages.request(f)).isEqualTo(m);
        }
    }

    @Test
    void theStepListRoundTripsAsTheAnswerToAnyStepRequest() {
        StepMessages.Steps answer = new StepMessages.Steps(List.of(STEP));
        assertThat(Messages.answer(new StepMessages.Wait(42, 1, 5), Messages.encode(answer)))
                .isEqualTo(answer);
        assertThat(Messages.answer(new StepMessages.Cancel(42, 1), Messages.encode(new Message.Failure("no"))))
                .isEqualTo(new Message.Failure("no"));
    }

    @Test
    void anEndedStepCarriesWhatItsTasksUsedAndABadUsageIsRefused() {
        Step measured = STEP.withUsage(io.motley.core.step.StepUsage.of(
                        1,
                        List.of(new io.motley.core.step.TaskUsage(
                                1, 3, "n2", List.of(), 0, 61_440, 0, 90_000, 2, 1500, 10, 20, 300, 0)))
                .orElseThrow());
        StepMessages.Steps answer = new StepMessages.Steps(List.of(measured, STEP));
        StepMessages.Steps back =
                (StepMessages.Steps) Messages.answer(new StepMessages.ListSteps(List.of(42L)), Messages.encode(answer));
        assertThat(back).isEqualTo(answer);
        assertThat(back.steps().get(0).usage().maxRss().node()).isEqualTo("n2");
        assertThat(back.steps().get(1).usage()).isNull();
        Frame bad = Messages.encode(answer);
        bad.children().get(0).put("usage", "tasks=1");
        assertThatThrownBy(() -> Messages.answer(new StepMessages.ListSteps(List.of(42L)), bad))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("step usage");
    }

    private static final List<StepMessages.RemoteTask> TASKS = List.of(
            new StepMessages.RemoteTask(2, "n2", Map.of("SLURM_PROCID", "2", "ODD", "a b\n'c'=")),
            new StepMessages.RemoteTask(3, "n2", Map.of()),
            new StepMessages.RemoteTask(4, "n3", Map.of(), new StepMessages.Bind(1, 2, true)),
            new StepMessages.RemoteTask(5, "n3", Map.of(), new StepMessages.Bind(2, 0, false)));

    @Test
    void aLaunchOfTasksOnOtherNodesAndItsIoRoundTripAsRequests() {
        for (Message m : List.<Message>of(
                new StepMessages.Launch(42, 1, List.of("sh", "-c", "echo $SLURM_PROCID"), "/work", TASKS),
                new StepMessages.Io(42, 1, 17, 30))) {
            Frame f = Messages.encode(m);
            assertThat(Messages.isRequest(f.op())).isTrue();
            assertThat(Messages.request(f)).isEqualTo(m);
        }
        StepMessages.IoEvents events = new StepMessages.IoEvents(
                19,
                List.of(
                        new StepMessages.TaskEvent(42, 1, 2, "out", "hi\n".getBytes(), 0),
                        StepMessages.TaskEvent.ended(42, 1, 2, 137)),
                true);
        assertThat(Messages.answer(new StepMessages.Io(42, 1, 17, 30), Messages.encode(events)))
                .isEqualTo(events);
    }

    @Test
    void theAgentsOrdersAndReportsAboutTasksRoundTripOnTheLink() {
        Message.Order run = new StepMessages.RunTasks(42, 1, List.of("hostname"), "/work", TASKS);
        Message.Order kill = new StepMessages.KillTasks(42, 1);
        assertThat(Messages.order(Messages.encode(run))).isEqualTo(run);
        assertThat(Messages.order(Messages.encode(kill))).isEqualTo(kill);
        Message.Report out = new StepMessages.TaskEvent(42, 1, 3, "err", new byte[] {0, 1, 2, (byte) 255}, 0);
        assertThat(Messages.report(Messages.encode(out))).isEqualTo(out);
        assertThat(Messages.isRequest(StepMessages.RUN_TASKS)).isFalse();
        assertThat(Messages.isRequest(StepMessages.TASK_EVENT)).isFalse();
    }

    /** srun's stdin for a task on another node: its request, the order to the node, the node's answer. */
    @Test
    void srunsInputForATaskOnAnotherNodeRoundTrips() {
        StepMessages.Input in = new StepMessages.Input(42, 1, 3, new byte[] {'a', 0, (byte) 255, '\n'}, false);
        StepMessages.Input end = new StepMessages.Input(42, 1, 3, new byte[0], true);
        // srun's terminal resized: the task's terminal is to take the new size
        StepMessages.Input resized =
                new StepMessages.Input(42, 1, 0, new byte[0], false, new StepMessages.Terminal(50, 132));
        for (StepMessages.Input x : List.of(in, end, resized)) {
            Message.Request<?> back = Messages.request(Messages.encode(x));
            assertThat(back).usingRecursiveComparison().isEqualTo(x);
        }
        assertThat(Messages.isRequest(StepMessages.INPUT)).isTrue();
        StepMessages.TaskInput order = new StepMessages.TaskInput(9, 42, 1, 3, new byte[] {1, 2}, true);
        assertThat(Messages.order(Messages.encode(order)))
                .usingRecursiveComparison()
                .isEqualTo(order);
        StepMessages.TaskInput resize =
                new StepMessages.TaskInput(10, 42, 1, 0, new byte[0], false, new StepMessages.Terminal(50, 132));
        assertThat(Messages.order(Messages.encode(resize)))
                .usingRecursiveComparison()
                .isEqualTo(resize);
        assertThat(((StepMessages.TaskInput) Messages.order(Messages.encode(order))).resize())
                .isNull();
        Message.Report taken = new StepMessages.InputTaken(9, null);
        Message.Report refused = new StepMessages.InputTaken(9, "task 3 of step 42.1 has ended");
        assertThat(Messages.report(Messages.encode(taken))).isEqualTo(taken);
        assertThat(Messages.report(Messages.encode(refused))).isEqualTo(refused);
        // a task that reads srun's stdin says so in its launch
        var reads = new StepMessages.RemoteTask(0, "n2", Map.of(), null, true);
        Message.Order run = new StepMessages.RunTasks(42, 1, List.of("cat"), "/work", List.of(reads));
        assertThat(Messages.order(Messages.encode(run))).isEqualTo(run);
        // srun --pty's task runs on a terminal of srun's size there
        var terminal = new StepMessages.RemoteTask(
                0, "n2", Map.of(), null, true, StepMessages.Terminal.ofSttySize("50 132\n"));
        Message.Order pty = new StepMessages.RunTasks(42, 1, List.of("bash"), "/work", List.of(terminal));
        assertThat(Messages.order(Messages.encode(pty))).isEqualTo(pty);
        assertThat(((StepMessages.RunTasks) Messages.order(Messages.encode(pty)))
                        .tasks()
                        .get(0)
                        .terminal())
                .isEqualTo(new StepMessages.Terminal(50, 132));
        Frame tiny = Messages.encode(pty);
        tiny.children().get(1).put("ttyRows", 0);
        assertThatThrownBy(() -> Messages.order(tiny)).hasMessageContaining("tty: a terminal of 0x132");
        // stty size's answer, or the usual terminal where there is none
        assertThat(StepMessages.Terminal.ofSttySize("0 0")).isEqualTo(new StepMessages.Terminal(24, 80));
        assertThat(StepMessages.Terminal.ofSttySize(null)).isEqualTo(new StepMessages.Terminal(24, 80));
        assertThat(StepMessages.Terminal.ofSttySize("stty: not a tty")).isEqualTo(new StepMessages.Terminal(24, 80));
        // more than a chunk in one request is refused
        Frame big = Messages.encode(new StepMessages.Input(42, 1, 3, new byte[StepMessages.INPUT_CHUNK + 1], false));
        assertThatThrownBy(() -> Messages.request(big)).hasMessageContaining("data: over");
    }

    private static final List<io.motley.core.step.TaskUsage> USAGE = List.of(
            new io.motley.core.step.TaskUsage(
                    0, 1, "n2", List.of(10L, 11L), 100, 200, 300, 400, 5, 6000, 7, 8, 900, 2096),
            new io.motley.core.step.TaskUsage(
                    io.motley.core.step.TaskUsage.BATCH, 0, "n1", List.of(), 0, 0, 0, 0, 0, 0, 0, 0));

    @Test
    void sstatsRequestItsOrderReportAndAnswerRoundTrip() {
        Message m = new StepMessages.Stat(42);
        assertThat(Messages.isRequest(Messages.encode(m).op())).isTrue();
        assertThat(Messages.request(Messages.encode(m))).isEqualTo(m);
        Message.Order order = new StepMessages.StatTasks(7, 42);
        assertThat(Messages.order(Messages.encode(order))).isEqualTo(order);
        Message.Order oneStep = new StepMessages.StatTasks(7, 42, 3);
        assertThat(Messages.order(Messages.encode(oneStep))).isEqualTo(oneStep);
        Message.Report report = new StepMessages.TaskStats(7, 42, USAGE);
        assertThat(Messages.report(Messages.encode(report))).isEqualTo(report);
        assertThat(Messages.isRequest(StepMessages.STAT_TASKS)).isFalse();
        assertThat(Messages.isRequest(StepMessages.TASK_STATS)).isFalse();
        StepMessages.StepStats answer = new StepMessages.StepStats(List.of(STEP), USAGE, List.of("n3"), "n1", false);
        assertThat(Messages.answer(new StepMessages.Stat(42), Messages.encode(answer)))
                .isEqualTo(answer);
        for (StepMessages.StepStats other : List.of(
                StepMessages.StepStats.none(),
                new StepMessages.StepStats(List.of(STEP), List.of(), List.of(), "n1", true)))
            assertThat(Messages.answer(new StepMessages.Stat(42), Messages.encode(other)))
                    .isEqualTo(other);
    }

    @Test
    void aBadStepFrameNamesItsField() {
        assertThatThrownBy(() -> Messages.decode(Frame.op(StepMessages.TASK_EVENT)
                        .put("job", 1)
                        .put("step", 0)
                        .put("stream", "stdin")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("stream");
        assertThatThrownBy(() ->
                        Messages.decode(Frame.op(StepMessages.END).put("job", 1).put("state", "NOPE")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("state");
        assertThatThrownBy(() -> Messages.decode(
                        Frame.op(StepMessages.CREATE).put("job", 1).put("tasks", 0)))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("step");
        assertThatThrownBy(() -> Messages.decode(Frame.op(StepMessages.WAIT).put("job", "x")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("job");
    }
}
