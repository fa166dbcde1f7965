package io.motley.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimulatorTest {
    private static final long NG = WorkloadJob.NOT_GIVEN;

    static WorkloadJob job(long id, long submit, int cpus, long run) {
        return new WorkloadJob(id, submit, cpus, NG, run, NG, List.of());
    }

    static WorkloadJob job(long id, long submit, int cpus, long run, long limit) {
        return new WorkloadJob(id, submit, cpus, NG, run, limit, List.of());
    }

    @Test
    void threeJobsOnFourCpusByHand() {
        // 1 takes 2 CPUs at 0 for 100 s. 2 wants all 4 at 10: it waits until 100 and runs to 150.
        // 3 wants 1 CPU at 20; two are free, but it is behind 2 (FCFS), so it waits until 150 and ends at 180.
        SimulationResult r = Simulator.run(
                List.of(job(1, 0, 2, 100), job(2, 10, 4, 50), job(3, 20, 1, 30)),
                SimulatedCluster.interchangeableCpus(4),
                Policy.FCFS);
        assertThat(r.outcomes()).extracting(JobOutcome::startSeconds).containsExactly(0L, 100L, 150L);
        assertThat(r.outcomes()).extracting(JobOutcome::endSeconds).containsExactly(100L, 150L, 180L);
        Figures f = r.figures();
        assertThat(f.jobs()).isEqualTo(3);
        assertThat(f.meanWaitSeconds()).isCloseTo((0 + 90 + 130) / 3.0, within(1e-9));
        assertThat(f.p95WaitSeconds()).isEqualTo(130);
        // bounded slowdowns: 100/100 = 1, (90+50)/50 = 2.8, (130+30)/30 = 5.333...
        assertThat(f.meanBoundedSlowdown()).isCloseTo((1 + 2.8 + 160.0 / 30) / 3, within(1e-9));
        // (2*100 + 4*50 + 1*30) CPU-seconds of 4 CPUs * 180 s
        assertThat(f.utilization()).isCloseTo(430.0 / 720, within(1e-9));
        assertThat(f.makespanSeconds()).isEqualTo(180);
        assertThat(r.killed()).isZero();
    }

    @Test
    void aJobThatFitsStartsAtOnceAndMakespanStartsAtTheFirstSubmission() {
        SimulationResult r = Simulator.run(
                List.of(job(1, 100, 1, 10), job(2, 100, 1, 10), job(3, 105, 2, 20)),
                SimulatedCluster.interchangeableCpus(2),
                Policy.FCFS);
        // 3 waits for both CPUs: 110 -> 130
        assertThat(r.outcomes()).extracting(JobOutcome::waitSeconds).containsExactly(0L, 0L, 5L);
        assertThat(r.figures().makespanSeconds()).isEqualTo(30);
        assertThat(r.figures().utilization()).isCloseTo((10 + 10 + 40) / (2.0 * 30), within(1e-9));
    }

    @Test
    void boundedSlowdownUsesTenSecondsForShortJobs() {
        // one CPU: 1 runs 0..10; 2 (run 2 s) waits 10 s -> (10+2)/10 = 1.2; 3 (run 2 s) waits 12 s -> 1.4
        SimulationResult r = Simulator.run(
                List.of(job(1, 0, 1, 10), job(2, 0, 1, 2), job(3, 0, 1, 2)),
                SimulatedCluster.interchangeableCpus(1),
                Policy.FCFS);
        assertThat(r.outcomes()).extracting(o -> o.boundedSlowdown(10)).containsExactly(1.0, 1.2, 1.4);
        assertThat(r.figures().meanBoundedSlowdown()).isCloseTo(3.6 / 3, within(1e-9));
        // a 2 s job that waited nothing is 1, not 0.2
        assertThat(r.outcomes().get(0).boundedSlowdown(10)).isEqualTo(1.0);
    }

    @Test
    void aJobReachingItsTimeLimitIsKilledThereAndFreesItsCpus() {
        SimulationResult r = Simulator.run(
                List.of(job(1, 0, 1, 100, 60), job(2, 0, 1, 30, 60)),
                SimulatedCluster.interchangeableCpus(1),
                Policy.FCFS);
        assertThat(r.outcomes().get(0))
                .extracting(JobOutcome::endSeconds, JobOutcome::killed)
                .containsExactly(60L, true);
        assertThat(r.outcomes().get(1))
                .extracting(JobOutcome::startSeconds, JobOutcome::endSeconds, JobOutcome::killed)
                .containsExactly(60L, 90L, false);
        assertThat(r.killed()).isEqualTo(1);
        // utilization counts the 60 s the killed job ran, not the 100 s it wanted
        assertThat(r.figures().utilization()).isCloseTo(90.0 / 90, within(1e-9));
    }

    @Test
    void aJobWithoutALimitGetsThePartitionsDefaultTime() {
        Partition p = new Partition("short", true, null, 3600, 60, PartitionState.UP);
        SimulatedCluster c = new SimulatedCluster(List.of(new NodeView("a", 1, 1000, NodeState.UP)), List.of(p), 0);
        SimulationResult r =
                Simulator.run(List.of(job(1, 0, 1, 100), job(2, 0, 1, 100, Durations.UNLIMITED)), c, Policy.FCFS);
        assertThat(r.outcomes()).extracting(JobOutcome::endSeconds).containsExactly(60L);
        assertThat(r.neverRunnable()).containsEntry("time limit over partition short's MaxTime", 1);
    }

    @Test
    void jobsTheClusterCanNeverRunAreLeftOutAndCounted() {
        SimulationResult r = Simulator.run(
                List.of(job(1, 0, 8, 10), job(2, 0, 4, 10), new WorkloadJob(3, 0, 1, NG, 10, NG, List.of("gpu"))),
                SimulatedCluster.interchangeableCpus(4),
                Policy.FCFS);
        assertThat(r.outcomes()).extracting(JobOutcome::id).containsExactly(2L);
        assertThat(r.neverRunnable())
                .containsEntry("more CPUs or memory than any node of partition main has", 1)
                .containsEntry("partition gpu does not exist", 1);
        assertThat(r.neverRunnableCount()).isEqualTo(2);
    }

    @Test
    void memoryIsAResourceOnDescribedNodes() {
        SimulatedCluster c = SimulatedCluster.parse("NodeName=a CPUs=4 RealMemory=4000\n");
        // two 1-CPU jobs of 3000 MiB cannot share the node; the per-CPU share (1000) of a third fits beside one
        SimulationResult r = Simulator.run(
                List.of(
                        new WorkloadJob(1, 0, 1, 3000, 50, NG, List.of()),
                        new WorkloadJob(2, 0, 1, 3000, 50, NG, List.of()),
                        new WorkloadJob(3, 60, 1, NG, 10, NG, List.of())),
                c,
                Policy.FCFS);
        assertThat(r.outcomes()).extracting(JobOutcome::startSeconds).containsExactly(0L, 50L, 60L);
    }

    @Test
    void partitionsAndNodesAreTheSchedulersFirstFit() {
        SimulatedCluster c = SimulatedCluster.parse("""
                NodeName=n[1-2] CPUs=2
                PartitionName=all Nodes=ALL Default=YES
                PartitionName=second Nodes=n2
                """);
        SimulationResult r = Simulator.run(
                List.of(
                        new WorkloadJob(1, 0, 2, NG, 100, NG, List.of("second")),
                        new WorkloadJob(2, 1, 2, NG, 10, NG, List.of()),
                        new WorkloadJob(3, 2, 1, NG, 10, NG, List.of("second")),
                        new WorkloadJob(4, 3, 1, NG, 10, NG, List.of())),
                c,
                Policy.FCFS);
        // 1 fills n2; 2 takes n1; 3 waits for n2 (blocking "second" only); 4 waits behind 2 in "all"
        assertThat(r.outcomes())
                .extracting(JobOutcome::node, JobOutcome::startSeconds)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("n2", 0L),
                        org.assertj.core.groups.Tuple.tuple("n1", 1L),
                        org.assertj.core.groups.Tuple.tuple("n2", 100L),
                        org.assertj.core.groups.Tuple.tuple("n1", 11L));
        assertThat(r.figures().utilization()).isCloseTo((200 + 20 + 10 + 10) / (4.0 * 110), within(1e-9));
    }

    @Test
    void backfillStartsAShortJobInTheHoleBeforeTheWaitingJobsReservation() {
        // 4 CPUs; job 1 holds 2 until t=100; job 2 needs all 4; job 3 (2 CPUs, 50 s) fits before t=100
        List<WorkloadJob> jobs = List.of(
                new WorkloadJob(1, 0, 2, NG, 100, 100, List.of()),
                new WorkloadJob(2, 1, 4, NG, 10, 10, List.of()),
                new WorkloadJob(3, 2, 2, NG, 50, 50, List.of()),
                new WorkloadJob(4, 3, 2, NG, 200, 200, List.of()));
        SimulatedCluster cpus = SimulatedCluster.interchangeableCpus(4);
        SimulationResult fcfs = Simulator.run(jobs, cpus, Policy.FCFS);
        SimulationResult backfill = Simulator.run(jobs, cpus, Policy.BACKFILL);
        assertThat(fcfs.outcomes()).extracting(JobOutcome::startSeconds).containsExactly(0L, 100L, 110L, 110L);
        // job 4 would still run at t=100, so it waits for job 2 even under backfill
        assertThat(backfill.outcomes()).extracting(JobOutcome::startSeconds).containsExactly(0L, 100L, 2L, 110L);
        assertThat(backfill.figures().meanWaitSeconds()).isCloseTo((0 + 99 + 0 + 107) / 4.0, within(1e-9));
        assertThat(fcfs.figures().meanWaitSeconds()).isCloseTo((0 + 99 + 108 + 107) / 4.0, within(1e-9));
    }

    @Test
    void fairShareRunsTheUserWhoUsedLessFirst() {
        // one CPU; alice's job 1 runs 0..100; at t=1 alice and then bob submit a 10 s job each
        List<WorkloadJob> jobs = List.of(
                new WorkloadJob(1, 0, 1, NG, 100, 100, List.of(), "alice"),
                new WorkloadJob(2, 1, 1, NG, 10, 10, List.of(), "alice"),
                new WorkloadJob(3, 1, 1, NG, 10, 10, List.of(), "bob"));
        SimulatedCluster one = SimulatedCluster.interchangeableCpus(1);
        SimulationResult equal = Simulator.run(jobs, one, Policy.FCFS);
        assertThat(equal.outcomes()).extracting(JobOutcome::startSeconds).containsExactly(0L, 100L, 110L);
        // re-ranked at every event (calc=0): at t=100 alice has 100 CPU-seconds of usage, bob none
        SimulationResult fair = Simulator.run(jobs, one, Policy.FCFS, PriorityWeights.parse("fairshare=10000,calc=0"));
        assertThat(fair.outcomes()).extracting(JobOutcome::startSeconds).containsExactly(0L, 110L, 100L);
        // ranked only every 5 minutes (Slurm's PriorityCalcPeriod): both were ranked at t=1 with no usage yet
        SimulationResult stale = Simulator.run(jobs, one, Policy.FCFS, PriorityWeights.parse("fairshare=10000"));
        assertThat(stale.outcomes()).extracting(JobOutcome::startSeconds).containsExactly(0L, 100L, 110L);
    }

    @Test
    void jobSizeWeightsBigOrSmallJobsFirst() {
        // four CPUs busy until 100; then a 1-CPU and a 4-CPU job wait, the small one submitted first
        List<WorkloadJob> jobs = List.of(
                new WorkloadJob(1, 0, 4, NG, 100, 100, List.of()),
                new WorkloadJob(2, 1, 1, NG, 10, 10, List.of()),
                new WorkloadJob(3, 2, 4, NG, 10, 10, List.of()));
        SimulatedCluster four = SimulatedCluster.interchangeableCpus(4);
        assertThat(Simulator.run(jobs, four, Policy.FCFS, PriorityWeights.parse("jobsize=1000"))
                        .outcomes())
                .extracting(JobOutcome::startSeconds)
                .containsExactly(0L, 110L, 100L);
        assertThat(Simulator.run(jobs, four, Policy.FCFS, PriorityWeights.parse("jobsize=1000,favorsmall"))
                        .outcomes())
                .extracting(JobOutcome::startSeconds)
                .containsExactly(0L, 100L, 110L);
    }

    @Test
    void priorityWeightsAreReadAsSlurmNamesThem() {
        var c = PriorityWeights.parse(
                "age=1000, fairshare=2000,jobsize=3,partition=4,maxage=1-0,halflife=2:00:00,favorsmall,calc=60");
        assertThat(c.weightAge()).isEqualTo(1000);
        assertThat(c.weightFairshare()).isEqualTo(2000);
        assertThat(c.weightJobSize()).isEqualTo(3);
        assertThat(c.weightPartition()).isEqualTo(4);
        assertThat(c.maxAgeSeconds()).isEqualTo(86400);
        assertThat(c.decayHalfLifeSeconds()).isEqualTo(7200);
        assertThat(c.favorSmall()).isTrue();
        assertThat(c.calcPeriodSeconds()).isEqualTo(60);
        assertThatThrownBy(() -> PriorityWeights.parse("speed=3"))
                .hasMessageStartingWith("unknown priority weight 'speed'");
        assertThatThrownBy(() -> PriorityWeights.parse("age=-1")).hasMessageContaining("at least 0");
        assertThatThrownBy(() -> PriorityWeights.parse("age")).hasMessageContaining("needs a value");
    }

    @Test
    void anEmptyWorkloadHasZeroFigures() {
        SimulationResult r = Simulator.run(List.of(), SimulatedCluster.interchangeableCpus(4), Policy.FCFS);
        assertThat(r.figures()).isEqualTo(new Figures(0, 0, 0, 0, 0, 0));
    }

    @Test
    void boundedQueueGivesTheSameScheduleAsTheWholeQueue() {
        Random rnd = new Random(20261125);
        for (int round = 0; round < 300; round++) {
            SimulatedCluster cluster = randomCluster(rnd);
            List<WorkloadJob> jobs = randomJobs(rnd, cluster, 20 + rnd.nextInt(150));
            for (Policy policy : Policy.values()) {
                // jobs ranked by size (bigger first) reorder the queue, which the prefix must follow
                var ranking = round % 2 == 0 ? null : PriorityWeights.parse("jobsize=1000,age=10,calc=0");
                SimulationResult whole = Simulator.run(jobs, cluster, policy, ranking, Integer.MAX_VALUE);
                for (int prefix : new int[] {1, 2, 5, Simulator.FIRST_PREFIX}) {
                    SimulationResult bounded = Simulator.run(jobs, cluster, policy, ranking, prefix);
                    assertThat(bounded.outcomes())
                            .as("round %d, %s, prefix %d", round, policy, prefix)
                            .isEqualTo(whole.outcomes());
                }
                assertThat(whole.outcomes().size() + whole.neverRunnableCount()).isEqualTo(jobs.size());
                SimulationInvariants.check(whole, cluster);
            }
        }
    }

    private static SimulatedCluster randomCluster(Random rnd) {
        int n = 1 + rnd.nextInt(4);
        List<NodeView> nodes = new ArrayList<>();
        for (int i = 1; i <= n; i++)
            nodes.add(new NodeView("n" + i, 1 + rnd.nextInt(8), 1000L * (1 + rnd.nextInt(8)), NodeState.UP));
        List<Partition> parts = new ArrayList<>();
        parts.add(Partition.allNodes("all", true));
        int extra = rnd.nextInt(3);
        for (int k = 0; k < extra; k++) {
            List<String> members = new ArrayList<>();
            for (NodeView v : nodes) if (rnd.nextBoolean()) members.add(v.name());
            if (members.isEmpty()) members.add(nodes.get(0).name());
            long max = rnd.nextBoolean() ? Durations.UNLIMITED : 50 + rnd.nextInt(100);
            parts.add(new Partition("p" + k, false, members, max, Durations.UNLIMITED, PartitionState.UP));
        }
        return new SimulatedCluster(nodes, parts, rnd.nextBoolean() ? 0 : 500);
    }

    private static List<WorkloadJob> randomJobs(Random rnd, SimulatedCluster cluster, int count) {
        List<WorkloadJob> jobs = new ArrayList<>();
        long t = 0;
        for (int i = 1; i <= count; i++) {
            if (rnd.nextInt(3) > 0) t += rnd.nextInt(20); // bursts share a submit time
            List<String> parts = new ArrayList<>();
            int np = rnd.nextInt(3);
            for (int k = 0; k < np; k++) {
                String name = cluster.partitions()
                        .get(rnd.nextInt(cluster.partitions().size()))
                        .name();
                if (!parts.contains(name)) parts.add(name);
            }
            long mem = rnd.nextInt(3) == 0 ? 100L * (1 + rnd.nextInt(40)) : NG;
            long limit = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(120) : NG;
            jobs.add(new WorkloadJob(i, t, 1 + rnd.nextInt(6), mem, 1 + rnd.nextInt(150), limit, parts));
        }
        // not in submission order: the simulator sorts
        java.util.Collections.shuffle(jobs, rnd);
        return jobs;
    }
}
