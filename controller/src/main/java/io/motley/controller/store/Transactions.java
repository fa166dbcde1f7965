package io.motley.controller.store;

import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the store ends a transaction on a connection, whatever the database did to it first. */
final class Transactions {
    private static final Logger log = LoggerFactory.getLogger(Store.class);

    private Transactions() {}

    static void rollback(Connection c) {
        if (c == null) return;
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // SQLite may have rolled the transaction back already (as it does when the disk is full), and a lost
            // server's connection is gone; the original error is the one worth reporting
        }
    }

    /**
     * Back to autocommit after a transaction. After a failed one SQLite may have rolled it back
     * already, and the driver's commit of the empty transaction then fails ("no transaction is
     * active"): that is no news, and must not hide the error that matters.
     */
    static void restoreAutoCommit(Connection c, boolean afterCommit) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            if (afterCommit) throw new StoreException("database connection broken: " + e.getMessage(), e);
            log.debug("autocommit restored after a failed transaction: {}", e.getMessage());
        }
    }
}
