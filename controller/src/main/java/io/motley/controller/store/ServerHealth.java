package io.motley.controller.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Whether a database server answers, as last seen by a write or by the store's own probe every
 * few seconds, so that scontrol ping answers at once: asking the server itself could wait for
 * the pool's connection timeout, or behind a commit that waits for it. While the server is known
 * to be lost, writes fail at once with the cause last seen ({@link #unreachable()}) instead of
 * each waiting out the pool's timeout under the store's lock: heartbeats, job ends and
 * submissions queued behind them would wait seconds each. Only the probe asks the server then.
 */
final class ServerHealth {
    /** The database as messages name it. */
    private final String where;
    /** Why the server could not be reached, in the driver's words; null when the last look found it answering. */
    private volatile String cause;

    ServerHealth(String where) {
        this.where = where;
    }

    /** A write or read found the server unreachable, the driver saying {@code cause}. */
    void failed(String cause) {
        this.cause = cause;
    }

    /** A transaction committed: the server answers. */
    void answered() {
        cause = null;
    }

    /** The driver's words for why the server was last found unreachable, or null when it answers. */
    String unreachable() {
        return cause;
    }

    Optional<String> problem() {
        String c = cause;
        return c == null ? Optional.empty() : Optional.of("cannot reach the job database: " + message(c));
    }

    /** How a lost server is said in errors, after what failed. */
    String message(String cause) {
        return "the job database " + where + " is unreachable (" + cause
                + "); the controller reconnects by itself when it is back";
    }

    /** Borrows a connection and checks that it answers, noting the result; true when it does. */
    boolean probe(HikariDataSource pool) {
        try (Connection c = pool.getConnection()) {
            if (!c.isValid(2)) throw new SQLException("the connection does not answer", "08006");
            cause = null;
            return true;
        } catch (SQLException e) {
            cause = ServerAccess.cause(e);
            return false;
        }
    }
}
