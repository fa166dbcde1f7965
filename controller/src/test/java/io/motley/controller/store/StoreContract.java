package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.Usage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every store answers the same way, in memory, SQLite, PostgreSQL and MariaDB alike. */
abstract class StoreContract {
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
        Job running = j.started("main", "n1", 2, 512, 600, start);
        return end == 0
                ? running
                : running.withUsage(new Usage(2048, 4096, 150, 20)).ended(state, new ExitStatus(code, 0), end, -1);
    }

    /** A pending job of bob's (uid 2000). */
    static Job bobs(long id) {
        Job a = StoreTest.job(id);
        return new Job(
                id,
                a.request(),
                "bob",
                2000,
                2000,
                a.state(),
                a.reason(),
                a.priority(),
                a.submitTime(),
                0,
                0,
                a.partition(),
                null,
                0,
                0,
                a.timeLimitSeconds(),
                a.exit(),
                -1);
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
                "");
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
