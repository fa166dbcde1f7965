package io.motley.core.queue;

import io.motley.core.dependency.Dependency;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongFunction;

/**
 * The jobs a queue is built from, as one pass sees them, indexed for what eligibility asks: a job
 * by id, a dependency's target (an array seen whole), whether an earlier job of the same name and
 * user is active (singleton), an array's running tasks. {@link QueueBuilder#build} writes its
 * decisions back into the table as it goes, so a job judged later sees them (a job removed for its
 * deadline no longer blocks a singleton behind it), as the controller's own job map does.
 *
 * <p>{@code archive}, when given, answers for a job id the records the table may not hold (jobs
 * that ended long ago, an array's finished tasks): the job and every task of it, as the
 * controller's store answers; the table's own record of a job wins over the archive's. Without
 * one, the table is taken to hold every job (the simulator's case).
 */
public final class JobTable {
    private final TreeMap<Long, Job> byId = new TreeMap<>();
    private final LongFunction<List<Job>> archive;
    /** Active (not ended) job ids by user and name, for singleton; built on first use. */
    private Map<Named, TreeSet<Long>> active;
    /** Job ids by the array they belong to (an array's own record included); built on first use. */
    private Map<Long, TreeSet<Long>> members;

    private record Named(int uid, String name) {}

    /** A table of {@code jobs}; {@code archive} may be null (the table holds every job). */
    public JobTable(Collection<Job> jobs, LongFunction<List<Job>> archive) {
        this.archive = archive;
        for (Job j : jobs) put(j);
    }

    /** The job with this id, or null when the table does not hold it. */
    public Job get(long id) {
        return byId.get(id);
    }

    /** Every job held, by id. */
    public NavigableMap<Long, Job> jobs() {
        return java.util.Collections.unmodifiableNavigableMap(byId);
    }

    /** Adds a job or replaces its record. */
    public void put(Job j) {
        Job old = byId.put(j.id(), j);
        if (active != null) index(j, old);
    }

    private void index(Job j, Job old) {
        Named key = new Named(j.uid(), j.request().name());
        if (j.state().isTerminal()) {
            if (old != null) {
                TreeSet<Long> ids =
                        active.get(new Named(old.uid(), old.request().name()));
                if (ids != null) ids.remove(j.id());
            }
        } else {
            active.computeIfAbsent(key, k -> new TreeSet<>()).add(j.id());
        }
        if (j.array() != null)
            members.computeIfAbsent(j.array().arrayJobId(), k -> new TreeSet<>())
                    .add(j.id());
    }

    /** Whether a job of the same user and name with a lower id is still pending or running (singleton waits on it). */
    public boolean singletonBlocked(Job j) {
        indexed();
        TreeSet<Long> ids = active.get(new Named(j.uid(), j.request().name()));
        return ids != null && ids.lower(j.id()) != null;
    }

    /** How many tasks of array {@code arrayJobId} are running (its %N throttle counts them). */
    public int runningTasks(long arrayJobId) {
        indexed();
        TreeSet<Long> ids = members.get(arrayJobId);
        if (ids == null) return 0;
        int n = 0;
        for (long id : ids) {
            if (byId.get(id).state() == JobState.RUNNING) n++;
        }
        return n;
    }

    /** Job {@code id} and, for an array, every task of it: the array's own record and all its tasks. */
    public List<Job> family(long id) {
        return familyOf(id, byId::get, archive != null ? archive : this::held);
    }

    /** What a dependency on job {@code id} sees of it (empty: no such job). */
    public Optional<Dependency.Target> target(long id) {
        return targetOf(family(id));
    }

    private void indexed() {
        if (active != null) return;
        active = new HashMap<>();
        members = new HashMap<>();
        for (Job j : byId.values()) index(j, null);
    }

    private List<Job> held(long id) {
        indexed();
        TreeSet<Long> ids = new TreeSet<>();
        if (byId.containsKey(id)) ids.add(id);
        TreeSet<Long> tasks = members.get(id);
        if (tasks != null) ids.addAll(tasks);
        List<Job> out = new ArrayList<>(ids.size());
        for (long i : ids) out.add(byId.get(i));
        return out;
    }

    /**
     * Job {@code id} and its array's tasks: the live record alone for a job that is not an array,
     * else the archive's records (the job and every task), each replaced by its live record where
     * there is one.
     */
    public static List<Job> familyOf(long id, LongFunction<Job> live, LongFunction<List<Job>> archive) {
        Job t = live.apply(id);
        if (t != null && t.array() == null) return List.of(t);
        List<Job> out = new ArrayList<>();
        for (Job j : archive.apply(id)) {
            Job current = live.apply(j.id());
            out.add(current != null ? current : j);
        }
        return out;
    }

    /**
     * What a dependency sees of a job; for an array, the whole array as Slurm has it: not ended
     * while any task is pending or running, ok only if every task completed.
     */
    public static Optional<Dependency.Target> targetOf(List<Job> family) {
        if (family.isEmpty()) return Optional.empty();
        if (family.size() == 1)
            return Optional.of(
                    new Dependency.Target(family.get(0).state(), family.get(0).startTime()));
        long firstStart = family.stream()
                .mapToLong(Job::startTime)
                .filter(x -> x > 0)
                .min()
                .orElse(0);
        boolean active = family.stream().anyMatch(j -> !j.state().isTerminal());
        boolean allOk = family.stream().allMatch(j -> j.state() == JobState.COMPLETED);
        JobState state = active
                ? (firstStart > 0 ? JobState.RUNNING : JobState.PENDING)
                : allOk ? JobState.COMPLETED : JobState.FAILED;
        return Optional.of(new Dependency.Target(state, firstStart));
    }

    /** Lookups for one judgement of the jobs a dependency names, each looked up once. */
    NamedJobs named() {
        return new NamedJobs();
    }

    /**
     * The jobs a dependency names as one judgement sees them, each looked up once (an array's
     * record and tasks, and its pending indices unfolded once).
     */
    final class NamedJobs {
        private final Map<Long, List<Job>> families = new HashMap<>();
        private final Map<Long, Set<Integer>> pending = new HashMap<>();

        Optional<Dependency.Target> whole(long id) {
            return targetOf(families.computeIfAbsent(id, JobTable.this::family));
        }

        /**
         * What an aftercorr term sees for task {@code index} of a dependent array: the task of
         * array {@code id} with that index (pending while the array still holds it; empty when the
         * array has no such task); a job that is not an array is seen whole, as afterok sees it.
         */
        Optional<Dependency.Target> corresponding(long id, int index) {
            List<Job> family = families.computeIfAbsent(id, JobTable.this::family);
            if (family.stream().noneMatch(j -> j.array() != null)) return targetOf(family);
            for (Job t : family) {
                if (t.array() == null) continue;
                boolean holds = t.array().holdsPending() && t.state() == JobState.PENDING;
                if (t.array().taskId() == index && !holds)
                    return Optional.of(new Dependency.Target(t.state(), t.startTime()));
                if (t.array().holdsPending()
                        && pending.computeIfAbsent(
                                        t.id(),
                                        k -> Set.copyOf(
                                                ArraySpec.unfold(t.array().pending())))
                                .contains(index)) {
                    return Optional.of(new Dependency.Target(JobState.PENDING, 0));
                }
            }
            return Optional.empty();
        }
    }
}
