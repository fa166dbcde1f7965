package io.motley.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.scheduler.QueuedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QueueBuilderTest {
    static final long NOW = 10_000;

    static JobRequest req(String name, String dependency, boolean kill, long begin, long deadline, String array) {
        return JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name(name)
                .timeLimit(TimeLimit.of(600))
                .submitHost("h")
                .dependency(dependency, kill)
                .window(begin, deadline)
                .array(array)
                .build();
    }

    static Job job(long id, JobRequest r, JobState state) {
        Job j = Job.builder(id, r)
                .owner("u", 1000, 1000)
                .priority(100 - id)
                .times(Job.Times.submitted(1))
                .allocation(Job.Allocation.queued("main", TimeLimit.of(600)))
                .build();
        if (r.array() != null) j = j.withArray(new ArrayPart(id, -1, r.array().replaceAll("%.*", "")));
        return switch (state) {
            case PENDING -> j;
            case RUNNING -> j.started("main", "n1", 1, 100, TimeLimit.of(600), 5);
            default -> j.started("main", "n1", 1, 100, TimeLimit.of(600), 5).ended(state, ExitStatus.NONE, 50);
        };
    }

    static Job plain(long id, JobState state) {
        return job(id, req("j" + id, null, false, 0, 0, null), state);
    }

    static QueuePass build(Job... jobs) {
        return QueueBuilder.build(new JobTable(List.of(jobs), null), NOW, id -> false);
    }

    static List<Long> ids(QueuePass p) {
        return p.queue().stream().map(q -> p.entry(q.id()).jobId()).toList();
    }

    @Test
    void plainPendingJobsAreQueuedAsThemselvesAndOthersAreNot() {
        QueuePass p = build(plain(1, JobState.RUNNING), plain(2, JobState.PENDING), plain(3, JobState.COMPLETED));
        assertThat(ids(p)).containsExactly(2L);
        assertThat(p.entry(2)).isEqualTo(new QueueEntry.Whole(2));
        assertThat(p.updated()).isEmpty();
    }

    @Test
    void aHeldJobIsQueuedHeldWithoutBeingJudged() {
        Job held = job(1, req("a", "afterok:99", false, NOW + 100, 0, null).withHold(true), JobState.PENDING);
        QueuePass p = build(held);
        assertThat(p.queue()).extracting(QueuedJob::held).containsExactly(true);
        assertThat(p.updated()).isEmpty();
    }

    @Test
    void aJobWhoseStageInFilesAreStillOnTheirWayWaitsWithReasonStageInAndIsQueuedOnceTheyArrived() {
        JobRequest awaiting = io.motley.core.job.Staging.awaitingUpload(req("a", null, false, 0, 0, null), true);
        QueuePass p = build(job(1, awaiting, JobState.PENDING));
        assertThat(p.queue()).isEmpty();
        assertThat(p.updated().get(1L).reason()).isEqualTo(PendingReason.StageIn);

        Job arrived = job(1, io.motley.core.job.Staging.awaitingUpload(awaiting, false), JobState.PENDING)
                .withReason(PendingReason.StageIn);
        QueuePass after = build(arrived);
        assertThat(ids(after)).containsExactly(1L);
        assertThat(after.updated().get(1L).reason()).isEqualTo(PendingReason.None);
    }

    @Test
    void aJobWaitsForItsBeginTimeAndSaysWhenItMayStart() {
        QueuePass p = build(job(1, req("a", null, false, NOW + 100, 0, null), JobState.PENDING));
        assertThat(p.queue()).isEmpty();
        assertThat(p.updated().get(1L).reason()).isEqualTo(PendingReason.BeginTime);
        assertThat(p.toPersist()).isEmpty();
        assertThat(p.nextChange()).isEqualTo(NOW + 100);
    }

    @Test
    void aRequeuedJobWaitsWhileItsKilledRunEnds() {
        QueuePass p = QueueBuilder.build(new JobTable(List.of(plain(1, JobState.PENDING)), null), NOW, id -> id == 1);
        assertThat(p.queue()).isEmpty();
        assertThat(p.updated().get(1L).reason()).isEqualTo(PendingReason.BeginTime);
    }

    @Test
    void aJobThatCanNoLongerMeetItsDeadlineIsRemovedAndPersisted() {
        QueuePass p = build(job(1, req("a", null, false, 0, NOW + 100, null), JobState.PENDING));
        assertThat(p.queue()).isEmpty();
        assertThat(p.ended()).extracting(Job::state).containsExactly(JobState.DEADLINE);
    }

    @Test
    void dependenciesWaitClearOrNeverHold() {
        QueuePass p = build(
                plain(1, JobState.RUNNING),
                plain(2, JobState.COMPLETED),
                plain(3, JobState.FAILED),
                job(4, req("a", "afterok:1", false, 0, 0, null), JobState.PENDING),
                job(5, req("b", "afterok:2", false, 0, 0, null), JobState.PENDING),
                job(6, req("c", "afterok:3", false, 0, 0, null), JobState.PENDING),
                job(7, req("d", "afterok:3", true, 0, 0, null), JobState.PENDING));
        assertThat(ids(p)).containsExactly(5L);
        assertThat(p.updated().get(4L).reason()).isEqualTo(PendingReason.Dependency);
        assertThat(p.updated().get(5L).request().dependency()).isNull();
        assertThat(p.updated().get(6L).reason()).isEqualTo(PendingReason.DependencyNeverSatisfied);
        assertThat(p.updated().get(7L).state()).isEqualTo(JobState.CANCELLED);
        // the satisfied dependency and the cancellation are made durable; reasons alone are not
        assertThat(p.toPersist()).extracting(Job::id).containsExactly(5L, 7L);
    }

    @Test
    void afterWithADelaySaysWhenItBecomesTrue() {
        Job running = plain(1, JobState.RUNNING); // started at 5
        QueuePass p = build(running, job(2, req("a", "after:1+200", false, 0, 0, null), JobState.PENDING));
        assertThat(p.queue()).isEmpty();
        assertThat(p.nextChange()).isEqualTo(5 + 200 * 60);
    }

    @Test
    void singletonWaitsForAnEarlierActiveJobOfTheSameNameAndUser() {
        QueuePass blocked = build(
                job(1, req("same", null, false, 0, 0, null), JobState.RUNNING),
                job(2, req("same", "singleton", false, 0, 0, null), JobState.PENDING));
        assertThat(blocked.queue()).isEmpty();
        QueuePass free = build(
                job(1, req("same", null, false, 0, 0, null), JobState.COMPLETED),
                job(2, req("same", "singleton", false, 0, 0, null), JobState.PENDING),
                job(3, req("other", null, false, 0, 0, null), JobState.RUNNING));
        assertThat(ids(free)).containsExactly(2L);
    }

    @Test
    void aJobRemovedEarlierInThePassNoLongerBlocksASingletonBehindIt() {
        QueuePass p = build(
                job(1, req("same", null, false, 0, NOW + 100, null), JobState.PENDING),
                job(2, req("same", "singleton", false, 0, 0, null), JobState.PENDING));
        assertThat(ids(p)).containsExactly(2L);
    }

    @Test
    void anArrayIsOfferedTaskByTaskWithTypedKeys() {
        QueuePass p = build(job(1, req("a", null, false, 0, 0, "3,5,7"), JobState.PENDING), plain(2, JobState.PENDING));
        assertThat(p.queue()).hasSize(4);
        List<QueueEntry> entries = p.queue().stream().map(q -> p.entry(q.id())).toList();
        assertThat(entries)
                .containsExactly(
                        new QueueEntry.Task(new TaskKey(1, 3), 0),
                        new QueueEntry.Task(new TaskKey(1, 5), 1),
                        new QueueEntry.Task(new TaskKey(1, 7), 2),
                        new QueueEntry.Whole(2));
        assertThat(p.queue().get(0).id()).isNegative();
        assertThat(p.queue().get(0).submitOrder()).isEqualTo(1);
        assertThat(entries.get(0).speaksForJob()).isTrue();
        assertThat(entries.get(1).speaksForJob()).isFalse();
    }

    @Test
    void anArrayAtItsThrottleWaitsWithJobArrayTaskLimit() {
        Job meta =
                job(1, req("a", null, false, 0, 0, "0-9%2"), JobState.PENDING).withArray(new ArrayPart(1, -1, "2-9"));
        Job t0 = ArrayTasks.task(meta, 0, 2).started("main", "n1", 1, 1, TimeLimit.of(600), 5);
        Job t1 = ArrayTasks.task(meta, 1, 3).started("main", "n1", 1, 1, TimeLimit.of(600), 5);
        QueuePass full = build(meta, t0, t1);
        assertThat(full.queue()).isEmpty();
        assertThat(full.updated().get(1L).reason()).isEqualTo(PendingReason.JobArrayTaskLimit);
        QueuePass one = build(meta, t0, t1.ended(JobState.COMPLETED, ExitStatus.NONE, 60));
        assertThat(one.queue())
                .extracting(q -> one.entry(q.id()))
                .containsExactly(new QueueEntry.Task(new TaskKey(1, 2), 0));
    }

    /** A task split off its array (by scontrol hold/update) or requeued stays under the array's %N throttle. */
    @Test
    void aTaskWithARecordOfItsOwnCountsAgainstItsArraysThrottle() {
        Job meta =
                job(1, req("a", null, false, 0, 0, "0-9%2"), JobState.PENDING).withArray(new ArrayPart(1, -1, "3-9"));
        Job running = ArrayTasks.task(meta, 0, 2).started("main", "n1", 1, 1, TimeLimit.of(600), 5);
        Job split = ArrayTasks.task(meta, 1, 3);
        Job other = ArrayTasks.task(meta, 2, 4);
        QueuePass p = build(meta, running, split, other);
        // one slot left under %2: the array's first pending task takes it, the records of their own wait
        assertThat(p.queue())
                .extracting(q -> p.entry(q.id()))
                .containsExactly(new QueueEntry.Task(new TaskKey(1, 3), 0));
        assertThat(p.updated().get(3L).reason()).isEqualTo(PendingReason.JobArrayTaskLimit);
        assertThat(p.updated().get(4L).reason()).isEqualTo(PendingReason.JobArrayTaskLimit);

        Job unthrottled =
                job(5, req("b", null, false, 0, 0, "0-9"), JobState.PENDING).withArray(new ArrayPart(5, -1, "3-9"));
        QueuePass free = build(ArrayTasks.task(unthrottled, 1, 6));
        assertThat(ids(free)).containsExactly(6L);
    }

    @Test
    void aBigArrayOffersAtMostTasksPerPass() {
        QueuePass p = build(job(1, req("a", null, false, 0, 0, "0-199"), JobState.PENDING));
        assertThat(p.queue()).hasSize(QueueBuilder.TASKS_PER_PASS);
        assertThat(p.arraysCut()).isTrue();
    }

    @Test
    void aftercorrOffersTheTasksWhoseCorrespondingTaskCompleted() {
        Job first = job(1, req("a", null, false, 0, 0, "0-2"), JobState.PENDING).withArray(new ArrayPart(1, -1, "2"));
        Job t0 = ArrayTasks.task(first, 0, 2)
                .started("main", "n1", 1, 1, TimeLimit.of(600), 5)
                .ended(JobState.COMPLETED, ExitStatus.NONE, 9);
        Job t1 = ArrayTasks.task(first, 1, 3).started("main", "n1", 1, 1, TimeLimit.of(600), 5);
        Job second = job(4, req("b", "aftercorr:1", false, 0, 0, "0-2"), JobState.PENDING);
        QueuePass p = build(first, t0, t1, second);
        assertThat(p.queue())
                .extracting(q -> p.entry(q.id()))
                .contains(new QueueEntry.Task(new TaskKey(4, 0), 0))
                .doesNotContain(new QueueEntry.Task(new TaskKey(4, 1), 1));
    }

    @Test
    void startingTasksSplitsTheArrayAndTheLastTaskKeepsItsId() {
        Job meta = job(1, req("a", "afterok:9", false, 0, 0, "4,6"), JobState.PENDING);
        assertThat(ArrayTasks.holds(meta, 4)).isTrue();
        assertThat(ArrayTasks.holds(meta, 5)).isFalse();
        assertThat(ArrayTasks.isLast(meta, 4)).isFalse();
        Job rest = ArrayTasks.remaining(meta, 4);
        assertThat(rest.array()).isEqualTo(new ArrayPart(1, -1, "6"));
        Job task = ArrayTasks.task(meta, 4, 7);
        assertThat(task.id()).isEqualTo(7);
        assertThat(task.array()).isEqualTo(new ArrayPart(1, 4, ""));
        assertThat(task.request().dependency()).isNull();
        assertThat(ArrayTasks.isLast(rest, 6)).isTrue();
        Job last = ArrayTasks.lastTask(rest, 6);
        assertThat(last.id()).isEqualTo(1);
        assertThat(last.array()).isEqualTo(new ArrayPart(1, 6, ""));
    }

    /**
     * A pass at the same time over what a pass decided decides nothing more and offers the same
     * queue: dependencies name earlier jobs (as submission requires), so one pass in id order sees
     * every decision it depends on.
     */
    @Test
    void aSecondPassAtTheSameTimeChangesNothing() {
        String[] kinds = {"afterok", "afterany", "afternotok", "after"};
        JobState[] states = {JobState.PENDING, JobState.RUNNING, JobState.COMPLETED, JobState.FAILED};
        for (long seed = 1; seed <= 300; seed++) {
            Random rnd = new Random(seed);
            List<Job> jobs = new ArrayList<>();
            int n = 1 + rnd.nextInt(30);
            for (int id = 1; id <= n; id++) {
                String dep = null;
                if (id > 1 && rnd.nextInt(3) == 0)
                    dep = kinds[rnd.nextInt(kinds.length)] + ":" + (1 + rnd.nextInt(id - 1));
                if (rnd.nextInt(6) == 0) dep = dep == null ? "singleton" : dep + ",singleton";
                String array = rnd.nextInt(5) == 0 ? "0-" + rnd.nextInt(100) + (rnd.nextBoolean() ? "%2" : "") : null;
                long begin = rnd.nextInt(4) == 0 ? NOW - 50 + rnd.nextInt(100) : 0;
                long deadline = rnd.nextInt(8) == 0 ? NOW + rnd.nextInt(1200) : 0;
                JobRequest r = req("n" + rnd.nextInt(3), dep, rnd.nextBoolean(), begin, deadline, array)
                        .withHold(rnd.nextInt(10) == 0);
                JobState s = array != null || dep != null ? JobState.PENDING : states[rnd.nextInt(states.length)];
                jobs.add(job(id, r, s));
            }
            JobTable table = new JobTable(jobs, null);
            QueuePass first = QueueBuilder.build(table, NOW, id -> false);
            QueuePass second = QueueBuilder.build(table, NOW, id -> false);
            String where = "seed " + seed;
            assertThat(second.updated()).as(where).isEmpty();
            assertThat(second.queue()).as(where).isEqualTo(first.queue());
            for (QueuedJob q : first.queue()) {
                Job j = table.get(first.entry(q.id()).jobId());
                assertThat(j.state()).as(where).isEqualTo(JobState.PENDING);
                assertThat(j.request().hold() || j.request().dependency() == null || j.array() != null)
                        .as(where + " job " + j.id() + " queued with a dependency pending")
                        .isTrue();
            }
            assertThat(first.updated().values())
                    .as(where)
                    .containsAll(first.toPersist().stream()
                            .filter(p -> first.updated().get(p.id()) == p)
                            .toList());
        }
    }

    /**
     * With {@link KeptRecords}, a job whose request, priority and partitions did not change gets the
     * very same record as in the pass before (what lets the scheduler read an unchanged queue by
     * identity), a changed one a new record equal to what a fresh build gives, and a job that left
     * the queue is not reused from an older pass.
     */
    @Test
    void keptRecordsAreReusedUntilTheJobChanges() {
        KeptRecords kept = new KeptRecords();
        Job a = plain(1, JobState.PENDING);
        Job b = plain(2, JobState.PENDING);
        Job c = plain(3, JobState.PENDING);
        Job d = plain(4, JobState.PENDING);
        QueuePass first = QueueBuilder.build(new JobTable(List.of(a, b, c, d), null), NOW, id -> false, kept);
        Job b2 = b.withPriority(b.priority() + 7);
        Job c2 = c.withRequest(c.request().withTimeLimit(TimeLimit.of(1200)));
        Job d2 = d.withPartition("debug", TimeLimit.of(600));
        QueuePass second = QueueBuilder.build(new JobTable(List.of(a, b2, c2, d2), null), NOW, id -> false, kept);
        assertThat(second.queue().get(0)).isSameAs(first.queue().get(0));
        assertThat(second.queue().get(1)).isNotSameAs(first.queue().get(1)).isEqualTo(QueueBuilder.queued(b2));
        assertThat(second.queue().get(2)).isNotSameAs(first.queue().get(2)).isEqualTo(QueueBuilder.queued(c2));
        assertThat(second.queue().get(3).partitions()).containsExactly("debug");
        assertThat(second.queue()).isEqualTo(build(a, b2, c2, d2).queue());
        // a held job leaves the queue; when released its record is made anew, not the one of two passes ago
        QueueBuilder.build(new JobTable(List.of(b2, c2), null), NOW, id -> false, kept);
        QueuePass fourth = QueueBuilder.build(new JobTable(List.of(a, b2, c2), null), NOW, id -> false, kept);
        assertThat(fourth.queue().get(0))
                .isNotSameAs(first.queue().get(0))
                .isEqualTo(first.queue().get(0));
        assertThat(fourth.queue().get(1)).isSameAs(second.queue().get(1));
    }
}
