package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** scontrol suspend and resume on a job: its state, its clock and its time limit's end. */
class SuspendTest {
    static final JobRequest REQUEST = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
            .timeLimit(new TimeLimit.Seconds(600))
            .build();

    static Job running() {
        return Job.builder(7, REQUEST).build().started("debug", "n1", 2, 1000, new TimeLimit.Seconds(600), 1000);
    }

    @Test
    void aSuspendedJobKeepsItsAllocationAndItsClockStops() {
        Job s = running().suspended(1100);
        assertThat(s.state()).isEqualTo(JobState.SUSPENDED);
        assertThat(s.state().holdsAllocation()).isTrue();
        assertThat(s.state().isTerminal()).isFalse();
        assertThat(s.nodes()).containsExactly("n1");
        assertThat(s.allocCpus()).isEqualTo(2);
        // Slurm's job_time_used: a suspended job's TIME stands at its SecsPreSuspend
        assertThat(s.elapsed(1500)).isEqualTo(100);
        assertThat(s.secsPreSuspend()).isEqualTo(100);
        assertThat(s.times().suspendTime()).isEqualTo(1100);
        assertThat(s.suspendedSecs(1500)).isEqualTo(400);
    }

    @Test
    void resumingCountsTheSuspensionAndMovesTheLimitsEnd() {
        Job r = running().suspended(1100).resumed(1400);
        assertThat(r.state()).isEqualTo(JobState.RUNNING);
        assertThat(r.times().suspendedSecs()).isEqualTo(300);
        assertThat(r.elapsed(1500)).isEqualTo(200);
        // the end moves by the suspension: 1000 + 600 + 300, as slurmctld's end_time on resume
        assertThat(r.limitEnd(1500, -1)).isEqualTo(1900);
        assertThat(running().limitEnd(1500, -1)).isEqualTo(1600);
        // SecsPreSuspend after the resume: what it ran before it (100 s)
        assertThat(r.secsPreSuspend()).isEqualTo(100);
        Job twice = r.suspended(1450).resumed(1550);
        assertThat(twice.times().suspendedSecs()).isEqualTo(400);
        assertThat(twice.elapsed(1600)).isEqualTo(200);
        assertThat(twice.secsPreSuspend()).isEqualTo(150);
    }

    @Test
    void aSuspendedJobsLimitEndIsCountedAsIfItResumedNow() {
        Job s = running().suspended(1100);
        assertThat(s.limitEnd(1300, -1)).isEqualTo(1800);
    }

    @Test
    void aSuspendedJobCanBeCancelledAndItsSuspensionIsCounted() {
        Job c = running().suspended(1100).endedBy(JobState.CANCELLED, ExitStatus.NONE, 1300, 0);
        assertThat(c.state()).isEqualTo(JobState.CANCELLED);
        assertThat(c.times().suspendedSecs()).isEqualTo(200);
        assertThat(c.elapsed(5000)).isEqualTo(100);
    }

    @Test
    void aSuspendedJobCanBeRequeuedAndItsNextRunStartsClean() {
        Job q = running().suspended(1100).requeue(2000, false);
        assertThat(q.state()).isEqualTo(JobState.PENDING);
        assertThat(q.times().suspendTime()).isZero();
        Job again = q.started("debug", "n1", 2, 1000, new TimeLimit.Seconds(600), 3000);
        assertThat(again.times().suspendedSecs()).isZero();
        assertThat(again.secsPreSuspend()).isZero();
    }

    @Test
    void onlyARunningJobIsSuspendedAndOnlyASuspendedOneResumed() {
        Job pending = Job.builder(8, REQUEST).build();
        assertThatThrownBy(() -> pending.suspended(5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> running().resumed(5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> running().suspended(5).suspended(6)).isInstanceOf(IllegalStateException.class);
        assertThat(JobState.SUSPENDED.canMoveTo(JobState.RUNNING)).isTrue();
        assertThat(JobState.SUSPENDED.canMoveTo(JobState.CANCELLED)).isTrue();
        assertThat(JobState.SUSPENDED.canMoveTo(JobState.PENDING)).isTrue();
        assertThat(JobState.PENDING.canMoveTo(JobState.SUSPENDED)).isFalse();
        assertThat(JobState.COMPLETED.canMoveTo(JobState.SUSPENDED)).isFalse();
    }

    @Test
    void squeueAndSacctNameIt() {
        assertThat(JobState.SUSPENDED.code()).isEqualTo("S");
        assertThat(JobState.parse("s")).contains(JobState.SUSPENDED);
        assertThat(JobState.parse("suspended")).contains(JobState.SUSPENDED);
        assertThat(JobState.ACTIVE).contains(JobState.SUSPENDED);
    }
}
