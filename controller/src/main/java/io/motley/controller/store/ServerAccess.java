package io.motley.controller.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** The StoragePassFile's rules and the words for a database server that cannot be reached. */
final class ServerAccess {
    private ServerAccess() {}

    /**
     * The password: the pass file's first line. The file must be the controller user's alone
     * (no group or other permission), as ssh insists for a private key.
     */
    static String password(Path passFile) {
        if (passFile == null) return null;
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(passFile);
            for (PosixFilePermission p : perms) {
                if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                    throw new StoreException(
                            "StoragePassFile " + passFile + " may be read or changed by other users; make it the"
                                    + " controller's alone: chmod 600 " + passFile,
                            null);
                }
            }
            String text = Files.readString(passFile, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            String line = nl < 0 ? text : text.substring(0, nl);
            return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        } catch (NoSuchFileException e) {
            throw new StoreException(
                    "StoragePassFile " + passFile + " does not exist: write the database password in it (one line)"
                            + " and chmod 600 " + passFile,
                    e);
        } catch (IOException e) {
            throw new StoreException("cannot read StoragePassFile " + passFile + ": " + e.getMessage(), e);
        }
    }

    /** The URL as messages show it: a password written into it (against advice) is masked. */
    static String shown(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    static String unreachableAtStart(String shown, Throwable e) {
        return "cannot connect to the job database " + shown + ": " + cause(e)
                + "; check that the database server is running and accepts connections from this host, and the"
                + " StorageURL, StorageUser and StoragePassFile lines of motley.conf (see docs/storage.md)";
    }

    /** The innermost message of a failure, where the driver says what went wrong. */
    static String cause(Throwable e) {
        Throwable t = e;
        String message = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) message = t.getMessage();
        }
        return message == null ? e.toString() : message.strip();
    }

    /** A pool of connections to the server at {@code url}; the message of a failure says which URL and how to fix it. */
    static HikariDataSource pool(String url, String user, Path passFile) {
        String password = password(passFile);
        HikariConfig cfg = new HikariConfig();
        // the MariaDB driver serves jdbc:mysql:// only when told to; it is the same protocol
        cfg.setJdbcUrl(url.startsWith("jdbc:mysql:") ? "jdbc:mariadb:" + url.substring("jdbc:mysql:".length()) : url);
        if (user != null) cfg.setUsername(user);
        if (password != null) cfg.setPassword(password);
        // a group of new jobs goes as one multi-row INSERT, not one statement a job
        if (url.startsWith("jdbc:postgresql:")) cfg.addDataSourceProperty("reWriteBatchedInserts", "true");
        cfg.setPoolName("motley-store");
        cfg.setMaximumPoolSize(4);
        cfg.setMinimumIdle(1);
        // a submission waits this long for a lost server before it is refused
        cfg.setConnectionTimeout(3000);
        cfg.setValidationTimeout(1000);
        cfg.setInitializationFailTimeout(1);
        try {
            return new HikariDataSource(cfg);
        } catch (RuntimeException e) {
            throw new StoreException(unreachableAtStart(shown(url), e), e);
        }
    }
}
