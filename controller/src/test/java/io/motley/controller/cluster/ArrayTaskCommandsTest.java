package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.ClusterTest.FakeLink;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hold, release and update on array tasks, as slurmctld's update_job_str does them: a task still
 * pending in its array's folded record and named alone (ARRAY_INDEX) is split off into a record of
 * its own, stored, and changed alone; an array's id reaches every record of the array, each
 * answering for its tasks.
 */
class ArrayTaskCommandsTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_000_000);
    final Caller root = Caller.uid(0);
    final Caller ann = as(1004, 1004, "ann");
    Store store;

    Cluster open() {
        store = Store.sqlite(dir.resolve("db"));
        return new Cluster(ClusterConfig.parse("NodeTimeout=10"), store, now::get);
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    static JobRequest array(String spec) {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("a")
                .cpusPerTask(1)
                .submitHost("h")
                .array(spec)
                .build();
    }

    /** The array's records in view as "TASKS STATE held?", lowest task first (TASKS: the folded pending set or the task). */
    static List<String> records(Cluster c, long array) {
        return c.jobs().stream()
                .filter(j -> j.array() != null && j.array().arrayJobId() == array)
                .sorted(java.util.Comparator.comparing(j -> j.array().display(0)))
                .map(j -> j.array().display(0) + " " + j.state() + (j.request().hold() ? " held" : ""))
                .toList();
    }

    static Job task(Cluster c, long array, int index) {
        return c.jobs().stream()
                .filter(j -> j.array() != null
                        && j.array().arrayJobId() == array
                        && j.array().taskId() == index)
                .findFirst()
                .orElseThrow();
    }

    static List<String> said(List<Outcome> outcomes) {
        return outcomes.stream()
                .map(o -> o.id() + "_" + o.tasks() + ": " + (o.error() == null ? "Success" : o.error()))
                .toList();
    }

    @Test
    void holdingAPendingTaskSplitsItOffIntoAStoredRecordOfItsOwn() {
        Cluster c = open();
        long a = id(c.submit(array("1-4"), ann));

        assertThat(said(c.hold(List.of(), Map.of(a, List.of(3)), ann, true))).containsExactly(a + "_3: Success");

        Job t = task(c, a, 3);
        assertThat(t.id()).isNotEqualTo(a);
        assertThat(t.reason()).isEqualTo(PendingReason.JobHeldUser);
        assertThat(records(c, a)).containsExactly(a + "_3 PENDING held", a + "_[1-2,4] PENDING");
        assertThat(c.job(a).orElseThrow().request().hold()).isFalse();

        // a restarted controller finds both records as they were
        store.close();
        Cluster again = open();
        assertThat(records(again, a)).containsExactly(a + "_3 PENDING held", a + "_[1-2,4] PENDING");
        assertThat(task(again, a, 3).id()).isEqualTo(t.id());
    }

    @Test
    void aSplitOffTaskStaysHeldWhileTheOthersRun() {
        Cluster c = open();
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 4));
        long a = id(c.submit(array("1-4"), root));
        // no pass has run yet: all four wait
        c.hold(List.of(), Map.of(a, List.of(2)), root, true);

        c.schedulePass();

        assertThat(records(c, a))
                .containsExactly(a + "_1 RUNNING", a + "_2 PENDING held", a + "_3 RUNNING", a + "_4 RUNNING");
        long held = task(c, a, 2).id();
        assertThat(n1.ops()).doesNotContain("launch:" + held);

        assertThat(said(c.hold(List.of(), Map.of(a, List.of(2)), root, false))).containsExactly(a + "_2: Success");
        c.schedulePass();
        assertThat(n1.ops()).contains("launch:" + held);
    }

    @Test
    void theOnlyPendingTaskIsTheArraysOwnRecordAndIsNotSplit() {
        Cluster c = open();
        long a = id(c.submit(array("5"), ann));

        assertThat(said(c.hold(List.of(), Map.of(a, List.of(5)), ann, true))).containsExactly(a + "_5: Success");

        assertThat(records(c, a)).containsExactly(a + "_[5] PENDING held");
    }

    @Test
    void anUnknownTaskOrSomeoneElsesArrayIsRefusedAndNothingIsSplit() {
        Cluster c = open();
        long a = id(c.submit(array("1-4"), ann));
        Caller bob = as(1005, 1005, "bob");

        assertThat(said(c.hold(List.of(), Map.of(a, List.of(9)), ann, true)))
                .containsExactly(a + "_9: Invalid job id specified");
        assertThat(said(c.hold(List.of(), Map.of(a, List.of(2)), bob, true)))
                .containsExactly(a + "_2: Access/permission denied");
        assertThat(said(c.updateJobs(List.of(), Map.of(a, List.of(2)), Map.of("TimeLimit", "5"), bob)))
                .containsExactly(a + "_2: Access/permission denied");

        assertThat(records(c, a)).containsExactly(a + "_[1-4] PENDING");
    }

    @Test
    void releasingOneTaskOfAHeldArrayReleasesItAlone() {
        Cluster c = open();
        long a = id(c.submit(array("1-3"), root));
        assertThat(said(c.hold(List.of(a), Map.of(), root, true))).containsExactly(a + "_1-3: Success");

        assertThat(said(c.hold(List.of(), Map.of(a, List.of(1)), root, false))).containsExactly(a + "_1: Success");

        assertThat(records(c, a)).containsExactly(a + "_1 PENDING", a + "_[2-3] PENDING held");
    }

    @Test
    void updatingOneTaskChangesItAlone() {
        Cluster c = open();
        long a = id(c.submit(array("1-3"), ann));

        assertThat(said(c.updateJobs(List.of(), Map.of(a, List.of(2)), Map.of("TimeLimit", "7"), ann)))
                .containsExactly(a + "_2: Success");

        assertThat(task(c, a, 2).request().timing().limit().secondsOr(0)).isEqualTo(420);
        assertThat(c.job(a).orElseThrow().request().timing().limit().given()).isFalse();
        assertThat(records(c, a)).containsExactly(a + "_2 PENDING", a + "_[1,3] PENDING");
    }

    @Test
    void anArraysIdReachesEveryTaskEachAnsweringForItself() {
        Cluster c = open();
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 2));
        long a = id(c.submit(array("1-5"), root));
        c.schedulePass();
        long first = task(c, a, 1).id();
        c.jobEnded("n1", ended(first, 0, JobState.COMPLETED, 0, 0, now.get(), null));
        c.schedulePass();
        assertThat(records(c, a))
                .containsExactly(a + "_1 COMPLETED", a + "_2 RUNNING", a + "_3 RUNNING", a + "_[4-5] PENDING");

        // a key only a pending job takes: the running tasks refuse it, the finished one has finished
        assertThat(said(c.updateJobs(List.of(a), Map.of(), Map.of("NumCPUs", "2"), root)))
                .containsExactly(
                        a + "_1: Job has already finished",
                        a + "_2: Job is no longer pending execution",
                        a + "_3: Job is no longer pending execution",
                        a + "_4-5: Success");
        assertThat(c.job(a).orElseThrow().request().cpus()).isEqualTo(2);
        assertThat(task(c, a, 2).request().cpus()).isEqualTo(1);

        // a key a running job takes too: every task that has not finished changes
        assertThat(said(c.updateJobs(List.of(a), Map.of(), Map.of("TimeLimit", "9"), root)))
                .containsExactly(
                        a + "_1: Job has already finished", a + "_2: Success", a + "_3: Success", a + "_4-5: Success");
        assertThat(task(c, a, 3).timeLimit().secondsOr(0)).isEqualTo(540);
        assertThat(c.job(a).orElseThrow().request().timing().limit().secondsOr(0))
                .isEqualTo(540);

        // a hold reaches the running tasks too, as in Slurm: they run on, reading JobHeldAdmin
        assertThat(said(c.hold(List.of(a), Map.of(), root, true)))
                .containsExactly(
                        a + "_1: Job has already finished", a + "_2: Success", a + "_3: Success", a + "_4-5: Success");
        assertThat(records(c, a))
                .containsExactly(
                        a + "_1 COMPLETED", a + "_2 RUNNING held", a + "_3 RUNNING held", a + "_[4-5] PENDING held");
        assertThat(task(c, a, 2).reason()).isEqualTo(PendingReason.JobHeldAdmin);
        // cancelled, it keeps the reason (slurmctld's JobState=CANCELLED Reason=JobHeldAdmin)
        c.cancel(List.of(task(c, a, 2).id()), Map.of(), root);
        c.jobEnded("n1", ended(task(c, a, 2).id(), 0, JobState.CANCELLED, 0, 0, now.get(), null));
        assertThat(task(c, a, 2).state()).isEqualTo(JobState.CANCELLED);
        assertThat(task(c, a, 2).reason()).isEqualTo(PendingReason.JobHeldAdmin);
    }

    @Test
    void aJobNamedByItsOwnIdAnswersForItselfAlone() {
        Cluster c = open();
        long a = id(c.submit(array("1-3"), root));
        c.hold(List.of(), Map.of(a, List.of(2)), root, true);
        long own = task(c, a, 2).id();

        assertThat(c.hold(List.of(own), Map.of(), root, false))
                .extracting(Outcome::id, Outcome::tasks, Outcome::error)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(own, null, null));
        assertThat(records(c, a)).containsExactly(a + "_2 PENDING", a + "_[1,3] PENDING");
    }
}
