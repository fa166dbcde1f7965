package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.config.ClusterConfig;
import io.motley.core.scheduler.Admission;
import org.junit.jupiter.api.Test;

/** The pure rules behind scontrol requeue and sbatch --deadline. */
class RequeueAndDeadlineTest {
    static final long NOW = 1_000_000;

    static JobRequest req(long limit, long begin, long deadline) {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .timeLimit(TimeLimit.of(limit))
                .submitHost("h")
                .window(begin, deadline)
                .build();
    }

    static Job pending(long limit, long deadline) {
        return Job.builder(7, req(limit, 0, deadline))
                .owner("root", 0, 0)
                .priority(1)
                .times(Job.Times.submitted(NOW))
                .allocation(Job.Allocation.queued("main", TimeLimit.of(limit)))
                .build();
    }

    @Test
    void aRequeuedJobKeepsItsIdCountsTheRunAndForgetsTheLastOne() {
        Job ran = pending(600, 0)
                .started("main", "n1", 1, 100, TimeLimit.of(600), NOW + 5)
                .ended(JobState.FAILED, new ExitStatus(3, 0), NOW + 9);
        Job back = ran.requeue(NOW + 130, false);
        assertThat(back.id()).isEqualTo(7);
        assertThat(back.state()).isEqualTo(JobState.PENDING);
        assertThat(back.reason()).isEqualTo(PendingReason.BeginTime);
        assertThat(back.restarts()).isEqualTo(1);
        assertThat(back.request().beginTime()).isEqualTo(NOW + 130);
        assertThat(back.startTime()).isZero();
        assertThat(back.endTime()).isZero();
        assertThat(back.node()).isNull();
        assertThat(back.exit()).isEqualTo(ExitStatus.NONE);
        Job held =
                back.started("main", "n1", 1, 100, TimeLimit.of(600), NOW + 131).requeue(NOW + 300, true);
        assertThat(held.restarts()).isEqualTo(2);
        assertThat(held.request().hold()).isTrue();
        assertThat(held.reason()).isEqualTo(PendingReason.JobHeldUser);
        assertThat(JobEnvironment.build(held.started("main", "n1", 1, 100, TimeLimit.of(600), NOW + 400), "c", "n1"))
                .containsEntry("SLURM_RESTART_COUNT", "2");
        assertThat(JobEnvironment.build(
                        pending(600, 0).started("main", "n1", 1, 100, TimeLimit.of(600), NOW), "c", "n1"))
                .doesNotContainKey("SLURM_RESTART_COUNT");
    }

    @Test
    void aPendingJobIsNotRequeued() {
        assertThatThrownBy(() -> pending(600, 0).requeue(NOW, false))
                .hasMessage("job cannot go from PENDING to PENDING");
    }

    @Test
    void aJobMissesItsDeadlineOnceItsLimitNoLongerFitsBeforeIt() {
        assertThat(pending(600, 0).missesDeadline(NOW + 1_000_000)).isFalse();
        assertThat(pending(600, NOW + 600).missesDeadline(NOW)).isFalse();
        assertThat(pending(600, NOW + 600).missesDeadline(NOW + 1)).isTrue();
        assertThat(pending(-1, NOW + 600).missesDeadline(NOW + 600)).isFalse();
        assertThat(pending(-1, NOW + 600).missesDeadline(NOW + 601)).isTrue();
        Job ended = pending(600, NOW).ended(JobState.DEADLINE, new ExitStatus(0, 1), NOW + 1);
        assertThat(ended.reason()).isEqualTo(PendingReason.DeadLine);
        assertThat(JobState.DEADLINE.code()).isEqualTo("DL");
    }

    @Test
    void submissionChecksTheDeadlineAsSlurmctldDoes() {
        assertThat(Admission.checkDeadline(req(600, 0, 0), TimeLimit.of(600), NOW))
                .isEmpty();
        assertThat(Admission.checkDeadline(req(600, 0, NOW + 60), TimeLimit.of(600), NOW))
                .isEmpty();
        assertThat(Admission.checkDeadline(req(600, 0, NOW - 1), TimeLimit.of(600), NOW))
                .get()
                .extracting(Admission.Rejection::failure)
                .isEqualTo("Invalid time specified");
        assertThat(Admission.checkDeadline(req(600, NOW + 7200, NOW + 3600), TimeLimit.of(600), NOW))
                .get()
                .extracting(Admission.Rejection::failure)
                .isEqualTo("Invalid time specified");
        assertThat(Admission.checkDeadline(
                        req(600, 0, NOW + 3600).withTimeLimit(TimeLimit.UNSET), TimeLimit.UNLIMITED, NOW))
                .as("slurmctld accepts --deadline without a time limit")
                .isEmpty();
    }

    @Test
    void jobRequeueAndRequeueDelayAreConfigured() {
        ClusterConfig d = ClusterConfig.defaults();
        assertThat(d.jobRequeue()).isTrue();
        assertThat(d.requeueDelaySeconds()).isEqualTo(121);
        ClusterConfig c = ClusterConfig.parse("JobRequeue=0\nRequeueDelay=5\n");
        assertThat(c.jobRequeue()).isFalse();
        assertThat(c.requeueDelaySeconds()).isEqualTo(5);
        assertThatThrownBy(() -> ClusterConfig.parse("JobRequeue=yes"))
                .hasMessageContaining("JobRequeue must be 0 or 1");
    }
}
