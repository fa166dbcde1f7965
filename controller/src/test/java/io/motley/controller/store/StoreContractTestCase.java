package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounting.JobStep;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import io.motley.core.step.Step;
import io.motley.core.step.StepState;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every store answers the same way, in memory, SQLite, PostgreSQL and MariaDB alike. */
abstract class StoreContractTestCase {
    Store store;

    /** A new, empty store. */
    abstract Store newStore() throws Exception;

    Store store() throws Exception {
        if (store == null) store = newStore();
        return store;
    }

    @AfterEach
    void closeStore() {
        if (store != null) store.close();
    }

    static Job ran(Job j, long start, long end, JobState state, int code) {
        Job running = j.started("main", "n1", 2, 512, TimeLimit.of(600), start);
        return end == 0
                ? running
                : running.withUsage(new Usage(2048, 4096, 150, 20)).ended(state, new ExitStatus(code, 0), end);
    }

    /** A pending job of bob's (uid 2000). */
    static Job bobs(long id) {
        return StoreTest.job(id).toBuilder().owner("bob", 2000, 2000).build();
    }

    static Node node(String name, NodeState state, String reason) {
        return new Node(
                name,
                "127.0.0.1",
                4,
                8192,
                1,
                4,
                1,
                "x86_64",
                "Linux",
                state,
                reason,
                reason == null ? 0 : 50,
                0,
                0,
                8000,
                0.1,
                10,
                20,
                "0.1",
                List.of("ssd"),
                List.of(),
                "process",
                "",
                "",
                false);
    }

