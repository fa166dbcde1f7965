package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's findings 8 and 9: the controller's database deleted under it, and the state and
 * spool directories on a full disk. Each must be reported for what it is, at once, and lose
 * nothing; ids never go back.
 */
class StoreLossIT {
    @TempDir
    Path dir;

    @Test
    void deletingTheDatabaseIsNeverSilent() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 1, "500M");
            c.awaitNodesUp("n1");
            long first = c.submit("--wrap", "true");
            c.awaitState(first, "COMPLETED", Duration.ofSeconds(20));
            for (String f : new String[] {"motley.db", "motley.db-wal", "motley.db-shm"}) {
                Files.deleteIfExists(c.home.resolve("state").resolve(f));
            }
            TestCluster.Run refused = c.cmd("sbatch", "--wrap", "true");
            assertThat(refused.rc()).as(refused.out()).isEqualTo(1);
            assertThat(refused.err()).contains("deleted");
            TestCluster.Run ping = c.cmd("scontrol", "ping");
            assertThat(ping.out() + ping.err()).containsIgnoringCase("database");
            c.killController();
            c.startController();
            c.awaitNodesUp("n1");
            long next = c.submit("--wrap", "true");
            assertThat(next).as("ids never go backwards").isGreaterThan(first);
            assertThat(c.log("controller")).contains("database");
        }
    }

    @Test
    void aFullDiskIsReportedAsDiskFullAtSubmitAndAtLaunch() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs to fill needs root");
        assumeTrue(
                new File("/bin/mount").canExecute() || new File("/usr/bin/mount").canExecute(), "mount(8) is needed");
        try (TestCluster c = new TestCluster(dir, "")) {
            Path state = Files.createDirectories(c.home.resolve("state"));
            Path spool = Files.createDirectories(c.home.resolve("spool"));
            mount(state, "2m");
            try {
                mount(spool, "2m");
                try {
                    c.startController();
                    c.startAgent("n1", 1, "500M");
                    c.awaitNodesUp("n1");
                    long ok = c.submit("--wrap", "true");
                    c.awaitState(ok, "COMPLETED", Duration.ofSeconds(20));

                    fill(state);
                    TestCluster.Run full = c.cmd("sbatch", "--wrap", "true");
                    assertThat(full.rc()).isEqualTo(1);
                    assertThat(full.err()).contains("disk is full");
                    Files.delete(state.resolve("filler"));
                    await().atMost(Duration.ofSeconds(20))
                            .until(() -> c.cmd("sbatch", "--wrap", "true").rc() == 0);
                    // the jobs before must be over and their spool directories gone, or their removal frees room again
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> c.cmd("squeue", "-h").out().isBlank() && noJobDirs(spool));

                    fill(spool);
                    long failed = c.submit("--wrap", "true");
                    c.awaitState(failed, "FAILED", Duration.ofSeconds(30));
                    assertThat(c.cmd("scontrol", "show", "job", Long.toString(failed))
                                    .out())
                            .as(c.log("agent-n1"))
                            .contains("No_space_left_on_device");
                    assertThat(c.cmd("sacct", "-n", "-j", Long.toString(failed), "-o", "Reason%100")
                                    .out())
                            .containsIgnoringCase("space");
                    Files.delete(spool.resolve("filler"));
                } finally {
                    c.close();
                    umount(spool);
                }
            } finally {
                umount(state);
            }
        }
    }

    private static void mount(Path at, String size) throws Exception {
        Process p = new ProcessBuilder(
                        "mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", at.toString())
                .inheritIO()
                .start();
        assertThat(p.waitFor()).as("mount tmpfs on " + at).isZero();
    }

    private static void umount(Path at) throws Exception {
        new ProcessBuilder("umount", "-l", at.toString()).inheritIO().start().waitFor();
    }

    private static boolean noJobDirs(Path spool) throws IOException {
        try (var walk = Files.walk(spool, 2)) {
            return walk.noneMatch(p -> p.getFileName().toString().startsWith("job"));
        }
    }

    /** Writes zeros until not one more byte fits on the filesystem. */
    private static void fill(Path fs) throws IOException {
        try (var out = java.nio.channels.FileChannel.open(
                fs.resolve("filler"),
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (int chunk = 64 * 1024; chunk > 0; chunk /= 2) {
                try {
                    while (true) out.write(java.nio.ByteBuffer.allocate(chunk));
                } catch (IOException full) {
                    if (!String.valueOf(full.getMessage()).contains("No space left")) throw full;
                }
            }
        }
    }
}
