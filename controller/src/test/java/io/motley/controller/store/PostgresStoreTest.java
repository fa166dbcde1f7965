package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on a throwaway PostgreSQL (one per class), and what it does when the server goes away. */
class PostgresStoreTest extends SqlStoreContractTestCase implements AccountsStoreContractTestCase {
    static TestDatabases.Instance server;
    String url;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        String missing = TestDatabases.postgresMissing();
        Assumptions.assumeTrue(missing == null, missing);
        server = TestDatabases.postgres();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) server.close();
    }

    @Override
    Store newStore() throws Exception {
        if (url == null) url = server.newDatabase();
        Path pass = dir.resolve("db.pass");
        Files.writeString(pass, "x\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        return SqlStore.server(url, server.user(), pass);
    }

    @Override
    void olderSchema(String version) throws Exception {
        url = server.newDatabase();
        migrateTo(version, Dialect.POSTGRESQL, url, server.user(), "x");
    }

    @Override
    Connection sql() throws SQLException {
        return DriverManager.getConnection(url, server.user(), "x");
    }

    /** The same database opened again, as by a restarted controller. */
    private Store reopen() {
        store.close();
        store = SqlStore.server(url, server.user(), dir.resolve("db.pass"));
        return store;
    }

    @Test
    void newJobsTakeIdsAfterTheHighestJobEvenWhenTheCounterLagsAndTheCounterIsSavedAtClose() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        Job b = store().insertNew(StoreContractTestCase::bobs);
        // a controller killed without its close, or an old counter: the jobs themselves say which ids are taken
        try (Connection c = sql();
                java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE counters SET value=" + a.id() + " WHERE name='next_job_id'");
        }
        Job c = reopen().insertNew(StoreTest::job);
        assertThat(c.id()).isEqualTo(b.id() + 1);
        assertThat(store().activeJobs())
                .extracting(Job::id, Job::user)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(a.id(), "alice"),
                        org.assertj.core.groups.Tuple.tuple(b.id(), "bob"),
                        org.assertj.core.groups.Tuple.tuple(c.id(), "alice"));
        reopen();
        assertThat(rows("SELECT value FROM counters WHERE name='next_job_id'"))
                .containsExactly(String.valueOf(c.id() + 1));
    }

    @Test
    void theDatabasesHealthIsAnsweredWithoutWaitingForACommitInProgress() throws Exception {
        Store s = store();
        java.util.concurrent.CompletableFuture<java.util.Optional<String>> asked;
        // holding the store's lock stands for a commit that waits for a lost server
        synchronized (s) {
            asked = java.util.concurrent.CompletableFuture.supplyAsync(s::problem);
            await().atMost(Duration.ofSeconds(20)).until(asked::isDone);
        }
        assertThat(asked.get()).isEmpty();
        server.stop();
        try {
            // the store's own probe notices, with no write to fail first
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> s.problem()
                            .filter(p -> p.contains("is unreachable"))
                            .isPresent());
        } finally {
            server.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> s.problem().isEmpty());
    }

    @Test
    void aLostServerRefusesWritesKeepsJobEndsAndIsUsedAgainWhenBack() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        Job running = ran(a, 200, 0, null, 0);
        store().saveJob(running);
        server.stop();
        try {
            assertThatThrownBy(() -> store().insertNew(StoreTest::job))
                    .isInstanceOf(StoreException.class)
                    .hasMessageStartingWith(SqlStore.NOT_ACCEPTED + ": the job database " + url + " is unreachable");
            Job done = ran(a, 200, 260, JobState.COMPLETED, 0);
            assertThatThrownBy(() -> store().saveJob(done)).hasMessageContaining("is unreachable");
            assertThat(((SqlStore) store()).deferredCount()).isEqualTo(1);
            assertThat(store().problem()).hasValueSatisfying(p -> assertThat(p).contains("is unreachable"));
        } finally {
            server.start();
        }
        // back: the kept end is written by the store itself, and new jobs are taken again
        await().atMost(Duration.ofSeconds(30)).until(() -> ((SqlStore) store()).deferredCount() == 0);
        assertThat(store().problem()).isEmpty();
        assertThat(store().countJobs(JobState.COMPLETED)).isEqualTo(1);
        assertThat(store().insertNew(StoreTest::job).id()).isEqualTo(a.id() + 1);
    }
}
