package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.protocol.StepMessages;
import io.motley.protocol.StepMessages.TaskEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** srun's stdin for a step's task on this node: written to the task, in order, its end closing the task's stdin. */
class StepTasksInputTest {
    @TempDir
    Path dir;

    private final List<TaskEvent> events = new CopyOnWriteArrayList<>();

    private StepTasks.Place place() {
        return StepTasksOrderTest.place(dir);
    }

    private static StepMessages.RunTasks order(boolean stdin) {
        return new StepMessages.RunTasks(
                7,
                0,
                List.of("/bin/sh", "-c", "tr a-z A-Z; echo done"),
                "/",
                List.of(new StepMessages.RemoteTask(0, "n2", Map.of(), null, stdin)));
    }

    private String out() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (TaskEvent e : events) if (e.stream().equals("out")) b.writeBytes(e.data());
        return b.toString(StandardCharsets.UTF_8);
    }

    private boolean ended() {
        return events.stream().anyMatch(e -> TaskEvent.END.equals(e.stream()));
    }

    @Test
    void aTaskThatReadsSrunsInputGetsItInOrderAndItsEnd() throws Exception {
        StepTasks tasks = new StepTasks();
        // the input comes before the order that starts the task: it waits for the task
        CompletableFuture<String> early = CompletableFuture.supplyAsync(() -> {
            try {
                return tasks.input(new StepMessages.TaskInput(1, 7, 0, 0, "abc\n".getBytes(), false));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.ofVirtual().start(() -> tasks.run(order(true), place(), events::add));
        assertThat(early.get()).isNull();
        assertThat(tasks.input(new StepMessages.TaskInput(2, 7, 0, 0, "def\n".getBytes(), false)))
                .isNull();
        assertThat(ended()).isFalse();
        assertThat(tasks.input(new StepMessages.TaskInput(3, 7, 0, 0, new byte[0], true)))
                .isNull();
        await().atMost(Duration.ofSeconds(20)).until(this::ended);
        assertThat(out()).isEqualTo("ABC\nDEF\ndone\n");
        // the task has ended: more input is refused at once, with why
        assertThat(tasks.input(new StepMessages.TaskInput(4, 7, 0, 0, "x".getBytes(), false)))
                .isEqualTo("task 0 of step 7.0 has ended");
    }

    /**
     * srun --pty's terminal resized: the task's terminal takes the new size (motley-start reads it from the agent's
     * file on SIGWINCH), and the task is told by its terminal's own SIGWINCH.
     */
    @Test
    void aResizeOfSrunsTerminalResizesTheTasksTerminal() throws Exception {
        Starter starter = Starters.built();
        StepTasks tasks = new StepTasks();
        StepMessages.RunTasks order = new StepMessages.RunTasks(
                7,
                0,
                List.of(
                        "/bin/sh",
                        "-c",
                        "trap 'echo resized to $(stty size)' WINCH; stty size; read x; read y; echo bye"),
                "/",
                List.of(new StepMessages.RemoteTask(0, "n2", Map.of(), null, true, new StepMessages.Terminal(24, 80))));
        Thread.ofVirtual().start(() -> tasks.run(order, StepTasksOrderTest.place(dir, starter), events::add));
        await().atMost(Duration.ofSeconds(20)).until(() -> out().contains("24 80"));
        assertThat(tasks.input(
                        new StepMessages.TaskInput(1, 7, 0, 0, new byte[0], false, new StepMessages.Terminal(50, 132))))
                .isNull();
        await().atMost(Duration.ofSeconds(20)).until(() -> out().contains("resized to 50 132"));
        assertThat(tasks.input(new StepMessages.TaskInput(2, 7, 0, 0, "a\nb\n".getBytes(), true)))
                .isNull();
        await().atMost(Duration.ofSeconds(20)).until(this::ended);
        assertThat(out()).contains("bye");
        // a task without a terminal, or ended: refused, with why
        assertThat(tasks.input(
                        new StepMessages.TaskInput(3, 7, 0, 0, new byte[0], false, new StepMessages.Terminal(40, 100))))
                .isEqualTo("task 0 of step 7.0 has no terminal here");
    }

    @Test
    void aTaskThatDoesNotReadSrunsInputHasNone() throws Exception {
        StepTasks tasks = new StepTasks();
        tasks.run(order(false), place(), events::add);
        await().atMost(Duration.ofSeconds(20)).until(this::ended);
        assertThat(out()).isEqualTo("done\n");
    }
}
