package io.motley.controller.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The store on a throwaway MariaDB (one per class). */
class MariaDbStoreTest extends SqlStoreContractTestCase implements AccountsStoreContractTestCase {
    static TestDatabases.Instance server;
    String url;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        String missing = TestDatabases.mariadbMissing();
        Assumptions.assumeTrue(missing == null, missing);
        server = TestDatabases.mariadb();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) server.close();
    }

    @Override
    Store newStore() throws Exception {
        if (url == null) url = server.newDatabase();
        Path pass = dir.resolve("db.pass");
        Files.writeString(pass, "x\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        return SqlStore.server(url, server.user(), pass);
    }

    @Override
    void olderSchema(String version) throws Exception {
        url = server.newDatabase();
        migrateTo(version, Dialect.MARIADB, url, server.user(), "x");
    }

    @Override
    Connection sql() throws SQLException {
        return DriverManager.getConnection(url, server.user(), "x");
    }
}
