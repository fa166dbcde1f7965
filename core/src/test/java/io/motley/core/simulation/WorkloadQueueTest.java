package io.motley.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Dependencies, arrays, begin times and holds in workloads, queued by the controller's queue builder. */
class WorkloadQueueTest {

    static Map<String, Long> starts(SimulationResult r) {
        return r.outcomes().stream().collect(Collectors.toMap(JobOutcome::displayId, JobOutcome::startSeconds));
    }

    @Test
    void jobListKeysGiveSbatchOptionsAndOldListsReadAsBefore() {
        List<WorkloadJob> jobs = JobList.parse(
                "0 1 10\n5 2 20 60 - - dependency=afterok:1 array=0-3%2 name=x user=bob begin=30 hold=40\n"
                        + "7 1 5 hold=never\n");
        assertThat(jobs.get(0).plain()).isTrue();
        WorkloadJob w = jobs.get(1);
        assertThat(w.dependency()).isEqualTo("afterok:1");
        assertThat(w.array()).isEqualTo("0-3%2");
        assertThat(w.name()).isEqualTo("x");
        assertThat(w.user()).isEqualTo("bob");
        assertThat(w.beginSeconds()).isEqualTo(30);
        assertThat(w.releaseSeconds()).isEqualTo(40);
        assertThat(jobs.get(2).releaseSeconds()).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> JobList.parse("0 1 10 colour=red"))
                .hasMessageContaining("line 1: unknown key 'colour'");
        assertThatThrownBy(() -> JobList.parse("0 1 10 dependency=afterok:x"))
                .hasMessageStartingWith("line 1: invalid job id");
        assertThatThrownBy(() -> JobList.parse("0 1 10 array=0-3 60")).hasMessageContaining("after KEY=VALUE");
    }

    @Test
    void swfPrecedingJobBecomesAnAfteranyDependency() {
        String line1 = "1 0 -1 100 1 -1 -1 1 200 -1 1 1 -1 -1 -1 -1 -1 -1";
        String line2 = "2 10 -1 50 1 -1 -1 1 200 -1 1 1 -1 -1 -1 -1 1 5";
        String line3 = "3 10 -1 50 1 -1 -1 1 200 -1 1 1 -1 -1 -1 -1 99 5";
        SwfTrace t = SwfTrace.parse(String.join("\n", line1, line2, line3));
        assertThat(t.jobs()).extracting(WorkloadJob::dependency).containsExactly(null, "afterany:1", null);
        SimulationResult r = Simulator.run(t.jobs(), SimulatedCluster.interchangeableCpus(4), Policy.FCFS);
        // 2 fits at 10 but waits for 1 to end; 3, whose preceding job is not in the trace, does not wait
        assertThat(starts(r)).containsEntry("2", 100L).containsEntry("3", 10L);
    }

    @Test
    void dependenciesArraysBeginTimesAndHoldsShapeTheSchedule() {
        List<WorkloadJob> jobs = JobList.parse(String.join(
                "\n",
                "0  1 100",
                "0  1 10  - - - array=0-3%2",
                "0  1 10  - - - dependency=afterok:1",
                "0  1 10  - - - begin=50",
                "0  1 10  - - - hold=70",
                "0  1 10  - - - hold=never",
                "0  1 10  - - - dependency=afterok:9",
                "5  1 10  - - - dependency=afterany:2"));
        SimulationResult r = Simulator.run(jobs, SimulatedCluster.interchangeableCpus(8), Policy.FCFS);
        assertThat(starts(r))
                .containsEntry("1", 0L)
                .containsEntry("2_0", 0L)
                .containsEntry("2_1", 0L)
                .containsEntry("2_2", 10L)
                .containsEntry("2_3", 10L)
                .containsEntry("3", 100L)
                .containsEntry("4", 50L)
                .containsEntry("5", 70L)
                .containsEntry("8", 20L)
                .doesNotContainKeys("6", "7");
        assertThat(r.neverRunnable())
                .containsEntry("held and never released", 1)
                .containsEntry("dependency names a job not submitted before it", 1);
    }

    @Test
    void aBigArrayStartsAllItCanAtOnceThoughAPassOffersSixtyFourTasks() {
        SimulationResult r = Simulator.run(
                JobList.parse("0 1 10 - - - array=0-99"), SimulatedCluster.interchangeableCpus(100), Policy.FCFS);
        assertThat(r.outcomes()).hasSize(100).allMatch(o -> o.startSeconds() == 0);
    }
}
