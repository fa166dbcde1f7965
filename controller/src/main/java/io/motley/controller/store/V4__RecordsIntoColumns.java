package io.motley.controller.store;

import io.motley.core.job.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * SQLite's V4 (named as Flyway requires of a Java migration): each job and node kept by V3 as one encoded record (in {@code jobs_v2} and
 * {@code nodes_v2}) is decoded and written into the new tables' columns; the old tables go.
 * This needs the record codec, which SQL does not have.
 */
final class V4__RecordsIntoColumns extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        String jobs = Dialect.SQLITE.upsert("jobs", java.util.List.of("id"), Rows.JOB_COLUMNS);
        String runs = Dialect.SQLITE.upsert("job_runs", java.util.List.of("job_id", "run"), Rows.RUN_COLUMNS);
        String steps =
                Dialect.SQLITE.upsert("job_steps", java.util.List.of("job_id", "run", "step_name"), Rows.STEP_COLUMNS);
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT record FROM jobs_v2 ORDER BY id");
                PreparedStatement pj = c.prepareStatement(jobs);
                PreparedStatement pr = c.prepareStatement(runs);
                PreparedStatement ps = c.prepareStatement(steps)) {
            while (r.next()) {
                Job j = Rows.job(r.getBytes(1));
                Rows.bindJob(pj, j);
                pj.executeUpdate();
                if (j.startTime() > 0) {
                    Rows.bindRun(pr, j);
                    pr.executeUpdate();
                    Rows.bindBatchStep(ps, j);
                    ps.executeUpdate();
                }
            }
        }
        String nodes = Dialect.SQLITE.upsert("nodes", java.util.List.of("name"), Rows.NODE_COLUMNS);
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT record FROM nodes_v2 ORDER BY name");
                PreparedStatement p = c.prepareStatement(nodes)) {
            while (r.next()) {
                Rows.bindNode(p, Rows.node(r.getBytes(1)));
                p.executeUpdate();
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE jobs_v2");
            s.execute("DROP TABLE nodes_v2");
        }
    }
}
