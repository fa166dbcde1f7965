package io.motley.controller.store;

import com.zaxxer.hikari.HikariDataSource;
import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.cluster.Node;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.step.Step;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store in SQL: the embedded SQLite file (one connection, WAL, synchronous=FULL, with the
 * loss checks of {@link SqliteFile}), or a PostgreSQL or MariaDB server through a HikariCP pool.
 * The schema is Flyway's migrations under {@code db/migration/<database>}. Every write is one
 * transaction, committed before it returns.
 *
 * <p>A server that cannot be reached makes a write fail with a {@link StoreException} that says
 * so, and {@link #problem()} report it; the pool reconnects by itself once it is back. Job ends
 * that could not be written are kept and written first thing when the server answers again (a
 * timer retries every {@link #RETRY_SECONDS} s), so a job that ended during the outage is not
 * found running after it.
 */
public final class SqlStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(Store.class);
    static final int RETRY_SECONDS = 2;
    /** How a refused submission's message starts: sbatch prints it after "Batch job submission failed: ". */
    static final String NOT_ACCEPTED = "the job was not accepted, it could not be saved";

    private final Dialect dialect;
    /** The database as messages name it: the file, or the URL without any password. */
    private final String where;
    /** The embedded file, or null for a server. */
    private final SqliteFile file;
    /** SQLite's one connection, or null for a server. */
    private final Connection single;
    /** A server's pool, or null for SQLite. */
    private final HikariDataSource pool;

    private final LongSupplier clock = () -> System.currentTimeMillis() / 1000;
    private final String jobUpsert;
    /** A new job's row: a plain INSERT, so that an id already taken (by another controller) refuses the group. */
    private final String jobInsert;

    private final String runUpsert;
    private final String stepUpsert;
    private final String nodeUpsert;
    private final String srunStepInsert;
    /** Job ends that a lost server did not take, by id, written before anything else once it answers. */
    private final Map<Long, Job> deferred = new LinkedHashMap<>();
    /** The state and reason last written for each node, to record a node event when they change. */
    private final Map<String, String> nodeStates = new HashMap<>();

    private final ScheduledExecutorService retry;
    /** A server's answer as last seen, for {@link #problem()}; unused for SQLite. */
    private final ServerHealth health;
    /** Commits the submissions that arrive together in one transaction. */
    private final GroupCommit submissions;
    /**
     * A server's next job id, read once at open and kept here, so that a group's transaction is its
     * jobs' rows and the commit (two round trips) with no counter row to read, lock and update;
     * {@code counters} is brought up to it at close. Unused for SQLite, whose file keeps its own mark.
     */
    private long serverNext;

    private SqlStore(Dialect dialect, String where, SqliteFile file, Connection single, HikariDataSource pool) {
        this.dialect = dialect;
        this.where = where;
        this.file = file;
        this.single = single;
        this.pool = pool;
        health = new ServerHealth(where);
        jobUpsert = dialect.upsert("jobs", List.of("id"), Rows.STORED_JOB_COLUMNS);
        jobInsert = Dialect.insert("jobs", Rows.STORED_JOB_COLUMNS);
        runUpsert = dialect.upsert("job_runs", List.of("job_id", "run"), Rows.RUN_COLUMNS);
        stepUpsert = dialect.upsert("job_steps", List.of("job_id", "run", "step_name"), Rows.STEP_COLUMNS);
        nodeUpsert = dialect.upsert("nodes", List.of("name"), Rows.NODE_COLUMNS);
        srunStepInsert = Dialect.insert("job_steps", Rows.SRUN_STEP_COLUMNS);
        submissions = new GroupCommit("store-group-commit", this::insertGroup);
        if (pool != null) {
            retry = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("store-retry").daemon().factory());
            retry.scheduleWithFixedDelay(this::probe, RETRY_SECONDS, RETRY_SECONDS, TimeUnit.SECONDS);
        } else {
            retry = null;
        }
    }

    /** Opens (creating and migrating as needed) the SQLite file {@code path}. */
    static SqlStore sqlite(java.nio.file.Path path) {
        SqliteFile f;
        Connection c = null;
        SqlStore store = null;
        try {
            f = new SqliteFile(path);
            c = f.connect();
            store = new SqlStore(Dialect.SQLITE, f.file.toString(), f, c, null);
            long next = JobIds.next(c, "");
            long from = f.opened(next);
            if (from > next) JobIds.set(c, from);
            return store;
        } catch (SQLException | IOException | RuntimeException e) {
            if (store != null) store.submissions.close();
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // the error that stopped the start is the one to report
                }
            }
            if (e instanceof StoreException se) throw se;
            throw new StoreException(
                    "cannot open the job database " + path.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** Connects to a PostgreSQL or MariaDB server and brings its schema up to date. */
    static SqlStore server(String url, String user, java.nio.file.Path passFile) {
        String shown = ServerAccess.shown(url);
        Dialect dialect = Dialect.of(url);
        HikariDataSource pool = ServerAccess.pool(url, user, passFile);
        try {
            Migrations.server(pool, dialect);
            SqlStore store = new SqlStore(dialect, shown, null, null, pool);
            store.serverNext = store.read("cannot read the next job id", JobIds::firstFree);
            return store;
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreException("cannot prepare the job database " + shown + ": " + ServerAccess.cause(e), e);
        }
    }

    /** What a piece of work on a connection does; it may fail on the database or on the id mark's file. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    private Connection borrow() throws SQLException {
        if (single != null) return single;
        // a server known to be lost is not waited for (the pool's timeout) under the store's lock;
        // the probe every RETRY_SECONDS s finds it back
        String lost = health.unreachable();
        if (lost != null) throw new SQLTransientConnectionException(lost, "08001");
        return pool.getConnection();
    }

    private void giveBack(Connection c) {
        if (c == null || c == single) return;
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("returning a connection to the pool failed: {}", e.getMessage());
        }
    }

    /**
     * Runs {@code work} in one transaction, after any job ends kept from an outage: committed
     * whole, or rolled back whole with an error that says what happened (a full disk as a full
     * disk, a lost server as unreachable, not as what the driver made of it).
     */
    private <T> T transaction(String failure, String diskFullWhat, Work<T> work) {
        Connection c = null;
        boolean committed = false;
        List<Job> kept = List.copyOf(deferred.values());
        try {
            c = borrow();
            c.setAutoCommit(false);
            if (!kept.isEmpty()) writeJobs(c, kept, jobUpsert);
            T result = work.run(c);
            c.commit();
            committed = true;
            if (pool != null) health.answered();
            if (!kept.isEmpty()) {
                deferred.clear();
                log.info("job ends kept while the database was unreachable are written count={}", kept.size());
            }
            return result;
        } catch (SQLException | IOException e) {
            Transactions.rollback(c);
            throw failure(failure, diskFullWhat, e);
        } catch (RuntimeException e) {
            Transactions.rollback(c);
            throw e;
        } finally {
            if (c != null) Transactions.restoreAutoCommit(c, committed);
            giveBack(c);
        }
    }

    private <T> T read(String failure, Work<T> work) {
        Connection c = null;
        try {
            c = borrow();
            return work.run(c);
        } catch (SQLException | IOException e) {
            throw failure(failure, failure, e);
        } finally {
            giveBack(c);
        }
    }

    private StoreException failure(String failure, String diskFullWhat, Exception e) {
        if (file != null) return file.failure(failure, diskFullWhat, e);
        if (e instanceof SQLException s && Dialect.unreachable(s)) {
            String cause = ServerAccess.cause(e);
            health.failed(cause);
            return new StoreException(failure + ": " + health.message(cause), e);
        }
        return new StoreException(failure + ": " + e.getMessage(), e);
    }

    @Override
    public Job insertNew(LongFunction<Job> make) {
        return insertGroup(List.of(make)).get(0);
    }

    @Override
    public CompletableFuture<Job> insertGrouped(LongFunction<Job> make) {
        return submissions.add(make);
    }

    /**
     * Takes the next ids, one for each of {@code makes} in order, and saves the jobs built for them
     * in one transaction: one sync for the group. The embedded file's id mark is moved ahead of the
     * last id first; a server's ids are taken from {@link #serverNext}, and only once committed.
     * All are saved, or none (and then no id is spent).
     */
    private synchronized List<Job> insertGroup(List<LongFunction<Job>> makes) {
        if (file == null) {
            long first = serverNext;
            List<Job> saved = transaction(NOT_ACCEPTED, "cannot save the job to", c -> {
                List<Job> jobs = new ArrayList<>(makes.size());
                for (int i = 0; i < makes.size(); i++) jobs.add(makes.get(i).apply(first + i));
                writeJobs(c, jobs, jobInsert);
                return jobs;
            });
            serverNext = first + makes.size();
            return saved;
        }
        file.check(() -> JobIds.next(single, ""));
        return transaction(NOT_ACCEPTED, "cannot save the job to", c -> {
            long first = JobIds.next(c, dialect.forUpdate());
            long last = first + makes.size() - 1;
            if (file != null) file.reserve(last);
            JobIds.set(c, last + 1);
            List<Job> jobs = new ArrayList<>(makes.size());
            for (int i = 0; i < makes.size(); i++) jobs.add(makes.get(i).apply(first + i));
            writeJobs(c, jobs, jobUpsert);
            return jobs;
        });
    }

    @Override
    public synchronized void saveJob(Job job) {
        saveJobs(List.of(job));
    }

    @Override
    public synchronized void saveJobs(List<Job> jobs) {
        if (jobs.isEmpty()) return;
        try {
            transaction("cannot save jobs", "cannot save job changes to", c -> {
                writeJobs(c, jobs, jobUpsert);
                return null;
            });
        } catch (StoreException e) {
            if (pool != null && e.getCause() instanceof SQLException s && Dialect.unreachable(s)) {
                for (Job j : jobs) {
                    if (j.state() != JobState.PENDING && !j.state().holdsAllocation()) deferred.put(j.id(), j);
                }
            }
            throw e;
        }
    }

    /**
     * Jobs by {@code jobSql} (the upsert, or the insert of new jobs), and for those that have
     * started their current run and its batch step; a requeue closes earlier runs.
     */
    private void writeJobs(Connection c, List<Job> jobs, String jobSql) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(jobSql)) {
            for (Job j : jobs) {
                Rows.bindJob(p, j);
                Rows.bindSince4(p, j);
                p.addBatch();
            }
            p.executeBatch();
        }
        List<Job> started = jobs.stream().filter(j -> j.startTime() > 0).toList();
        if (!started.isEmpty()) {
            try (PreparedStatement runs = c.prepareStatement(runUpsert);
                    PreparedStatement steps = c.prepareStatement(stepUpsert)) {
                for (Job j : started) {
                    Rows.bindRun(runs, j);
                    runs.addBatch();
                    Rows.bindBatchStep(steps, j);
                    steps.addBatch();
                }
                runs.executeBatch();
                steps.executeBatch();
            }
        }
        List<Job> requeued = jobs.stream().filter(j -> j.restarts() > 0).toList();
        if (!requeued.isEmpty()) {
            long now = clock.getAsLong();
            // srun's steps are ended by JobSteps, as CANCELLED (the batch step's row has step_id -1)
            for (String table : List.of("job_runs", "job_steps")) {
                try (PreparedStatement p = c.prepareStatement("UPDATE " + table
                        + " SET end_time=?, state='REQUEUED' WHERE job_id=? AND run<? AND end_time=0"
                        + (table.equals("job_steps") ? " AND step_id < 0" : ""))) {
                    for (Job j : requeued) {
                        p.setLong(1, now);
                        p.setLong(2, j.id());
                        p.setLong(3, j.restarts());
                        p.addBatch();
                    }
                    p.executeBatch();
                }
            }
        }
    }

    /** Writes the kept job ends when the server answers again; quiet while it does not. */
    private synchronized void retryDeferred() {
        if (deferred.isEmpty()) return;
        try {
            transaction("cannot write kept job ends", "cannot write kept job ends to", c -> null);
        } catch (RuntimeException e) {
            log.debug("kept job ends not written yet count={} error=\"{}\"", deferred.size(), e.getMessage());
        }
    }

    @Override
    public synchronized List<Job> activeJobs() {
        return queryJobs(
                "SELECT record FROM jobs WHERE state IN ('PENDING','RUNNING','SUSPENDED') ORDER BY id", List.of());
    }

    @Override
    public synchronized List<Job> endedSince(long since) {
        return queryJobs(
                "SELECT record FROM jobs WHERE state NOT IN ('PENDING','RUNNING','SUSPENDED') AND end_time >= ? ORDER BY id",
                List.of(since));
    }

    @Override
    public synchronized List<AccountingRecord> accounting(AccountingQuery query) {
        return accounting(query, Map.of());
    }

    @Override
    public synchronized List<AccountingRecord> accounting(AccountingQuery query, Map<Long, Job> current) {
        return read("cannot read accounting records", c -> AccountingSql.records(c, query, current));
    }

    private List<Job> queryJobs(String sql, List<Object> args) {
        return read("cannot read jobs", c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) p.setLong(i + 1, ((Number) args.get(i)).longValue());
                List<Job> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) out.add(Rows.job(r.getBytes(1)));
                }
                return out;
            }
        });
    }

    /** A step's start inserts its row; its end changes that row, whichever run the job is in by then. */
    @Override
    public synchronized void saveStep(Step step, int run) {
        String what = "cannot save step " + step.displayId();
        transaction(what, what + " to", c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE job_steps SET state=?, end_time=?, exit_code=?,"
                    + " exit_signal=?, max_rss_kib=?, max_vm_kib=?, user_cpu_ms=?, system_cpu_ms=?, task_usage=?"
                    + " WHERE job_id=? AND step_id=?")) {
                p.setString(1, step.state().name());
                p.setLong(2, step.end());
                p.setLong(3, step.exitCode());
                p.setLong(4, step.signal());
                int i = Rows.bindUsage(p, 5, step.usage());
                Rows.text(p, i++, step.usage() == null ? null : step.usage().toText());
                p.setLong(i++, step.jobId());
                p.setLong(i, step.id());
                if (p.executeUpdate() > 0) return null;
            }
            try (PreparedStatement p = c.prepareStatement(srunStepInsert)) {
                Rows.bindSrunStep(p, step, run);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public synchronized Map<Long, List<Step>> steps(java.util.Collection<Long> jobIds) {
        if (jobIds.isEmpty()) return Map.of();
        return read("cannot read steps", c -> AccountingSql.srunSteps(c, jobIds));
    }

    @Override
    public synchronized void saveNode(Node node) {
        String now = node.state().name() + "\n" + node.reason();
        String what = "cannot save node " + node.name();
        transaction(what, what + " to", c -> {
            String before =
                    nodeStates.containsKey(node.name()) ? nodeStates.get(node.name()) : NodeEvents.storedState(c, node);
            try (PreparedStatement p = c.prepareStatement(nodeUpsert)) {
                Rows.bindNode(p, node);
                p.executeUpdate();
            }
            if (!now.equals(before)) NodeEvents.record(c, node, clock.getAsLong());
            return null;
        });
        nodeStates.put(node.name(), now);
    }

    @Override
    public synchronized List<Node> nodes() {
        return read("cannot read nodes", c -> {
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT record FROM nodes ORDER BY name")) {
                List<Node> out = new ArrayList<>();
                while (r.next()) out.add(Rows.node(r.getBytes(1)));
                return out;
            }
        });
    }

    @Override
    public synchronized long countJobs(JobState state) {
        return read("cannot count jobs", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM jobs WHERE state = ?")) {
                p.setString(1, state.name());
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        });
    }

    @Override
    public synchronized io.motley.core.accounts.AccountsDb accounts() {
        return read("cannot read accounts", AccountRows::read);
    }

    @Override
    public synchronized void saveAccounts(io.motley.core.accounts.AccountsDb db) {
        transaction("cannot save accounts", "cannot save accounts to", c -> {
            AccountRows.write(c, db);
            return null;
        });
    }

    /**
     * What is wrong now. For the embedded file, checked on the spot (cheap); for a server, as last
     * seen by a write or by the probe every {@link #RETRY_SECONDS} s, so the answer never waits
     * for a lost server or for a commit in progress.
     */
    @Override
    public Optional<String> problem() {
        if (file != null) {
            synchronized (this) {
                return file.problem(() -> JobIds.next(single, ""));
            }
        }
        return health.problem();
    }

    /** Every few seconds: notes whether the server answers, and writes kept job ends once it does. */
    private void probe() {
        if (health.probe(pool)) retryDeferred();
    }

    /** Job ends kept from an outage and not yet written (for tests). */
    synchronized int deferredCount() {
        return deferred.size();
    }

    /** Closes the database; the embedded file's id mark is made exact, so a clean restart leaves no gap in the ids. */
    @Override
    public void close() {
        // outside the lock: the committer needs it to write what is queued
        submissions.close();
        closeDatabase();
    }

    private synchronized void closeDatabase() {
        if (retry != null) retry.shutdownNow();
        if (file != null) {
            try {
                file.closed(JobIds.next(single, ""));
            } catch (SQLException e) {
                log.warn("cannot read the next job id to make the mark exact: {}", e.toString());
            }
            try {
                single.close();
            } catch (SQLException e) {
                throw new StoreException("cannot close the database: " + e.getMessage(), e);
            }
            return;
        }
        retryDeferred();
        try {
            transaction("cannot save the next job id", "cannot save the next job id to", c -> {
                JobIds.set(c, serverNext);
                return null;
            });
        } catch (StoreException e) {
            // the next start finds it from the jobs themselves
            log.warn("next job id not saved at close: {}", e.getMessage());
        }
        if (!deferred.isEmpty()) {
            log.error(
                    "job ends not written, the database {} is unreachable; their agents report them again jobs={}",
                    where,
                    deferred.keySet());
        }
        pool.close();
    }
}
