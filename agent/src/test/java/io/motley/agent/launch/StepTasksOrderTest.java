package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.protocol.StepMessages;
import io.motley.protocol.StepMessages.TaskEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order that starts a step's tasks here and the one that ends them travel apart: srun -K asks for the end as
 * soon as a task elsewhere fails, maybe before this node has started its own. Whatever order they come in, the tasks
 * end.
 */
class StepTasksOrderTest {
    @TempDir
    Path dir;

    private final List<TaskEvent> events = new CopyOnWriteArrayList<>();

    StepTasks.Place place() {
        return place(dir, null);
    }

    /** Job 7's place on node n2: its directory {@code dir}, no box, no binding, the agent's own user. */
    static StepTasks.Place place(Path dir) {
        return place(dir, null);
    }

    /** As {@link #place(Path)}, its tasks started through {@code starter} (the entry script's chain where null). */
    static StepTasks.Place place(Path dir, Starter starter) {
        return new StepTasks.Place(
                7,
                "n2",
                dir,
                List.of(),
                List.of(),
                List.of(),
                "022",
                Map.of(),
                Session.find(),
                JobIdentity.agent(),
                "",
                starter);
    }

    private static StepMessages.RunTasks order(int step, String script, int... tasks) {
        List<StepMessages.RemoteTask> remote = new java.util.ArrayList<>();
        for (int t : tasks) remote.add(new StepMessages.RemoteTask(t, "n2", Map.of("T", Integer.toString(t)), null));
        return new StepMessages.RunTasks(7, step, List.of("/bin/sh", "-c", script), "/", remote);
    }

    private List<Integer> ends() {
        return events.stream()
                .filter(e -> TaskEvent.END.equals(e.stream()))
                .map(TaskEvent::status)
                .toList();
    }

    @Test
    void aStepEndedBeforeItsTasksCameStartsNoneOfThem() {
        StepTasks tasks = new StepTasks();
        tasks.kill(7, 0);
        tasks.run(order(0, "echo started; exec sleep 300", 2, 3), place(), events::add);
        // both end at once as if SIGTERM had ended them, and neither printed a line
        assertThat(ends()).containsExactly(143, 143);
        assertThat(events).allMatch(e -> TaskEvent.END.equals(e.stream()));
        // another step of the job is not touched
        tasks.run(order(1, "echo started", 2), place(), events::add);
        await().atMost(Duration.ofSeconds(20)).until(() -> ends().size() == 3);
        assertThat(ends()).containsExactly(143, 143, 0);
    }

    @Test
    void aTaskThatEndsFirstDoesNotHideTheOthersFromTheEnd() {
        StepTasks tasks = new StepTasks();
        // task 2 ends at once; task 3, started after it in the same order, must still be found by the kill
        tasks.run(
                order(0, "if [ \"$T\" = 2 ]; then exit 0; fi; sleep 0.5; exec sleep 300", 2, 3), place(), events::add);
        await().atMost(Duration.ofSeconds(20)).until(() -> ends().size() == 1);
        tasks.kill(7, 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> ends().size() == 2);
        assertThat(ends()).containsExactly(0, 143);
    }

    @Test
    void aStepEndedTheMomentItsTasksStartedLeavesNoneRunning() throws Exception {
        StepTasks tasks = new StepTasks();
        Path marker = dir.resolve("pid");
        tasks.run(order(0, "echo $$ > " + marker + "; exec sleep 300", 2), place(), events::add);
        tasks.kill(7, 0);
        // its end comes (its output pipes close): nothing of it holds them, orphaned
        await().atMost(Duration.ofSeconds(20)).until(() -> ends().size() == 1);
        if (java.nio.file.Files.exists(marker)) {
            String pid = java.nio.file.Files.readString(marker).trim();
            if (!pid.isEmpty())
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> ProcessHandle.of(Long.parseLong(pid))
                                .map(h -> !h.isAlive())
                                .orElse(true));
        }
    }

    @Test
    void theEndedStepsOfAJobAreForgottenWhenItsRunHereEnds() {
        StepTasks tasks = new StepTasks();
        tasks.kill(7, 0);
        tasks.kill(8, 0);
        assertThat(tasks.remembered()).isEqualTo(2);
        tasks.forgetJob(7);
        assertThat(tasks.remembered()).isEqualTo(1);
        // a requeued run's step 0 starts
        tasks.run(order(0, "exit 0", 2), place(), events::add);
        await().atMost(Duration.ofSeconds(20)).until(() -> ends().size() == 1);
        assertThat(ends()).containsExactly(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.remembered() == 1);
    }
}