    @Test
    void concurrentGroupedInsertsGetUniqueIdsInTheOrderEachClientAsked() throws Exception {
        Store s = store();
        List<List<Long>> perClient = new java.util.ArrayList<>();
        List<Thread> clients = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            List<Long> mine = new java.util.ArrayList<>();
            perClient.add(mine);
            clients.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 25; i++)
                    mine.add(Store.await(s.insertGrouped(StoreTest::job)).id());
            }));
        }
        for (Thread t : clients) t.join();
        List<Long> all = perClient.stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(100).doesNotHaveDuplicates();
        for (List<Long> mine : perClient) assertThat(mine).isSorted();
        assertThat(s.activeJobs()).extracting(Job::id).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void newJobsTakeIncreasingIdsAndComeBackWhole() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        Job b = store().insertNew(StoreTest::job);
        assertThat(b.id()).isEqualTo(a.id() + 1);
        assertThat(store().activeJobs()).containsExactly(a, b);
        assertThat(store().activeJobs().get(0).request().environment()).containsEntry("SECRET", "s3cret");
        assertThat(store().countJobs(JobState.PENDING)).isEqualTo(2);
        assertThat(store().problem()).isEmpty();
    }

    @Test
    void aSuspendedJobStaysActiveWithItsSuspensionAndSacctSelectsIt() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        Job b = store().insertNew(StoreTest::job);
        Job suspended = ran(a, 200, 0, null, 0).suspended(300);
        Job resumed = ran(b, 200, 0, null, 0).suspended(250).resumed(270);
        store().saveJobs(List.of(suspended, resumed));
        assertThat(store().activeJobs()).containsExactly(suspended, resumed);
        assertThat(store().activeJobs().get(0).state()).isEqualTo(JobState.SUSPENDED);
        assertThat(store().activeJobs().get(1).times().suspendedSecs()).isEqualTo(20);
        assertThat(store().countJobs(JobState.SUSPENDED)).isEqualTo(1);
        assertThat(ids(AccountingQuery.builder().state("SUSPENDED").window(100, 1000)))
                .containsExactly(a.id());
        assertThat(ids(AccountingQuery.builder().state("SUSPENDED").window(100, 150)))
                .isEmpty();
        Job cancelled = suspended.endedBy(JobState.CANCELLED, ExitStatus.NONE, 400, 0);
        store().saveJob(cancelled);
        assertThat(store().activeJobs()).containsExactly(resumed);
        assertThat(store().endedSince(400)).containsExactly(cancelled);
    }

    @Test
    void savedChangesReplaceTheJobAndEndedJobsLeaveTheActiveList() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        Job b = store().insertNew(StoreTest::job);
        Job aDone = ran(a, 200, 260, JobState.COMPLETED, 0);
        Job bRunning = ran(b, 210, 0, null, 0);
        store().saveJobs(List.of(aDone, bRunning));
        assertThat(store().activeJobs()).containsExactly(bRunning);
        assertThat(store().endedSince(260)).containsExactly(aDone);
        assertThat(store().endedSince(261)).isEmpty();
        assertThat(store().countJobs(JobState.RUNNING)).isEqualTo(1);
        assertThat(store().countJobs(JobState.COMPLETED)).isEqualTo(1);
        assertThat(store().countJobs(JobState.PENDING)).isZero();
    }

    @Test
    void accountingPicksByWindowUserIdsAndArrays() throws Exception {
        Job early = store().insertNew(StoreTest::job);
        store().saveJob(ran(early, 150, 190, JobState.FAILED, 3));
        Job other = store().insertNew(id -> bobs(id));
        Job array = store().insertNew(id -> StoreTest.job(id).withArray(new ArrayPart(id, -1, "2-3")));
        Job task = store().insertNew(id -> StoreTest.job(id).withArray(new ArrayPart(array.id(), 1, null)));

        assertThat(store().accounting(195, 1000, -1, List.of()))
                .extracting(Job::id)
                .containsExactly(other.id(), array.id(), task.id());
        assertThat(store().accounting(0, 1000, 2000, List.of()))
                .extracting(Job::id)
                .containsExactly(other.id());
        assertThat(store().accounting(0, 50, -1, List.of()))
                .as("submitted at 100")
                .isEmpty();
        assertThat(store().accounting(0, 0, -1, List.of(array.id())))
                .extracting(Job::id)
                .containsExactly(array.id(), task.id());
        assertThat(store().accounting(0, 0, 1000, List.of(early.id(), other.id())))
                .extracting(Job::id)
                .containsExactly(early.id());
    }

    /** A pending job submitted at {@code submit} with these fields. */
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

    private List<Long> ids(AccountingQuery.Builder q) throws Exception {
        return store().accounting(q.build()).stream().map(r -> r.job().id()).toList();
    }

    @Test
    void accountingAnswersEachPartOfTheQuery() throws Exception {
        Job a = store().insertNew(id -> job(id, "alice", 1000, "physics", "main", "sim", 1000));
        store().saveJob(ran(a, 1100, 1900, JobState.COMPLETED, 0));
        Job b = store().insertNew(id -> job(id, "bob", 2000, "chem", "gpu", "fold", 1000));
        Job bEnded = b.started("gpu", "n2", 1, 100, TimeLimit.of(600), 1200)
                .ended(JobState.FAILED, new ExitStatus(1, 0), 1500);
        store().saveJob(bEnded);
        Job c = store().insertNew(id -> job(id, "alice", 1000, "physics", "main", "other", 3000));
        Job array = store().insertNew(
                        id -> job(id, "carol", 3000, "bio", "main", "arr", 1000).withArray(new ArrayPart(id, 0, null)));
        Job task = store().insertNew(id ->
                job(id, "carol", 3000, "bio", "main", "arr", 1000).withArray(new ArrayPart(array.id(), 1, null)));

        assertThat(ids(AccountingQuery.builder().window(2000, 4000))).containsExactly(c.id(), array.id(), task.id());
        assertThat(ids(AccountingQuery.builder().window(1000, 2000)))
                .containsExactly(a.id(), b.id(), array.id(), task.id());
        assertThat(ids(AccountingQuery.builder().uid(1000))).containsExactly(a.id(), c.id());
        assertThat(ids(AccountingQuery.builder().user("bob"))).containsExactly(b.id());
        assertThat(ids(AccountingQuery.builder().uid(2000).user("carol")))
                .containsExactly(b.id(), array.id(), task.id());
        assertThat(ids(AccountingQuery.builder().account("chem").account("bio")))
                .containsExactly(b.id(), array.id(), task.id());
        assertThat(ids(AccountingQuery.builder().partition("gpu"))).containsExactly(b.id());
        assertThat(ids(AccountingQuery.builder().name("sim").name("other"))).containsExactly(a.id(), c.id());
        assertThat(ids(AccountingQuery.builder().node("n2"))).containsExactly(b.id());
        assertThat(ids(AccountingQuery.builder().job(new AccountingQuery.JobId(array.id(), -1))))
                .containsExactly(array.id(), task.id());
        assertThat(ids(AccountingQuery.builder()
                        .job(new AccountingQuery.JobId(array.id(), 1))
                        .job(new AccountingQuery.JobId(a.id(), -1))))
                .containsExactly(a.id(), task.id());
        assertThat(ids(AccountingQuery.builder().state("FAILED").window(1000, 2000)))
                .containsExactly(b.id());
        assertThat(ids(AccountingQuery.builder().state("COMPLETED").window(1000, 1800)))
                .as("ended after")
                .isEmpty();
        assertThat(ids(AccountingQuery.builder().state("RUNNING").window(1600, 1700)))
                .containsExactly(a.id());
        assertThat(ids(AccountingQuery.builder().state("PENDING").window(1150, 3500)))
                .containsExactly(b.id(), c.id(), array.id(), task.id());

        assertThat(store().accounting(AccountingQuery.builder()
                        .job(new AccountingQuery.JobId(a.id(), -1))
                        .build()))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.job()).isEqualTo(ran(a, 1100, 1900, JobState.COMPLETED, 0));
                    assertThat(r.steps()).singleElement().satisfies(s -> {
                        assertThat(s.name()).isEqualTo("batch");
                        assertThat(s.state()).isEqualTo("COMPLETED");
                        assertThat(s.usage()).isEqualTo(new Usage(2048, 4096, 150, 20));
                        assertThat(s.nodeList()).isEqualTo("n1");
                    });
                });
        assertThat(store().accounting(
                                AccountingQuery.builder().allocationsOnly(true).build()))
                .allSatisfy(r -> assertThat(r.steps()).isEmpty());
    }

    @Test
    void aRequeuedJobsEarlierRunsAreLinesOfTheirOwnWithDuplicates() throws Exception {
        Job a = store().insertNew(id -> job(id, "alice", 1000, "physics", "main", "sim", 1000));
        Job first = a.started("main", "n1", 1, 100, TimeLimit.of(600), 1100);
        store().saveJob(first);
        Job again = first.requeue(1300, false);
        store().saveJob(again);
        Job done = again.started("main", "n2", 1, 100, TimeLimit.of(600), 1400)
                .ended(JobState.COMPLETED, ExitStatus.NONE, 1500);
        store().saveJob(done);

        List<AccountingRecord> plain =
                store().accounting(AccountingQuery.builder().build());
        assertThat(plain).singleElement().satisfies(r -> {
            assertThat(r.earlier()).isFalse();
            assertThat(r.state()).isEqualTo("COMPLETED");
            assertThat(r.steps()).extracting(JobStep::run).containsExactly(1);
        });
        List<AccountingRecord> all =
                store().accounting(AccountingQuery.builder().duplicates(true).build());
        assertThat(all).extracting(AccountingRecord::state).containsExactly("REQUEUED", "COMPLETED");
        assertThat(all.get(0).run().nodeList()).isEqualTo("n1");
        assertThat(all.get(0).startTime()).isEqualTo(1100);
        assertThat(all.get(0).endTime()).as("ended by the requeue").isPositive();
        assertThat(all.get(0).steps())
                .singleElement()
                .satisfies(s -> assertThat(s.state()).isEqualTo("REQUEUED"));
        assertThat(store().accounting(
                                AccountingQuery.builder().state("REQUEUED").build()))
                .singleElement()
                .satisfies(r -> assertThat(r.earlier()).isTrue());
        assertThat(store().accounting(AccountingQuery.builder()
                        .node("n1")
                        .duplicates(true)
                        .build()))
                .extracting(AccountingRecord::state)
                .containsExactly("REQUEUED");
    }

    static Step srunStep(long job, int id, StepState state, long end) {
        Step started =
                new Step(job, id, "hostname", StepState.RUNNING, List.of("n2", "n1"), 4, 8, 100, true, 210, 0, 0, 0);
        return state == StepState.RUNNING ? started : started.ended(state, 3, 0, end);
    }

    @Test
    void srunStepsAreKeptFromTheirStartToTheirEndApartFromTheBatchStep() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        Job b = store().insertNew(StoreTest::job);
        Job requeued = ran(a, 200, 0, null, 0).requeue(250, false);
        store().saveJob(ran(a, 200, 0, null, 0));
        store().saveStep(srunStep(a.id(), 0, StepState.RUNNING, 0), 0);
        store().saveStep(srunStep(a.id(), 1, StepState.RUNNING, 0), 0);
        // the end keeps the run the step started in, whichever run the job is in by then
        store().saveJob(requeued);
        store().saveStep(srunStep(a.id(), 0, StepState.FAILED, 240), 1);

        assertThat(store().steps(List.of(a.id(), b.id(), 999L)))
                .containsOnlyKeys(a.id())
                .extractingByKey(a.id())
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.list(Step.class))
                .containsExactly(srunStep(a.id(), 0, StepState.FAILED, 240), srunStep(a.id(), 1, StepState.RUNNING, 0));
        assertThat(store().steps(List.of())).isEmpty();
        // sacct's records carry the batch step only: srun's come from the controller
        assertThat(store().accounting(AccountingQuery.builder().duplicates(true).build()))
                .flatExtracting(AccountingRecord::steps)
                .extracting(JobStep::name)
                .containsExactly("batch");
    }

    /** A step's usage as its end brings it: two tasks on two nodes. */
    static io.motley.core.step.StepUsage usage() {
        return io.motley.core.step.StepUsage.of(
                        0,
                        List.of(
                                new io.motley.core.step.TaskUsage(
                                        0, 0, "n2", List.of(), 0, 61_440, 0, 90_000, 1, 1500, 10, 20, 300, 0),
                                new io.motley.core.step.TaskUsage(
                                        0, 1, "n1", List.of(), 0, 20_000, 0, 95_000, 0, 700, 0, 0, 100, 0)))
                .orElseThrow();
    }

    @Test
    void anSrunStepsUsageIsKeptWithItsEndAndNoneStaysNone() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        store().saveJob(ran(a, 200, 0, null, 0));
        Step measured = srunStep(a.id(), 0, StepState.COMPLETED, 240).withUsage(usage());
        store().saveStep(srunStep(a.id(), 0, StepState.RUNNING, 0), 0);
        store().saveStep(measured, 0);
        // a step whose start was not saved is kept at its end, with its usage
        Step late = srunStep(a.id(), 1, StepState.FAILED, 250).withUsage(usage());
        store().saveStep(late, 0);
        store().saveStep(srunStep(a.id(), 2, StepState.RUNNING, 0), 0);
        store().saveStep(srunStep(a.id(), 2, StepState.CANCELLED, 260), 0);
        List<Step> kept = store().steps(List.of(a.id())).get(a.id());
        assertThat(kept).containsExactly(measured, late, srunStep(a.id(), 2, StepState.CANCELLED, 260));
        assertThat(kept.get(0).usage().maxRss()).isEqualTo(new io.motley.core.step.StepUsage.Extreme(61_440, "n2", 0));
        assertThat(kept.get(2).usage()).isNull();
    }

    @Test
    void nodesAreKeptByNameAndListedInOrder() throws Exception {
        store().saveNode(node("n2", NodeState.UP, null));
        store().saveNode(node("n1", NodeState.UP, null));
        Node drained = node("n1", NodeState.DRAIN, "disk");
        store().saveNode(drained);
        assertThat(store().nodes()).extracting(Node::name).containsExactly("n1", "n2");
        assertThat(store().nodes().get(0)).isEqualTo(drained);
    }
}
