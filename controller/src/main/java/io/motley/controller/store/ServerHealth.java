package io.motley.controller.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Whether a database server answers, as last seen by a write or by the store's own probe every
 * few seconds, so that scontrol ping answers at once: asking the server itself could wait for
 * the pool's connection timeout, or behind a commit that waits for it.
 */
final class ServerHealth {
    /** What is wrong, or null when the last look found the server answering. */
    private volatile String problem;

    /** A write or read found the server unreachable: {@code message} says so. */
    void failed(String message) {
        problem = message;
    }

    /** A transaction committed: the server answers. */
    void answered() {
        problem = null;
    }

    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** Borrows a connection and checks that it answers, noting the result; true when it does. */
    boolean probe(HikariDataSource pool, String where) {
        try (Connection c = pool.getConnection()) {
            if (!c.isValid(2)) throw new SQLException("the connection does not answer", "08006");
            problem = null;
            return true;
        } catch (SQLException e) {
            problem = "cannot reach the job database: the job database " + where + " is unreachable ("
                    + ServerAccess.cause(e) + "); the controller reconnects by itself when it is back";
            return false;
        }
    }
}
