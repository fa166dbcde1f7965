package io.motley.controller.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The job id counter in the {@code counters} table: read, set, and the first id no job holds. */
final class JobIds {
    private JobIds() {}

    /** The counter's value ({@code lock}: the dialect's row lock clause, or empty), 1 when unset. */
    static long next(Connection c, String lock) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT value FROM counters WHERE name='next_job_id'" + lock)) {
            return r.next() ? r.getLong(1) : 1;
        }
    }

    static void set(Connection c, long next) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE counters SET value=? WHERE name='next_job_id'")) {
            p.setLong(1, next);
            p.executeUpdate();
        }
    }

    /**
     * The first id no job holds and the counter has not passed: ids are only ever taken, so the
     * highest job's id bounds them, and the counter keeps the mark of a clean close.
     */
    static long firstFree(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM jobs")) {
            r.next();
            return Math.max(next(c, ""), r.getLong(1) + 1);
        }
    }
}
