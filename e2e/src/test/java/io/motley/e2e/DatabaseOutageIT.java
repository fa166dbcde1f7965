package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.controller.store.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller on PostgreSQL loses its database while jobs run and submissions keep coming:
 * submissions are refused with a clear error, running jobs keep running and end, scontrol ping
 * says what is wrong, a job that ends during an outage longer than NodeTimeout stays RUNNING on
 * an up node until its end can be written; once the server is back the controller goes on by
 * itself, and every job whose id was answered is in the database with its final state.
 */
class DatabaseOutageIT {
    /** How long the outage lasts after the job's end: past the TestCluster's NodeTimeout (6 s) and a heartbeat or two. */
    static final Duration PAST_NODE_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** Submits in a loop, keeping each answered id and each refusal's message, until stopped. */
    static final class Submitter implements Runnable {
        final TestCluster c;
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Long> accepted = new ArrayList<>();
        final List<String> refused = new ArrayList<>();

        Submitter(TestCluster c) {
            this.c = c;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                TestCluster.Run r = c.cmd("sbatch", "--parsable", "--wrap", "true");
                synchronized (this) {
                    if (r.rc() == 0) accepted.add(Long.parseLong(r.out().trim()));
                    else refused.add(r.err().trim());
                }
            }
        }

        synchronized int acceptedCount() {
            return accepted.size();
        }

        synchronized List<String> refusals() {
            return List.copyOf(refused);
        }

        synchronized List<Long> answered() {
            return List.copyOf(accepted);
        }
    }

    @Test
    void aLostPostgresRefusesSubmissionsLetsJobsEndAndTheControllerRecoversByItself() throws Exception {
        String missing = TestDatabases.postgresMissing();
        assumeTrue(missing == null, missing);
        try (TestDatabases.Instance db = TestDatabases.postgres()) {
            String url = db.newDatabase();
            Path pass = Files.createDirectories(dir.resolve("secret")).resolve("db.pass");
            Files.writeString(pass, "x\n");
            Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
            String conf = "StorageURL=" + url + "\nStorageUser=" + db.user() + "\nStoragePassFile=" + pass + "\n";
            try (TestCluster c = new TestCluster(dir, conf)) {
                c.startController();
                c.startAgent("n1", 2, "500M");
                c.awaitNodesUp("n1");
                // a job that runs into the outage and ends during it, when the test lets it
                Path gate = c.workFile("gate");
                long through = c.submit(
                        "--wrap", "while [ ! -e " + gate + " ]; do sleep 0.2; done; touch " + gate + ".passed");
                c.awaitState(through, "RUNNING", Duration.ofSeconds(30));

                Submitter submitter = new Submitter(c);
                Thread loop = Thread.ofPlatform().name("submit-loop").start(submitter);
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> submitter.acceptedCount() >= 3);
                    db.stop();

                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> !submitter.refusals().isEmpty());
                    assertThat(submitter.refusals().get(0))
                            .startsWith("sbatch: error: Batch job submission failed: the job was not accepted")
                            .contains("the job database " + url + " is unreachable");
                    TestCluster.Run ping = c.cmd("scontrol", "ping");
                    assertThat(ping.rc()).isEqualTo(1);
                    assertThat(ping.out())
                            .contains("is UP")
                            .contains("Job database is UNUSABLE")
                            .contains("unreachable");

                    // the running job ends while the database is away
                    Files.createFile(gate);
                    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(c.workFile("gate.passed")));
                    assertThat(c.cmd("scontrol", "ping").out()).contains("UNUSABLE");
                    // the outage outlasts NodeTimeout (6 s) after the end, which the agent reports again at
                    // each heartbeat on the same link: all along, the controller keeps the job RUNNING (its end
                    // not recorded, not failed with its node) and the node up, its heartbeats being answered
                    long ended = System.nanoTime();
                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> {
                                assertThat(c.state(through)).isEqualTo("RUNNING");
                                assertThat(c.cmd("sinfo", "-N", "-h", "-n", "n1", "-o", "%t")
                                                .out()
                                                .trim())
                                        .matches("mix|alloc|idle");
                                return System.nanoTime() - ended > PAST_NODE_TIMEOUT.toNanos();
                            });

                    db.start();
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> c.cmd("scontrol", "ping").rc() == 0);
                    int before = submitter.acceptedCount();
                    await().atMost(Duration.ofSeconds(60)).until(() -> submitter.acceptedCount() >= before + 3);
                } finally {
                    submitter.stop.set(true);
                    loop.join();
                }

                // no restart: the job that ended during the outage is recorded, and every answered id ran
                c.awaitState(through, "COMPLETED", Duration.ofSeconds(60));
                List<Long> answered = submitter.answered();
                for (long id : answered) c.awaitState(id, "COMPLETED", Duration.ofSeconds(120));
                Map<Long, String> stored = new HashMap<>();
                try (Connection sql = DriverManager.getConnection(url, db.user(), "x");
                        Statement s = sql.createStatement();
                        ResultSet r = s.executeQuery("SELECT id, state FROM jobs")) {
                    while (r.next()) stored.put(r.getLong(1), r.getString(2));
                }
                assertThat(stored).containsEntry(through, "COMPLETED");
                // recorded on the link that lived through the outage: the node never went down, the job
                // neither failed with it nor ran again
                assertThat(c.log("controller"))
                        .doesNotContain("node down node=n1")
                        .doesNotContain("agent link closed node=n1")
                        .doesNotContain("job requeued: its node failed job=" + through);
                for (long id : answered) assertThat(stored).containsEntry(id, "COMPLETED");
                long next = c.submit("--wrap", "true");
                c.awaitState(next, "COMPLETED", Duration.ofSeconds(30));
            }
        }
    }
}
