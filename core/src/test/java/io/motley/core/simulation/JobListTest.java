package io.motley.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.time.Durations;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobListTest {

    @Test
    void readsEveryColumnAndItsDefaults() {
        List<WorkloadJob> jobs = JobList.parse("""
                # SUBMIT CPUS RUN LIMIT MEM PARTITION
                0   4  600      15:00    8G   batch
                30  1  1:30:00  2:00:00  -    -      # a comment
                45  2  90

                50  1  2-00      UNLIMITED 500  a,b
                60  1  10        -
                """);
        assertThat(jobs)
                .containsExactly(
                        new WorkloadJob(2, 0, 4, 8192, 600, 900, List.of("batch")),
                        new WorkloadJob(3, 30, 1, -2, 5400, 7200, List.of()),
                        new WorkloadJob(4, 45, 2, -2, 90, -2, List.of()),
                        new WorkloadJob(6, 50, 1, 500, 172_800, Durations.UNLIMITED, List.of("a", "b")),
                        new WorkloadJob(7, 60, 1, -2, 10, -2, List.of()));
    }

    @Test
    void aBareNumberIsSecondsNotMinutes() {
        assertThat(JobList.parse("0 1 90 120").get(0))
                .extracting(WorkloadJob::runSeconds, WorkloadJob::timeLimitSeconds)
                .containsExactly(90L, 120L);
    }

    @Test
    void badLinesAreErrorsNamingTheLine() {
        assertThatThrownBy(() -> JobList.parse("0 1 10\n\n5 x 10\n"))
                .hasMessage("line 3: CPUS must be a whole number, got 'x'");
        assertThatThrownBy(() -> JobList.parse("0 1")).hasMessageStartingWith("line 1: expected SUBMIT CPUS RUN");
        assertThatThrownBy(() -> JobList.parse("0 0 10")).hasMessage("line 1: CPUS must be at least 1, got 0");
        assertThatThrownBy(() -> JobList.parse("0 1 0")).hasMessage("line 1: RUN must be a positive time, got 0");
        assertThatThrownBy(() -> JobList.parse("-5 1 10")).hasMessage("line 1: SUBMIT must not be negative, got -5");
        assertThatThrownBy(() -> JobList.parse("0 1 10 soon"))
                .hasMessageStartingWith("line 1: LIMIT: 'soon' is not a time limit");
        assertThatThrownBy(() -> JobList.parse("0 1 10 - lots")).hasMessageStartingWith("line 1: MEM: ");
    }
}
