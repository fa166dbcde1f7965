package io.motley.core.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccountingQueryTest {
    /** A pending job submitted at {@code submit}. */
    static Job job(long id, String user, int uid, String account, String partition, String name, long submit) {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name(name)
                .account(account)
                .submitHost("h")
                .build();
        return Job.builder(id, r)
                .owner(user, uid, uid)
                .priority(1)
                .times(Job.Times.submitted(submit))
                .allocation(Job.Allocation.queued(partition, TimeLimit.UNLIMITED))
                .build();
    }

    static Job alices(long id, long submit) {
        return job(id, "alice", 1000, "physics", "main", "sim", submit);
    }

    static Job ended(Job j, long start, long end, JobState state) {
        return j.started(j.partition(), "n1", 1, 100, TimeLimit.of(600), start).ended(state, new ExitStatus(0, 0), end);
    }

    static List<AccountingRecord> select(AccountingQuery q, Job j) {
        return q.select(j, List.of(), List.of());
    }

    @Test
    void theWindowTakesJobsEligibleBeforeItsEndThatHadNotEndedBeforeItsStart() {
        AccountingQuery day = AccountingQuery.builder().window(1000, 2000).build();
        assertThat(select(day, ended(alices(1, 100), 200, 999, JobState.COMPLETED)))
                .as("ended before")
                .isEmpty();
        assertThat(select(day, ended(alices(1, 100), 200, 1000, JobState.COMPLETED)))
                .hasSize(1);
        assertThat(select(day, alices(1, 1999)))
                .as("pending, eligible in the window")
                .hasSize(1);
        assertThat(select(day, alices(1, 2000))).as("the end is exclusive").isEmpty();
        assertThat(select(day, alices(1, 100).started("main", "n1", 1, 1, TimeLimit.of(1), 500)))
                .as("still running")
                .hasSize(1);
        Job later = alices(1, 100).withRequest(alices(1, 100).request().withBeginTime(2500));
        assertThat(select(day, later)).as("begins after the window").isEmpty();
        AccountingQuery byId = AccountingQuery.builder()
                .window(1000, 2000)
                .job(new AccountingQuery.JobId(1, -1))
                .build();
        assertThat(select(byId, later)).as("with -j the submit time counts").hasSize(1);
    }

    @Test
    void aHeldJobOrOneWaitingOnADependencyIsNotEligibleAndOutOfTheWindowAsInSlurm() {
        AccountingQuery day = AccountingQuery.builder().window(1000, 2000).build();
        Job held = alices(1, 1500).withPriorityHold(true);
        assertThat(held.eligibleTime()).isZero();
        assertThat(select(day, held)).isEmpty();
        assertThat(select(day, held.withPriorityHold(false))).as("released").hasSize(1);
        Job waiting = alices(2, 1500).withReason(io.motley.core.job.PendingReason.Dependency);
        assertThat(select(day, waiting)).isEmpty();
        assertThat(select(day, waiting.withReason(io.motley.core.job.PendingReason.Priority)))
                .as("its dependency met")
                .hasSize(1);
        Job asStored = alices(3, 1500).withRequest(alices(3, 1500).request().withDependency("afterok:1"));
        assertThat(asStored.eligibleTime())
                .as("a record written at submission, its dependency not judged yet")
                .isZero();
        assertThat(asStored.withReason(io.motley.core.job.PendingReason.Resources)
                        .eligibleTime())
                .isEqualTo(1500);
        AccountingQuery byId = AccountingQuery.builder()
                .window(1000, 2000)
                .job(new AccountingQuery.JobId(1, -1))
                .build();
        assertThat(select(byId, held)).as("named with -j").hasSize(1);
    }

    @Test
    void usersMatchByUidOrName() {
        Job bob = job(2, "bob", 2000, "chem", "gpu", "fold", 100);
        assertThat(select(AccountingQuery.builder().uid(2000).build(), bob)).hasSize(1);
        assertThat(select(AccountingQuery.builder().user("bob").build(), bob)).hasSize(1);
        assertThat(select(AccountingQuery.builder().uid(1000).user("carol").build(), bob))
                .isEmpty();
        assertThat(AccountingQuery.builder().build().allUsers()).isTrue();
    }

    @Test
    void accountsPartitionsAndNamesFilterTheJob() {
        Job bob = job(2, "bob", 2000, "chem", "gpu", "fold", 100);
        assertThat(select(AccountingQuery.builder().account("chem").build(), bob))
                .hasSize(1);
        assertThat(select(AccountingQuery.builder().account("physics").build(), bob))
                .isEmpty();
        assertThat(select(
                        AccountingQuery.builder()
                                .partition("gpu")
                                .partition("main")
                                .build(),
                        bob))
                .hasSize(1);
        assertThat(select(AccountingQuery.builder().partition("main").build(), bob))
                .isEmpty();
        assertThat(select(AccountingQuery.builder().name("fold").build(), bob)).hasSize(1);
        assertThat(select(AccountingQuery.builder().name("sim").build(), bob)).isEmpty();
    }

    @Test
    void jobIdsTakeTheJobTheWholeArrayOrOneTask() {
        Job first = alices(10, 100).withArray(new ArrayPart(10, 0, null));
        Job third = alices(12, 100).withArray(new ArrayPart(10, 2, null));
        Job plain = alices(11, 100);
        AccountingQuery array =
                AccountingQuery.builder().job(AccountingQuery.JobId.parse("10")).build();
        assertThat(select(array, first)).hasSize(1);
        assertThat(select(array, third)).hasSize(1);
        assertThat(select(array, plain)).isEmpty();
        AccountingQuery task = AccountingQuery.builder()
                .job(AccountingQuery.JobId.parse("10_2"))
                .build();
        assertThat(select(task, third)).hasSize(1);
        assertThat(select(task, first)).isEmpty();
        assertThat(AccountingQuery.JobId.parse("10_2")).hasToString("10_2");
    }

    @Test
    void statesSelectJobsThatWereInThemDuringTheWindow() {
        AccountingQuery failed =
                AccountingQuery.builder().state("failed").window(1000, 2000).build();
        assertThat(select(failed, ended(alices(1, 100), 200, 1500, JobState.FAILED)))
                .hasSize(1);
        assertThat(select(failed, ended(alices(1, 100), 200, 2500, JobState.FAILED)))
                .as("ended after")
                .isEmpty();
        assertThat(select(failed, ended(alices(1, 100), 200, 1500, JobState.COMPLETED)))
                .isEmpty();

        AccountingQuery running =
                AccountingQuery.builder().state("RUNNING").window(1000, 2000).build();
        assertThat(select(running, ended(alices(1, 100), 200, 1500, JobState.COMPLETED)))
                .as("ran into the window")
                .hasSize(1);
        assertThat(select(running, ended(alices(1, 100), 200, 900, JobState.COMPLETED)))
                .as("done before it")
                .isEmpty();
        assertThat(select(running, alices(1, 100).started("main", "n1", 1, 1, TimeLimit.of(1), 1999)))
                .hasSize(1);
        assertThat(select(running, alices(1, 100).started("main", "n1", 1, 1, TimeLimit.of(1), 2000)))
                .as("started at its end")
                .isEmpty();

        AccountingQuery pending =
                AccountingQuery.builder().state("PENDING").window(1000, 2000).build();
        assertThat(select(pending, alices(1, 100))).hasSize(1);
        assertThat(select(pending, ended(alices(1, 100), 1200, 1500, JobState.COMPLETED)))
                .as("still pending at the start")
                .hasSize(1);
        assertThat(select(pending, ended(alices(1, 100), 900, 1500, JobState.COMPLETED)))
                .as("started before the window")
                .isEmpty();
        assertThatThrownBy(() -> AccountingQuery.builder().state("BOGUS")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nodesMatchTheNodeARunWasOn() {
        Job onN1 = ended(alices(1, 100), 200, 300, JobState.COMPLETED);
        assertThat(select(AccountingQuery.builder().node("n1").build(), onN1)).hasSize(1);
        assertThat(select(AccountingQuery.builder().node("n2").build(), onN1)).isEmpty();
        assertThat(select(AccountingQuery.builder().node("n2").build(), alices(2, 100)))
                .as("never ran")
                .isEmpty();
    }

    @Test
    void aJobAcrossNodesMatchesAnyOfThem() {
        Job across = alices(1, 100)
                .started(
                        "main",
                        List.of(
                                new Job.Allocation.Part("n1", 1, 100, List.of()),
                                new Job.Allocation.Part("n3", 1, 100, List.of())),
                        TimeLimit.of(600),
                        200)
                .ended(JobState.COMPLETED, ExitStatus.NONE, 300);
        assertThat(select(AccountingQuery.builder().node("n3").build(), across))
                .as("not its batch host")
                .hasSize(1);
        assertThat(select(AccountingQuery.builder().node("n2").build(), across)).isEmpty();
    }

    @Test
    void earlierRunsAreLinesOfTheirOwnOnlyWithDuplicates() {
        Job requeued = ended(alices(1, 100), 200, 300, JobState.FAILED).requeue(400, false);
        Job now = ended(requeued, 500, 600, JobState.COMPLETED);
        JobRun first = new JobRun(0, 200, 300, JobRun.REQUEUED, new ExitStatus(0, 15), "n1", 1);
        JobStep firstBatch = new JobStep(0, "batch", 200, 300, JobRun.REQUEUED, null, "n1", 1, Usage.NONE);
        JobRun second = new JobRun(1, 500, 600, "COMPLETED", null, "n1", 1);
        JobStep secondBatch = new JobStep(1, "batch", 500, 600, "COMPLETED", null, "n1", 1, Usage.NONE);
        List<JobRun> runs = List.of(first, second);
        List<JobStep> steps = List.of(firstBatch, secondBatch);

        List<AccountingRecord> plain = AccountingQuery.builder().build().select(now, runs, steps);
        assertThat(plain).singleElement().satisfies(r -> {
            assertThat(r.earlier()).isFalse();
            assertThat(r.state()).isEqualTo("COMPLETED");
            assertThat(r.steps()).containsExactly(secondBatch);
        });

        List<AccountingRecord> all =
                AccountingQuery.builder().duplicates(true).build().select(now, runs, steps);
        assertThat(all).extracting(AccountingRecord::state).containsExactly("REQUEUED", "COMPLETED");
        assertThat(all.get(0).steps()).containsExactly(firstBatch);
        assertThat(all.get(0).startTime()).isEqualTo(200);

        AccountingQuery requeuedOnly =
                AccountingQuery.builder().state("REQUEUED").build();
        assertThat(requeuedOnly.select(now, runs, steps))
                .as("without -D the latest instance that matches")
                .extracting(AccountingRecord::state)
                .containsExactly("REQUEUED");

        assertThat(AccountingQuery.builder()
                        .duplicates(true)
                        .allocationsOnly(true)
                        .build()
                        .select(now, runs, steps))
                .allSatisfy(r -> assertThat(r.steps()).isEmpty());
    }

    @Test
    void aPendingJobHasNoSteps() {
        assertThat(select(AccountingQuery.builder().build(), alices(1, 100)))
                .singleElement()
                .satisfies(r -> assertThat(r.steps()).isEmpty());
    }
}
