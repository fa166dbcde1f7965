package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobTest {
    static final JobRequest REQUEST = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
            .partitions("gpu")
            .timeLimit(new TimeLimit.Seconds(3600))
            .build();

    static Job sample(TimeLimit limit, Integer cancelledBy, List<Integer> gpus) {
        return Job.builder(42, REQUEST)
                .owner("ann", 1000, 100)
                .state(JobState.CANCELLED)
                .priority(77)
                .times(new Job.Times(1700000000, 1700000010, 1700000020))
                .allocation(new Job.Allocation("gpu", "n1", 8, 2048, gpus, limit))
                .outcome(new Job.Outcome(new ExitStatus(0, 15), cancelledBy, "cancelled by its owner"))
                .usage(new Usage(10, 20, 30, 40))
                .array(new ArrayPart(40, 2, ""))
                .restarts(1)
                .build();
    }

    @Test
    void aJobHoldingCpusOnNoNodeYetNamesNoNode() {
        // found by the compatibility suite: squeue -w asked a Set.of(...) whether it held this null, which threw
        Job.Allocation waiting = new Job.Allocation("gpu", null, 2, 0, List.of(), TimeLimit.UNLIMITED);
        assertThat(waiting.nodes()).isEmpty();
        assertThat(waiting.node()).isNull();
        assertThat(new Job.Allocation("gpu", "n1", 2, 0, List.of(), TimeLimit.UNLIMITED).nodes())
                .containsExactly("n1");
    }

    @Test
    void thePlainAccessorsReadTheParts() {
        Job j = sample(TimeLimit.UNLIMITED, 0, List.of(0, 2));
        assertThat(j.user()).isEqualTo("ann");
        assertThat(j.gid()).isEqualTo(100);
        assertThat(j.submitTime()).isEqualTo(1700000000);
        assertThat(j.timeLimit()).isEqualTo(TimeLimit.UNLIMITED);
        assertThat(j.gpuList()).containsExactly(0, 2);
        assertThat(j.allocCpus()).isEqualTo(8);
        assertThat(j.allocMemMiB()).isEqualTo(2048);
        assertThat(j.stateDesc()).isEqualTo("cancelled by its owner");
        assertThat(j.elapsed(1700009999)).isEqualTo(10);
    }

    @Test
    void nobodyCancellingAndNoGpusAreAbsentValuesNotSentinels() {
        Job j = sample(new TimeLimit.Seconds(600), null, List.of());
        Job running = j.toBuilder().state(JobState.RUNNING).build();
        assertThat(j.outcome().cancelledBy()).isNull();
        assertThat(j.allocation().gpuIds()).isEmpty();
        assertThat(Job.builder(1, REQUEST)
                        .outcome(new Job.Outcome(null, null, null))
                        .build()
                        .outcome())
                .isEqualTo(Job.Outcome.NONE);
        assertThat(running.ended(JobState.COMPLETED, ExitStatus.NONE, 5)
                        .outcome()
                        .cancelledBy())
                .isNull();
        assertThat(running.endedBy(JobState.CANCELLED, ExitStatus.NONE, 5, 0)
                        .outcome()
                        .cancelledBy())
                .isZero();
    }

    @Test
    void anEndsReasonIsSlurms() {
        Job j = Job.builder(1, REQUEST).build().withReason(PendingReason.Priority);
        Job running =
                j.toBuilder().state(JobState.RUNNING).reason(PendingReason.None).build();
        assertThat(running.ended(JobState.FAILED, new ExitStatus(3, 0), 5).reason())
                .isEqualTo(PendingReason.NonZeroExitCode);
        assertThat(running.ended(JobState.FAILED, new ExitStatus(0, 9), 5).reason())
                .isEqualTo(PendingReason.None);
        assertThat(j.endedBy(JobState.CANCELLED, ExitStatus.NONE, 5, 0).reason())
                .as("a pending job cancelled keeps the reason it waited for, as in Slurm")
                .isEqualTo(PendingReason.Priority);
        assertThat(j.withReason(PendingReason.DependencyNeverSatisfied)
                        .ended(JobState.CANCELLED, ExitStatus.NONE, 5)
                        .reason())
                .isEqualTo(PendingReason.DependencyNeverSatisfied);
    }

    @Test
    void theBuilderStartsFromAPendingJobQueuedWhereItsRequestAsks() {
        Job j = Job.builder(7, REQUEST).build();
        assertThat(j.state()).isEqualTo(JobState.PENDING);
        assertThat(j.allocation()).isEqualTo(Job.Allocation.queued("gpu", new TimeLimit.Seconds(3600)));
        assertThat(j.allocation().placed()).isFalse();
        assertThat(j.outcome()).isEqualTo(Job.Outcome.NONE);
        assertThat(j.usage()).isEqualTo(Usage.NONE);
        assertThat(Job.builder(7, JobRequest.builder("s", "/").build()).build().allocation())
                .isEqualTo(Job.Allocation.queued(null, TimeLimit.UNLIMITED));
    }

    @Test
    void aJobRoundTripsThroughItsBuilder() {
        Job j = sample(new TimeLimit.Seconds(3600), 0, List.of(1));
        assertThat(j.toBuilder().build()).isEqualTo(j);
        Job built = Job.builder(42, REQUEST)
                .owner("ann", 1000, 100)
                .state(JobState.CANCELLED)
                .priority(77)
                .times(new Job.Times(1700000000, 1700000010, 1700000020))
                .allocation(new Job.Allocation("gpu", "n1", 8, 2048, List.of(1), new TimeLimit.Seconds(3600)))
                .outcome(new Job.Outcome(new ExitStatus(0, 15), 0, "cancelled by its owner"))
                .usage(new Usage(10, 20, 30, 40))
                .array(new ArrayPart(40, 2, ""))
                .restarts(1)
                .build();
        assertThat(built).isEqualTo(j);
    }

    @Test
    void aRunStartsEndsAndGoesBackToTheQueueThroughTheParts() {
        Job pending = Job.builder(7, REQUEST).times(Job.Times.submitted(100)).build();
        Job running = pending.started("gpu", "n1", 4, 512, List.of(3, 1), new TimeLimit.Seconds(1800), 110);
        assertThat(running.allocation())
                .isEqualTo(new Job.Allocation("gpu", "n1", 4, 512, List.of(3, 1), new TimeLimit.Seconds(1800)));
        assertThat(running.times()).isEqualTo(new Job.Times(100, 110, 0));

        Job cancelled = running.endedBy(JobState.CANCELLED, new ExitStatus(0, 9), 130, 0);
        assertThat(cancelled.outcome()).isEqualTo(new Job.Outcome(new ExitStatus(0, 9), 0, null));
        assertThat(cancelled.times().end()).isEqualTo(130);
        assertThat(cancelled.allocation()).isEqualTo(running.allocation());

        Job back = cancelled.requeue(200, false);
        assertThat(back.allocation()).isEqualTo(Job.Allocation.queued("gpu", new TimeLimit.Seconds(1800)));
        assertThat(back.outcome()).isEqualTo(Job.Outcome.NONE);
        assertThat(back.times()).isEqualTo(Job.Times.submitted(100));
        assertThat(back.restarts()).isEqualTo(1);
    }

    @Test
    void theWithMethodsChangeOnlyTheirPart() {
        Job j = sample(new TimeLimit.Seconds(3600), null, List.of(0));
        assertThat(j.withPriority(5)).isEqualTo(j.toBuilder().priority(5).build());
        assertThat(j.withStateDesc(null).outcome()).isEqualTo(new Job.Outcome(new ExitStatus(0, 15), null, null));
        Job moved = j.withPartition("big", TimeLimit.UNLIMITED);
        assertThat(moved.allocation())
                .isEqualTo(new Job.Allocation("big", "n1", 8, 2048, List.of(0), TimeLimit.UNLIMITED));
        assertThat(moved.toBuilder().allocation(j.allocation()).build()).isEqualTo(j);
        assertThat(j.shared()).isEqualTo(j);
    }

    @Test
    void aJobWithoutItsPartsIsRefused() {
        assertThatThrownBy(() -> Job.builder(1, REQUEST).times(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("times");
        assertThatThrownBy(() -> new Job.Allocation("p", null, 0, 0, List.of(), null))
                .hasMessage("limit");
    }
}
