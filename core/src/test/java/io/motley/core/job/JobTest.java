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

    static Job flat(long limit, int cancelledBy, String gpuIds) {
        return new Job(
                42,
                REQUEST,
                "ann",
                1000,
                100,
                JobState.CANCELLED,
                PendingReason.None,
                77,
                1700000000,
                1700000010,
                1700000020,
                "gpu",
                "n1",
                8,
                2048,
                limit,
                new ExitStatus(0, 15),
                cancelledBy,
                gpuIds,
                new Usage(10, 20, 30, 40),
                new ArrayPart(40, 2, ""),
                1,
                "cancelled by its owner");
    }

    @Test
    void theFlatFormAndTheTypedPartsSayTheSame() {
        Job j = flat(-1, 0, "0,2");
        assertThat(j.owner()).isEqualTo(new Job.Owner("ann", 1000, 100));
        assertThat(j.times()).isEqualTo(new Job.Times(1700000000, 1700000010, 1700000020));
        assertThat(j.allocation())
                .isEqualTo(new Job.Allocation("gpu", "n1", 8, 2048, List.of(0, 2), TimeLimit.UNLIMITED));
        assertThat(j.outcome()).isEqualTo(new Job.Outcome(new ExitStatus(0, 15), 0, "cancelled by its owner"));
        // and back: every older accessor reads what the flat constructor was given
        assertThat(j.timeLimitSeconds()).isEqualTo(-1);
        assertThat(j.cancelledBy()).isZero();
        assertThat(j.gpuIds()).isEqualTo("0,2");
        assertThat(j.gpuList()).containsExactly(0, 2);
        assertThat(j.allocCpus()).isEqualTo(8);
        assertThat(j.allocMemMiB()).isEqualTo(2048);
        assertThat(j.stateDesc()).isEqualTo("cancelled by its owner");
        assertThat(j.elapsed(1700009999)).isEqualTo(10);
    }

    @Test
    void nobodyCancellingAndNoGpusAreAbsentValuesNotSentinels() {
        Job j = flat(600, -1, "");
        assertThat(j.outcome().cancelledBy()).isNull();
        assertThat(j.cancelledBy()).isEqualTo(-1);
        assertThat(j.allocation().gpuIds()).isEmpty();
        assertThat(j.gpuIds()).isEmpty();
        assertThat(j.allocation().limit()).isEqualTo(new TimeLimit.Seconds(600));
        assertThat(new Job(
                                1,
                                REQUEST,
                                "u",
                                1,
                                1,
                                JobState.PENDING,
                                PendingReason.None,
                                0,
                                0,
                                0,
                                0,
                                "p",
                                null,
                                0,
                                0,
                                600,
                                null,
                                -1,
                                null,
                                null,
                                null)
                        .outcome())
                .isEqualTo(Job.Outcome.NONE);
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
        Job j = flat(3600, 0, "1");
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
        Job running = pending.started("gpu", "n1", 4, 512, List.of(3, 1), 1800, 110);
        assertThat(running.allocation())
                .isEqualTo(new Job.Allocation("gpu", "n1", 4, 512, List.of(3, 1), new TimeLimit.Seconds(1800)));
        assertThat(running.gpuIds()).isEqualTo("3,1");
        assertThat(running.times()).isEqualTo(new Job.Times(100, 110, 0));

        Job cancelled = running.ended(JobState.CANCELLED, new ExitStatus(0, 9), 130, 0);
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
        Job j = flat(3600, -1, "0");
        assertThat(j.withPriority(5)).isEqualTo(j.toBuilder().priority(5).build());
        assertThat(j.withStateDesc(null).outcome()).isEqualTo(new Job.Outcome(new ExitStatus(0, 15), null, null));
        Job moved = j.withPartition("big", -1);
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
