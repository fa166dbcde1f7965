package io.motley.controller.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded database's file and what keeps its loss from being silent. The file holds every
 * job's script and environment, so it and its -wal and -shm files are created 0600 in a 0700
 * directory. Before a new job is committed the store checks that the file it opened is still
 * there, the same file and writable, and refuses otherwise. Job ids never go backwards: a
 * high-water mark of issued ids is kept beside the database ({@code job-ids}, written ahead in
 * blocks of {@link #ID_BLOCK}, so it costs one more sync per block of submissions), and a store
 * opened on a lost or older database continues from it. A full disk is reported as such.
 */
final class SqliteFile {
    private static final Logger log = LoggerFactory.getLogger(Store.class);
    /** Ids reserved in the high-water mark at a time: one extra sync per this many submissions. */
    static final long ID_BLOCK = 1000;
    /** Below this much usable space a failed write is taken for a full disk, whatever SQLite called it. */
    private static final long NEARLY_FULL_BYTES = 1024 * 1024;

    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    final Path file;
    private final Path idMark;
    /** Whether the file was there before this start. */
    private final boolean existed;
    /** The mark as found on disk at start (0: none). */
    private final long onDisk;
    /** The identity (device and inode) of the file SQLite opened. */
    private Object openedKey;
    /** No job id at or above this has been issued: the value on disk in {@link #idMark}. */
    private long mark;
    /** Whether the loss of the database was noted (logged, and the mark made exact) already. */
    private boolean lossNoted;

    /** Makes the directory and an empty 0600 file when missing, before SQLite opens it. */
    SqliteFile(Path path) throws IOException {
        file = path.toAbsolutePath();
        idMark = file.resolveSibling("job-ids");
        Path dir = file.getParent();
        Files.createDirectories(dir);
        ownerOnly(dir, OWNER_DIR);
        existed = Files.exists(file);
        // the permissions are set before SQLite opens the file, which gives its -wal and -shm the same
        if (!existed) Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path f = Path.of(file + suffix);
            if (Files.exists(f)) ownerOnly(f, OWNER_FILE);
        }
        onDisk = readMark();
    }

    /**
     * Called once the database is open and migrated, with its next job id: notes the file's
     * identity and returns the id to continue from (the mark's, when the database is behind it).
     */
    long opened(long next) throws IOException {
        openedKey = fileKey();
        if (!existed && onDisk > 1) {
            log.error(
                    "the job database was lost: {} did not exist, but {} shows that job ids up to {} were issued;"
                            + " starting an empty database, job ids continue from {}",
                    file,
                    idMark,
                    onDisk - 1,
                    onDisk);
        } else if (onDisk > next) {
            log.info("job ids continue from the high-water mark mark={} database_next={}", onDisk, next);
        }
        mark = Math.max(onDisk, 0);
        return Math.max(onDisk, next);
    }

    /** Makes a file or directory readable by its owner only; where the filesystem cannot, says so and goes on. */
    private static void ownerOnly(Path p, Set<PosixFilePermission> perms) {
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("cannot make {} readable by its owner only: {}", p, e.toString());
        }
    }

    private Object fileKey() throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /** The high-water mark on disk, or 0 when there is none yet. */
    private long readMark() throws IOException {
        if (!Files.exists(idMark)) return 0;
        String text = Files.readString(idMark, StandardCharsets.US_ASCII).strip();
        try {
            long v = Long.parseLong(text);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IOException("the job id high-water mark " + idMark + " is damaged ('"
                    + io.motley.core.job.FreeText.quote(text, 40)
                    + "'); it must hold the first job id not yet issued: write a number at least as large as any job id"
                    + " this cluster gave out, or remove the file if the database is intact");
        }
    }

    /** Before id {@code id} is issued: the mark goes ahead of the ids, so that a lost database never lets them go back. */
    void reserve(long id) throws IOException {
        if (id >= mark) writeMark(id + ID_BLOCK);
    }

    /** Writes the mark durably: a new 0600 file synced, renamed over the old one, the directory synced. */
    void writeMark(long value) throws IOException {
        Path tmp = idMark.resolveSibling("job-ids.tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(
                tmp,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_FILE))) {
            ch.write(ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, idMark, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(idMark.getParent(), StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some filesystems cannot sync a directory; the rename itself is atomic
            log.debug("cannot sync {}: {}", idMark.getParent(), e.getMessage());
        }
        mark = value;
    }

    /** On a clean close: the mark made exact, so a restart leaves no gap in the ids. */
    void closed(long next) {
        try {
            if (next < mark) writeMark(next);
        } catch (IOException e) {
            log.warn(
                    "cannot make the job id mark exact; ids after a restart skip up to {} error=\"{}\"",
                    ID_BLOCK,
                    e.toString());
        }
    }

    /** The error for a failed write: a full disk named as such, anything else with the driver's words. */
    StoreException failure(String failure, String diskFullWhat, Exception e) {
        if (diskFull(e)) {
            return new StoreException(
                    "the controller's disk is full: " + diskFullWhat + " " + file
                            + " (free space on that filesystem and resubmit)",
                    e);
        }
        return new StoreException(failure + ": " + e.getMessage(), e);
    }

    private boolean diskFull(Exception e) {
        if (e instanceof SQLiteException se && se.getResultCode() == SQLiteErrorCode.SQLITE_FULL) return true;
        String m = String.valueOf(e.getMessage());
        if (m.contains("SQLITE_FULL") || m.contains("disk is full") || m.contains("No space left on device"))
            return true;
        // SQLite reports some writes that found no space as I/O errors; the free space says what they were
        return usableSpace() < NEARLY_FULL_BYTES;
    }

    private long usableSpace() {
        try {
            return Files.getFileStore(file.getParent()).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Refuses when the database file is not the one opened: deleted, replaced, or no longer
     * writable. Writes to a deleted file would succeed and be lost at the next start.
     * {@code nextId} gives the next id, to make the mark exact when the loss is first seen.
     */
    void check(NextId nextId) {
        Object key;
        try {
            key = fileKey();
        } catch (NoSuchFileException e) {
            key = null;
        } catch (IOException e) {
            throw new StoreException("cannot check the job database " + file + ": " + e.getMessage(), e);
        }
        if (key == null || !Objects.equals(key, openedKey)) throw lost(nextId);
        if (!Files.isWritable(file)) {
            throw new StoreException(
                    "the job database " + file + " is not writable; make it writable again"
                            + " (owner root, mode 0600) and resubmit",
                    null);
        }
    }

    /** The next job id as the open database has it. */
    @FunctionalInterface
    interface NextId {
        long get() throws Exception;
    }

    private StoreException lost(NextId nextId) {
        boolean first = !lossNoted;
        if (first) {
            lossNoted = true;
            try {
                // no id is issued from here on: a restart, after a crash or not, continues exactly here
                writeMark(nextId.get());
            } catch (Exception e) {
                log.warn("cannot record the next job id after the database was lost: {}", e.toString());
            }
        }
        String message =
                "the job database " + file + " was deleted or replaced while the controller ran; restart the controller"
                        + " to start a new one (job ids continue from " + mark + ")";
        if (first) log.error(message);
        return new StoreException(message, null);
    }

    /** What is wrong with the file now; empty when it can take a new job. */
    Optional<String> problem(NextId nextId) {
        try {
            check(nextId);
        } catch (StoreException e) {
            return Optional.of(e.getMessage());
        }
        if (usableSpace() < NEARLY_FULL_BYTES) {
            return Optional.of(
                    "the controller's disk is full: " + file + " cannot grow (free space on that filesystem)");
        }
        return Optional.empty();
    }

    /** Opens the file (WAL, synchronous=FULL) and brings its schema up to date. */
    java.sql.Connection connect() throws java.sql.SQLException {
        String url = "jdbc:sqlite:" + file;
        java.sql.Connection c = java.sql.DriverManager.getConnection(url);
        try {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
            }
            Migrations.sqlite(c, url);
            try (java.sql.Statement s = c.createStatement()) {
                // what the migrations wrote goes into the file now, rather than keeping a large -wal
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            return c;
        } catch (java.sql.SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }
}
