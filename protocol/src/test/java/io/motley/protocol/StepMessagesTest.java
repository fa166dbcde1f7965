package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.step.Step;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepMessagesTest {
    private static final Step STEP = Step.started(
                    42, 1, new StepRequest(4, 1, 0, 2, 100, true, "hostname"), List.of("n1", "n2"), 1000)
            .ended(StepState.FAILED, 3, 0, 1010);

    @Test
    void everyStepRequestRoundTripsAndIsKnownAsARequest() {
        for (Message m : List.<Message>of(
                new StepMessages.Create(42, new StepRequest(4, 1, 2, 2, 100, true, "hostname")),
                new StepMessages.End(42, 1, StepState.CANCELLED, 0, 15),
                new StepMessages.Wait(42, 1, 30),
                new StepMessages.ListSteps(List.of(42L, 43L)),
                new StepMessages.ListSteps(List.of()),
                new StepMessages.Cancel(42, 1))) {
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
    void aBadStepFrameNamesItsField() {
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
