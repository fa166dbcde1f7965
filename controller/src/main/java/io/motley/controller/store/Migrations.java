package io.motley.controller.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Brings a database's schema up to date with Flyway's versioned migrations in
 * {@code db/migration/<database>}. SQLite goes V1 (each job one record), V2 (array ids), V3 (the
 * tables in columns) and V4 ({@link V4__RecordsIntoColumns}, a Java migration that moves the records
 * into them); a file written by Motley before Flyway is taken as being at the version its
 * {@code meta} table names. A server starts at V4, the whole schema at once.
 */
final class Migrations {
    private Migrations() {}

    static void sqlite(Connection c, String url) throws SQLException {
        FluentConfiguration cfg = base().dataSource(url, "", "")
                .locations("classpath:db/migration/" + Dialect.SQLITE.folder)
                .javaMigrations(new V4__RecordsIntoColumns());
        int before = preFlywayVersion(c);
        if (before > 2) {
            throw new SQLException("database schema " + before + " is newer than this Motley knows (2)");
        }
        if (before > 0) cfg.baselineOnMigrate(true).baselineVersion(Integer.toString(before));
        migrate(cfg.load());
    }

    static void server(DataSource ds, Dialect dialect) {
        migrate(base().dataSource(ds)
                .locations("classpath:db/migration/" + dialect.folder)
                .load());
    }

    private static FluentConfiguration base() {
        return Flyway.configure()
                .table("motley_schema_history")
                .loggers("slf4j")
                .baselineDescription("Motley before Flyway");
    }

    private static void migrate(Flyway flyway) {
        flyway.migrate();
        for (MigrationInfo m : flyway.info().applied()) {
            if (m.getState() == MigrationState.FUTURE_SUCCESS) {
                throw new IllegalStateException("the database's schema (version " + m.getVersion()
                        + ") is newer than this Motley knows; run the Motley that wrote it, or a later one");
            }
        }
    }

    /**
     * The schema version a file written before Flyway records in its {@code meta} table; 0 for
     * a new file or one Flyway manages already.
     */
    private static int preFlywayVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name IN ('meta','motley_schema_history')")) {
                boolean meta = false;
                while (r.next()) {
                    if (r.getString(1).equals("motley_schema_history")) return 0;
                    meta = true;
                }
                if (!meta) return 0;
            }
            try (ResultSet r = s.executeQuery("SELECT value FROM meta WHERE key='schema_version'")) {
                return r.next() ? r.getInt(1) : 0;
            }
        }
    }
}
