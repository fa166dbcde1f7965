package io.motley.protocol;

import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounting.JobRun;
import io.motley.core.accounting.JobStep;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Usage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * sacct's query and answer as frames, in one place for both ends (to become a typed message).
 * The query: {@code start}/{@code end}, comma lists {@code uids}, {@code users},
 * {@code accounts}, {@code partitions}, {@code states}, {@code ids} (12 or 12_3), {@code nodes},
 * {@code names}, flags {@code allocations} and {@code duplicates}; {@code user} (one uid, -1
 * all) is what commands before it sent; {@code columns} asks for the answer in columns ({@link
 * AccountingColumns}). The answer otherwise: one job frame per line ({@link Codec#job} without
 * payload); an earlier run adds a {@code run} child, each step a {@code step} child.
 */
public final class AccountingFrames {
    private AccountingFrames() {}

    public static Frame query(AccountingQuery q) {
        Frame f = Frame.op(Ops.ACCOUNTING).put("start", q.start()).put("end", q.end());
        list(f, "uids", q.uids());
        list(f, "users", q.users());
        list(f, "accounts", q.accounts());
        list(f, "partitions", q.partitions());
        list(f, "states", q.states());
        list(f, "ids", q.jobs());
        list(f, "nodes", q.nodes());
        list(f, "names", q.names());
        if (q.allocationsOnly()) f.put("allocations", true);
        if (q.duplicates()) f.put("duplicates", true);
        // the answer in columns ({@link #columns}); a controller that does not know the field answers with frames
        f.put(AccountingColumns.ASK, true);
        return f;
    }

    /** The query in a request; IllegalArgumentException names the field that is wrong. */
    public static AccountingQuery query(Frame req) {
        AccountingQuery.Builder q = AccountingQuery.builder();
        long start = number(req.str("start", "0"), "start");
        long end = number(req.str("end", Long.toString(Long.MAX_VALUE)), "end");
        if (end < start) throw new IllegalArgumentException("end: the window ends before it starts");
        q.window(start, end);
        long user = number(req.str("user", "-1"), "user");
        if (user >= 0) q.uid((int) user);
        for (String u : split(req, "uids")) q.uid((int) number(u, "uids"));
        split(req, "users").forEach(q::user);
        split(req, "accounts").forEach(q::account);
        split(req, "partitions").forEach(q::partition);
        split(req, "nodes").forEach(q::node);
        split(req, "names").forEach(q::name);
        for (String st : split(req, "states")) {
            try {
                q.state(st);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("states: '" + st + "' is not a job state", e);
            }
        }
        for (String id : split(req, "ids")) {
            try {
                q.job(AccountingQuery.JobId.parse(id.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ids: '" + id + "' is not a job id", e);
            }
        }
        return q.allocationsOnly(req.bool("allocations"))
                .duplicates(req.bool("duplicates"))
                .build();
    }

    public static Frame answer(List<AccountingRecord> records) {
        Frame out = Frame.op(Ops.OK);
        for (AccountingRecord r : records) {
            Frame f = Codec.job(r.job(), false);
            JobRun run = r.run();
            if (run != null) {
                f.add(Frame.op("run")
                        .put("run", run.run())
                        .put("start", run.startTime())
                        .put("end", run.endTime())
                        .put("state", run.state())
                        .put("exitCode", run.exit().code())
                        .put("exitSignal", run.exit().signal())
                        .put("node", run.nodeList())
                        .put("cpus", run.allocCpus()));
            }
            for (JobStep st : r.steps()) {
                f.add(Frame.op("step")
                        .put("run", st.run())
                        .put("name", st.name())
                        .put("start", st.startTime())
                        .put("end", st.endTime())
                        .put("state", st.state())
                        .put("exitCode", st.exit().code())
                        .put("exitSignal", st.exit().signal())
                        .put("node", st.nodeList())
                        .put("cpus", st.allocCpus())
                        .put("maxRss", st.usage().maxRssKiB())
                        .put("maxVm", st.usage().maxVmKiB())
                        .put("userCpu", st.usage().userCpuMs())
                        .put("sysCpu", st.usage().systemCpuMs()));
            }
            out.add(f);
        }
        return out;
    }

    /** Whether the query in {@code req} asks for its answer in columns ({@link #columns}). */
    public static boolean wantsColumns(Frame req) {
        return req.bool(AccountingColumns.ASK);
    }

    /**
     * The answer in columns ({@link AccountingColumns}): what {@link #answer} says, read back the
     * same by {@link #records}, in a few bytes a job and with no frame per job at either end.
     */
    public static Frame columns(List<AccountingRecord> records) {
        return AccountingColumns.encode(records);
    }

    /** The records of an answer, in columns or (from a controller before them) a frame per record. */
    public static List<AccountingRecord> records(Frame answer) {
        if (AccountingColumns.isColumns(answer)) return AccountingColumns.decode(answer);
        List<AccountingRecord> out = new ArrayList<>();
        for (Frame f : answer.children()) {
            JobRun run = null;
            List<JobStep> steps = new ArrayList<>();
            for (Frame c : f.children()) {
                ExitStatus exit = new ExitStatus(c.integer("exitCode", 0), c.integer("exitSignal", 0));
                if (c.op().equals("run")) {
                    run = new JobRun(
                            c.integer("run", 0),
                            c.lng("start", 0),
                            c.lng("end", 0),
                            c.str("state", JobRun.REQUEUED),
                            exit,
                            c.str("node"),
                            c.integer("cpus", 0));
                } else if (c.op().equals("step")) {
                    steps.add(new JobStep(
                            c.integer("run", 0),
                            c.str("name", "batch"),
                            c.lng("start", 0),
                            c.lng("end", 0),
                            c.str("state", "COMPLETED"),
                            exit,
                            c.str("node"),
                            c.integer("cpus", 0),
                            new Usage(c.lng("maxRss", 0), c.lng("maxVm", 0), c.lng("userCpu", 0), c.lng("sysCpu", 0))));
                }
            }
            out.add(new AccountingRecord(Codec.job(f), run, steps));
        }
        return out;
    }

    private static void list(Frame f, String key, Collection<?> values) {
        if (values.isEmpty()) return;
        f.put(key, String.join(",", values.stream().map(String::valueOf).toList()));
    }

    private static List<String> split(Frame req, String key) {
        List<String> out = new ArrayList<>();
        for (String t : req.str(key, "").split(",")) if (!t.isBlank()) out.add(t);
        return out;
    }

    private static long number(String v, String key) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a number", e);
        }
    }
}
