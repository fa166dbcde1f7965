package io.motley.cli.step;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The output of tasks on other nodes, as it comes through the controller in chunks of any size. */
class LocalTasksTest {
    @Test
    void aRelayedStreamIsWrittenLineByLineWithItsTaskLabelAndItsLastLineAtTheEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LocalTasks.Sink sink = new LocalTasks.Sink(out, false);
        LocalTasks tasks = new LocalTasks("n1", true, 12, false);
        LocalTasks.Relay three = tasks.relay(3, sink);
        LocalTasks.Relay eleven = tasks.relay(11, sink);
        three.accept("one\ntw".getBytes(StandardCharsets.UTF_8));
        // another task's line does not land inside task 3's half line
        eleven.accept("x\n".getBytes(StandardCharsets.UTF_8));
        three.accept("o\nthree".getBytes(StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(" 3: one\n11: x\n 3: two\n");
        three.close();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(" 3: one\n11: x\n 3: two\n 3: three");
    }

    @Test
    void unbufferedRelayedOutputIsPassedOnAsItComes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LocalTasks tasks = new LocalTasks("n1", false, 2, true);
        LocalTasks.Relay one = tasks.relay(1, new LocalTasks.Sink(out, false));
        one.accept("half".getBytes(StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("half");
    }
}
