package io.motley.controller.store;

import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounting.JobRun;
import io.motley.core.accounting.JobStep;
import io.motley.core.cluster.Node;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.step.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * The store in memory, for tests of the controller's parts: the same answers as {@link SqlStore}
 * (the store contract tests run against both), nothing durable. {@link #problem} can be set to
 * play a database in trouble: writes then fail with it as their message.
 */
public final class MemoryStore implements Store {
    private final TreeMap<Long, Job> jobs = new TreeMap<>();
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    /** Each job's runs by run number, and each run's batch step by "id/run", as SqlStore's job_runs and job_steps. */
    private final Map<Long, TreeMap<Integer, JobRun>> runs = new HashMap<>();

    private final Map<String, JobStep> steps = new HashMap<>();
    /** The steps srun made, by job, by id. */
    private final Map<Long, TreeMap<Integer, Step>> srunSteps = new HashMap<>();

    private final LongSupplier clock = () -> System.currentTimeMillis() / 1000;
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
        for (Job j : list) {
            jobs.put(j.id(), j);
            TreeMap<Integer, JobRun> r = runs.computeIfAbsent(j.id(), k -> new TreeMap<>());
            if (j.startTime() > 0) {
                r.put(
                        j.restarts(),
                        new JobRun(
                                j.restarts(),
                                j.startTime(),
                                j.endTime(),
                                j.state().name(),
                                j.exit(),
                                j.nodeList(),
                                j.allocCpus()));
                steps.put(
                        j.id() + "/" + j.restarts(),
                        new JobStep(
                                j.restarts(),
                                "batch",
                                j.startTime(),
                                j.endTime(),
                                j.state().name(),
                                j.exit(),
                                j.node(),
                                j.allocCpus(),
                                j.usage()));
            }
            // as SqlStore: a requeue ends the runs before it, and their steps, as REQUEUED
            long now = clock.getAsLong();
            for (JobRun run : List.copyOf(r.headMap(j.restarts()).values())) {
                if (run.endTime() != 0) continue;
                r.put(
                        run.run(),
                        new JobRun(
                                run.run(),
                                run.startTime(),
                                now,
                                JobRun.REQUEUED,
                                run.exit(),
                                run.nodeList(),
                                run.allocCpus()));
                JobStep st = steps.get(j.id() + "/" + run.run());
                if (st != null) {
                    steps.put(
                            j.id() + "/" + run.run(),
                            new JobStep(
                                    st.run(),
                                    st.name(),
                                    st.startTime(),
                                    now,
                                    JobRun.REQUEUED,
                                    st.exit(),
                                    st.nodeList(),
                                    st.allocCpus(),
                                    st.usage()));
                }
            }
        }
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
    public synchronized List<AccountingRecord> accounting(AccountingQuery query) {
        List<AccountingRecord> out = new ArrayList<>();
        for (Job j : jobs.values()) {
            TreeMap<Integer, JobRun> r = runs.getOrDefault(j.id(), new TreeMap<>());
            List<JobStep> s = r.keySet().stream()
                    .map(run -> steps.get(j.id() + "/" + run))
                    .filter(java.util.Objects::nonNull)
                    .toList();
            out.addAll(query.select(j, List.copyOf(r.values()), s));
        }
        return out;
    }

    @Override
    public synchronized void saveStep(Step step, int run) {
        writable();
        srunSteps.computeIfAbsent(step.jobId(), k -> new TreeMap<>()).put(step.id(), step);
    }

    @Override
    public synchronized Map<Long, List<Step>> steps(java.util.Collection<Long> jobIds) {
        Map<Long, List<Step>> out = new HashMap<>();
        for (long id : jobIds) {
            TreeMap<Integer, Step> kept = srunSteps.get(id);
            if (kept != null) out.put(id, List.copyOf(kept.values()));
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
        return j.state() == JobState.PENDING || j.state().holdsAllocation();
    }
}
