package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.protocol.StepMessages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** srun --cpu-bind for a step's tasks on another node than srun's: bound here as srun binds its own. */
class StepTasksBindTest {
    static final List<Integer> JOB_CPUS = List.of(2, 3, 6, 7);

    @Test
    void aBoundTaskTakesItsTurnOfTheJobsCpusHereThroughTaskset() {
        List<String> cmd = List.of("sh", "-c", "echo hi");
        // the second task here with 2 CPUs each: the job's third and fourth CPU
        assertThat(StepTasks.bound(cmd, new StepMessages.Bind(1, 2, false), JOB_CPUS, "/usr/bin/taskset"))
                .containsExactly("/usr/bin/taskset", "-c", "6,7", "sh", "-c", "echo hi");
        // more tasks than CPUs: they wrap round, as srun's own do
        assertThat(StepTasks.bound(cmd, new StepMessages.Bind(4, 1, false), JOB_CPUS, "/usr/bin/taskset"))
                .containsExactly("/usr/bin/taskset", "-c", "2", "sh", "-c", "echo hi");
    }

    @Test
    void nothingIsBoundWithoutABindingCpusOrTaskset() {
        List<String> cmd = List.of("true");
        assertThat(StepTasks.bound(cmd, null, JOB_CPUS, "/usr/bin/taskset")).isEqualTo(cmd);
        assertThat(StepTasks.bound(cmd, new StepMessages.Bind(0, 0, true), JOB_CPUS, "/usr/bin/taskset"))
                .isEqualTo(cmd);
        assertThat(StepTasks.bound(cmd, new StepMessages.Bind(0, 1, false), List.of(), "/usr/bin/taskset"))
                .isEqualTo(cmd);
        assertThat(StepTasks.bound(cmd, new StepMessages.Bind(0, 1, false), JOB_CPUS, null))
                .isEqualTo(cmd);
    }

    @Test
    void verboseSaysTheMaskOnTheTasksStderrAndAMissingTasksetIsSaid() {
        StepMessages.RemoteTask bound =
                new StepMessages.RemoteTask(3, "n2", Map.of(), new StepMessages.Bind(1, 1, true));
        assertThat(StepTasks.bindingSaid("n2", bound, JOB_CPUS, "/usr/bin/taskset", 4242))
                .isEqualTo("cpu-bind=MASK - n2, task  3  1 [4242]: mask 0x8 set\n");
        StepMessages.RemoteTask none =
                new StepMessages.RemoteTask(2, "n2", Map.of(), new StepMessages.Bind(0, 0, true));
        assertThat(StepTasks.bindingSaid("n2", none, JOB_CPUS, "/usr/bin/taskset", 17))
                .isEqualTo("cpu-bind=NONE - n2, task  2  0 [17]: mask 0x0 set\n");
        assertThat(StepTasks.bindingSaid("n2", bound, JOB_CPUS, null, 4242))
                .isEqualTo(
                        "srun: warning: --cpu-bind=cores needs taskset(1), which is missing on n2: task 3 is not bound\n"
                                + "cpu-bind=NONE - n2, task  3  1 [4242]: mask 0x0 set\n");
        StepMessages.RemoteTask quiet =
                new StepMessages.RemoteTask(3, "n2", Map.of(), new StepMessages.Bind(1, 1, false));
        assertThat(StepTasks.bindingSaid("n2", quiet, JOB_CPUS, "/usr/bin/taskset", 1))
                .isEmpty();
        assertThat(StepTasks.bindingSaid("n2", new StepMessages.RemoteTask(3, "n2", Map.of()), JOB_CPUS, null, 1))
                .isEmpty();
    }
}
