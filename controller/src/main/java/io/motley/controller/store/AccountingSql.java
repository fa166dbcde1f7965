package io.motley.controller.store;

import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounting.JobRun;
import io.motley.core.accounting.JobStep;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.Usage;
import io.motley.core.step.Step;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link AccountingQuery} in SQL, the same on the three databases: a WHERE clause over
 * {@code jobs} that the indexes serve ({@code uid, end_time}, {@code state, end_time},
 * {@code eligible_time}, ...), and the runs and steps of the jobs it picked. What it picks is a
 * superset only where SQL cannot say it (a node inside a hostlist); {@link AccountingQuery#select}
 * then decides each line, as MemoryStore does.
 */
final class AccountingSql {
    /** The stored states of jobs that have not ended (their records change until they do). */
    private static final java.util.Set<String> ACTIVE = java.util.Set.of("PENDING", "RUNNING", "SUSPENDED");

    private AccountingSql() {}

    /** Ids per IN list when reading runs and steps. */
    private static final int CHUNK = 500;

    static String where(AccountingQuery q, List<Object> args) {
        List<String> and = new ArrayList<>();
        if (!q.allUsers()) {
            List<String> or = new ArrayList<>();
            if (!q.uids().isEmpty())
                or.add(in("uid", q.uids().stream().map(u -> (Object) (long) u).toList(), args));
            if (!q.users().isEmpty()) or.add(in("user_name", List.copyOf(q.users()), args));
            and.add(or.size() == 1 ? or.get(0) : "(" + String.join(" OR ", or) + ")");
        }
        if (!q.accounts().isEmpty()) and.add(in("account", List.copyOf(q.accounts()), args));
        if (!q.partitions().isEmpty()) and.add(in("partition_name", List.copyOf(q.partitions()), args));
        if (!q.names().isEmpty()) and.add(in("name", List.copyOf(q.names()), args));
        if (!q.jobs().isEmpty()) {
            List<String> or = new ArrayList<>();
            List<Object> whole = new ArrayList<>();
            for (AccountingQuery.JobId id : q.jobs()) {
                if (id.task() < 0) {
                    whole.add(id.id());
                } else {
                    or.add("(array_job_id = ? AND array_task_id = ?)");
                    args.add(id.id());
                    args.add((long) id.task());
                }
            }
            if (!whole.isEmpty()) {
                or.add(in("id", whole, args));
                or.add(in("array_job_id", whole, args));
            }
            and.add("(" + String.join(" OR ", or) + ")");
        }
        // the job as it is now, or (for a requeued job) one of its earlier runs, in the window and states
        String now = instance(q, "submit_time", "eligible_time", "start_time", "end_time", "state", args);
        String earlier =
                instance(q, "jobs.submit_time", "jobs.submit_time", "r.start_time", "r.end_time", "r.state", args);
        and.add("(" + now + " OR (restarts > 0 AND EXISTS (SELECT 1 FROM job_runs r WHERE r.job_id = jobs.id"
                + " AND r.run < jobs.restarts AND " + earlier + ")))");
        return String.join(" AND ", and);
    }

    /** AccountingQuery#matchesInstance over these columns (the node filter is left to it). */
    private static String instance(
            AccountingQuery q,
            String submit,
            String eligible,
            String start,
            String end,
            String state,
            List<Object> args) {
        long s = q.start();
        long e = q.end();
        if (q.states().isEmpty()) {
            String notEndedBefore = "(" + end + " >= ? OR " + end + " = 0)";
            if (!q.jobs().isEmpty()) {
                args.add(e);
                args.add(s);
                return "(" + submit + " < ? AND " + notEndedBefore + ")";
            }
            args.add(e);
            args.add(s);
            return "(" + eligible + " > 0 AND " + eligible + " < ? AND " + notEndedBefore + ")";
        }
        List<String> or = new ArrayList<>();
        for (String st : q.states()) {
            switch (st) {
                case "PENDING" -> {
                    or.add("(" + eligible + " > 0 AND ((" + start + " > 0 AND " + start + " > ?) OR (" + start
                            + " = 0 AND " + end + " > 0 AND " + end + " > ?) OR (" + start + " = 0 AND " + end
                            + " = 0 AND " + state + " = 'PENDING')) AND " + eligible + " < ?)");
                    args.add(s);
                    args.add(s);
                    args.add(e);
                }
                case "RUNNING" -> {
                    or.add("(" + start + " > 0 AND (" + end + " > ? OR (" + end + " = 0 AND " + state
                            + " = 'RUNNING')) AND " + start + " < ?)");
                    args.add(s);
                    args.add(e);
                }
                case "SUSPENDED" -> {
                    or.add("(" + state + " = 'SUSPENDED' AND " + start + " > 0 AND " + start + " < ?)");
                    args.add(e);
                }
                default -> {
                    or.add("(" + state + " = ? AND " + end + " > 0 AND " + end + " >= ? AND " + end + " <= ?)");
                    args.add(st);
                    args.add(s);
                    args.add(e);
                }
            }
        }
        return "(" + String.join(" OR ", or) + ")";
    }

    private static String in(String column, List<Object> values, List<Object> args) {
        args.addAll(values);
        return column + " IN (" + "?,".repeat(values.size() - 1) + "?)";
    }

    static void bind(PreparedStatement p, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof Number n) p.setLong(i + 1, n.longValue());
            else p.setString(i + 1, (String) a);
        }
    }

    static Map<Long, List<JobRun>> runs(Connection c, Collection<Long> ids) throws SQLException {
        Map<Long, List<JobRun>> out = new HashMap<>();
        for (List<Long> chunk : chunks(ids)) {
            String sql = "SELECT job_id, run, start_time, end_time, state, exit_code, exit_signal, node_list,"
                    + " alloc_cpus FROM job_runs WHERE job_id IN (" + "?,".repeat(chunk.size() - 1)
                    + "?) ORDER BY job_id, run";
            try (PreparedStatement p = c.prepareStatement(sql)) {
                bind(p, List.copyOf(chunk));
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.computeIfAbsent(r.getLong(1), k -> new ArrayList<>())
                                .add(new JobRun(
                                        r.getInt(2),
                                        r.getLong(3),
                                        r.getLong(4),
                                        r.getString(5),
                                        new ExitStatus(r.getInt(6), r.getInt(7)),
                                        r.getString(8),
                                        r.getInt(9)));
                    }
                }
            }
        }
        return out;
    }

    static Map<Long, List<JobStep>> steps(Connection c, Collection<Long> ids) throws SQLException {
        Map<Long, List<JobStep>> out = new HashMap<>();
        for (List<Long> chunk : chunks(ids)) {
            String sql = "SELECT job_id, run, step_name, start_time, end_time, state, exit_code, exit_signal,"
                    + " node_list, alloc_cpus, max_rss_kib, max_vm_kib, user_cpu_ms, system_cpu_ms FROM job_steps"
                    // the batch step; srun's steps come from the controller, which reads them with srunSteps
                    + " WHERE step_id < 0 AND job_id IN (" + "?,".repeat(chunk.size() - 1)
                    + "?) ORDER BY job_id, run, start_time";
            try (PreparedStatement p = c.prepareStatement(sql)) {
                bind(p, List.copyOf(chunk));
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.computeIfAbsent(r.getLong(1), k -> new ArrayList<>())
                                .add(new JobStep(
                                        r.getInt(2),
                                        r.getString(3),
                                        r.getLong(4),
                                        r.getLong(5),
                                        r.getString(6),
                                        new ExitStatus(r.getInt(7), r.getInt(8)),
                                        r.getString(9),
                                        r.getInt(10),
                                        new Usage(r.getLong(11), r.getLong(12), r.getLong(13), r.getLong(14))));
                    }
                }
            }
        }
        return out;
    }

    /** The steps srun made in these jobs, by job, in id order (Store#steps). */
    static Map<Long, List<Step>> srunSteps(Connection c, Collection<Long> ids) throws SQLException {
        Map<Long, List<Step>> out = new HashMap<>();
        for (List<Long> chunk : chunks(ids)) {
            String sql = "SELECT job_id, step_id, name, state, node_list, tasks, alloc_cpus, mem_mib, overlap,"
                    + " start_time, end_time, exit_code, exit_signal, task_usage FROM job_steps"
                    + " WHERE step_id >= 0 AND job_id IN ("
                    + "?,".repeat(chunk.size() - 1) + "?) ORDER BY job_id, step_id";
            try (PreparedStatement p = c.prepareStatement(sql)) {
                bind(p, List.copyOf(chunk));
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        long job = r.getLong(1);
                        out.computeIfAbsent(job, k -> new ArrayList<>()).add(Rows.srunStep(job, r, 2));
                    }
                }
            }
        }
        return out;
    }

    private static List<List<Long>> chunks(Collection<Long> ids) {
        List<Long> all = List.copyOf(ids);
        List<List<Long>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) out.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        return out;
    }

    /** The records {@code query} selects: the jobs in SQL, then their earlier runs and steps, then the final choice in core. */
    static List<AccountingRecord> records(Connection c, AccountingQuery query) throws SQLException {
        return records(c, query, Map.of());
    }

    /**
     * As above; a job the store has as not ended is taken from {@code current} (the controller's own
     * record of it) when it is there, and its stored record is neither read nor decoded, which is most
     * of the cost of a listing of waiting jobs (the record holds the job's whole environment).
     */
    static List<AccountingRecord> records(Connection c, AccountingQuery query, Map<Long, Job> current)
            throws SQLException {
        List<Object> args = new ArrayList<>();
        String where = where(query, args);
        List<Job> jobs = new ArrayList<>();
        try (PreparedStatement p =
                c.prepareStatement("SELECT id, state, record FROM jobs WHERE " + where + " ORDER BY id")) {
            bind(p, args);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    Job mine = ACTIVE.contains(r.getString(2)) ? current.get(r.getLong(1)) : null;
                    jobs.add(mine != null ? mine : Rows.job(r.getBytes(3)));
                }
            }
        }
        // runs are read only for requeued jobs (the others' one run is the job itself); steps unless -X
        Map<Long, List<JobRun>> runs =
                runs(c, jobs.stream().filter(j -> j.restarts() > 0).map(Job::id).toList());
        Map<Long, List<JobStep>> steps = query.allocationsOnly()
                ? Map.of()
                : steps(
                        c,
                        jobs.stream()
                                .filter(j -> j.startTime() > 0 || j.restarts() > 0)
                                .map(Job::id)
                                .toList());
        List<AccountingRecord> out = new ArrayList<>();
        for (Job j : jobs) {
            out.addAll(query.select(j, runs.getOrDefault(j.id(), List.of()), steps.getOrDefault(j.id(), List.of())));
        }
        return out;
    }
}
