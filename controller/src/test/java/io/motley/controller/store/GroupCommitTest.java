package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.job.Job;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Submissions committed in groups on the embedded file: all of a group is saved, or none. */
class GroupCommitTest {
    @TempDir
    Path dir;

    Path file() {
        return dir.resolve("state/motley.db");
    }

    List<Long> storedIds() throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT id FROM jobs ORDER BY id")) {
            while (r.next()) ids.add(r.getLong(1));
        }
        return ids;
    }

    @Test
    void aFailureMidGroupRefusesEveryMemberAndSpendsNoId() throws Exception {
        try (Store store = Store.sqlite(file())) {
            store.insertNew(StoreTest::job);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                    Statement s = c.createStatement()) {
                s.execute("CREATE TRIGGER injected BEFORE INSERT ON jobs WHEN NEW.id = 4"
                        + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
            }
            // the first submission's commit is held while five more queue: they form the next group together
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch committing = new CountDownLatch(1);
            CompletableFuture<Job> first = store.insertGrouped(id -> {
                committing.countDown();
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return StoreTest.job(id);
            });
            assertThat(committing.await(30, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<Job>> group = new ArrayList<>();
            for (int i = 0; i < 5; i++) group.add(store.insertGrouped(StoreTest::job));
            hold.countDown();

            assertThat(Store.await(first).id()).isEqualTo(2);
            for (CompletableFuture<Job> member : group) {
                assertThatThrownBy(() -> Store.await(member))
                        .isInstanceOf(StoreException.class)
                        .hasMessageStartingWith(SqlStore.NOT_ACCEPTED)
                        .hasMessageContaining("injected failure");
            }
            assertThat(storedIds()).containsExactly(1L, 2L);
            // nothing of the refused group was kept: the next id is the one it would have taken
            assertThat(Store.await(store.insertGrouped(StoreTest::job)).id()).isEqualTo(3);
        }
    }

    @Test
    void concurrentSubmittersGetUniqueIdsEachCommittedBeforeItIsAnswered() throws Exception {
        int threads = 8;
        int each = 50;
        List<Long> answered = new ArrayList<>();
        List<Long> notYetStored = new ArrayList<>();
        try (Store store = Store.sqlite(file())) {
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                clients.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        long id =
                                Store.await(store.insertGrouped(StoreTest::job)).id();
                        boolean stored;
                        try {
                            // another connection sees only what is committed
                            stored = storedIds().contains(id);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        synchronized (answered) {
                            answered.add(id);
                            if (!stored) notYetStored.add(id);
                        }
                    }
                }));
            }
            for (Thread t : clients) t.join();
        }
        assertThat(notYetStored).isEmpty();
        assertThat(answered).hasSize(threads * each).doesNotHaveDuplicates();
        // a store opened again on the file finds every id that was answered
        try (Store again = Store.sqlite(file())) {
            assertThat(again.activeJobs()).extracting(Job::id).containsExactlyInAnyOrderElementsOf(answered);
        }
        assertThat(answered).allMatch(id -> id >= 1 && id <= threads * each);
    }
}
