package io.motley.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shipped generated trace: reproducible from its seed, and simulated within the rules. */
class GeneratedTraceTest {
    static final String RESOURCE = "/simulation/generated-500.swf";

    static String resource() throws IOException {
        try (InputStream in = GeneratedTraceTest.class.getResourceAsStream(RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theShippedTraceIsTheGeneratorsOutput() throws IOException {
        assertThat(resource()).isEqualTo(GeneratedSwf.generate(7, 500, 64, 0.95));
    }

    @Test
    void simulatesEveryUsableJobOnMaxProcsCpusInSubmissionOrder() throws IOException {
        SwfTrace trace = SwfTrace.parse(resource());
        assertThat(trace.maxProcs()).isEqualTo(64);
        assertThat(trace.jobs().size() + trace.skipped()).isEqualTo(500);
        assertThat(trace.skipped()).isPositive();
        SimulatedCluster machine = SimulatedCluster.interchangeableCpus(trace.maxProcs());
        SimulationResult r = Simulator.run(trace.jobs(), machine, Policy.FCFS);
        assertThat(r.outcomes()).hasSize(trace.jobs().size());
        assertThat(r.killed()).isPositive();
        SimulationInvariants.check(r, machine);
        SimulationInvariants.startsInSubmissionOrder(r);
        assertThat(r.figures().p95WaitSeconds()).isPositive();
        assertThat(r.figures().utilization()).isBetween(0.1, 1.0);
        assertThat(Simulator.run(trace.jobs(), machine, Policy.FCFS, Integer.MAX_VALUE)
                        .outcomes())
                .isEqualTo(r.outcomes());
    }

    @Test
    void backfillRunsTheSameJobsSoonerAndAgreesWithTheWholeQueue() throws IOException {
        SwfTrace trace = SwfTrace.parse(resource());
        SimulatedCluster machine = SimulatedCluster.interchangeableCpus(trace.maxProcs());
        SimulationResult fcfs = Simulator.run(trace.jobs(), machine, Policy.FCFS);
        SimulationResult backfill = Simulator.run(trace.jobs(), machine, Policy.BACKFILL);
        assertThat(backfill.outcomes()).hasSize(fcfs.outcomes().size());
        SimulationInvariants.check(backfill, machine);
        assertThat(backfill.figures().meanWaitSeconds())
                .isLessThan(fcfs.figures().meanWaitSeconds());
        assertThat(Simulator.run(trace.jobs(), machine, Policy.BACKFILL, Integer.MAX_VALUE)
                        .outcomes())
                .isEqualTo(backfill.outcomes());
    }

    @Test
    void aDeepQueueOfTwentyThousandJobsRunsThemAllInSubmissionOrder() {
        // Offered load above 1: the queue grows to thousands of jobs, the case the bounded queue is for.
        SwfTrace trace = SwfTrace.parse(GeneratedSwf.generate(11, 20_000, 256, 1.2));
        SimulatedCluster machine = SimulatedCluster.interchangeableCpus(trace.maxProcs());
        SimulationResult r = Simulator.run(trace.jobs(), machine, Policy.FCFS);
        assertThat(r.outcomes()).hasSize(trace.jobs().size());
        SimulationInvariants.check(r, machine);
        SimulationInvariants.startsInSubmissionOrder(r);
    }
}
