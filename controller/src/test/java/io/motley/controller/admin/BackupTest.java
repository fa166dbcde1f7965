package io.motley.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.motley.controller.store.Store;
import io.motley.controller.store.TestDatabases;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    static Job job(long id) {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j" + id)
                .environment(Map.of("SECRET", "s3cret"))
                .build();
        return Job.builder(id, r)
                .owner("alice", 1000, 1000)
                .priority(1)
                .times(Job.Times.submitted(100))
                .allocation(Job.Allocation.queued("main", TimeLimit.UNLIMITED))
                .build();
    }

    int motley(String... args) {
        out.reset();
        err.reset();
        return Backup.run(
                List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    static Path home(Path at, String conf) throws Exception {
        Files.createDirectories(at.resolve("etc/tls"));
        Files.writeString(at.resolve("etc/motley.conf"), conf);
        Files.writeString(at.resolve("etc/tls/ca.key"), "the CA's key\n");
        return at;
    }

    static List<String> names(Store s) {
        return s.activeJobs().stream().map(j -> j.request().name()).toList();
    }

    @Test
    void anEmbeddedDatabaseIsCopiedWhileOpenAndComesBackOnAnotherHome() throws Exception {
        Path home = home(dir.resolve("home"), "ClusterName=b\n");
        Path backup = dir.resolve("bk");
        try (Store s = Store.sqlite(home.resolve("state/motley.db"))) {
            for (int i = 0; i < 3; i++) s.insertNew(BackupTest::job);
            // taken while the store is open, as with a running controller
            assertThat(motley("backup", "--home", home.toString(), "--to", backup.toString()))
                    .as(err())
                    .isZero();
            s.insertNew(BackupTest::job);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("backup of " + home + " (sqlite");
        assertThat(Files.getPosixFilePermissions(backup)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.readString(backup.resolve("MANIFEST")))
                .startsWith("motley-backup 1\n")
                .contains(" etc/tls/ca.key\n", " state/motley.db\n", " state/job-ids\n");

        Path other = dir.resolve("other");
        assertThat(motley("restore", "--home", other.toString(), backup.toString()))
                .as(err())
                .isZero();
        assertThat(Files.readString(other.resolve("etc/tls/ca.key"))).isEqualTo("the CA's key\n");
        assertThat(Files.getPosixFilePermissions(other.resolve("etc/tls/ca.key")))
                .as("keys come back private")
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (Store s = Store.sqlite(other.resolve("state/motley.db"))) {
            assertThat(names(s)).containsExactly("j1", "j2", "j3");
        }

        // over the home it came from: refused without --force; with it, ids still never go back
        assertThat(motley("restore", "--home", home.toString(), backup.toString()))
                .isEqualTo(1);
        assertThat(err()).contains("exists: restore would replace it; give --force");
        assertThat(motley("restore", "--home", home.toString(), "--force", backup.toString()))
                .as(err())
                .isZero();
        try (Stream<Path> aside = Files.list(dir.resolve("home"))) {
            assertThat(aside.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("state.replaced-"));
        }
        try (Store s = Store.sqlite(home.resolve("state/motley.db"))) {
            assertThat(names(s)).containsExactly("j1", "j2", "j3");
            assertThat(s.insertNew(BackupTest::job).id())
                    .as("job 4 was issued after the backup: its id is not issued again")
                    .isGreaterThan(4);
        }
    }

    @Test
    void aDamagedOrForeignBackupIsRefusedBeforeAnythingChanges() throws Exception {
        Path home = home(dir.resolve("home"), "ClusterName=b\n");
        try (Store s = Store.sqlite(home.resolve("state/motley.db"))) {
            s.insertNew(BackupTest::job);
        }
        Path backup = dir.resolve("bk");
        assertThat(motley("backup", "--home", home.toString(), "--to", backup.toString()))
                .isZero();
        assertThat(motley("backup", "--home", home.toString(), "--to", backup.toString()))
                .as("never into a backup that is there")
                .isEqualTo(1);
        assertThat(err()).contains("is not empty");

        Files.writeString(backup.resolve("etc/motley.conf"), "ClusterName=evil\n");
        Path other = dir.resolve("other");
        assertThat(motley("restore", "--home", other.toString(), backup.toString()))
                .isEqualTo(1);
        assertThat(err()).contains("etc/motley.conf does not match its checksum");
        assertThat(other).doesNotExist();

        assertThat(motley("restore", "--home", other.toString(), dir.toString()))
                .isEqualTo(1);
        assertThat(err()).contains("is not a Motley backup");
    }

    @Test
    void refusedWhileAControllerRunsOnTheHome() throws Exception {
        Path home = home(dir.resolve("home"), "ClusterName=b\n");
        try (Store s = Store.sqlite(home.resolve("state/motley.db"))) {
            s.insertNew(BackupTest::job);
        }
        Path backup = dir.resolve("bk");
        assertThat(motley("backup", "--home", home.toString(), "--to", backup.toString()))
                .isZero();
        Files.createDirectories(home.resolve("run"));
        // this test's own JVM plays the running controller
        Files.writeString(
                home.resolve("run/controller.pid"), ProcessHandle.current().pid() + "\n");
        assertThat(motley("restore", "--home", home.toString(), "--force", backup.toString()))
                .isEqualTo(1);
        assertThat(err()).contains("a controller runs on " + home);
    }

    @Test
    void aPostgresDatabaseIsDumpedAndLoaded() throws Exception {
        String missing = TestDatabases.postgresMissing();
        assumeThat(missing).as(String.valueOf(missing)).isNull();
        try (TestDatabases.Instance pg = TestDatabases.postgres()) {
            serverRoundTrip(pg);
        }
    }

    @Test
    void aMariaDbDatabaseIsDumpedAndLoaded() throws Exception {
        String missing = TestDatabases.mariadbMissing();
        assumeThat(missing).as(String.valueOf(missing)).isNull();
        try (TestDatabases.Instance db = TestDatabases.mariadb()) {
            serverRoundTrip(db);
        }
    }

    private void serverRoundTrip(TestDatabases.Instance server) throws Exception {
        String url = server.newDatabase();
        Path home = home(
                dir.resolve("home"),
                "ClusterName=b\nStorageURL=" + url + "\nStorageUser=" + server.user() + "\nStoragePassFile=db.pass\n");
        Path pass = home.resolve("etc/db.pass");
        Files.writeString(pass, "x\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        ClusterConfig config = ClusterConfig.parse(Files.readString(home.resolve("etc/motley.conf")));
        try (Store s = Store.open(config, home)) {
            for (int i = 0; i < 2; i++) s.insertNew(BackupTest::job);
        }
        Path backup = dir.resolve("bk");
        assertThat(motley("backup", "--home", home.toString(), "--to", backup.toString()))
                .as(err())
                .isZero();
        assertThat(backup.resolve("state/database.sql")).exists();
        // the restore drill: the server's database is lost and made again, empty
        String db = url.substring(url.lastIndexOf('/') + 1);
        String admin = url.substring(0, url.lastIndexOf('/') + 1) + (url.contains("postgresql") ? "postgres" : "mysql");
        try (Connection c = DriverManager.getConnection(admin, server.user(), "x");
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE " + db);
            st.execute("CREATE DATABASE " + db);
        }
        Path other = dir.resolve("other");
        assertThat(motley("restore", "--home", other.toString(), backup.toString()))
                .as(err())
                .isZero();
        try (Store s = Store.open(config, other)) {
            assertThat(names(s)).containsExactly("j1", "j2");
        }
    }
}
