package io.motley.protocol;

import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounting.JobRun;
import io.motley.core.accounting.JobStep;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.PendingReason;
import io.motley.core.job.Usage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * sacct's answer in columns, as squeue's is ({@link QueueFrames}: a number column holds each
 * row's difference from the row before, a text column indices into its dictionary, a column that
 * is 0 or null in every row is left out). Three tables: the records' jobs ({@code j.NAME}, {@code
 * n} rows), the earlier runs ({@code r.NAME}, {@code r.n} rows) and the steps ({@code s.NAME},
 * {@code s.n} rows), each run and step naming its record's row in {@code rec}. A job carries what
 * its frame carries without the payload ({@link Codec#job}{@code (job, false)}), and reads back as
 * that frame does; ten thousand jobs of a few users take some bytes a job instead of a kilobyte,
 * and neither end makes a frame per job.
 */
final class AccountingColumns {
    private AccountingColumns() {}

    /** The field of the query that asks for this form; a controller that does not know it answers with frames. */
    static final String ASK = "columns";

    private static final String JOBS = "j.";
    private static final String RUNS = "r.";
    private static final String STEPS = "s.";
    private static final String COUNT = "n";

    /** Whether {@code answer} is in this form. */
    static boolean isColumns(Frame answer) {
        return answer.has(COUNT);
    }

    // ---- writing ----------------------------------------------------------------------------

    /**
     * Columns written a row at a time, every row the same columns in the same order: a column is
     * made on the first row and found by its place after that, with no lookup by name.
     */
    private static final class Writer {
        private final String prefix;
        private final int room;
        private final List<String> names = new ArrayList<>();
        private final List<Object> columns = new ArrayList<>();
        private int row = -1;
        private int at;

        Writer(String prefix, int room) {
            this.prefix = prefix;
            this.room = room;
        }

        void next() {
            row++;
            at = 0;
        }

        void num(String name, long v) {
            QueueFrames.Numbers c;
            if (row == 0) {
                names.add(name);
                columns.add(c = new QueueFrames.Numbers(0, room));
            } else {
                c = (QueueFrames.Numbers) column(name);
            }
            c.add(row, v);
            at++;
        }

        void flag(String name, boolean v) {
            num(name, v ? 1 : 0);
        }

        void text(String name, String v) {
            QueueFrames.Texts c;
            if (row == 0) {
                names.add(name);
                columns.add(c = new QueueFrames.Texts(0, room));
            } else {
                c = (QueueFrames.Texts) column(name);
            }
            c.add(row, v);
            at++;
        }

        private Object column(String name) {
            // the same code writes every row: a column out of place is a bug here, not bad input
            if (names.get(at) != name) throw new IllegalStateException("column " + name + " out of order");
            return columns.get(at);
        }

        void into(Frame f) {
            f.put(prefix + COUNT, row + 1);
            for (int i = 0; i < columns.size(); i++) {
                String key = prefix + names.get(i);
                if (columns.get(i) instanceof QueueFrames.Numbers c) {
                    if (c.any) f.put(key, c.text());
                } else if (columns.get(i) instanceof QueueFrames.Texts c && !c.index.isEmpty()) {
                    f.put(key, c.text()).put(key + ".d", c.dict.toString());
                }
            }
        }
    }

    /** The records in columns, as an "ok" answer. */
    static Frame encode(List<AccountingRecord> records) {
        Writer jobs = new Writer(JOBS, Math.min(records.size(), 1 << 16));
        Writer runs = new Writer(RUNS, 16);
        Writer steps = new Writer(STEPS, 16);
        for (int i = 0; i < records.size(); i++) {
            AccountingRecord r = records.get(i);
            jobs.next();
            job(jobs, r.job());
            JobRun run = r.run();
            if (run != null) {
                runs.next();
                runs.num("rec", i);
                runs.num("run", run.run());
                runs.num("start", run.startTime());
                runs.num("end", run.endTime());
                runs.text("state", run.state());
                runs.num("exitCode", run.exit().code());
                runs.num("exitSignal", run.exit().signal());
                runs.text("node", run.nodeList());
                runs.num("cpus", run.allocCpus());
            }
            for (JobStep st : r.steps()) {
                steps.next();
                steps.num("rec", i);
                steps.num("run", st.run());
                steps.text("name", st.name());
                steps.num("start", st.startTime());
                steps.num("end", st.endTime());
                steps.text("state", st.state());
                steps.num("exitCode", st.exit().code());
                steps.num("exitSignal", st.exit().signal());
                steps.text("node", st.nodeList());
                steps.num("cpus", st.allocCpus());
                steps.num("maxRss", st.usage().maxRssKiB());
                steps.num("maxVm", st.usage().maxVmKiB());
                steps.num("userCpu", st.usage().userCpuMs());
                steps.num("sysCpu", st.usage().systemCpuMs());
            }
        }
        Frame f = Frame.op(Ops.OK).put(COUNT, records.size());
        jobs.into(f);
        runs.into(f);
        steps.into(f);
        return f;
    }

    /** One job's columns: what {@link Codec#job} puts in its frame without the payload, the same numbers for the same things. */
    private static void job(Writer w, Job j) {
        Integer cancelledBy = j.outcome().cancelledBy();
        ArrayPart array = j.array();
        w.num("id", j.id());
        w.text("user", j.user());
        w.num("uid", j.uid());
        w.num("gid", j.gid());
        w.text("state", j.state().name());
        w.text("reason", j.reason().name());
        w.num("priority", j.priority());
        w.num("submit", j.submitTime());
        w.num("start", j.startTime());
        w.num("end", j.endTime());
        w.num("suspendTime", j.times().suspendTime());
        w.num("suspendedSecs", j.times().suspendedSecs());
        w.text("partition", j.partition());
        w.text("node", j.node());
        w.num("allocCpus", j.allocCpus());
        w.num("allocMem", j.allocMemMiB());
        w.text("gpuIds", gpuIds(j.gpuList()));
        w.text(
                "parts",
                j.allocation().parts().size() > 1
                        ? Codec.partsOnWire(j.allocation().parts())
                        : null);
        w.num("limit", Codec.limitOnWire(j.timeLimit()));
        w.num("exitCode", j.exit().code());
        w.num("exitSignal", j.exit().signal());
        w.num("cancelledBy", cancelledBy == null ? -1 : cancelledBy);
        w.text("stateDesc", j.stateDesc());
        w.num("maxRss", j.usage().maxRssKiB());
        w.num("maxVm", j.usage().maxVmKiB());
        w.num("userCpu", j.usage().userCpuMs());
        w.num("sysCpu", j.usage().systemCpuMs());
        w.num("restarts", j.restarts());
        w.flag("array", array != null);
        w.num("arrayJobId", array == null ? 0 : array.arrayJobId());
        w.num("arrayTaskId", array == null ? 0 : array.taskId());
        w.text("arrayPending", array == null ? null : array.pending());
        JobRequest r = j.request();
        JobRequest.Resources res = r.resources();
        MemoryRequest mem = res.memory();
        w.text("name", r.name());
        w.text("partitions", String.join(",", r.partitions()));
        w.num("ntasks", r.ntasks());
        w.num("cpusPerTask", r.cpusPerTask());
        w.flag("cpusPerTaskGiven", r.cpusPerTaskGiven());
        w.num("nodes", r.nodes());
        w.num("maxNodes", res.maxNodes());
        // as the frame has it: a count per node only when positive, "given" unless said otherwise
        w.num("ntasksPerNode", Math.max(0, res.ntasksPerNode()));
        w.flag("ntasksGiven", res.ntasksGiven());
        w.flag("spreadJob", res.spreadJob());
        w.num("memPerNode", mem instanceof MemoryRequest.PerNode n ? n.mib() : Codec.NOT_GIVEN);
        w.num("memPerCpu", mem instanceof MemoryRequest.PerCpu c ? c.mib() : Codec.NOT_GIVEN);
        w.num("timeLimit", Codec.limitOnWire(r.timing().limit()));
        w.text("stdout", r.stdoutPattern());
        w.text("stderr", r.stderrPattern());
        w.text("workDir", r.workDir());
        w.text("submitDir", r.submitDir());
        w.flag("hold", r.hold());
        w.text("comment", r.comment());
        w.text("account", r.account());
        w.text("submitHost", r.submitHost());
        w.text("submitNode", r.submitNode());
        w.num("gpus", r.gpusPerNode());
        w.text("gpuType", r.gpuType());
        w.text("dependency", r.dependency());
        w.flag("killOnInvalidDep", r.killOnInvalidDependency());
        w.num("begin", r.beginTime());
        w.text("constraint", r.constraint());
        w.text("nodeList", r.nodeList());
        w.text("exclude", r.excludeList());
        w.flag("exclusive", r.exclusive());
        w.text("arraySpec", r.array());
        w.num("nice", r.nice());
        w.text("qos", r.qos());
        w.num("deadline", r.deadline());
        w.flag("requeue", r.requeue());
        w.text("options", options(r.payload().options()));
    }

    private static String gpuIds(List<Integer> ids) {
        if (ids.isEmpty()) return "";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(ids.get(i));
        }
        return sb.toString();
    }

    /**
     * A job's options as one text, each key and value as LENGTH:TEXT; null when there are none.
     * Left out as the options frame leaves them: a value that is null, a key named "op".
     */
    private static String options(Map<String, String> options) {
        if (options.isEmpty()) return null;
        StringBuilder sb = new StringBuilder();
        for (var e : options.entrySet()) {
            if (e.getValue() == null || e.getKey().equals("op")) continue;
            sb.append(e.getKey().length()).append(':').append(e.getKey());
            sb.append(e.getValue().length()).append(':').append(e.getValue());
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    // ---- reading ----------------------------------------------------------------------------

    /** A table's columns as they came; a column is read on first use. */
    private static final class Table {
        private final Frame f;
        private final String prefix;
        final int size;

        Table(Frame f, String prefix, int size) {
            this.f = f;
            this.prefix = prefix;
            this.size = size;
        }

        /** A number column (null: 0 in every row). */
        long[] nums(String name) {
            return QueueFrames.numbers(f.str(prefix + name), size, prefix + name);
        }

        /** A text column, one value per row (null: null in every row). */
        String[] texts(String name) {
            String key = prefix + name;
            String[] dict = QueueFrames.dictionary(f.str(key + ".d"), key);
            int[] at = QueueFrames.indices(f.str(key), size, key, dict.length);
            if (at == null) return null;
            String[] out = new String[size];
            for (int i = 0; i < size; i++) out[i] = dict[at[i]];
            return out;
        }
    }

    private static long at(long[] column, int row) {
        return column == null ? 0 : column[row];
    }

    private static int small(long[] column, int row, String name) {
        long v = at(column, row);
        if (v != (int) v) throw new MalformedMessage(name + ": " + v + " is out of range");
        return (int) v;
    }

    private static String at(String[] column, int row) {
        return column == null ? null : column[row];
    }

    private static String at(String[] column, int row, String fallback) {
        String v = at(column, row);
        return v == null ? fallback : v;
    }

    private static int count(Frame f, String key) {
        String v = f.str(key, "0");
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new MalformedMessage(key + ": '" + FreeText.quote(v, 64) + "' is not a number");
        }
        if (n < 0 || n > Bounds.ANSWERS.maxBytes()) throw new MalformedMessage(key + ": '" + n + "' is no row count");
        return (int) n;
    }

    /** The records of an answer in this form, each job as its frame would read ({@link Codec#job(Frame)}). */
    static List<AccountingRecord> decode(Frame f) {
        Table jobs = new Table(f, JOBS, count(f, COUNT));
        List<Job> job = jobs(jobs);
        JobRun[] runAt = runs(new Table(f, RUNS, count(f, RUNS + COUNT)), jobs.size);
        List<List<JobStep>> stepsAt = steps(new Table(f, STEPS, count(f, STEPS + COUNT)), jobs.size);
        List<AccountingRecord> out = new ArrayList<>(jobs.size);
        for (int i = 0; i < jobs.size; i++) {
            List<JobStep> st = stepsAt.get(i);
            out.add(new AccountingRecord(job.get(i), runAt[i], st == null ? List.of() : st));
        }
        return out;
    }

    /** The earlier runs, by record row (null: the record is the job as it is now). */
    private static JobRun[] runs(Table runs, int records) {
        JobRun[] runAt = new JobRun[records];
        if (runs.size > 0) {
            int[] rec = records(runs, records);
            long[] run = runs.nums("run");
            long[] start = runs.nums("start");
            long[] end = runs.nums("end");
            String[] state = runs.texts("state");
            long[] code = runs.nums("exitCode");
            long[] signal = runs.nums("exitSignal");
            String[] node = runs.texts("node");
            long[] cpus = runs.nums("cpus");
            for (int i = 0; i < runs.size; i++) {
                if (runAt[rec[i]] != null) throw new MalformedMessage("r.rec: two runs for record " + rec[i]);
                runAt[rec[i]] = new JobRun(
                        small(run, i, "r.run"),
                        at(start, i),
                        at(end, i),
                        at(state, i, JobRun.REQUEUED),
                        new ExitStatus(small(code, i, "r.exitCode"), small(signal, i, "r.exitSignal")),
                        at(node, i),
                        small(cpus, i, "r.cpus"));
            }
        }
        return runAt;
    }

    /** The steps, by record row (null: none). */
    private static List<List<JobStep>> steps(Table steps, int records) {
        List<List<JobStep>> stepsAt = new ArrayList<>(java.util.Collections.nCopies(records, (List<JobStep>) null));
        if (steps.size > 0) {
            int[] rec = records(steps, records);
            long[] run = steps.nums("run");
            String[] name = steps.texts("name");
            long[] start = steps.nums("start");
            long[] end = steps.nums("end");
            String[] state = steps.texts("state");
            long[] code = steps.nums("exitCode");
            long[] signal = steps.nums("exitSignal");
            String[] node = steps.texts("node");
            long[] cpus = steps.nums("cpus");
            long[] maxRss = steps.nums("maxRss");
            long[] maxVm = steps.nums("maxVm");
            long[] userCpu = steps.nums("userCpu");
            long[] sysCpu = steps.nums("sysCpu");
            for (int i = 0; i < steps.size; i++) {
                List<JobStep> list = stepsAt.get(rec[i]);
                if (list == null) stepsAt.set(rec[i], list = new ArrayList<>(2));
                list.add(new JobStep(
                        small(run, i, "s.run"),
                        at(name, i, "batch"),
                        at(start, i),
                        at(end, i),
                        at(state, i, "COMPLETED"),
                        new ExitStatus(small(code, i, "s.exitCode"), small(signal, i, "s.exitSignal")),
                        at(node, i),
                        small(cpus, i, "s.cpus"),
                        new Usage(at(maxRss, i), at(maxVm, i), at(userCpu, i), at(sysCpu, i))));
            }
        }
        return stepsAt;
    }

    /** A run or step table's record rows, each one of the {@code records} jobs. */
    private static int[] records(Table t, int records) {
        long[] rec = t.nums("rec");
        int[] out = new int[t.size];
        for (int i = 0; i < t.size; i++) {
            long r = at(rec, i);
            if (r < 0 || r >= records)
                throw new MalformedMessage(t.prefix + "rec: " + r + " is not one of the " + records + " records");
            out[i] = (int) r;
        }
        return out;
    }

    private static List<Job> jobs(Table t) {
        JobColumns c = new JobColumns(t);
        List<Job> out = new ArrayList<>(t.size);
        for (int i = 0; i < t.size; i++) out.add(c.job(i));
        return out;
    }

    /**
     * The jobs' columns, each row read into a job by small methods: one method with every column
     * in a local is more than C1 compiles (the JVM client runs C1 alone), and would be interpreted.
     */
    private static final class JobColumns {
        final long[] id;
        final String[] user;
        final long[] uid;
        final long[] gid;
        final String[] state;
        final String[] reason;
        final long[] priority;
        final long[] submit;
        final long[] start;
        final long[] end;
        final long[] suspendTime;
        final long[] suspendedSecs;
        final String[] partition;
        final String[] node;
        final long[] allocCpus;
        final long[] allocMem;
        final String[] gpuIds;
        final String[] parts;
        final long[] limit;
        final long[] exitCode;
        final long[] exitSignal;
        final long[] cancelledBy;
        final String[] stateDesc;
        final long[] maxRss;
        final long[] maxVm;
        final long[] userCpu;
        final long[] sysCpu;
        final long[] restarts;
        final long[] array;
        final long[] arrayJobId;
        final long[] arrayTaskId;
        final String[] arrayPending;
        final String[] name;
        final String[] partitions;
        final long[] ntasks;
        final long[] cpusPerTask;
        final long[] cpusPerTaskGiven;
        final long[] nodes;
        final long[] maxNodes;
        final long[] ntasksPerNode;
        final long[] ntasksGiven;
        final long[] spreadJob;
        final long[] memPerNode;
        final long[] memPerCpu;
        final long[] timeLimit;
        final String[] stdout;
        final String[] stderr;
        final String[] workDir;
        final String[] submitDir;
        final long[] hold;
        final String[] comment;
        final String[] account;
        final String[] submitHost;
        final String[] submitNode;
        final long[] gpus;
        final String[] gpuType;
        final String[] dependency;
        final long[] killOnInvalidDep;
        final long[] begin;
        final String[] constraint;
        final String[] nodeList;
        final String[] exclude;
        final long[] exclusive;
        final String[] arraySpec;
        final long[] nice;
        final String[] qos;
        final long[] deadline;
        final long[] requeue;
        final String[] options;
        // each distinct text is turned into what it stands for once
        final Map<String, JobState> states = new HashMap<>();
        final Map<String, PendingReason> reasons = new HashMap<>();
        final Map<String, List<Integer>> gpuLists = new HashMap<>();
        final Map<String, List<String>> partitionLists = new HashMap<>();
        final Map<String, Map<String, String>> optionMaps = new HashMap<>();

        JobColumns(Table t) {
            id = t.nums("id");
            user = t.texts("user");
            uid = t.nums("uid");
            gid = t.nums("gid");
            state = t.texts("state");
            reason = t.texts("reason");
            priority = t.nums("priority");
            submit = t.nums("submit");
            start = t.nums("start");
            end = t.nums("end");
            suspendTime = t.nums("suspendTime");
            suspendedSecs = t.nums("suspendedSecs");
            partition = t.texts("partition");
            node = t.texts("node");
            allocCpus = t.nums("allocCpus");
            allocMem = t.nums("allocMem");
            gpuIds = t.texts("gpuIds");
            parts = t.texts("parts");
            limit = t.nums("limit");
            exitCode = t.nums("exitCode");
            exitSignal = t.nums("exitSignal");
            cancelledBy = t.nums("cancelledBy");
            stateDesc = t.texts("stateDesc");
            maxRss = t.nums("maxRss");
            maxVm = t.nums("maxVm");
            userCpu = t.nums("userCpu");
            sysCpu = t.nums("sysCpu");
            restarts = t.nums("restarts");
            array = t.nums("array");
            arrayJobId = t.nums("arrayJobId");
            arrayTaskId = t.nums("arrayTaskId");
            arrayPending = t.texts("arrayPending");
            name = t.texts("name");
            partitions = t.texts("partitions");
            ntasks = t.nums("ntasks");
            cpusPerTask = t.nums("cpusPerTask");
            cpusPerTaskGiven = t.nums("cpusPerTaskGiven");
            nodes = t.nums("nodes");
            maxNodes = t.nums("maxNodes");
            ntasksPerNode = t.nums("ntasksPerNode");
            ntasksGiven = t.nums("ntasksGiven");
            spreadJob = t.nums("spreadJob");
            memPerNode = t.nums("memPerNode");
            memPerCpu = t.nums("memPerCpu");
            timeLimit = t.nums("timeLimit");
            stdout = t.texts("stdout");
            stderr = t.texts("stderr");
            workDir = t.texts("workDir");
            submitDir = t.texts("submitDir");
            hold = t.nums("hold");
            comment = t.texts("comment");
            account = t.texts("account");
            submitHost = t.texts("submitHost");
            submitNode = t.texts("submitNode");
            gpus = t.nums("gpus");
            gpuType = t.texts("gpuType");
            dependency = t.texts("dependency");
            killOnInvalidDep = t.nums("killOnInvalidDep");
            begin = t.nums("begin");
            constraint = t.texts("constraint");
            nodeList = t.texts("nodeList");
            exclude = t.texts("exclude");
            exclusive = t.nums("exclusive");
            arraySpec = t.texts("arraySpec");
            nice = t.nums("nice");
            qos = t.texts("qos");
            deadline = t.nums("deadline");
            requeue = t.nums("requeue");
            options = t.texts("options");
            if (state == null && t.size > 0) throw new MalformedMessage("j.state: missing");
        }

        Job job(int i) {
            String st = at(state, i);
            if (st == null) throw new MalformedMessage("j.state: missing in row " + i);
            long cb = at(cancelledBy, i);
            return new Job(
                    at(id, i),
                    request(i),
                    new Job.Owner(at(user, i, "?"), small(uid, i, "j.uid"), small(gid, i, "j.gid")),
                    states.computeIfAbsent(st, JobState::valueOf),
                    reasons.computeIfAbsent(at(reason, i, "None"), PendingReason::valueOf),
                    at(priority, i),
                    new Job.Times(at(submit, i), at(start, i), at(end, i), at(suspendTime, i), at(suspendedSecs, i)),
                    allocation(i),
                    new Job.Outcome(
                            new ExitStatus(small(exitCode, i, "j.exitCode"), small(exitSignal, i, "j.exitSignal")),
                            cb < 0 ? null : small(cancelledBy, i, "j.cancelledBy"),
                            at(stateDesc, i)),
                    new Usage(at(maxRss, i), at(maxVm, i), at(userCpu, i), at(sysCpu, i)),
                    at(array, i) != 0
                            ? new ArrayPart(
                                    at(arrayJobId, i), small(arrayTaskId, i, "j.arrayTaskId"), at(arrayPending, i, ""))
                            : null,
                    small(restarts, i, "j.restarts"));
        }

        private Job.Allocation allocation(int i) {
            String multi = at(parts, i);
            String part = at(partition, i);
            if (multi != null)
                return new Job.Allocation(part, Codec.partsFromWire(multi), Codec.limitFromWire(at(limit, i)));
            String g = at(gpuIds, i, "");
            List<Integer> gpuList = g.isEmpty()
                    ? List.of()
                    : gpuLists.computeIfAbsent(
                            g,
                            s -> Arrays.stream(s.split(","))
                                    .map(Integer::parseInt)
                                    .toList());
            return new Job.Allocation(
                    part,
                    at(node, i),
                    small(allocCpus, i, "j.allocCpus"),
                    at(allocMem, i),
                    gpuList,
                    Codec.limitFromWire(at(limit, i)));
        }

        private JobRequest request(int i) {
            return new JobRequest(
                    at(name, i, "wrap"),
                    resources(i),
                    placement(i),
                    new JobRequest.Timing(Codec.limitFromWire(at(timeLimit, i)), at(begin, i), at(deadline, i)),
                    new JobRequest.Output(at(stdout, i), at(stderr, i), at(submitNode, i)),
                    payload(i),
                    new JobRequest.Conditions(
                            at(hold, i) == 1, at(dependency, i), at(killOnInvalidDep, i) == 1, at(arraySpec, i)),
                    new JobRequest.Terms(
                            at(account, i), at(qos, i), at(comment, i), small(nice, i, "j.nice"), at(requeue, i) == 1));
        }

        private JobRequest.Resources resources(int i) {
            return new JobRequest.Resources(
                    small(ntasks, i, "j.ntasks"),
                    small(cpusPerTask, i, "j.cpusPerTask"),
                    at(cpusPerTaskGiven, i) == 1,
                    small(nodes, i, "j.nodes"),
                    memory(at(memPerNode, i), at(memPerCpu, i)),
                    small(gpus, i, "j.gpus"),
                    at(gpuType, i),
                    small(maxNodes, i, "j.maxNodes"),
                    small(ntasksPerNode, i, "j.ntasksPerNode"),
                    at(ntasksGiven, i) == 1,
                    at(spreadJob, i) == 1);
        }

        private JobRequest.Placement placement(int i) {
            String p = at(partitions, i, "");
            List<String> list =
                    p.isEmpty() ? List.of() : partitionLists.computeIfAbsent(p, s -> Arrays.asList(s.split(",")));
            return new JobRequest.Placement(
                    list, at(constraint, i), at(nodeList, i), at(exclude, i), at(exclusive, i) == 1);
        }

        private JobRequest.Payload payload(int i) {
            String opts = at(options, i);
            Map<String, String> map =
                    opts == null ? Map.of() : optionMaps.computeIfAbsent(opts, AccountingColumns::optionsFromText);
            return new JobRequest.Payload(
                    at(workDir, i, "/"), at(submitDir, i), Map.of(), "", List.of(), at(submitHost, i), map);
        }
    }

    private static MemoryRequest memory(long perNode, long perCpu) {
        if (perNode != Codec.NOT_GIVEN) return new MemoryRequest.PerNode(perNode);
        if (perCpu != Codec.NOT_GIVEN) return new MemoryRequest.PerCpu(perCpu);
        return MemoryRequest.UNSET;
    }

    /** {@link #options} read back. */
    private static Map<String, String> optionsFromText(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int[] pos = {0};
        while (pos[0] < text.length()) {
            String k = item(text, pos);
            String v = item(text, pos);
            out.put(k, v);
        }
        return out;
    }

    private static String item(String text, int[] pos) {
        int colon = text.indexOf(':', pos[0]);
        if (colon < 0) throw new MalformedMessage("j.options: an entry without its length");
        int len;
        try {
            len = Integer.parseInt(text, pos[0], colon, 10);
        } catch (NumberFormatException e) {
            throw new MalformedMessage("j.options: an entry's length is not a number");
        }
        if (len < 0 || len > text.length() - colon - 1)
            throw new MalformedMessage("j.options: an entry runs past the end");
        pos[0] = colon + 1 + len;
        return text.substring(colon + 1, colon + 1 + len);
    }
}
