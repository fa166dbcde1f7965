package io.motley.controller.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.stream.Collectors;

/** What differs between the SQL of the three databases the store runs on. */
enum Dialect {
    SQLITE("sqlite"),
    POSTGRESQL("postgresql"),
    MARIADB("mariadb");

    /** The folder of this database's migrations under {@code db/migration}. */
    final String folder;

    Dialect(String folder) {
        this.folder = folder;
    }

    /** The dialect of a StorageURL (jdbc:mysql:// is served by the MariaDB driver). */
    static Dialect of(String url) {
        if (url.startsWith("jdbc:postgresql:")) return POSTGRESQL;
        if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) return MARIADB;
        if (url.startsWith("jdbc:sqlite:")) return SQLITE;
        throw new IllegalArgumentException("no database of mine answers " + url);
    }

    /** Inserts a row; fails when its key exists. */
    static String insert(String table, List<String> columns) {
        String marks = columns.stream().map(c -> "?").collect(Collectors.joining(","));
        return "INSERT INTO " + table + " (" + String.join(",", columns) + ") VALUES (" + marks + ")";
    }

    /** Inserts a row or, when its key exists, replaces its other columns. */
    String upsert(String table, List<String> key, List<String> columns) {
        String insert = insert(table, columns);
        List<String> rest = columns.stream().filter(c -> !key.contains(c)).toList();
        return switch (this) {
            case SQLITE, POSTGRESQL ->
                insert + " ON CONFLICT (" + String.join(",", key) + ") DO UPDATE SET "
                        + rest.stream().map(c -> c + "=excluded." + c).collect(Collectors.joining(","));
            case MARIADB ->
                insert + " ON DUPLICATE KEY UPDATE "
                        + rest.stream().map(c -> c + "=VALUES(" + c + ")").collect(Collectors.joining(","));
        };
    }

    /** Locks the rows a SELECT read until the transaction ends (SQLite locks the whole file anyway). */
    String forUpdate() {
        return this == SQLITE ? "" : " FOR UPDATE";
    }

    /** Whether a failure means the server cannot be reached (as opposed to a bad statement or a full disk). */
    static boolean unreachable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) return true;
            if (t instanceof java.net.ConnectException || t instanceof java.io.EOFException) return true;
            if (t instanceof java.net.SocketException) return true;
            if (t instanceof SQLException s
                    && s.getSQLState() != null
                    && s.getSQLState().startsWith("08")) return true;
        }
        return false;
    }
}
