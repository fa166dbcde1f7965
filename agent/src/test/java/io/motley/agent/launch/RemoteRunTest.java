package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.agent.enforcement.TestHosts;
import io.motley.core.job.Job;
import io.motley.protocol.Message.Deliver;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Message.OutputChunk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose submit directory is not on its node (docs/files.md): it runs in a directory of its
 * own, its output reaches the submit host through the outbox, and where the filesystem is shared
 * a missing output directory fails the launch as Slurm's does (FAILED 0:53, JobLaunchFailure).
 */
class RemoteRunTest {
    @TempDir
    Path dir;

    final List<JobEnded> reports = new CopyOnWriteArrayList<>();
    static final String MISSING = "/nonexistent/motley-test/submit-dir";

    @AfterEach
    void removeCgroups() {
        TestHosts.removeGroups("n1");
    }

    static Launch from(Launch base, String submitNode, String sharedFilesystem) {
        Job j = base.job();
        return new Launch(
                base.cluster(),
                base.killWaitSeconds(),
                j.withRequest(j.request().withSubmitNode(submitNode)),
                sharedFilesystem);
    }

    JobEnded awaitReport(long id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> reports.stream().anyMatch(f -> f.id() == id));
        return reports.stream().filter(f -> f.id() == id).findFirst().orElseThrow();
    }

    /** The launcher with its chunks carried to a submit side in the same test, as the controller would route them. */
    JobLauncher loopback(Path delivered) throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        OutputDelivery submitSide = new OutputDelivery(dir.resolve("submit-records"), false);
        l.sendOutputThrough(r -> {
            OutputChunk c = (OutputChunk) r;
            Thread.ofVirtual()
                    .start(() -> l.delivered(submitSide.deliver(new Deliver(c, delivered.toString(), -1, -1, "x"))));
            return true;
        });
        return l;
    }

    @Test
    void aJobWhoseSubmitDirIsNotOnTheNodeRunsInItsOwnDirAndItsOutputTravels() throws Exception {
        Path delivered = dir.resolve("slurm-1.out");
        JobLauncher l = loopback(delivered);
        Launch order = from(
                Orders.order(Path.of(MISSING), "n1", 1, "pwd; echo \"$SLURM_SUBMIT_DIR\"; echo oops >&2", 100, 1),
                "laptop",
                "auto");
        l.launch(order);
        assertThat(Orders.fields(awaitReport(1))).containsEntry("state", "COMPLETED");
        Path work = dir.resolve("spool.work/job1");
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        Files.exists(delivered) && Files.readString(delivered).contains("oops"));
        assertThat(Files.readString(delivered)).isEqualTo(work + "\n" + MISSING + "\noops\n");
        // delivered: the outbox and the job's directory go
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !Files.exists(work) && !Files.exists(dir.resolve("spool/outbox/job1")));
    }

    /** SharedFilesystem=no: the job is sent away even where a directory of the same name exists on the node. */
    @Test
    void sharedFilesystemNoRunsRemoteEvenWhereTheDirectoryExists() throws Exception {
        Path delivered = dir.resolve("out-2");
        JobLauncher l = loopback(delivered);
        l.launch(from(Orders.order(dir, "n1", 2, "pwd", 100, 1), "laptop", "no"));
        assertThat(Orders.fields(awaitReport(2))).containsEntry("state", "COMPLETED");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(delivered) && Files.size(delivered) > 0);
        assertThat(Files.readString(delivered)).isEqualTo(dir.resolve("spool.work/job2") + "\n");
        assertThat(Files.exists(dir.resolve("slurm-2.out"))).isFalse();
    }

    /** Slurm's rule where the filesystem is shared: an output file that cannot be opened ends FAILED 0:53. */
    @Test
    void aMissingOutputDirectoryOnASharedFilesystemIsALaunchFailure() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        l.launch(from(Orders.order(Path.of(MISSING), "n1", 3, "true", 100, 1), "laptop", "yes"));
        // a job submitted on its own node always shares its filesystem
        l.launch(from(Orders.order(Path.of(MISSING), "n1", 4, "true", 100, 1), "n1", "auto"));
        for (long id : List.of(3L, 4L)) {
            assertThat(Orders.fields(awaitReport(id)))
                    .containsEntry("state", "FAILED")
                    .containsEntry("code", "0")
                    .containsEntry("signal", "53")
                    .containsEntry("desc", "JobLaunchFailure");
        }
    }

    @Test
    void aDirectoryClosedToOthersOnTheWayIsFound() throws Exception {
        Path open = Files.createDirectories(dir.resolve("a/b"));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertThat(JobLauncher.closedAncestor(open)).hasValue(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        assertThat(JobLauncher.closedAncestor(open)).isEmpty();
    }
}
