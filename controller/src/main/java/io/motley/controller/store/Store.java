package io.motley.controller.store;

import io.motley.core.cluster.Node;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
 * The controller's durable state in one SQLite file (WAL, synchronous=FULL): every job ever
 * accepted, with its whole record, and every node that ever registered. A write returns only
 * once it is committed, so an id handed to a user survives a crash of the controller.
 *
 * <p>The file holds every job's script and environment, so it and its -wal and -shm files are
 * created 0600 in a 0700 directory. Its loss is never silent: before a new job is committed the
 * store checks that the file it opened is still there, the same file and writable, and refuses
 * otherwise. Job ids never go backwards: a high-water mark of issued ids is kept beside the
 * database ({@code job-ids}, written ahead in blocks of {@link #ID_BLOCK}, so it costs one more
 * sync per block of submissions), and a store opened on a lost or older database continues from
 * it. A full disk is reported as such, and a failed write leaves nothing half-written.
 */
public final class Store implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Store.class);
    private static final int SCHEMA_VERSION = 2;
    /** Ids reserved in the high-water mark at a time: one extra sync per this many submissions. */
    static final long ID_BLOCK = 1000;
    /** Below this much usable space a failed write is taken for a full disk, whatever SQLite called it. */
    private static final long NEARLY_FULL_BYTES = 1024 * 1024;

    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path file;
    private final Path idMark;
    private final Connection db;
    /** The identity (device and inode) of the file SQLite opened. */
    private final Object openedKey;
    /** No job id at or above this has been issued: the value on disk in {@link #idMark}. */
    private long mark;
    /** Whether the loss of the database was noted (logged, and the mark made exact) already. */
    private boolean lossNoted;

    public Store(Path path) {
        file = path.toAbsolutePath();
        idMark = file.resolveSibling("job-ids");
        try {
            Path dir = file.getParent();
            Files.createDirectories(dir);
            ownerOnly(dir, OWNER_DIR);
            boolean existed = Files.exists(file);
            // the permissions are set before SQLite opens the file, which gives its -wal and -shm the same
            if (!existed) Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
            for (String suffix : List.of("", "-wal", "-shm")) {
                Path f = Path.of(file + suffix);
                if (Files.exists(f)) ownerOnly(f, OWNER_FILE);
            }
            long onDisk = readMark();
            db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
            }
            migrate();
            openedKey = fileKey();
            long next = nextId();
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
            if (onDisk > next) setNextId(onDisk);
            mark = Math.max(onDisk, 0);
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot open the job database " + file + ": " + e.getMessage(), e);
        }
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

    /** Writes the mark durably: a new 0600 file synced, renamed over the old one, the directory synced. */
    private void writeMark(long value) throws IOException {
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

    private long nextId() throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT value FROM meta WHERE key='next_job_id'")) {
            return r.next() ? r.getLong(1) : 1;
        }
    }

    private void setNextId(long next) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("UPDATE meta SET value=? WHERE key='next_job_id'")) {
            p.setLong(1, next);
            p.executeUpdate();
        }
    }

    private void migrate() throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            int version = 0;
            try (ResultSet r = s.executeQuery("SELECT value FROM meta WHERE key='schema_version'")) {
                if (r.next()) version = r.getInt(1);
            }
            if (version > SCHEMA_VERSION) {
                throw new SQLException(
                        "database schema " + version + " is newer than this Motley (" + SCHEMA_VERSION + ")");
            }
            if (version < 1) {
                db.setAutoCommit(false);
                s.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL, uid INTEGER NOT NULL,"
                        + " name TEXT NOT NULL, submit INTEGER NOT NULL, start INTEGER NOT NULL, end_time INTEGER NOT NULL,"
                        + " record BLOB NOT NULL)");
                s.execute("CREATE INDEX jobs_state ON jobs(state)");
                s.execute("CREATE INDEX jobs_end ON jobs(end_time)");
                s.execute("CREATE TABLE nodes (name TEXT PRIMARY KEY, record BLOB NOT NULL)");
                s.execute("INSERT OR IGNORE INTO meta VALUES ('next_job_id', 1)");
                s.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', 1)");
                db.commit();
                db.setAutoCommit(true);
                version = 1;
            }
            if (version < 2) {
                // version 2: array tasks are found by their array's id (sacct -j 12 lists 12_1, 12_2, ...)
                db.setAutoCommit(false);
                s.execute("ALTER TABLE jobs ADD COLUMN array_job_id INTEGER NOT NULL DEFAULT 0");
                s.execute("CREATE INDEX jobs_array ON jobs(array_job_id)");
                s.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', 2)");
                db.commit();
                db.setAutoCommit(true);
            }
        }
    }

    /**
     * Takes the next job id and saves the job built for it in one transaction (one sync), so an
     * id handed to a user is always backed by its committed job. Refused, with a message that
     * says what to do, when the database file is gone, replaced or read-only, or the disk is full.
     */
    public synchronized Job insertNew(java.util.function.LongFunction<Job> make) {
        checkFile();
        return transaction("cannot save a new job", "cannot save the job to", () -> {
            long id = nextId();
            // the mark goes ahead of the ids, so that a lost database never lets them go back
            if (id >= mark) writeMark(id + ID_BLOCK);
            setNextId(id + 1);
            Job job = make.apply(id);
            insertOrReplace(job);
            return job;
        });
    }

    /** What a transaction does; it may fail on the database or on the high-water mark's file. */
    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException, IOException;
    }

    /**
     * Runs {@code work} in one transaction: committed whole, or rolled back whole with an error
     * that says what happened (a full disk as a full disk, not as what the driver made of it).
     */
    private <T> T transaction(String failure, String diskFullWhat, Work<T> work) {
        boolean committed = false;
        try {
            db.setAutoCommit(false);
            T result = work.run();
            db.commit();
            committed = true;
            return result;
        } catch (SQLException | IOException e) {
            rollback();
            throw failure(failure, diskFullWhat, e);
        } catch (RuntimeException e) {
            rollback();
            throw e;
        } finally {
            restoreAutoCommit(committed);
        }
    }

    /** The error for a failed write: a full disk named as such, anything else with the driver's words. */
    private StoreException failure(String failure, String diskFullWhat, Exception e) {
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
     */
    private void checkFile() {
        Object key;
        try {
            key = fileKey();
        } catch (NoSuchFileException e) {
            key = null;
        } catch (IOException e) {
            throw new StoreException("cannot check the job database " + file + ": " + e.getMessage(), e);
        }
        if (key == null || !Objects.equals(key, openedKey)) throw lost();
        if (!Files.isWritable(file)) {
            throw new StoreException(
                    "the job database " + file + " is not writable; make it writable again"
                            + " (owner root, mode 0600) and resubmit",
                    null);
        }
    }

    private StoreException lost() {
        boolean first = !lossNoted;
        if (first) {
            lossNoted = true;
            try {
                // no id is issued from here on: a restart, after a crash or not, continues exactly here
                writeMark(nextId());
            } catch (SQLException | IOException e) {
                log.warn("cannot record the next job id after the database was lost: {}", e.toString());
            }
        }
        String message =
                "the job database " + file + " was deleted or replaced while the controller ran; restart the controller"
                        + " to start a new one (job ids continue from " + mark + ")";
        if (first) log.error(message);
        return new StoreException(message, null);
    }

    /**
     * What is wrong with the database now, for scontrol ping and motley status: gone or
     * replaced, not writable, or its disk full; empty when it can take a new job.
     */
    public synchronized Optional<String> problem() {
        try {
            checkFile();
        } catch (StoreException e) {
            return Optional.of(e.getMessage());
        }
        if (usableSpace() < NEARLY_FULL_BYTES) {
            return Optional.of(
                    "the controller's disk is full: " + file + " cannot grow (free space on that filesystem)");
        }
        return Optional.empty();
    }

    private void insertOrReplace(Job job) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(INSERT)) {
            bind(p, job);
            p.executeUpdate();
        }
    }

    private static final String INSERT =
            "INSERT OR REPLACE INTO jobs (id, state, uid, name, submit, start, end_time, record,"
                    + " array_job_id) VALUES (?,?,?,?,?,?,?,?,?)";

    private static void bind(PreparedStatement p, Job job) throws SQLException {
        p.setLong(1, job.id());
        p.setString(2, job.state().name());
        p.setInt(3, job.uid());
        p.setString(4, job.request().name());
        p.setLong(5, job.submitTime());
        p.setLong(6, job.startTime());
        p.setLong(7, job.endTime());
        p.setBytes(8, encode(Codec.job(job, true)));
        p.setLong(9, job.array() == null ? 0 : job.array().arrayJobId());
    }

    public synchronized void saveJob(Job job) {
        saveJobs(List.of(job));
    }

    /** Saves several jobs in one transaction (one sync), as a scheduling pass does. */
    public synchronized void saveJobs(List<Job> jobs) {
        if (jobs.isEmpty()) return;
        transaction("cannot save jobs", "cannot save job changes to", () -> {
            try (PreparedStatement p = db.prepareStatement(INSERT)) {
                for (Job job : jobs) {
                    bind(p, job);
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    /** Jobs not yet finished, to rebuild the controller's view after a restart. */
    public synchronized List<Job> activeJobs() {
        return queryJobs("SELECT record FROM jobs WHERE state IN ('PENDING','RUNNING') ORDER BY id", List.of());
    }

    /** Jobs that ended at or after {@code since}: kept in view for squeue -t all and scontrol. */
    public synchronized List<Job> endedSince(long since) {
        return queryJobs(
                "SELECT record FROM jobs WHERE state NOT IN ('PENDING','RUNNING') AND end_time >= ? ORDER BY id",
                List.of(since));
    }

    /**
     * Accounting query: jobs that were submitted before {@code end} and had not ended before
     * {@code start} (Slurm's "eligible during the window"); uid -1 means all users.
     */
    public synchronized List<Job> accounting(long start, long end, int uid, List<Long> ids) {
        StringBuilder sql = new StringBuilder("SELECT record FROM jobs WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (ids.isEmpty()) {
            sql.append(" AND submit <= ? AND (end_time = 0 OR end_time >= ?)");
            args.add(end);
            args.add(start);
        } else {
            String marks = "?,".repeat(ids.size() - 1) + "?";
            sql.append(" AND (id IN (")
                    .append(marks)
                    .append(") OR array_job_id IN (")
                    .append(marks)
                    .append("))");
            args.addAll(ids);
            args.addAll(ids);
        }
        if (uid >= 0) {
            sql.append(" AND uid = ?");
            args.add(uid);
        }
        sql.append(" ORDER BY id");
        return queryJobs(sql.toString(), args);
    }

    private List<Job> queryJobs(String sql, List<Object> args) {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) p.setObject(i + 1, args.get(i));
            List<Job> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) out.add(Codec.job(decode(r.getBytes(1))));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read jobs: " + e.getMessage(), e);
        }
    }

    public synchronized void saveNode(Node node) {
        try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO nodes (name, record) VALUES (?,?)")) {
            p.setString(1, node.name());
            p.setBytes(2, encode(Codec.node(node)));
            p.executeUpdate();
        } catch (SQLException e) {
            throw failure("cannot save node " + node.name(), "cannot save node " + node.name() + " to", e);
        }
    }

    public synchronized List<Node> nodes() {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT record FROM nodes ORDER BY name")) {
            List<Node> out = new ArrayList<>();
            while (r.next()) out.add(Codec.node(decode(r.getBytes(1))));
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read nodes: " + e.getMessage(), e);
        }
    }

    public synchronized long countJobs(JobState state) {
        try (PreparedStatement p = db.prepareStatement("SELECT count(*) FROM jobs WHERE state = ?")) {
            p.setString(1, state.name());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot count jobs: " + e.getMessage(), e);
        }
    }

    private static byte[] encode(Frame f) {
        return FrameIO.toBytes(f);
    }

    private static Frame decode(byte[] b) {
        try {
            return FrameIO.fromBytes(b);
        } catch (IOException e) {
            throw new StoreException("a stored record is damaged: " + e.getMessage(), e);
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // SQLite may have rolled the transaction back already (as it does when the disk is full); the original
            // error is the one worth reporting
        }
    }

    /**
     * Back to autocommit after a transaction. After a failed one SQLite may have rolled it back
     * already, and the driver's commit of the empty transaction then fails ("no transaction is
     * active"): that is no news, and must not hide the error that matters.
     */
    private void restoreAutoCommit(boolean afterCommit) {
        try {
            db.setAutoCommit(true);
        } catch (SQLException e) {
            if (afterCommit) throw new StoreException("database connection broken: " + e.getMessage(), e);
            log.debug("autocommit restored after a failed transaction: {}", e.getMessage());
        }
    }

    /** Closes the database; the high-water mark is made exact, so a clean restart leaves no gap in the ids. */
    @Override
    public synchronized void close() {
        try {
            long next = nextId();
            if (next < mark) writeMark(next);
        } catch (SQLException | IOException e) {
            log.warn(
                    "cannot make the job id mark exact; ids after a restart skip up to {} error=\"{}\"",
                    ID_BLOCK,
                    e.toString());
        }
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the database: " + e.getMessage(), e);
        }
    }
}
