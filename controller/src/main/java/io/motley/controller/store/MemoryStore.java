package io.motley.controller.store;

import io.motley.core.cluster.Node;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * The store in memory, for tests of the controller's parts: the same answers as {@link SqlStore}
 * (the store contract tests run against both), nothing durable. {@link #problem} can be set to
 * play a database in trouble: writes then fail with it as their message.
 */
public final class MemoryStore implements Store {
    private final TreeMap<Long, Job> jobs = new TreeMap<>();
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private long nextId = 1;
    private String problem;
    private io.motley.core.accounts.AccountsDb accounts = io.motley.core.accounts.AccountsDb.empty();

    /** Makes every write fail with {@code message} (null: healthy again), as a lost database would. */
    public synchronized void failWith(String message) {
        problem = message;
    }

    private void writable() {
        if (problem != null) throw new StoreException(problem, null);
    }

    @Override
    public synchronized Job insertNew(LongFunction<Job> make) {
        writable();
        Job job = make.apply(nextId);
        nextId++;
        jobs.put(job.id(), job);
        return job;
    }

    @Override
    public CompletableFuture<Job> insertGrouped(LongFunction<Job> make) {
        try {
            return CompletableFuture.completedFuture(insertNew(make));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public synchronized void saveJob(Job job) {
        saveJobs(List.of(job));
    }

    @Override
    public synchronized void saveJobs(List<Job> list) {
        if (list.isEmpty()) return;
        writable();
        for (Job j : list) jobs.put(j.id(), j);
    }

    @Override
    public synchronized List<Job> activeJobs() {
        return jobs.values().stream().filter(MemoryStore::active).toList();
    }

    @Override
    public synchronized List<Job> endedSince(long since) {
        return jobs.values().stream()
                .filter(j -> !active(j) && j.endTime() >= since)
                .toList();
    }

    @Override
    public synchronized List<Job> accounting(long start, long end, int uid, List<Long> ids) {
        List<Job> out = new ArrayList<>();
        for (Job j : jobs.values()) {
            boolean picked = ids.isEmpty()
                    ? j.submitTime() <= end && (j.endTime() == 0 || j.endTime() >= start)
                    : ids.contains(j.id())
                            || (j.array() != null && ids.contains(j.array().arrayJobId()));
            if (picked && (uid < 0 || j.uid() == uid)) out.add(j);
        }
        return out;
    }

    @Override
    public synchronized void saveNode(Node node) {
        writable();
        nodes.put(node.name(), node);
    }

    @Override
    public synchronized List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    @Override
    public synchronized long countJobs(JobState state) {
        return jobs.values().stream().filter(j -> j.state() == state).count();
    }

    @Override
    public synchronized Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    @Override
    public synchronized io.motley.core.accounts.AccountsDb accounts() {
        return AccountRows.sorted(accounts);
    }

    @Override
    public synchronized void saveAccounts(io.motley.core.accounts.AccountsDb db) {
        writable();
        accounts = db;
    }

    @Override
    public void close() {}

    private static boolean active(Job j) {
        return j.state() == JobState.PENDING || j.state() == JobState.RUNNING;
    }
}
