package io.motley.cli.step;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskEndsTest {
    @Test
    void failedTasksAreGroupedByNodeAndOutcomeAsRanges() {
        List<TaskEnds.End> ends = List.of(
                new TaskEnds.End(3, "n1", 1),
                new TaskEnds.End(0, "n1", 1),
                new TaskEnds.End(1, "n1", 1),
                new TaskEnds.End(2, "n1", 0),
                new TaskEnds.End(4, "n2", 128 + 11),
                new TaskEnds.End(5, "n2", 128 + 9));
        assertThat(TaskEnds.lines(ends))
                .containsExactly(
                        "srun: error: n1: tasks 0-1,3: Exited with exit code 1",
                        "srun: error: n2: task 4: Segmentation fault",
                        "srun: error: n2: task 5: Killed");
        assertThat(TaskEnds.exitCode(ends)).isEqualTo(139);
        assertThat(TaskEnds.codeAndSignal(ends)).containsExactly(1, 11);
        assertThat(TaskEnds.lines(List.of(new TaskEnds.End(0, "n1", 0)))).isEmpty();
        assertThat(TaskEnds.exitCode(List.of())).isZero();
    }
}
