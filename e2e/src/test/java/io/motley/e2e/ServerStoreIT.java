package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.controller.store.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller on a PostgreSQL or MariaDB server (StorageURL): every job it accepted survives
 * a kill -9 of the controller and runs after the restart; and a server that cannot be reached at
 * start is named, with what to check, and the controller exits non-zero.
 */
class ServerStoreIT {
    @TempDir
    Path dir;

    @Test
    void acceptedJobsSurviveAKilledControllerOnPostgres() throws Exception {
        String missing = TestDatabases.postgresMissing();
        assumeTrue(missing == null, missing);
        try (TestDatabases.Instance db = TestDatabases.postgres()) {
            killAndRestart(db);
        }
    }

    @Test
    void acceptedJobsSurviveAKilledControllerOnMariaDb() throws Exception {
        String missing = TestDatabases.mariadbMissing();
        assumeTrue(missing == null, missing);
        try (TestDatabases.Instance db = TestDatabases.mariadb()) {
            killAndRestart(db);
        }
    }

    private void killAndRestart(TestDatabases.Instance db) throws Exception {
        String url = db.newDatabase();
        Path pass = Files.createDirectories(dir.resolve("secret")).resolve("db.pass");
        Files.writeString(pass, "x\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        String conf = "StorageURL=" + url + "\nStorageUser=" + db.user() + "\nStoragePassFile=" + pass + "\n";
        try (TestCluster c = new TestCluster(dir, conf)) {
            c.startController();
            c.startAgent("n1", 2, "500M");
            c.awaitNodesUp("n1");
            List<Long> accepted = new ArrayList<>();
            for (int i = 0; i < 6; i++) accepted.add(c.submit("--wrap", "true"));
            c.killController();
            assertThat(Files.exists(c.home.resolve("state/motley.db")))
                    .as("no embedded file beside the server")
                    .isFalse();
            c.startController();
            c.awaitNodesUp("n1");
            for (long id : accepted) c.awaitState(id, "COMPLETED", Duration.ofSeconds(60));
            long next = c.submit("--wrap", "true");
            assertThat(next).as("ids continue after the restart").isGreaterThan(accepted.getLast());
            c.awaitState(next, "COMPLETED", Duration.ofSeconds(30));
        }
    }

    @Test
    void anUnreachableDatabaseAtStartIsNamedAndTheControllerExitsNonZero() throws Exception {
        int port = TestCluster.freePort();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/motley";
        Path pass = Files.createDirectories(dir.resolve("secret")).resolve("db.pass");
        Files.writeString(pass, "hunter2\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        String conf = "StorageURL=" + url + "\nStorageUser=motley\nStoragePassFile=" + pass + "\n";
        try (TestCluster c = new TestCluster(dir, conf)) {
            ProcessBuilder pb = new ProcessBuilder(
                    TestCluster.BIN.resolve("motley").toString(), "controller", "--home", c.home.toString());
            pb.environment().put("MOTLEY_HOME", c.home.toString());
            pb.environment()
                    .put(
                            "MOTLEY_JAVA",
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString());
            pb.environment()
                    .put("MOTLEY_LOG_FILE", c.home.resolve("log/controller.log").toString());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            assertThat(out)
                    .contains("motley controller: error: cannot connect to the job database " + url)
                    .contains("StorageURL, StorageUser and StoragePassFile")
                    .doesNotContain("hunter2");
            assertThat(c.log("controller")).contains(url).doesNotContain("hunter2");
        }
    }
}
