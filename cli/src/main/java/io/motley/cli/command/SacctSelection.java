package io.motley.cli.command;

import io.motley.core.accounting.AccountingQuery;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.JobState;
import io.motley.core.options.GetOpt;
import io.motley.core.options.UsageException;
import io.motley.core.time.Durations;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * sacct's selection flags read into an {@link AccountingQuery}, with Slurm's defaults
 * (slurmdb_job_cond_def_start_end): without -s and -j the window is today from 00:00 until now;
 * with -j it starts at the epoch; with -s it is the moment now ({@code -S} defaults to now and
 * {@code -E} to {@code -S}), so that -s finds jobs in those states now unless a window is given.
 * The caller's own jobs unless -a, -u, -j or -N, or the caller is root. {@code steps}: per job
 * of -j, the steps asked for (null: the job and all its steps).
 */
record SacctSelection(AccountingQuery query, Map<Long, Set<String>> steps) {

    /** sacct -s codes of states Motley's jobs never reach, with their names: they select nothing. */
    private static final Map<String, String> OTHER_STATES = Map.of(
            "S", "SUSPENDED",
            "PR", "PREEMPTED",
            "BF", "BOOT_FAIL",
            "RQ", "REQUEUED",
            "RS", "RESIZING",
            "RV", "REVOKED",
            "SE", "SPECIAL_EXIT");

    static SacctSelection parse(GetOpt.Parsed p, Io io) {
        AccountingQuery.Builder q = AccountingQuery.builder();
        Map<Long, Set<String>> steps = new LinkedHashMap<>();
        for (String list : p.all("jobs")) {
            for (String item : list.split(",")) {
                if (item.isBlank()) continue;
                String t = item.trim();
                if (!Character.isDigit(t.charAt(0))) throw fatal("Bad job/step specified: " + t);
                int dot = t.indexOf('.');
                String idPart = dot < 0 ? t : t.substring(0, dot);
                AccountingQuery.JobId id;
                try {
                    id = AccountingQuery.JobId.parse(idPart);
                } catch (NumberFormatException e) {
                    throw fatal("Bad job/step specified: " + t);
                }
                q.job(id);
                if (dot < 0) {
                    steps.put(id.id(), null);
                } else if (!steps.containsKey(id.id()) || steps.get(id.id()) != null) {
                    steps.computeIfAbsent(id.id(), k -> new HashSet<>()).add(t.substring(dot + 1));
                }
            }
        }
        boolean jobs = !steps.isEmpty();
        Set<String> states = p.has("state") ? states(p) : Set.of();
        states.forEach(q::state);
        boolean nodes = false;
        for (String list : p.all("nodelist")) {
            try {
                for (String n : Hostlist.expand(list)) {
                    q.node(n);
                    nodes = true;
                }
            } catch (IllegalArgumentException e) {
                throw fatal("Invalid node list: " + list);
            }
        }

        boolean allUsers = p.has("allusers") || io.uid() == 0 || jobs || nodes;
        boolean named = false;
        for (String list : p.all("user")) {
            for (String u : list.split(",")) {
                String t = u.trim();
                if (t.isEmpty()) continue;
                if (t.equals("-1")) {
                    named = false;
                    allUsers = true;
                    q = withoutUsers(q);
                    break;
                }
                named = true;
                if (t.chars().allMatch(Character::isDigit)) q.uid(Integer.parseInt(t));
                else q.user(t);
            }
        }
        if (!named && !allUsers) {
            if (io.uid() >= 0) q.uid(io.uid());
            else q.user(io.userName());
        }
        for (String a : list(p, "accounts")) q.account(a);
        for (String r : list(p, "partition")) q.partition(r);
        for (String n : list(p, "name")) q.name(n);

        long now = io.nowSeconds();
        ZonedDateTime zoned = ZonedDateTime.ofInstant(Instant.ofEpochSecond(now), io.zone());
        Long start = p.has("starttime") ? time(p.last("starttime"), zoned) : null;
        Long end = p.has("endtime") ? time(p.last("endtime"), zoned) : null;
        if (!states.isEmpty()) {
            if (start == null && !jobs) start = now;
            if (start != null && end == null) end = start;
        } else if (!jobs && start == null) {
            start = LocalDate.ofInstant(Instant.ofEpochSecond(now), io.zone())
                    .atStartOfDay(io.zone())
                    .toEpochSecond();
        }
        if (start == null) start = 0L;
        if (end == null) end = now;
        if (start > end) {
            throw new UsageException(
                    "error: Start time (" + Durations.formatTimestamp(start, io.zone())
                            + ") requested is after end time (" + Durations.formatTimestamp(end, io.zone()) + ").",
                    1,
                    false);
        }
        // the window is [start, end): an end of now, or equal to the start, takes that second in
        if (end.equals(start) || end == now) end = end + 1;
        q.window(start, end);
        q.allocationsOnly(p.has("allocations")).duplicates(p.has("duplicates"));
        return new SacctSelection(q.build(), steps);
    }

    private static AccountingQuery.Builder withoutUsers(AccountingQuery.Builder q) {
        AccountingQuery built = q.build();
        AccountingQuery.Builder fresh = AccountingQuery.builder();
        built.jobs().forEach(fresh::job);
        built.states().forEach(fresh::state);
        built.nodes().forEach(fresh::node);
        return fresh;
    }

    /** -s: Slurm's state names or codes, any case, as canonical names. */
    static Set<String> states(GetOpt.Parsed p) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String list : p.all("state")) {
            String[] items = list.split(",");
            for (int i = 0; i < items.length; i++) {
                String s = items[i].trim();
                if (s.isEmpty()) continue;
                String up = s.toUpperCase(Locale.ROOT);
                var st = JobState.parse(s);
                if (st.isPresent()) out.add(st.get().name());
                else if (OTHER_STATES.containsKey(up)) out.add(OTHER_STATES.get(up));
                else if (OTHER_STATES.containsValue(up)) out.add(up);
                // Slurm quotes the value only when it is the list's last
                else throw fatal("unrecognized job state value " + (i == items.length - 1 ? "'" + s + "'" : s));
            }
        }
        return out;
    }

    private static Set<String> list(GetOpt.Parsed p, String key) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String list : p.all(key)) {
            for (String s : list.split(",")) if (!s.isBlank()) out.add(s.trim());
        }
        return out;
    }

    private static UsageException fatal(String message) {
        return new UsageException("fatal: " + message, 1, false);
    }

    private static long time(String text, ZonedDateTime now) {
        try {
            return Durations.parseTimestamp(text, now, true);
        } catch (IllegalArgumentException e) {
            throw new UsageException("error: Invalid time specification (pos=0): " + text, 1, false);
        }
    }
}
