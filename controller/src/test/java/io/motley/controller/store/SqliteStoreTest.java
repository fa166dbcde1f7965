package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends SqlStoreContractTestCase implements AccountsStoreContractTestCase {
    @TempDir
    Path dir;

    Path file() {
        return dir.resolve("state/motley.db");
    }

    @Override
    Store newStore() {
        return Store.sqlite(file());
    }

    @Override
    Connection sql() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file());
    }

    @Override
    void olderSchema(String version) throws Exception {
        Files.createDirectories(file().getParent());
        migrateTo(version, Dialect.SQLITE, "jdbc:sqlite:" + file(), "", "");
    }

    /** motley-v2.db was written by the Store before Flyway (see MakeV2.java.txt beside it). */
    @Test
    void aDatabaseOfTheSchemaBeforeFlywayIsMovedIntoColumns() throws Exception {
        Files.createDirectories(file().getParent());
        try (InputStream old = getClass().getResourceAsStream("/store/motley-v2.db")) {
            Files.copy(old, file());
        }
        Files.writeString(file().resolveSibling("job-ids"), "1001\n");
        assertThat(store().activeJobs())
                .extracting(Job::id, Job::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, JobState.PENDING),
                        org.assertj.core.groups.Tuple.tuple(3L, JobState.PENDING),
                        org.assertj.core.groups.Tuple.tuple(4L, JobState.RUNNING));
        assertThat(store().activeJobs().get(0).request().environment()).containsEntry("SECRET", "s3cret");
        assertThat(store().accounting(0, 0, -1, java.util.List.of(3L)))
                .extracting(Job::id)
                .containsExactly(3L, 4L);
        assertThat(rows("SELECT id, user_name, account, state, exit_code, node_list, restarts, max_rss_kib FROM jobs"
                        + " WHERE id=2"))
                .containsExactly("2|alice|physics|FAILED|3|n1|1|2048");
        assertThat(rows("SELECT job_id, run, state FROM job_runs ORDER BY job_id"))
                .containsExactly("2|1|FAILED", "4|0|RUNNING");
        assertThat(rows("SELECT version, success FROM motley_schema_history ORDER BY installed_rank"))
                .containsExactly("2|1", "3|1", "4|1", "5|1", "6|1", "7|1", "8|1", "9|1", "10|1");
        assertThat(rows("SELECT value FROM meta WHERE key='schema_version'"))
                .as("the Motley before refuses the new schema")
                .containsExactly("4");
        // the old file's ids continue, from the high-water mark as before
        assertThat(store().insertNew(StoreTest::job).id()).isEqualTo(1001);
        store().close();
        store = Store.sqlite(file());
        assertThat(store().countJobs(JobState.PENDING)).isEqualTo(3);
    }
}
