package io.motley.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class JobStepsTest {
    static final Caller ANN = new Caller(1000, 100, "ann", List.of());
    static final Caller BOB = new Caller(1001, 100, "bob", List.of());
    final Map<Long, Job> jobs = new HashMap<>();
    long now = 100;
    final JobSteps steps = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now);

    static Job running(long id, int cpus) {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp").build();
        return Job.builder(id, r)
                .owner("ann", 1000, 100)
                .build()
                .started("main", "n1", cpus, 1000, TimeLimit.UNLIMITED, 50);
    }

    static StepRequest tasks(int n) {
        return new StepRequest(n, 0, 0, 1, 0, false, "hostname");
    }

    @Test
    void stepsAreNumberedPerJobAndEndOnce() {
        jobs.put(7L, running(7, 4));
        jobs.put(8L, running(8, 4));
        assertThat(steps.create(7, tasks(1), ANN).steps().get(0).id()).isZero();
        assertThat(steps.create(8, tasks(1), ANN).steps().get(0).id()).isZero();
        assertThat(steps.create(7, tasks(1), ANN).steps().get(0).id()).isEqualTo(1);
        now = 110;
        var ended = steps.end(7, 1, StepState.FAILED, 3, 0, ANN);
        assertThat(ended.steps().get(0).state()).isEqualTo(StepState.FAILED);
        assertThat(ended.steps().get(0).elapsed(999)).isEqualTo(10);
        assertThat(steps.cancel(7, 1, ANN).error()).isEqualTo("Job/step already completing or completed");
        assertThat(steps.list(List.of(7L)))
                .extracting(s -> s.state())
                .containsExactly(StepState.RUNNING, StepState.FAILED);
        assertThat(steps.list(List.of())).extracting(s -> s.displayId()).containsExactly("7.0", "8.0");
    }

    @Test
    void onlyTheJobsOwnerOrRootMakesStepsAndOnlyInARunningJob() {
        jobs.put(7L, running(7, 4));
        assertThat(steps.create(7, tasks(1), BOB).error()).isEqualTo("Access/permission denied");
        assertThat(steps.create(9, tasks(1), ANN).error()).isEqualTo("Invalid job id specified");
        assertThat(steps.create(7, tasks(1), new Caller(0, 0, "root", List.of()))
                        .error())
                .isNull();
        jobs.put(7L, jobs.get(7L).ended(JobState.COMPLETED, ExitStatus.NONE, 120));
        assertThat(steps.create(7, tasks(1), ANN).error()).isEqualTo("Job/step already completing or completed");
        // the step that was running when its job ended ended with it
        assertThat(steps.list(List.of(7L)).get(0).state()).isEqualTo(StepState.CANCELLED);
        assertThat(steps.list(List.of(7L)).get(0).end()).isEqualTo(120);
    }

    @Test
    void aStepBeyondTheAllocationIsRefusedAndOneBesideBusyStepsIsToldToRetry() {
        jobs.put(7L, running(7, 2));
        assertThat(steps.create(7, tasks(3), ANN).error()).isEqualTo("More processors requested than permitted");
        assertThat(steps.create(7, tasks(2), ANN).error()).isNull();
        var busy = steps.create(7, tasks(1), ANN);
        assertThat(busy.error()).isEqualTo("Requested nodes are busy");
        assertThat(busy.retry()).isTrue();
        steps.end(7, 0, StepState.COMPLETED, 0, 0, ANN);
        assertThat(steps.create(7, tasks(1), ANN).error()).isNull();
    }

    @Test
    void aWaitingSrunLearnsOfTheCancelOfItsStep() throws Exception {
        jobs.put(7L, running(7, 2));
        steps.create(7, tasks(1), ANN);
        assertThat(steps.await(7, 0, 0, ANN).steps().get(0).state()).isEqualTo(StepState.RUNNING);
        CompletableFuture<JobSteps.Result> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return steps.await(7, 0, 60, ANN);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        steps.cancel(7, 0, ANN);
        assertThat(waiting.get().steps().get(0).state()).isEqualTo(StepState.CANCELLED);
    }

    @Test
    void theStepsOfTheOldestEndedJobsAreForgottenBeyondTheBound() {
        JobSteps kept = new JobSteps(id -> Optional.ofNullable(jobs.get(id)), () -> now, 2);
        jobs.put(9L, running(9, 1));
        for (long id = 1; id <= 3; id++) {
            // a job asked about without steps takes no room
            assertThat(kept.list(List.of(9L))).isEmpty();
            jobs.put(id, running(id, 1));
            kept.create(id, tasks(1), ANN);
            kept.end(id, 0, StepState.COMPLETED, 0, 0, ANN);
        }
        assertThat(kept.list(List.of(1L))).isEmpty();
        assertThat(kept.list(List.of(2L, 3L))).hasSize(2);
    }
}
