package io.motley.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.ClusterTest.FakeLink;
import io.motley.controller.store.Store;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.config.ClusterConfig;
import io.motley.core.dependency.Dependency;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.simulation.JobList;
import io.motley.core.simulation.JobOutcome;
import io.motley.core.simulation.Policy;
import io.motley.core.simulation.SimulatedCluster;
import io.motley.core.simulation.SimulationResult;
import io.motley.core.simulation.Simulator;
import io.motley.core.simulation.WorkloadJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One workload with arrays, dependencies, a singleton, a begin time and a held job, run through
 * {@code motley simulate}'s simulator and through the live controller's Cluster (a fake clock, a
 * pass every second, agents faked and reporting each end on time): both must start every job and
 * task at the same time on the same node, since both build their queue with the same code.
 */
class SimulationParityTest {
    @TempDir
    Path dir;

    /** Line N is job N; dependencies name lines. */
    static final String WORKLOAD = String.join(
            "\n",
            "0   2  100  200",
            "0   4  50   100",
            "0   1  30   100  -  -  array=0-5%2",
            "5   2  40   100  -  -  dependency=afterok:1",
            "5   1  20   100  -  -  dependency=afterany:3",
            "10  1  60   30",
            "12  1  10   100  -  -  dependency=afterok:6",
            "12  1  10   100  -  -  dependency=afternotok:6",
            "15  2  30   100  -  -  name=solo",
            "15  2  30   100  -  -  name=solo dependency=singleton",
            "20  1  10   100  -  -  begin=300",
            "20  1  10   100  -  -  hold=250",
            "25  1  15   100  -  -  array=1-3 dependency=after:2+1",
            "30  3  20   100",
            "40  1  5    100  -  -  array=0-2 dependency=aftercorr:3",
            "50  4  10   100  -  -  dependency=afterok:4?afterok:7");

    static final long T0 = 1_000_000;

    @ParameterizedTest
    @CsvSource({"sched/builtin, FCFS", "sched/backfill, BACKFILL"})
    void theSimulatorStartsEveryJobWhereAndWhenTheControllerDoes(String schedulerType, Policy policy) {
        List<WorkloadJob> workload = JobList.parse(WORKLOAD);
        ClusterConfig config = ClusterConfig.parse(
                "NodeTimeout=100000\nSchedulerType=" + schedulerType + "\nSchedulerParameters=bf_interval=1\n");
        SimulatedCluster simulated = new SimulatedCluster(
                List.of(new NodeView("n1", 4, 4000, NodeState.UP), new NodeView("n2", 4, 4000, NodeState.UP)),
                config.partitions(),
                config.defMemPerCpuMiB());
        SimulationResult sim = Simulator.run(workload, simulated, policy);
        Map<String, String> simulatedStarts = new TreeMap<>();
        for (JobOutcome o : sim.outcomes()) simulatedStarts.put(o.displayId(), o.startSeconds() + "@" + o.node());

        Map<String, String> liveStarts = live(workload, config);

        assertThat(liveStarts).isEqualTo(simulatedStarts);
        // the workload exercised what it is meant to: every task ran, and only job 7 (afterok on a killed job) never
        // did
        assertThat(simulatedStarts).containsKeys("3_0", "3_5", "13_1", "13_3", "15_2", "16", "12", "11");
        assertThat(simulatedStarts).doesNotContainKey("7");
        assertThat(sim.neverRunnable()).containsEntry("dependency never satisfied", 1);
    }

    /** The workload through the controller's Cluster: start time (seconds from T0) and node by job id as squeue prints it. */
    private Map<String, String> live(List<WorkloadJob> workload, ClusterConfig config) {
        AtomicLong now = new AtomicLong(T0);
        Map<String, String> starts = new TreeMap<>();
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = new Cluster(config, store, now::get);
            Map<String, FakeLink> links = new HashMap<>();
            for (String n : List.of("n1", "n2")) {
                links.put(n, new FakeLink(n));
                c.register(links.get(n), ClusterTest.registration(n, 4));
            }
            List<WorkloadJob> bySubmit = new ArrayList<>(workload);
            bySubmit.sort(Comparator.comparingLong(WorkloadJob::submitSeconds));
            Map<Long, Long> idOf = new HashMap<>();
            Map<Long, WorkloadJob> source = new HashMap<>();
            Map<Long, Long> holds = new HashMap<>();
            Map<Long, long[]> ends = new HashMap<>();
            int next = 0;
            for (long t = 0; t <= 2000; t++) {
                now.set(T0 + t);
                final long at = t;
                ends.forEach((id, end) -> {
                    if (end[0] == at) {
                        Job j = c.job(id).orElseThrow();
                        c.jobEnded(j.node(), RequeueDeadlineTest.ended(id, 0, end[1] == 1 ? "TIMEOUT" : "COMPLETED"));
                    }
                });
                holds.forEach((id, release) -> {
                    if (release == at) c.hold(List.of(id), Caller.uid(0), false);
                });
                for (; next < bySubmit.size() && bySubmit.get(next).submitSeconds() == t; next++) {
                    WorkloadJob w = bySubmit.get(next);
                    long id = Calls.id(c.submit(request(w, idOf, T0), Calls.as(1000, 1000, "alice")));
                    idOf.put(w.id(), id);
                    source.put(id, w);
                    if (w.releaseSeconds() != WorkloadJob.NOT_HELD) holds.put(id, w.releaseSeconds());
                }
                c.schedulePass();
                for (Job j : c.jobs()) {
                    if (j.state() != JobState.RUNNING || ends.containsKey(j.id())) continue;
                    WorkloadJob w =
                            source.get(j.array() == null ? j.id() : j.array().arrayJobId());
                    long limit = w.timeLimitSeconds();
                    boolean killed = limit > 0 && limit < w.runSeconds();
                    ends.put(j.id(), new long[] {t + (killed ? limit : w.runSeconds()), killed ? 1 : 0});
                    String key = j.array() == null
                            ? Long.toString(w.id())
                            : w.id() + "_" + j.array().taskId();
                    starts.put(key, (j.startTime() - T0) + "@" + j.node());
                }
            }
        }
        return starts;
    }

    /** What sbatch would send for the workload job, its dependency naming the controller's ids. */
    private static JobRequest request(WorkloadJob w, Map<Long, Long> idOf, long t0) {
        String dependency = null;
        if (w.dependency() != null) {
            Dependency d = Dependency.parse(w.dependency());
            dependency = new Dependency(
                            d.terms().stream()
                                    .map(t -> t.kind() == Dependency.Kind.SINGLETON
                                            ? t
                                            : new Dependency.Term(t.kind(), idOf.get(t.jobId()), t.delaySeconds()))
                                    .toList(),
                            d.anyOf())
                    .toString();
        }
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name(w.name() != null ? w.name() : Long.toString(w.id()))
                .cpusPerTask(w.cpus())
                .timeLimit(w.limit())
                .hold(w.releaseSeconds() != WorkloadJob.NOT_HELD)
                .submitHost("h")
                .dependency(dependency, false)
                .window(w.beginSeconds() > 0 ? t0 + w.beginSeconds() : 0, 0)
                .array(w.array())
                .build();
    }
}
