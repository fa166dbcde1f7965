package io.motley.controller.store;

import io.motley.core.cluster.Node;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The controller's durable state in one SQLite file (WAL, synchronous=FULL): every job ever
 * accepted, with its whole record, and every node that ever registered. A write returns only
 * once it is committed, so an id handed to a user survives a crash of the controller.
 */
public final class Store implements AutoCloseable {
    private static final int SCHEMA_VERSION = 2;
    private final Connection db;

    public Store(Path file) {
        try {
            Files.createDirectories(file.getParent());
            db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
            }
            migrate();
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot open the job database " + file + ": " + e.getMessage(), e);
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
                throw new SQLException("database schema " + version + " is newer than this Motley (" + SCHEMA_VERSION + ")");
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
     * id handed to a user is always backed by its committed job.
     */
    public synchronized Job insertNew(java.util.function.LongFunction<Job> make) {
        try (Statement s = db.createStatement()) {
            db.setAutoCommit(false);
            long id;
            try (ResultSet r = s.executeQuery("SELECT value FROM meta WHERE key='next_job_id'")) {
                r.next();
                id = r.getLong(1);
            }
            s.executeUpdate("UPDATE meta SET value=" + (id + 1) + " WHERE key='next_job_id'");
            Job job = make.apply(id);
            insertOrReplace(job);
            db.commit();
            return job;
        } catch (SQLException e) {
            rollback();
            throw new StoreException("cannot save a new job: " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    private void insertOrReplace(Job job) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(INSERT)) {
            bind(p, job);
            p.executeUpdate();
        }
    }

    private static final String INSERT = "INSERT OR REPLACE INTO jobs (id, state, uid, name, submit, start, end_time, record,"
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
        try (PreparedStatement p = db.prepareStatement(INSERT)) {
            db.setAutoCommit(false);
            for (Job job : jobs) {
                bind(p, job);
                p.addBatch();
            }
            p.executeBatch();
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException("cannot save jobs: " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    /** Jobs not yet finished, to rebuild the controller's view after a restart. */
    public synchronized List<Job> activeJobs() {
        return queryJobs("SELECT record FROM jobs WHERE state IN ('PENDING','RUNNING') ORDER BY id", List.of());
    }

    /** Jobs that ended at or after {@code since}: kept in view for squeue -t all and scontrol. */
    public synchronized List<Job> endedSince(long since) {
        return queryJobs("SELECT record FROM jobs WHERE state NOT IN ('PENDING','RUNNING') AND end_time >= ? ORDER BY id",
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
            sql.append(" AND (id IN (").append(marks).append(") OR array_job_id IN (").append(marks).append("))");
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
            throw new StoreException("cannot save node " + node.name() + ": " + e.getMessage(), e);
        }
    }

    public synchronized List<Node> nodes() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT record FROM nodes ORDER BY name")) {
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
            // the original error is the one worth reporting
        }
    }

    private void autoCommit() {
        try {
            db.setAutoCommit(true);
        } catch (SQLException e) {
            throw new StoreException("database connection broken: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the database: " + e.getMessage(), e);
        }
    }
}
