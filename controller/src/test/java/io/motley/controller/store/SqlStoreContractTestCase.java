package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.NodeState;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.step.StepState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the SQL databases hold in columns, for accounting to query. */
abstract class SqlStoreContractTestCase extends StoreContractTestCase {
    /** A connection to the database the current store uses. */
    abstract Connection sql() throws SQLException;

    /** Makes a new database of schema {@code version} only, as an older Motley left it; store() then opens that one. */
    abstract void olderSchema(String version) throws Exception;

    /** Flyway's migrations of {@code dialect} up to {@code version}, as {@link Migrations} runs them all. */
    static void migrateTo(String version, Dialect dialect, String url, String user, String password) {
        var flyway = org.flywaydb.core.Flyway.configure()
                .dataSource(url, user, password)
                .table("motley_schema_history")
                .locations("classpath:db/migration/" + dialect.folder)
                .target(version);
        // a server's V4 is a file; SQLite's is the Java migration
        if (dialect == Dialect.SQLITE) flyway.javaMigrations(new V4__RecordsIntoColumns());
        flyway.load().migrate();
    }

    List<String> rows(String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = sql();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(query)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) cells.add(String.valueOf(r.getObject(i)));
                out.add(String.join("|", cells));
            }
        }
        return out;
    }

    /**
     * sacct's listing takes a job that has not ended from the controller's own records when given them (its stored
     * record is not decoded), and an ended one from the store whatever it is given.
     */
    @Test
    void accountingTakesWaitingJobsFromTheControllersRecords() throws Exception {
        Job ended = store().insertNew(StoreTest::job);
        store().saveJob(ran(ended, 200, 260, JobState.FAILED, 3));
        Job waiting = store().insertNew(StoreContractTestCase::bobs);
        // the controller's records: the waiting job as it has it now, and a stale copy of the ended one
        Job mine = waiting.withStateDesc("as the controller has it");
        java.util.Map<Long, Job> current = java.util.Map.of(waiting.id(), mine, ended.id(), ended);
        var all = io.motley.core.accounting.AccountingQuery.builder().build();
        List<Job> got = store().accounting(all, current).stream()
                .map(io.motley.core.accounting.AccountingRecord::job)
                .toList();
        assertThat(got).extracting(Job::id).containsExactly(ended.id(), waiting.id());
        assertThat(got.get(0).state()).isEqualTo(JobState.FAILED);
        assertThat(got.get(1)).isSameAs(mine);
        // without them, the stored records: the same jobs
        assertThat(store().accounting(all).stream().map(r -> r.job().id()).toList())
                .containsExactly(ended.id(), waiting.id());
    }

    @Test
    void jobsLiveInColumns() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        store().saveJob(ran(a, 200, 260, JobState.FAILED, 3));
        store().insertNew(StoreContractTestCase::bobs);
        assertThat(rows("SELECT id, user_name, uid, account, partition_name, name, state, submit_time, start_time,"
                        + " end_time, exit_code, exit_signal, node_list, alloc_cpus, alloc_mem_mib, time_limit,"
                        + " max_rss_kib, user_cpu_ms, work_dir FROM jobs ORDER BY id"))
                .containsExactly(
                        a.id() + "|alice|1000|null|main|j|FAILED|100|200|260|3|0|n1|2|512|600|2048|150|/tmp",
                        (a.id() + 1) + "|bob|2000|null|main|j|PENDING|100|0|0|0|0|null|0|0|-1|0|0|/tmp");
    }

    @Test
    void aJobsSuspendedTimeLivesInItsColumn() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        store().saveJob(ran(a, 200, 0, null, 0).suspended(250).resumed(280));
        assertThat(rows("SELECT state, suspended FROM jobs WHERE id=" + a.id())).containsExactly("RUNNING|30");
        store().saveJob(ran(a, 200, 0, null, 0).suspended(250));
        assertThat(rows("SELECT state, suspended FROM jobs WHERE id=" + a.id())).containsExactly("SUSPENDED|0");
    }

    @Test
    void eachRunOfARequeuedJobKeepsItsRowAndItsBatchStep() throws Exception {
        Job a = store().insertNew(StoreTest::job);
        Job first = ran(a, 200, 0, null, 0);
        store().saveJob(first);
        Job again = first.requeue(300, false);
        store().saveJob(again);
        store().saveJob(ran(again, 400, 460, JobState.COMPLETED, 0));
        List<String> runs =
                rows("SELECT run, start_time, state, node_list FROM job_runs WHERE job_id=" + a.id() + " ORDER BY run");
        assertThat(runs).containsExactly("0|200|REQUEUED|n1", "1|400|COMPLETED|n1");
        assertThat(rows("SELECT end_time > 0 FROM job_runs WHERE job_id=" + a.id() + " AND run=0"))
                .containsExactly(sql().getMetaData().getURL().startsWith("jdbc:postgresql") ? "true" : "1");
        assertThat(rows("SELECT run, step_name, state, max_rss_kib FROM job_steps WHERE job_id=" + a.id()
                        + " ORDER BY run"))
                .containsExactly("0|batch|REQUEUED|0", "1|batch|COMPLETED|2048");
    }

    @Test
    void aDatabaseOfSchema7KeepsItsBatchStepsAndTakesSrunStepsBesideThem() throws Exception {
        olderSchema("7");
        try (Connection c = sql();
                Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO job_steps (job_id, run, step_name, start_time, end_time, state, exit_code,"
                    + " exit_signal, node_list, alloc_cpus, max_rss_kib, max_vm_kib, user_cpu_ms, system_cpu_ms)"
                    + " VALUES (5, 0, 'batch', 200, 260, 'COMPLETED', 0, 0, 'n1', 2, 2048, 4096, 150, 20)");
        }
        assertThat(store().steps(List.of(5L))).isEmpty();
        assertThat(rows("SELECT version FROM motley_schema_history ORDER BY installed_rank"))
                .endsWith("7", "8", "9", "10");
        store().saveStep(srunStep(5, 0, StepState.RUNNING, 0), 0);
        assertThat(rows("SELECT step_name, step_id, name, node_list, tasks, alloc_cpus, mem_mib, overlap FROM job_steps"
                        + " WHERE job_id=5 ORDER BY step_id"))
                .containsExactly("batch|-1|null|n1|1|2|0|0", "0|0|hostname|n2,n1|4|8|100|1");
        assertThat(store().steps(List.of(5L)).get(5L)).containsExactly(srunStep(5, 0, StepState.RUNNING, 0));
    }

    @Test
    void aStepStartedUnderSchema9EndsWithItsUsageInColumns() throws Exception {
        olderSchema("9");
        try (Connection c = sql();
                Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO job_steps (job_id, run, step_name, start_time, end_time, state, exit_code,"
                    + " exit_signal, node_list, alloc_cpus, max_rss_kib, max_vm_kib, user_cpu_ms, system_cpu_ms,"
                    + " step_id, name, tasks, mem_mib, overlap)"
                    + " VALUES (5, 0, '0', 210, 0, 'RUNNING', 0, 0, 'n2,n1', 8, 0, 0, 0, 0, 0, 'hostname', 4, 100, 1)");
        }
        assertThat(store().steps(List.of(5L)).get(5L)).containsExactly(srunStep(5, 0, StepState.RUNNING, 0));
        store().saveStep(srunStep(5, 0, StepState.COMPLETED, 240).withUsage(usage()), 0);
        assertThat(rows("SELECT state, max_rss_kib, max_vm_kib, user_cpu_ms, system_cpu_ms FROM job_steps"
                        + " WHERE job_id=5"))
                .containsExactly("COMPLETED|61440|95000|1800|400");
        assertThat(rows("SELECT task_usage FROM job_steps WHERE job_id=5").get(0))
                .startsWith("tasks=2,maxRss=61440/n2/0,");
        assertThat(store().steps(List.of(5L)).get(5L).get(0).usage()).isEqualTo(usage());
    }

    @Test
    void noIndexOfJobsIsTheLeadingPartOfAnother() throws Exception {
        store();
        // each index of jobs costs every submission its update; one that leads another is served by it
        java.util.Map<String, java.util.TreeMap<Short, String>> indexes = new java.util.TreeMap<>();
        try (Connection c = sql();
                ResultSet r = c.getMetaData().getIndexInfo(c.getCatalog(), c.getSchema(), "jobs", false, false)) {
            while (r.next()) {
                String name = r.getString("INDEX_NAME");
                String column = r.getString("COLUMN_NAME");
                if (name == null || column == null) continue;
                indexes.computeIfAbsent(name.toLowerCase(java.util.Locale.ROOT), k -> new java.util.TreeMap<>())
                        .put(r.getShort("ORDINAL_POSITION"), column.toLowerCase(java.util.Locale.ROOT));
            }
        }
        assertThat(indexes).containsKey("jobs_state_end").hasSizeGreaterThan(5);
        indexes.forEach((a, aColumns) -> indexes.forEach((b, bColumns) -> {
            List<String> x = List.copyOf(aColumns.values());
            List<String> y = List.copyOf(bColumns.values());
            if (!a.equals(b) && x.size() < y.size())
                assertThat(y.subList(0, x.size())).as(a + " leads " + b).isNotEqualTo(x);
        }));
    }

    @Test
    void aNodeStateChangeIsANodeEvent() throws Exception {
        store().saveNode(node("n1", NodeState.UP, null));
        store().saveNode(node("n1", NodeState.UP, null));
        store().saveNode(node("n1", NodeState.DRAIN, "disk"));
        store().saveNode(node("n1", NodeState.DRAIN, "disk"));
        assertThat(rows("SELECT node_name, state, reason FROM node_events ORDER BY id"))
                .containsExactly("n1|UP|null", "n1|DRAIN|disk");
        assertThat(rows("SELECT name, state, reason, cpus, features FROM nodes"))
                .containsExactly("n1|DRAIN|disk|4|ssd");
    }
}
