package io.motley.core.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriorityCalculatorTest {
    static final PriorityConfig WEIGHTS =
            new PriorityConfig(true, 1000, 10_000, 1000, 1000, 10_000, 1000, 3600, false, Map.of("a", 2), 1.0, 0.0);
    static final Associations ASSOC = new Associations(
            ShareTreeTest.TWO_ACCOUNTS.accounts(),
            Map.of(),
            List.of(new Associations.Qos("high", 100), new Associations.Qos("low", 50)));

    static Job job(
            long id, String user, String account, String partition, int cpus, int nice, String qos, long submit) {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name("j")
                .cpusPerTask(cpus)
                .account(account)
                .submitHost("h")
                .nice(nice)
                .qos(qos)
                .build();
        return Job.builder(id, r)
                .owner(user, 1000, 1000)
                .times(Job.Times.submitted(submit))
                .allocation(Job.Allocation.queued(partition, TimeLimit.UNLIMITED))
                .build();
    }

    @Test
    void weightedSumOfFactorsMinusNice() {
        ShareTree shares = ShareTree.compute(
                ASSOC,
                Map.of(
                        new Association("physics", "alice"), 300.0,
                        new Association("physics", "bob"), 100.0,
                        new Association("chem", "carol"), 100.0),
                List.of());
        PriorityCalculator calc = new PriorityCalculator(WEIGHTS, ASSOC, List.of("a", "b"));
        Factors f = calc.factors(job(7, "alice", "physics", "b", 2, 100, "low", 1000), 1500, shares, 8);
        assertThat(f.age()).isEqualTo(0.5); // 500 s of PriorityMaxAge 1000 s
        assertThat(f.jobSize()).isEqualTo(0.25); // 2 of 8 CPUs
        assertThat(f.partitionFactor()).isEqualTo(0.5); // PriorityJobFactor 1 of 2
        assertThat(f.qos()).isEqualTo(0.5); // 50 of 100
        assertThat(f.fairShare()).isCloseTo(0.0883883, within(1e-7));
        // 500 + 883.883 + 250 + 500 + 5000 - 100
        assertThat(f.sum()).isCloseTo(7033.883, within(1e-3));
        assertThat(f.priority()).isEqualTo(7033);
    }

    @Test
    void ageIsCappedAndCountsFromBeginTime() {
        PriorityCalculator calc = new PriorityCalculator(WEIGHTS, ASSOC, List.of("a"));
        ShareTree none = ShareTree.compute(ASSOC, Map.of(), List.of());
        assertThat(calc.factors(job(1, "alice", "physics", "a", 1, 0, null, 0), 5000, none, 8)
                        .age())
                .isEqualTo(1.0);
        assertThat(calc.factors(job(1, "alice", "physics", "a", 1, 0, null, 0), 0, none, 8)
                        .age())
                .isZero();
    }

    @Test
    void favorSmallReversesTheJobSizeFactor() {
        PriorityConfig small = new PriorityConfig(true, 0, 0, 1000, 0, 0, 1000, 0, true, Map.of(), 1.0, 0.0);
        PriorityCalculator calc = new PriorityCalculator(small, Associations.none(), List.of("a"));
        assertThat(calc.jobSize(1, 8)).isEqualTo(1.0);
        assertThat(calc.jobSize(8, 8)).isZero();
        assertThat(calc.jobSize(2, 8)).isCloseTo(6.0 / 7, within(1e-12));
    }

    @Test
    void priorityNeverGoesBelowOne() {
        PriorityCalculator calc = new PriorityCalculator(PriorityConfig.defaults(), Associations.none(), List.of("a"));
        ShareTree none = ShareTree.compute(Associations.none(), Map.of(), List.of());
        Factors f = calc.factors(job(3, "alice", null, "a", 1, 100, null, 0), 10, none, 4);
        assertThat(f.sum()).isEqualTo(-100.0);
        assertThat(f.priority()).isEqualTo(1);
    }

    @Test
    void qosFactorIsThePriorityOverTheHighest() {
        PriorityCalculator calc = new PriorityCalculator(WEIGHTS, ASSOC, List.of("a"));
        ShareTree none = ShareTree.compute(ASSOC, Map.of(), List.of());
        // no --qos: the implicit "normal" QOS, priority 0
        assertThat(calc.factors(job(3, "alice", "physics", "a", 1, 0, null, 0), 10, none, 4)
                        .qos())
                .isZero();
        assertThat(calc.factors(job(3, "alice", "physics", "a", 1, 0, "high", 0), 10, none, 4)
                        .qos())
                .isEqualTo(1.0);
    }

    @Test
    void theSimulatorsFormGivesTheSameFactors() {
        ShareTree shares = ShareTree.compute(ASSOC, Map.of(new Association("physics", "alice"), 300.0), List.of());
        PriorityCalculator calc = new PriorityCalculator(WEIGHTS, ASSOC, List.of("a", "b"));
        Factors fromJob = calc.factors(job(7, "alice", "physics", "b", 2, 100, "low", 1000), 1500, shares, 8);
        Factors fromPending = calc.factors(
                new PriorityCalculator.Pending(7, "alice", "physics", "b", "low", 100, 2, 1000), 1500, shares, 8);
        assertThat(fromPending).isEqualTo(fromJob);
    }
}
