package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The store over real files: who may read them, what happens when they vanish or the disk fills. */
class StoreTest {
    @TempDir
    Path dir;

    static Job job(long id) {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .environment(Map.of("SECRET", "s3cret"))
                .submitHost("h")
                .build();
        return Job.builder(id, r)
                .owner("alice", 1000, 1000)
                .priority(1)
                .times(Job.Times.submitted(100))
                .allocation(Job.Allocation.queued("main", TimeLimit.UNLIMITED))
                .build();
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void theDatabaseItsWalAndTheIdMarkAreTheOwnersOnly() throws Exception {
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Store store = Store.sqlite(state.resolve("motley.db"))) {
            store.insertNew(StoreTest::job);
            assertThat(mode(state)).isEqualTo("rwx------");
            for (String f : List.of("motley.db", "motley.db-wal", "motley.db-shm", "job-ids")) {
                assertThat(state.resolve(f)).exists();
                assertThat(mode(state.resolve(f))).as(f).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void aDatabaseMadeBeforeIsMadePrivateWhenOpened() throws Exception {
        Path db = dir.resolve("state/motley.db");
        Store.sqlite(db).close();
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        try (Store store = Store.sqlite(db)) {
            assertThat(mode(db)).isEqualTo("rw-------");
        }
    }

    @Test
    void aDeletedDatabaseRefusesNewJobsAndSaysWhatToDo() throws Exception {
        Path db = dir.resolve("state/motley.db");
        Store store = Store.sqlite(db);
        store.insertNew(StoreTest::job);
        store.insertNew(StoreTest::job);
        assertThat(store.problem()).isEmpty();
        for (String f : List.of("motley.db", "motley.db-wal", "motley.db-shm"))
            Files.deleteIfExists(db.resolveSibling(f));

        String expected =
                "the job database " + db + " was deleted or replaced while the controller ran; restart the controller"
                        + " to start a new one (job ids continue from 3)";
        assertThatThrownBy(() -> store.insertNew(StoreTest::job))
                .isInstanceOf(StoreException.class)
                .hasMessage(expected);
        assertThat(store.problem()).contains(expected);
        store.close();

        // the new database continues the ids instead of starting again at 1
        try (Store again = Store.sqlite(db)) {
            assertThat(again.insertNew(StoreTest::job).id()).isEqualTo(3);
        }
    }

    @Test
    void aReplacedDatabaseIsNoticedToo() throws Exception {
        Path db = dir.resolve("state/motley.db");
        try (Store store = Store.sqlite(db)) {
            store.insertNew(StoreTest::job);
            Path other = dir.resolve("other.db");
            Files.writeString(other, "");
            Files.move(other, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> store.insertNew(StoreTest::job)).hasMessageContaining("was deleted or replaced");
        }
    }

    @Test
    void idsNeverGoBackwardsWhenTheDatabaseIsLostInACrash() throws Exception {
        Path db = dir.resolve("state/motley.db");
        Store crashed = Store.sqlite(db);
        crashed.insertNew(StoreTest::job);
        crashed.insertNew(StoreTest::job);
        // written ahead in a block, before the first id was committed
        assertThat(Files.readString(db.resolveSibling("job-ids")).strip()).isEqualTo("1001");
        Object markFile = Files.readAttributes(
                        db.resolveSibling("job-ids"), java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey();
        crashed.insertNew(StoreTest::job);
        assertThat(Files.readAttributes(db.resolveSibling("job-ids"), java.nio.file.attribute.BasicFileAttributes.class)
                        .fileKey())
                .as("not rewritten within its block")
                .isEqualTo(markFile);
        // the controller dies (no close) and the database goes with it
        for (String f : List.of("motley.db", "motley.db-wal", "motley.db-shm"))
            Files.deleteIfExists(db.resolveSibling(f));

        ListAppender<ILoggingEvent> logged = capture();
        try (Store fresh = Store.sqlite(db)) {
            assertThat(fresh.insertNew(StoreTest::job).id()).isEqualTo(1001);
        } finally {
            release(logged);
        }
        assertThat(logged.list)
                .filteredOn(e -> e.getLevel() == Level.ERROR)
                .singleElement()
                .extracting(ILoggingEvent::getFormattedMessage)
                .asString()
                .contains("the job database was lost", db.toString(), "job ids continue from 1001");
    }

    @Test
    void aCleanRestartLeavesNoGapAndAnOlderDatabaseContinuesFromTheMark() throws Exception {
        Path db = dir.resolve("state/motley.db");
        try (Store store = Store.sqlite(db)) {
            store.insertNew(StoreTest::job);
            store.insertNew(StoreTest::job);
        }
        Path backup = dir.resolve("backup.db");
        Files.copy(db, backup);
        try (Store store = Store.sqlite(db)) {
            assertThat(store.insertNew(StoreTest::job).id()).isEqualTo(3);
            store.insertNew(StoreTest::job);
        }
        // an operator restores yesterday's database: ids 3 and 4 were handed out since
        Files.copy(backup, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(db.resolveSibling("motley.db-wal"));
        Files.deleteIfExists(db.resolveSibling("motley.db-shm"));
        try (Store restored = Store.sqlite(db)) {
            assertThat(restored.insertNew(StoreTest::job).id()).isEqualTo(5);
        }
    }

    @Test
    void aDamagedMarkStopsTheStartWithAClearError() throws Exception {
        Path db = dir.resolve("state/motley.db");
        Store.sqlite(db).close();
        Files.writeString(db.resolveSibling("job-ids"), "garbage\n");
        assertThatThrownBy(() -> Store.sqlite(db))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("job-ids is damaged ('garbage')");
    }

    @Test
    void aFullDiskIsReportedAsSuchNothingIsHalfWrittenAndTheStoreRecovers() throws Exception {
        Path mount = dir.resolve("tiny");
        Files.createDirectories(mount);
        Assumptions.assumeTrue(
                mountTmpfs(mount), "needs root and mount(8) to put the database on a full filesystem (a 1 MiB tmpfs)");
        try {
            Path db = mount.resolve("state/motley.db");
            try (Store store = Store.sqlite(db)) {
                long first = store.insertNew(StoreTest::job).id();
                Path filler = mount.resolve("filler");
                fill(filler);
                String expected = "the controller's disk is full: cannot save the job to " + db
                        + " (free space on that filesystem and resubmit)";
                for (int i = 0; i < 3; i++) {
                    assertThatThrownBy(() -> store.insertNew(StoreTest::job))
                            .isInstanceOf(StoreException.class)
                            .hasMessage(expected);
                }
                assertThatThrownBy(() -> store.saveJob(job(first).withPriority(7)))
                        .hasMessageStartingWith("the controller's disk is full: cannot save job changes to " + db);
                assertThat(store.countJobs(JobState.PENDING)).isEqualTo(1);

                Files.delete(filler);
                // space is back: the next job is saved, with the next id, and nothing of the failed ones
                Job next = store.insertNew(StoreTest::job);
                assertThat(next.id()).isEqualTo(first + 1);
                assertThat(store.countJobs(JobState.PENDING)).isEqualTo(2);
                assertThat(store.accounting(0, Long.MAX_VALUE, -1, List.of(first, next.id())))
                        .extracting(Job::id)
                        .containsExactly(first, next.id());
            }
        } finally {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
        }
    }

    private static boolean mountTmpfs(Path at) {
        try {
            if (!"root".equals(System.getProperty("user.name"))) return false;
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", at.toString())
                    .inheritIO()
                    .start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes until the filesystem refuses. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) out.write(block);
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) throw e;
        }
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> a = new ListAppender<>();
        a.start();
        ((Logger) LoggerFactory.getLogger(Store.class)).addAppender(a);
        return a;
    }

    private static void release(ListAppender<ILoggingEvent> a) {
        ((Logger) LoggerFactory.getLogger(Store.class)).detachAppender(a);
    }
}
