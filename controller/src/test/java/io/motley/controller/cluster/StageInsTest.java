package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.ClusterTest.FakeLink;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.job.Staging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sbatch --stage-in archives that arrive in chunks after the submission (docs/files.md). */
class StageInsTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_000_000);
    static final Caller ANN = as(1000, 1000, "ann");
    static final Caller BOB = as(1001, 1001, "bob");
    static final Caller ROOT = as(0, 0, "root");

    final byte[] archive = bytes(2 * Staging.CHUNK_BYTES + 12345, 7);

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    Cluster cluster(Store store, String conf) throws Exception {
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=10\n" + conf), store, now::get);
        c.keepStageInsIn(dir.resolve("state/stage-in"));
        return c;
    }

    JobRequest announced(byte[] tar) throws Exception {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/home/ann")
                .name("j")
                .submitHost("h")
                .options(Map.of(
                        Staging.IN, "data",
                        Staging.IN_SIZE, Long.toString(tar.length),
                        Staging.IN_SHA256, sha256(tar)))
                .build();
    }

    /** Sends the archive in chunks from {@code from}, as sbatch does; the last answer. */
    static StageIns.Received upload(Cluster c, long id, byte[] tar, long from, Caller who) {
        StageIns.Received r = null;
        for (long off = from; off < tar.length; off += Staging.CHUNK_BYTES) {
            byte[] chunk = Arrays.copyOfRange(tar, (int) off, (int) Math.min(tar.length, off + Staging.CHUNK_BYTES));
            r = c.stageInChunk(id, off, chunk, who);
            if (r.error() != null) return r;
        }
        return r;
    }

    Path spool() {
        return dir.resolve("state/stage-in");
    }

    @Test
    void aJobWaitsWithReasonStageInUntilItsArchiveArrivedWholeThenRunsAndItsNodeReadsIt() throws Exception {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store, "");
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 2));
        long id = id(c.submit(announced(archive), ANN));
        assertThat(c.job(id).orElseThrow().reason()).isEqualTo(PendingReason.StageIn);
        c.schedulePass();
        assertThat(n1.ops()).doesNotContain("launch:" + id);
        assertThat(c.job(id).orElseThrow().reason()).isEqualTo(PendingReason.StageIn);

        // another user may not send it; a chunk out of place is not written, and says where to go on
        assertThat(c.stageInChunk(id, 0, new byte[] {1}, BOB).error()).isEqualTo("Access/permission denied");
        byte[] first = Arrays.copyOf(archive, Staging.CHUNK_BYTES);
        assertThat(c.stageInChunk(id, 0, first, ANN))
                .isEqualTo(new StageIns.Received(Staging.CHUNK_BYTES, false, null));
        assertThat(c.stageInChunk(id, 5, new byte[] {1}, ANN))
                .isEqualTo(new StageIns.Received(Staging.CHUNK_BYTES, false, null));
        // a node may not read it before it is whole
        assertThat(c.stageInRead(id, 0, 10, null, ROOT).error()).contains("holds no stage-in files");

        StageIns.Received last = upload(c, id, archive, Staging.CHUNK_BYTES, ANN);
        assertThat(last).isEqualTo(new StageIns.Received(archive.length, true, null));
        assertThat(c.job(id).orElseThrow().request().payload().options()).doesNotContainKey(Staging.IN_AWAITED);
        c.schedulePass();
        assertThat(n1.ops()).contains("launch:" + id);

        // the node the job runs on reads it; another node may not
        assertThat(c.stageInRead(id, 0, 10, "n2", ROOT).error()).contains("does not run on n2");
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        long size = -1;
        while (got.size() < archive.length) {
            StageIns.Read r = c.stageInRead(id, got.size(), Staging.CHUNK_BYTES, "n1", ROOT);
            assertThat(r.error()).isNull();
            size = r.size();
            got.write(r.data());
        }
        assertThat(size).isEqualTo(archive.length);
        assertThat(got.toByteArray()).isEqualTo(archive);

        // the file is kept while the ended job is in view (scontrol requeue may run it again), and goes after
        c.checkStageIns();
        assertThat(Files.list(spool())).hasSize(1);
        c.jobEnded("n1", ended(id, 0, JobState.COMPLETED, 0, 0, now.get(), null));
        c.checkStageIns();
        assertThat(Files.list(spool())).hasSize(1);
        now.addAndGet(301);
        c.checkNodes();
        assertThat(c.jobs()).extracting(Job::id).doesNotContain(id);
        c.checkStageIns();
        assertThat(Files.list(spool())).isEmpty();
        store.close();
    }

    /** A finished job requeued by scontrol runs again with its files: its node reads the same archive. */
    @Test
    void aFinishedJobRequeuedRunsAgainWithItsArchive() throws Exception {
        Cluster c = cluster(new io.motley.controller.store.MemoryStore(), "RequeueDelay=0\n");
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 2));
        long id = id(c.submit(announced(archive), ANN));
        assertThat(upload(c, id, archive, 0, ANN).complete()).isTrue();
        c.schedulePass();
        c.jobEnded("n1", ended(id, 0, JobState.COMPLETED, 0, 0, now.get(), null));
        now.addAndGet(10);
        c.checkStageIns();

        assertThat(c.requeue(java.util.List.of(id), ANN, false)).allMatch(o -> o.error() == null);
        now.addAndGet(1);
        c.checkStageIns();
        c.schedulePass();
        Job again = c.job(id).orElseThrow();
        assertThat(again.state()).isEqualTo(JobState.RUNNING);
        assertThat(again.restarts()).isEqualTo(1);
        StageIns.Read r = c.stageInRead(id, 0, 10, "n1", ROOT);
        assertThat(r.error()).isNull();
        assertThat(r.size()).isEqualTo(archive.length);
        assertThat(r.data()).isEqualTo(Arrays.copyOf(archive, 10));
    }

    /**
     * The spool as a whole is bounded: a submission whose archive would take the archives of the
     * jobs in view past StageInSpoolSize is refused, with nothing stored, until one of them has
     * left view.
     */
    @Test
    void aSubmissionThatWouldFillTheSpoolIsRefusedUntilRoomIsMade() throws Exception {
        Cluster c = cluster(new io.motley.controller.store.MemoryStore(), "StageInSpoolSize=5M\n");
        long first = id(c.submit(announced(archive), ANN));
        id(c.submit(announced(archive), BOB));
        int jobs = c.jobs().size();
        Submission s = c.submit(announced(archive), ANN);
        assertThat(failure(s)).isEqualTo("Stage-in spool full, try again later");
        assertThat(detail(s))
                .isEqualTo("--stage-in: the controller's stage-in spool is full: the archives of the jobs in view take "
                        + 2L * archive.length + " bytes, and this job's " + archive.length
                        + " would pass StageInSpoolSize (5242880 bytes); submit it again once some of those jobs"
                        + " have ended");
        assertThat(c.jobs()).hasSize(jobs);
        // a job without chunked files is not bound by it
        assertThat(id(c.submit(
                        JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                                .name("j")
                                .build(),
                        ANN)))
                .isPositive();

        c.cancel(java.util.List.of(first), Map.of(), ANN);
        assertThat(failure(c.submit(announced(archive), ANN))).isEqualTo("Stage-in spool full, try again later");
        now.addAndGet(301);
        c.checkNodes();
        assertThat(id(c.submit(announced(archive), ANN))).isPositive();
    }

    /**
     * The spool's disk: a submission is refused when the filesystem lacks room for its archive
     * beside what the uploads under way will still write, with room to spare left over.
     */
    @Test
    void aSubmissionIsRefusedWhenTheSpoolsDiskLacksRoomForItBesideTheUploadsUnderWay() throws Exception {
        AtomicLong free = new AtomicLong(StageIns.DISK_SPARE + archive.length + archive.length / 2);
        Cluster c = new Cluster(
                ClusterConfig.parse("NodeTimeout=10\n"), new io.motley.controller.store.MemoryStore(), now::get);
        c.keepStageInsIn(spool(), free::get);
        long first = id(c.submit(announced(archive), ANN));
        // half of the first upload is written: the other half is still to come
        c.stageInChunk(first, 0, Arrays.copyOf(archive, Staging.CHUNK_BYTES), ANN);
        free.addAndGet(-Staging.CHUNK_BYTES);
        Submission s = c.submit(announced(archive), ANN);
        assertThat(failure(s)).isEqualTo("Stage-in spool full, try again later");
        assertThat(detail(s))
                .startsWith("--stage-in: the controller's disk has " + free.get() + " bytes free, too little for"
                        + " this job's " + archive.length + " bytes beside the "
                        + (archive.length - Staging.CHUNK_BYTES) + " bytes of uploads under way");
        // the disk grew (files removed elsewhere): taken
        free.addAndGet(archive.length);
        assertThat(id(c.submit(announced(archive), ANN))).isPositive();
    }

    @Test
    void anArchiveThatArrivesDamagedFailsTheJobAndIsNotKept() throws Exception {
        Cluster c = cluster(new io.motley.controller.store.MemoryStore(), "");
        long id = id(c.submit(announced(archive), ANN));
        byte[] damaged = archive.clone();
        damaged[archive.length - 1] ^= 1;
        StageIns.Received r = upload(c, id, damaged, 0, ANN);
        assertThat(r.error()).contains("SHA-256 differs");
        Job j = c.job(id).orElseThrow();
        assertThat(j.state()).isEqualTo(JobState.FAILED);
        assertThat(j.outcome().stateDesc()).contains("arrived damaged");
        assertThat(Files.list(spool())).isEmpty();
    }

    @Test
    void anUploadThatStopsFailsTheJobAfterStageInTimeoutWithAReasonThatSaysSo() throws Exception {
        Cluster c = cluster(new io.motley.controller.store.MemoryStore(), "StageInTimeout=60\n");
        long id = id(c.submit(announced(archive), ANN));
        c.stageInChunk(id, 0, Arrays.copyOf(archive, 1000), ANN);
        now.addAndGet(59);
        c.checkStageIns();
        assertThat(c.job(id).orElseThrow().state()).isEqualTo(JobState.PENDING);
        now.addAndGet(1);
        c.checkStageIns();
        Job j = c.job(id).orElseThrow();
        assertThat(j.state()).isEqualTo(JobState.FAILED);
        assertThat(j.outcome().stateDesc()).contains("the upload stopped").contains("60 s");
        // its part file goes with it, and a late chunk is refused
        c.checkStageIns();
        assertThat(Files.list(spool())).isEmpty();
        assertThat(c.stageInChunk(id, 1000, new byte[] {1}, ANN).error()).contains("no longer waits");
    }

    @Test
    void aJobCancelledWhileItsFilesArriveLosesThemAndTheUploadIsRefused() throws Exception {
        Cluster c = cluster(new io.motley.controller.store.MemoryStore(), "");
        long id = id(c.submit(announced(archive), ANN));
        c.stageInChunk(id, 0, Arrays.copyOf(archive, Staging.CHUNK_BYTES), ANN);
        assertThat(Files.list(spool())).hasSize(1);
        c.cancel(java.util.List.of(id), Map.of(), ANN);
        c.checkStageIns();
        assertThat(Files.list(spool())).isEmpty();
        assertThat(c.stageInChunk(id, Staging.CHUNK_BYTES, new byte[] {1}, ANN).error())
                .contains("no longer waits");
    }

    @Test
    void aRestartMidUploadResumesWhereItStoppedAndOneWithACompleteArchiveMakesTheJobEligible() throws Exception {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store, "");
        long resumed = id(c.submit(announced(archive), ANN));
        long whole = id(c.submit(announced(archive), ANN));
        c.stageInChunk(resumed, 0, Arrays.copyOf(archive, Staging.CHUNK_BYTES), ANN);
        upload(c, whole, archive, 0, ANN);
        store.close();

        // a new controller over the same database and spool
        Store again = Store.sqlite(dir.resolve("db"));
        Cluster c2 = cluster(again, "");
        assertThat(Staging.awaitingUpload(c2.job(resumed).orElseThrow().request()))
                .isTrue();
        // sbatch sends its next chunk; the answer says where the copy ends, and it goes on from there
        StageIns.Received where = c2.stageInChunk(resumed, 2L * Staging.CHUNK_BYTES, new byte[] {1}, ANN);
        assertThat(where).isEqualTo(new StageIns.Received(Staging.CHUNK_BYTES, false, null));
        assertThat(upload(c2, resumed, archive, where.received(), ANN).complete())
                .isTrue();
        assertThat(Staging.awaitingUpload(c2.job(resumed).orElseThrow().request()))
                .isFalse();
        assertThat(Staging.awaitingUpload(c2.job(whole).orElseThrow().request()))
                .isFalse();
        again.close();
    }

    @Test
    void anArchiveCompletedJustBeforeACrashIsTakenAsArrivedAtTheNextCheck() throws Exception {
        Cluster c = cluster(new io.motley.controller.store.MemoryStore(), "");
        long id = id(c.submit(announced(archive), ANN));
        // the controller died after the archive was checked and moved into place, before the job was saved
        Files.write(spool().resolve(id + ".tar"), archive);
        c.checkStageIns();
        assertThat(Staging.awaitingUpload(c.job(id).orElseThrow().request())).isFalse();
    }

    @Test
    void aSubmissionOverMaxStageInSizeIsRefusedAndAClientCannotMarkAJobAwaiting() throws Exception {
        Cluster c = cluster(new io.motley.controller.store.MemoryStore(), "MaxStageInSize=1M\n");
        Submission s = c.submit(announced(archive), ANN);
        assertThat(failure(s)).isEqualTo("Invalid stage-in or stage-out");
        assertThat(detail(s)).contains("over MaxStageInSize (1048576 bytes)");
        JobRequest sneaky = Staging.awaitingUpload(
                JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp").name("j").build(), true);
        long id = id(c.submit(sneaky, ANN));
        assertThat(Staging.awaitingUpload(c.job(id).orElseThrow().request())).isFalse();
    }
}
