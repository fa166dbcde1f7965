package io.motley.controller.cluster;

import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.Staging;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sbatch --stage-in archives over the inline size (docs/files.md): they arrive in chunks after
 * the job was submitted, into a spool directory of the controller's own ({@code
 * MOTLEY_HOME/state/stage-in}, 0700; the files are named by job id, never by a user), while the job
 * waits PENDING with reason StageIn. When all of it is there and its SHA-256 is the announced one,
 * the job becomes eligible; nodes without the submit directory read it from here at launch. An
 * upload that stops fails the job after StageInTimeout. A complete archive is kept while its job is
 * in view (active, or ended within MinJobAge), so that scontrol requeue can run the job again; it
 * goes once the job's record has left the controller's memory, also when that happened while the
 * controller was down. An incomplete one goes once its job has ended.
 *
 * <p>Bounds: a submission is refused when its archive would take the archives of the jobs in view
 * past StageInSpoolSize, or when the spool's filesystem lacks room for it and for the uploads still
 * under way (with {@link #DISK_SPARE} left over for the controller's database and logs).
 *
 * <p>Crash safety: the part file survives a restart and the upload goes on where it stopped (sbatch
 * asks again from the size the controller answers); a complete archive ({@code N.tar}) whose job
 * still waits is taken as arrived at the next check. The timeout counts from the last chunk, or from
 * the controller's start, so no job waits forever.
 */
public final class StageIns {
    private static final Logger log = LoggerFactory.getLogger(StageIns.class);

    private final ClusterState state;
    private final Path dir;
    private final LongSupplier clock;
    private final long timeoutSeconds;
    private final Runnable wake;
    private final long spoolBytes;
    /** The bytes free for the controller on the spool's filesystem. */
    private final LongSupplier freeBytes;
    /** Bytes reserved for the archives of submissions being committed (their jobs are not in view yet); under this. */
    private long reserved;

    /** What the spool's filesystem must keep free after every announced archive has arrived. */
    static final long DISK_SPARE = 256L * 1024 * 1024;
    /** When the last chunk of each upload arrived (or the controller first saw its job waiting). */
    private final Map<Long, Long> lastChunk = new HashMap<>();
    /** One writer or reader at a time per archive. */
    private final Map<Long, Object> locks = new ConcurrentHashMap<>();

    /**
     * @param freeBytes the bytes free for the controller on {@code dir}'s filesystem, null to ask the
     *     filesystem
     */
    StageIns(
            ClusterState state,
            Path dir,
            LongSupplier clock,
            long timeoutSeconds,
            long spoolBytes,
            LongSupplier freeBytes,
            Runnable wake)
            throws IOException {
        this.state = state;
        this.dir = dir;
        this.clock = clock;
        this.timeoutSeconds = timeoutSeconds;
        this.spoolBytes = spoolBytes;
        this.wake = wake;
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        java.nio.file.FileStore store = Files.getFileStore(dir);
        this.freeBytes = freeBytes != null
                ? freeBytes
                : () -> {
                    try {
                        return store.getUsableSpace();
                    } catch (IOException e) {
                        // unknown: the spool's own bound still holds, and a write that fails says so to its sbatch
                        return Long.MAX_VALUE;
                    }
                };
    }

    /**
     * Room for a submission's chunked archive of {@code bytes}, reserved until {@link #release} (the
     * submission's commit ended: its job is in view then, or was refused), or why there is none:
     * the archives of the jobs in view (and of submissions being committed) would pass
     * StageInSpoolSize, or the spool's filesystem cannot take it beside the uploads under way.
     */
    Optional<String> reserve(long bytes) {
        Map<Long, Long> held = new HashMap<>();
        Set<Long> awaited = new HashSet<>();
        synchronized (state) {
            for (Job j : state.jobs.values()) {
                Optional<Staging.Manifest> m = Staging.manifest(j.request());
                if (m.isEmpty()) continue;
                held.put(key(j), m.get().size());
                if (j.state() == JobState.PENDING && Staging.awaitingUpload(j.request())) awaited.add(key(j));
            }
        }
        long inView = held.values().stream().mapToLong(Long::longValue).sum();
        // what the uploads under way will still write
        long toCome = 0;
        for (long key : awaited) {
            long have;
            try {
                have = Files.size(partFile(key));
            } catch (IOException e) {
                have = 0;
            }
            toCome += Math.max(0, held.get(key) - have);
        }
        synchronized (this) {
            if (inView + reserved + bytes > spoolBytes)
                return Optional.of("--stage-in: the controller's stage-in spool is full: the archives of the jobs"
                        + " in view take " + (inView + reserved) + " bytes, and this job's " + bytes
                        + " would pass StageInSpoolSize (" + spoolBytes
                        + " bytes); submit it again once some of those jobs have ended");
            long free = freeBytes.getAsLong();
            if (free - toCome - reserved - bytes < DISK_SPARE)
                return Optional.of("--stage-in: the controller's disk has " + free + " bytes free, too little for"
                        + " this job's " + bytes + " bytes beside the " + (toCome + reserved)
                        + " bytes of uploads under way and " + DISK_SPARE + " bytes to spare");
            reserved += bytes;
        }
        return Optional.empty();
    }

    /** The submission that reserved {@code bytes} has been committed or refused. */
    synchronized void release(long bytes) {
        reserved -= bytes;
    }

    /** What a chunk got: the bytes now held and whether the archive is complete, or why not. */
    public record Received(long received, boolean complete, String error) {}

    /** What a read got: bytes from offset, the archive's size, or why not. */
    public record Read(byte[] data, long size, String error) {}

    /** The key of a job's archive: an array's tasks share their array's. */
    static long key(Job j) {
        return j.array() != null ? j.array().arrayJobId() : j.id();
    }

    Path partFile(long key) {
        return dir.resolve(key + ".part");
    }

    Path archive(long key) {
        return dir.resolve(key + ".tar");
    }

    /**
     * Appends {@code data} at {@code offset} to job {@code id}'s archive, when the offset is where
     * the copy ends (else nothing is written and the answer says where it ends, for the sender to go
     * on from there). The last chunk has the archive checked against its announced SHA-256.
     */
    public Received append(long id, long offset, byte[] data, Caller caller) {
        Job job;
        Staging.Manifest m;
        synchronized (state) {
            job = state.jobs.get(id);
            if (job == null) return new Received(0, false, "Invalid job id specified");
            if (caller.uid() != job.uid() && !caller.isRoot())
                return new Received(0, false, "Access/permission denied");
            Optional<Staging.Manifest> found = Staging.manifest(job.request());
            if (found.isEmpty()) return new Received(0, false, "job " + id + " has no stage-in files to receive");
            m = found.get();
            if (job.state() != JobState.PENDING || !Staging.awaitingUpload(job.request())) {
                if (!job.state().isTerminal() && Files.exists(archive(key(job))))
                    return new Received(m.size(), true, null);
                return new Received(
                        0, false, "job " + id + " no longer waits for its stage-in files (" + job.state() + ")");
            }
            lastChunk.put(key(job), clock.getAsLong());
        }
        long key = key(job);
        long held;
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            Path part = partFile(key);
            try (FileChannel ch = FileChannel.open(
                    part,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                held = ch.size();
                if (offset != held) return new Received(held, false, null);
                if (held + data.length > m.size()) {
                    fail(id, "Stage-in failed: more bytes arrived than the " + m.size() + " announced");
                    return new Received(held, false, "more bytes than the " + m.size() + " announced");
                }
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) ch.write(b, held + b.position());
                held += data.length;
                if (held == m.size()) ch.force(true);
            } catch (IOException e) {
                log.error("stage-in chunk not kept job={} offset={} error=\"{}\"", id, offset, e.getMessage());
                return new Received(offset, false, "the controller cannot keep the stage-in files: " + e.getMessage());
            }
            if (held < m.size()) return new Received(held, false, null);
            String digest;
            try {
                digest = sha256(part);
            } catch (IOException e) {
                return new Received(held, false, "the controller cannot read the stage-in files: " + e.getMessage());
            }
            if (!digest.equals(m.sha256())) {
                deleteQuietly(part);
                fail(id, "Stage-in failed: the files arrived damaged (SHA-256 differs from sbatch's)");
                return new Received(0, false, "the stage-in files arrived damaged (SHA-256 differs); the job failed");
            }
            try {
                Files.move(part, archive(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                return new Received(held, false, "the controller cannot keep the stage-in files: " + e.getMessage());
            }
        }
        arrived(id);
        return new Received(m.size(), true, null);
    }

    /** The archive is complete: its job becomes eligible. */
    private void arrived(long id) {
        synchronized (state) {
            Job j = state.jobs.get(id);
            if (j == null || j.state() != JobState.PENDING || !Staging.awaitingUpload(j.request())) return;
            state.save(j.withRequest(Staging.awaitingUpload(j.request(), false)));
            lastChunk.remove(key(j));
        }
        log.info("stage-in files arrived job={}", id);
        wake.run();
    }

    /** Ends a job that waits for its files FAILED with {@code why} (its Reason). */
    private void fail(long id, String why) {
        synchronized (state) {
            Job j = state.jobs.get(id);
            if (j == null || j.state() != JobState.PENDING) return;
            state.save(j.withStateDesc(why).ended(JobState.FAILED, new ExitStatus(1, 0), clock.getAsLong()));
            lastChunk.remove(key(j));
        }
        log.warn("job failed waiting for its stage-in files job={} why=\"{}\"", id, why);
    }

    /**
     * A node's agent reads job {@code id}'s archive at launch: only the node the job runs on (its
     * batch host), for root or the job's user there, once the archive is complete.
     */
    public Read read(long id, long offset, int max, String node, Caller caller) {
        Job job;
        synchronized (state) {
            job = state.jobs.get(id);
        }
        if (job == null) return new Read(new byte[0], 0, "Invalid job id specified");
        if (!caller.isRoot() && caller.uid() != job.uid()) return new Read(new byte[0], 0, "Access/permission denied");
        if (node != null && !node.equals(job.node()))
            return new Read(new byte[0], 0, "Access/permission denied: job " + id + " does not run on " + node);
        if (Staging.manifest(job.request()).isEmpty())
            return new Read(new byte[0], 0, "job " + id + " has no stage-in files");
        long key = key(job);
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            Path tar = archive(key);
            try (FileChannel ch = FileChannel.open(tar, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long size = ch.size();
                long from = Math.min(Math.max(0, offset), size);
                int n = (int) Math.min(Math.max(1, Math.min(max, Staging.CHUNK_BYTES)), size - from);
                ByteBuffer b = ByteBuffer.allocate(n);
                while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {}
                return new Read(b.array(), size, null);
            } catch (java.nio.file.NoSuchFileException e) {
                return new Read(new byte[0], 0, "the controller holds no stage-in files for job " + id);
            } catch (IOException e) {
                return new Read(new byte[0], 0, "the controller cannot read the stage-in files: " + e.getMessage());
            }
        }
    }

    /**
     * Once a second: fails the jobs whose upload stopped (nothing for StageInTimeout), takes an
     * archive completed before a restart as arrived, and removes the part files of jobs that ended
     * and the archives of jobs no longer in view.
     */
    public void check() {
        long now = clock.getAsLong();
        Set<Long> keepArchive = new HashSet<>();
        Set<Long> keepPart = new HashSet<>();
        Map<Long, Long> waiting = new HashMap<>();
        synchronized (state) {
            for (Job j : state.jobs.values()) {
                if (Staging.manifest(j.request()).isEmpty()) continue;
                keepArchive.add(key(j));
                if (j.state().isTerminal()) continue;
                keepPart.add(key(j));
                if (j.state() == JobState.PENDING && Staging.awaitingUpload(j.request())) waiting.put(j.id(), key(j));
            }
            lastChunk.keySet().retainAll(waiting.values());
        }
        for (Map.Entry<Long, Long> w : waiting.entrySet()) {
            long id = w.getKey();
            long key = w.getValue();
            if (Files.exists(archive(key))) {
                // complete before a restart (or by another task of the array): it was checked when it was
                arrived(id);
                continue;
            }
            long since;
            synchronized (state) {
                since = lastChunk.computeIfAbsent(key, k -> now);
            }
            if (now - since >= timeoutSeconds) {
                fail(
                        id,
                        "Stage-in failed: the upload stopped (sbatch ended or lost its link) and nothing came for "
                                + timeoutSeconds + " s");
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                int dot = name.indexOf('.');
                long key;
                try {
                    key = Long.parseLong(dot < 0 ? name : name.substring(0, dot));
                } catch (NumberFormatException e) {
                    continue;
                }
                boolean whole = name.endsWith(".tar");
                if ((whole ? keepArchive : keepPart).contains(key)) continue;
                synchronized (state) {
                    // a job submitted or requeued since the lists were made
                    if (keepsFiles(key, whole)) continue;
                }
                synchronized (locks.computeIfAbsent(key, k -> new Object())) {
                    if (deleteQuietly(f)) log.info("stage-in files removed job={}", key);
                }
                locks.remove(key);
            }
        } catch (IOException e) {
            log.warn("cannot list the stage-in spool dir={} error=\"{}\"", dir, e.getMessage());
        }
    }

    /** Whether a job in view keeps {@code key}'s complete archive ({@code whole}), or its part file (an active job). */
    private boolean keepsFiles(long key, boolean whole) {
        for (Job j : state.jobs.values()) {
            if (key(j) == key
                    && (whole || !j.state().isTerminal())
                    && Staging.manifest(j.request()).isPresent()) return true;
        }
        return false;
    }

    private static boolean deleteQuietly(Path f) {
        try {
            return Files.deleteIfExists(f);
        } catch (IOException e) {
            log.warn("cannot remove stage-in file path={} error=\"{}\"", f, e.getMessage());
            return false;
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
