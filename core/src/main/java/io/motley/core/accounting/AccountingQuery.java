package io.motley.core.accounting;

import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What sacct asks the store for, with Slurm's semantics (slurmdbd's job query). Empty sets select
 * everything. The window is {@code [start, end)}, epoch seconds:
 *
 * <ul>
 *   <li>without states, a job is selected if it was eligible before {@code end} and had not ended
 *       before {@code start} (with {@code jobs}: submitted before {@code end}, so that a job whose
 *       begin time lies ahead is found too);
 *   <li>with states, if it was in one of them during the window: PENDING if eligible before
 *       {@code end} and still pending after {@code start}; RUNNING if started before {@code end}
 *       and still running after {@code start}; an end state (REQUEUED included) if it ended in
 *       it within {@code [start, end]}.
 * </ul>
 *
 * Users match by uid or name, {@code jobs} by id, by array ({@code 12} is every task of array
 * 12) or by task ({@code 12_3}), {@code nodes} by the nodes a run was on (any of them). Without
 * {@code duplicates} (sacct's -D) a job is one line, its latest instance that matches; with it,
 * each earlier run a requeue ended that matches is a line of its own. {@code allocationsOnly}
 * (-X) leaves the steps out.
 */
public record AccountingQuery(
        Set<Integer> uids,
        Set<String> users,
        Set<String> accounts,
        Set<String> partitions,
        Set<String> states,
        long start,
        long end,
        List<JobId> jobs,
        Set<String> nodes,
        Set<String> names,
        boolean allocationsOnly,
        boolean duplicates) {

    /** A job id as -j takes it: {@code task} -1 for the job, or every task of the array it names. */
    public record JobId(long id, int task) {
        /** Parses {@code 12} or {@code 12_3}; a step suffix ({@code .batch}) is the caller's business. */
        public static JobId parse(String text) {
            int under = text.indexOf('_');
            if (under < 0) return new JobId(Long.parseLong(text), -1);
            return new JobId(Long.parseLong(text.substring(0, under)), Integer.parseInt(text.substring(under + 1)));
        }

        @Override
        public String toString() {
            return task < 0 ? Long.toString(id) : id + "_" + task;
        }
    }

    /** The end states a job can be asked for with, besides PENDING and RUNNING. */
    public static final Set<String> END_STATES = Set.of(
            "COMPLETED",
            "FAILED",
            "CANCELLED",
            "TIMEOUT",
            "NODE_FAIL",
            "OUT_OF_MEMORY",
            "DEADLINE",
            "REQUEUED",
            "PREEMPTED",
            "BOOT_FAIL",
            "SUSPENDED",
            "RESIZING",
            "REVOKED",
            "SPECIAL_EXIT");

    public AccountingQuery {
        uids = Set.copyOf(uids);
        users = Set.copyOf(users);
        accounts = Set.copyOf(accounts);
        partitions = Set.copyOf(partitions);
        states = Set.copyOf(states);
        jobs = List.copyOf(jobs);
        nodes = Set.copyOf(nodes);
        names = Set.copyOf(names);
        if (end < start)
            throw new IllegalArgumentException("the window ends (" + end + ") before it starts (" + start + ")");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** These jobs (and the tasks of these arrays), whenever they ran, of any user. */
    public static AccountingQuery ofJobs(Collection<Long> ids) {
        Builder b = builder();
        for (long id : ids) b.job(new JobId(id, -1));
        return b.build();
    }

    public boolean allUsers() {
        return uids.isEmpty() && users.isEmpty();
    }

    // ---- the semantics, for MemoryStore and for what SqlStore's SQL picked ----------------------

    /** Whether the job's own fields (user, account, partition, name, id) are asked for. */
    public boolean matchesJob(Job j) {
        if (!allUsers() && !uids.contains(j.uid()) && !users.contains(j.user())) return false;
        if (!accounts.isEmpty() && !accounts.contains(j.request().account())) return false;
        if (!partitions.isEmpty() && !partitions.contains(j.partition())) return false;
        if (!names.isEmpty() && !names.contains(j.request().name())) return false;
        if (jobs.isEmpty()) return true;
        for (JobId id : jobs) {
            boolean inArray = j.array() != null && j.array().arrayJobId() == id.id();
            if (id.task() < 0
                    ? j.id() == id.id() || inArray
                    : inArray && j.array().taskId() == id.task()) return true;
        }
        return false;
    }

    /**
     * Whether one instance of a job (the job now, or an earlier run) falls in the window and the
     * states: {@code eligible} is when it could start, 0 if never.
     */
    public boolean matchesInstance(
            long submit, long eligible, long startTime, long endTime, String state, String node) {
        if (!nodes.isEmpty() && !onNodes(node)) return false;
        if (states.isEmpty()) {
            boolean notEndedBefore = endTime >= start || endTime == 0;
            if (!jobs.isEmpty()) return submit < end && notEndedBefore;
            return eligible > 0 && eligible < end && notEndedBefore;
        }
        for (String s : states) {
            boolean in = switch (s) {
                case "PENDING" ->
                    eligible > 0
                            && ((startTime > 0 && start < startTime)
                                    || (startTime == 0 && endTime > 0 && start < endTime)
                                    || (startTime == 0 && endTime == 0 && state.equals("PENDING")))
                            && end > eligible;
                case "RUNNING" ->
                    startTime > 0 && (start < endTime || (endTime == 0 && state.equals("RUNNING"))) && end > startTime;
                // suspended now, having started before the window's end (Slurm asks its suspend table
                // for any suspension in the window; Motley keeps no history of suspensions)
                case "SUSPENDED" -> state.equals(s) && startTime > 0 && startTime < end;
                default -> state.equals(s) && endTime > 0 && endTime >= start && endTime <= end;
            };
            if (in) return true;
        }
        return false;
    }

    private boolean onNodes(String nodeList) {
        if (nodeList == null || nodeList.isBlank()) return false;
        try {
            for (String n : Hostlist.expand(nodeList)) if (nodes.contains(n)) return true;
        } catch (IllegalArgumentException e) {
            return nodes.contains(nodeList);
        }
        return false;
    }

    /**
     * The lines a job gives, from all its runs and steps as stored: its earlier runs that match
     * (with -D), then the job as it is now if it matches; without -D only the latest of these.
     * Empty when the job itself is not asked for.
     */
    public List<AccountingRecord> select(Job j, List<JobRun> runs, List<JobStep> steps) {
        if (!matchesJob(j)) return List.of();
        List<AccountingRecord> out = new ArrayList<>();
        for (JobRun r : runs) {
            if (r.run() >= j.restarts()) continue;
            if (matchesInstance(j.submitTime(), j.submitTime(), r.startTime(), r.endTime(), r.state(), r.nodeList()))
                out.add(new AccountingRecord(j, r, stepsOf(steps, r.run())));
        }
        if (matchesInstance(
                j.submitTime(),
                j.eligibleTime(),
                j.startTime(),
                j.endTime(),
                j.state().name(),
                // every node of the job, not only its batch host (made only when a node filter asks)
                nodes.isEmpty() ? null : j.nodeList()))
            out.add(new AccountingRecord(j, null, j.startTime() > 0 ? stepsOf(steps, j.restarts()) : List.of()));
        if (!duplicates && out.size() > 1) return List.of(out.get(out.size() - 1));
        return out;
    }

    private List<JobStep> stepsOf(List<JobStep> steps, int run) {
        if (allocationsOnly) return List.of();
        return steps.stream().filter(s -> s.run() == run).toList();
    }

    /** Builds a query; what is not set selects everything, over all time. */
    public static final class Builder {
        private final Set<Integer> uids = new LinkedHashSet<>();
        private final Set<String> users = new LinkedHashSet<>();
        private final Set<String> accounts = new LinkedHashSet<>();
        private final Set<String> partitions = new LinkedHashSet<>();
        private final Set<String> states = new LinkedHashSet<>();
        private final List<JobId> jobs = new ArrayList<>();
        private final Set<String> nodes = new LinkedHashSet<>();
        private final Set<String> names = new LinkedHashSet<>();
        private long start = 0;
        private long end = Long.MAX_VALUE;
        private boolean allocationsOnly;
        private boolean duplicates;

        public Builder uid(int uid) {
            uids.add(uid);
            return this;
        }

        public Builder user(String name) {
            users.add(name);
            return this;
        }

        public Builder account(String a) {
            accounts.add(a);
            return this;
        }

        public Builder partition(String p) {
            partitions.add(p);
            return this;
        }

        /** A state by Slurm's name (any case): {@link JobState}'s, or one of {@link #END_STATES}. */
        public Builder state(String s) {
            String name = s.toUpperCase(Locale.ROOT);
            if (!name.equals("PENDING") && !name.equals("RUNNING") && !END_STATES.contains(name))
                throw new IllegalArgumentException("no job state " + s);
            states.add(name);
            return this;
        }

        public Builder window(long from, long to) {
            start = from;
            end = to;
            return this;
        }

        public Builder job(JobId id) {
            jobs.add(id);
            return this;
        }

        public Builder node(String n) {
            nodes.add(n);
            return this;
        }

        public Builder name(String n) {
            names.add(n);
            return this;
        }

        public Builder allocationsOnly(boolean on) {
            allocationsOnly = on;
            return this;
        }

        public Builder duplicates(boolean on) {
            duplicates = on;
            return this;
        }

        public AccountingQuery build() {
            return new AccountingQuery(
                    uids,
                    users,
                    accounts,
                    partitions,
                    states,
                    start,
                    end,
                    jobs,
                    nodes,
                    names,
                    allocationsOnly,
                    duplicates);
        }
    }
}
