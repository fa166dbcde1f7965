package io.motley.controller.store;

import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.cluster.Node;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.step.Step;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongFunction;

/**
 * The controller's durable state: every job ever accepted, with its whole record, and every node
 * that ever registered. A write returns only once it is committed, so an id handed to a user
 * survives a crash of the controller. {@link SqlStore} keeps it in SQLite, PostgreSQL or MariaDB;
 * {@link MemoryStore} in memory, for tests.
 */
public interface Store extends AccountsStore, AutoCloseable {

    /** The store motley.conf asks for: its StorageURL server, or the embedded file {@code state/motley.db}. */
    static Store open(ClusterConfig config, Path home) {
        ClusterConfig.Storage s = config.storage();
        if (s.embedded()) return sqlite(home.resolve("state/motley.db"));
        Path passFile = s.passFile() == null ? null : home.resolve("etc").resolve(s.passFile());
        return SqlStore.server(s.url(), s.user(), passFile);
    }

    /** The embedded SQLite database in {@code file} (created 0600 in a 0700 directory when missing). */
    static Store sqlite(Path file) {
        return SqlStore.sqlite(file);
    }

    /**
     * Takes the next job id and saves the job built for it in one transaction (one sync), so an
     * id handed to a user is always backed by its committed job. Refused, with a message that
     * says what to do, when the database is gone, replaced, read-only, full or unreachable.
     */
    Job insertNew(LongFunction<Job> make);

    /**
     * As {@link #insertNew}, but returns at once: the job joins the next group commit, and the
     * future completes with it once the transaction holding it (and the jobs submitted with it,
     * one sync for all) has committed, or fails with the {@link StoreException} that refused the
     * whole group. Ids are issued in the order of the calls. Lets a caller wait for the commit
     * without holding its own locks; {@link #await} waits.
     */
    CompletableFuture<Job> insertGrouped(LongFunction<Job> make);

    /** Waits for a job from {@link #insertGrouped}; a refusal is thrown as the store's {@link StoreException}. */
    static Job await(CompletableFuture<Job> inserted) {
        try {
            return inserted.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    void saveJob(Job job);

    /** Saves several jobs in one transaction (one sync), as a scheduling pass does. */
    void saveJobs(List<Job> jobs);

    /** Jobs not yet finished, to rebuild the controller's view after a restart. */
    List<Job> activeJobs();

    /** Jobs that ended at or after {@code since}: kept in view for squeue -t all and scontrol. */
    List<Job> endedSince(long since);

    /**
     * sacct's query: the jobs it selects, in id order, each as one line or (with -D) one line per
     * run that matches, with their steps. The semantics are {@link AccountingQuery}'s.
     */
    List<AccountingRecord> accounting(AccountingQuery query);

    /**
     * As {@link #accounting(AccountingQuery)}, with the controller's own records of the jobs that have
     * not ended ({@code current}, by id): a store may take a job from there rather than decode its
     * stored record, whose latest state it is. The answer is the same.
     */
    default List<AccountingRecord> accounting(AccountingQuery query, java.util.Map<Long, Job> current) {
        return accounting(query);
    }

    /**
     * Jobs by id, whenever they ran (with {@code ids}; each array's tasks too), or the jobs
     * eligible in {@code [start, end)}; uid -1 means all users. For lookups of jobs no longer in
     * view (scontrol show job, dependencies).
     */
    default List<Job> accounting(long start, long end, int uid, List<Long> ids) {
        AccountingQuery.Builder q = AccountingQuery.builder();
        if (ids.isEmpty()) q.window(start, end);
        for (long id : ids) q.job(new AccountingQuery.JobId(id, -1));
        if (uid >= 0) q.uid(uid);
        return accounting(q.allocationsOnly(true).build()).stream()
                .map(AccountingRecord::job)
                .toList();
    }

    /**
     * Saves a step srun made in run {@code run} of its job: its row is written when it starts and
     * changed when it ends (the run is the one it started in, whatever {@code run} says then).
     * Default: a store that keeps no steps (a benchmark's).
     */
    default void saveStep(Step step, int run) {}

    /** The srun steps kept for these jobs, by job, each job's in id order; jobs without steps are left out. */
    default Map<Long, List<Step>> steps(Collection<Long> jobIds) {
        return Map.of();
    }

    void saveNode(Node node);

    List<Node> nodes();

    long countJobs(JobState state);

    /**
     * What is wrong with the database now, for scontrol ping and motley status: gone or
     * replaced, not writable, its disk full, or unreachable; empty when it can take a new job.
     */
    Optional<String> problem();

    @Override
    void close();
}
