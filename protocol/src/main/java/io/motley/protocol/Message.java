package io.motley.protocol;

import io.motley.core.cluster.Node;
import io.motley.core.cluster.Partition;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.core.job.Usage;
import io.motley.core.priority.Factors;
import io.motley.core.priority.PriorityConfig;
import io.motley.core.priority.ShareTree;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every message on Motley's wire, as a closed set of typed records. {@link Messages} turns them
 * into {@link Frame}s and back and is the only code that knows their field names; everything else
 * builds and reads these records.
 */
public sealed interface Message {

    /** A user's request: command to agent (Unix socket), agent to controller; {@code A} is its answer. */
    sealed interface Request<A extends Answer> extends Message {}

    /** The controller's answer to a {@link Request}: the request's own answer type, or a {@link Failure}. */
    sealed interface Answer extends Message {}

    /** A request about job steps (srun, scancel JOB.STEP, squeue -s): its records are in {@link StepMessages}. */
    non-sealed interface StepCall<A extends Answer> extends Request<A> {}

    /** An answer about job steps, in {@link StepMessages}. */
    non-sealed interface StepAnswer extends Answer {}

    /** What an agent sends on its long-lived link to the controller. */
    sealed interface Report extends Message {}

    /** What the controller sends on an agent's link. */
    sealed interface Order extends Message {}

    /** An order about a step's tasks on an agent's node, in {@link StepMessages}. */
    non-sealed interface StepOrder extends Order {}

    /** An agent's report about a step's tasks on its node (their output, their ends), in {@link StepMessages}. */
    non-sealed interface StepReport extends Report {}

    /** A run an agent holds when it registers: still running, or ended and not yet acknowledged. */
    sealed interface Held {
        long id();

        int run();
    }

    // ---- answers shared by several requests -------------------------------------------------

    /** A refused or failed request; {@code unreachable}: the agent could not reach the controller at all. */
    record Failure(String message, String detail, boolean unreachable) implements Answer, Order {
        /** {@code detail} of a request whose connection to the controller broke before its answer came. */
        public static final String LOST = "lost";

        public Failure {
            Objects.requireNonNull(message, "message");
        }

        public Failure(String message) {
            this(message, null, false);
        }
    }

    /**
     * The result of an action on one job: {@code error} null when it was done; {@code always}: show even without -v;
     * {@code tasks}, when the job was reached through its array (its id, or ARRAY_INDEX), the array's task indices
     * it stands for, folded ({@code 2-4}), with {@code id} the array's id, else null.
     */
    record Outcome(long id, String error, boolean always, String tasks) {
        public Outcome(long id, String error, boolean always) {
            this(id, error, always, null);
        }

        public static Outcome done(long id) {
            return new Outcome(id, null, false);
        }

        public static Outcome failed(long id, String error) {
            return new Outcome(id, error, false);
        }
    }

    /** The answer to an action on jobs: one outcome per job (or, for update and top, one per job that failed). */
    record Outcomes(List<Outcome> outcomes) implements Answer {
        public Outcomes {
            outcomes = List.copyOf(outcomes);
        }
    }

    // ---- user requests and their answers -----------------------------------------------------

    /**
     * scontrol listpids: the processes of the jobs running on the local agent's node ({@code jobId} 0:
     * every job), answered by that agent itself and never relayed; a user sees only their own jobs.
     */
    record ListPids(long jobId) implements Request<PidList> {}

    /**
     * One process of a job on a node: {@code step} as Slurm names it ("batch", or a step number),
     * {@code localId} and {@code globalId} the task's ids, -1 for a process that is no task.
     */
    record JobPid(long pid, long jobId, String step, int localId, int globalId) {
        public JobPid {
            Objects.requireNonNull(step, "step");
        }
    }

    /** The answer to {@link ListPids}: {@code node} is the agent's node name. */
    record PidList(String node, List<JobPid> pids) implements Answer {
        public PidList {
            pids = List.copyOf(pids);
        }
    }

    /** scontrol ping, or (with {@code local}) a check that the local agent answers, which it does itself. */
    record Ping(boolean local) implements Request<Pong> {}

    /**
     * {@code database}: "ok", else what is wrong with the controller's job database. {@code cluster}
     * is null when the local agent answered a local ping itself, and {@code host} is then the agent's node (null from
     * an agent that does not say it).
     */
    record Pong(String cluster, String host, String database) implements Answer {}

    record Submit(JobRequest job) implements Request<Submitted> {
        public Submit {
            Objects.requireNonNull(job, "job");
        }
    }

    /** The submission was committed under this id. */
    record Submitted(long id) implements Answer {}

    /** sbatch --test-only: when and where the job would start, as the scheduler sees the cluster now; nothing is submitted. */
    record WillRun(JobRequest job) implements Request<WillStart> {
        public WillRun {
            Objects.requireNonNull(job, "job");
        }
    }

    /**
     * The answer to {@link WillRun}: the id the job would get (not reserved), its expected start
     * (epoch seconds; 0 when none can be given, as while the jobs it waits for have no time
     * limit), the processors it would use, on which nodes (null when unknown) in which partition.
     */
    record WillStart(long id, long start, long cpus, String nodes, String partition) implements Answer {}

    /** The queue, or one job of it when {@code id} is not null. */
    record Jobs(Long id) implements Request<JobList> {
        public static Jobs all() {
            return new Jobs(null);
        }

        public static Jobs one(long id) {
            return new Jobs(id);
        }
    }

    /**
     * squeue: the jobs its filters select, each as a {@link QueueRow} holding only what the format
     * codes in {@code fields} print (plus id, state and priority, which order the list). An empty
     * set is no filter; {@code states} null is every state (squeue -j without -t). {@code ids}
     * match a job's id or its array's; {@code users} names or uids; {@code nodes} expanded names.
     * The answer to a large queue is a fraction of {@link Jobs}' whole records.
     */
    record Queue(
            Set<Long> ids,
            Set<String> users,
            Set<JobState> states,
            Set<String> partitions,
            Set<String> names,
            Set<String> accounts,
            Set<String> nodes,
            String fields)
            implements Request<QueueList> {
        /** Format code (beside squeue's own) that asks for the folded pending tasks of an array (squeue -r). */
        public static final char ARRAY_TASKS = '#';

        public Queue {
            ids = Set.copyOf(ids);
            users = Set.copyOf(users);
            states = states == null ? null : Set.copyOf(states);
            partitions = Set.copyOf(partitions);
            names = Set.copyOf(names);
            accounts = Set.copyOf(accounts);
            nodes = Set.copyOf(nodes);
            fields = fields == null ? "" : fields;
        }

        /** Every job in the queue, with the default format's fields. */
        public static Queue all(String fields) {
            return new Queue(Set.of(), Set.of(), null, Set.of(), Set.of(), Set.of(), Set.of(), fields);
        }
    }

    /**
     * One job as squeue prints it. Fields its request's format does not print are left at 0 or
     * null; {@code id}, {@code state} and {@code priority} (0 while held) are always there.
     * {@code display} is an array job's id as squeue shows it (12_3, 12_[4-9]), null for the plain id;
     * {@code arrayJobId} is 0 outside an array, {@code pending} the folded pending tasks of an
     * array's pending record, {@code limit} the time limit in seconds (-1 unlimited),
     * {@code expectedStart} and {@code schedNodes} a pending job's reservation (0, null without),
     * {@code nodes} the nodes it holds, or while it waits the fewest it asked for (squeue's %D).
     */
    record QueueRow(
            long id,
            String display,
            long arrayJobId,
            String pending,
            JobState state,
            long priority,
            String partition,
            String name,
            String user,
            long uid,
            long gid,
            long start,
            long end,
            long limit,
            String nodesOrReason,
            String node,
            String reason,
            long cpus,
            String memory,
            long submit,
            long expectedStart,
            String schedNodes,
            long begin,
            String workDir,
            String account,
            String comment,
            String qos,
            long nice,
            String dependency,
            long nodes,
            long paused,
            long minCpus) {
        public QueueRow {
            Objects.requireNonNull(state, "state");
        }
    }

    record QueueList(List<QueueRow> rows) implements Answer {
        public QueueList {
            rows = List.copyOf(rows);
        }
    }

    /** The scheduler's expected start of a pending job, and where. */
    record ExpectedStart(long start, String nodes) {}

    /** A job as squeue lists it; {@code expected} is null unless the job is pending with a reservation. */
    record Listed(Job job, ExpectedStart expected) {}

    record JobList(List<Listed> jobs) implements Answer {
        public JobList {
            jobs = List.copyOf(jobs);
        }
    }

    /** scancel: whole jobs by id, and single array tasks ({@code tasks}: array job id to task indices). */
    record Cancel(List<Long> ids, Map<Long, List<Integer>> tasks) implements Request<Outcomes> {
        public Cancel {
            ids = List.copyOf(ids);
            Map<Long, List<Integer>> copy = new LinkedHashMap<>();
            tasks.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            tasks = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * Ends a running job that holds an allocation for its caller (srun outside an allocation): its
     * run is killed and the job ends COMPLETED when {@code code} is 0, else FAILED with that code.
     */
    record Complete(long id, int code) implements Request<Outcomes> {}

    /** Which of a job's processes scancel -s reaches: its steps (the default), the batch shell alone (-b), or both (--full). */
    enum SignalScope {
        STEPS,
        BATCH,
        FULL
    }

    /**
     * scancel -s SIG: send signal {@code signal} (1 to 31) to running jobs by id and to running
     * array tasks ({@code tasks} as in {@link Cancel}), to the processes {@code scope} names.
     */
    record Signal(List<Long> ids, Map<Long, List<Integer>> tasks, int signal, SignalScope scope)
            implements Request<Outcomes> {
        public Signal {
            ids = List.copyOf(ids);
            Map<Long, List<Integer>> copy = new LinkedHashMap<>();
            tasks.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            tasks = Collections.unmodifiableMap(copy);
            Objects.requireNonNull(scope, "scope");
        }
    }

    /** scontrol suspend ({@code resume} false) or resume (true) of running jobs by id; operators only. */
    record Suspend(List<Long> ids, boolean resume) implements Request<Outcomes> {
        public Suspend {
            ids = List.copyOf(ids);
        }
    }

    /** {@code tasks}: array tasks named ARRAY_INDEX, by array id (a task still pending in its array is split off). */
    /**
     * {@code user}: scontrol uhold, a hold its owner may release (JobHeldUser) whoever sets it; else an
     * operator's hold is an administrator's (JobHeldAdmin).
     */
    record Hold(List<Long> ids, Map<Long, List<Integer>> tasks, boolean user) implements Request<Outcomes> {
        public Hold {
            ids = List.copyOf(ids);
            tasks = copyTasks(tasks);
        }

        public Hold(List<Long> ids, Map<Long, List<Integer>> tasks) {
            this(ids, tasks, false);
        }

        public Hold(List<Long> ids) {
            this(ids, Map.of(), false);
        }
    }

    /** {@code tasks}: array tasks named ARRAY_INDEX, by array id (a task still pending in its array is split off). */
    record Release(List<Long> ids, Map<Long, List<Integer>> tasks) implements Request<Outcomes> {
        public Release {
            ids = List.copyOf(ids);
            tasks = copyTasks(tasks);
        }

        public Release(List<Long> ids) {
            this(ids, Map.of());
        }
    }

    record Requeue(List<Long> ids) implements Request<Outcomes> {
        public Requeue {
            ids = List.copyOf(ids);
        }
    }

    /** scontrol requeuehold: requeue and hold. */
    record RequeueHold(List<Long> ids) implements Request<Outcomes> {
        public RequeueHold {
            ids = List.copyOf(ids);
        }
    }

    /**
     * scontrol update JobId=...: the KEY=VALUE changes as the user wrote them (the controller judges them);
     * {@code tasks} as {@link Hold}'s.
     */
    record UpdateJob(List<Long> ids, Map<Long, List<Integer>> tasks, Map<String, String> changes)
            implements Request<Outcomes> {
        public UpdateJob {
            ids = List.copyOf(ids);
            tasks = copyTasks(tasks);
            changes = Collections.unmodifiableMap(new LinkedHashMap<>(changes));
        }

        public UpdateJob(List<Long> ids, Map<String, String> changes) {
            this(ids, Map.of(), changes);
        }
    }

    private static Map<Long, List<Integer>> copyTasks(Map<Long, List<Integer>> tasks) {
        Map<Long, List<Integer>> copy = new LinkedHashMap<>();
        tasks.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(copy);
    }

    /** scontrol top. */
    record Top(List<Long> ids) implements Request<Outcomes> {
        public Top {
            ids = List.copyOf(ids);
        }
    }

    /**
     * scontrol update PartitionName=NAME State=STATE MaxTime=... DefaultTime=... (seconds, -1 for
     * none); each null is left as it is. The answer names the one error, if any.
     */
    record UpdatePartition(String name, io.motley.core.cluster.PartitionState state, Long maxTime, Long defaultTime)
            implements Request<Updated> {
        public UpdatePartition {
            Objects.requireNonNull(name, "name");
        }

        public UpdatePartition(String name, io.motley.core.cluster.PartitionState state) {
            this(name, Objects.requireNonNull(state, "state"), null, null);
        }
    }

    /** The answer to an update of one thing: {@code error} null when it was done. */
    record Updated(String error) implements Answer {}

    /** sdiag: the controller's statistics. */
    record DiagnosticsQuery() implements Request<Diagnostics> {}

    /**
     * What sdiag prints: counts since {@code since} (the controller's start), the jobs pending and
     * running at {@code now}, and the scheduling passes (all of them, and those that could backfill).
     */
    record Diagnostics(
            long since,
            long now,
            long submitted,
            long started,
            long completed,
            long canceled,
            long failed,
            long pending,
            long running,
            Passes main,
            Passes backfill)
            implements Answer {
        public Diagnostics {
            Objects.requireNonNull(main, "main");
            Objects.requireNonNull(backfill, "backfill");
        }
    }

    /** Scheduling passes: how many, the last and longest (microseconds), their total, the last queue and when (epoch). */
    record Passes(long count, long lastMicros, long maxMicros, long totalMicros, long lastQueueLength, long lastWhen) {}

    /** scontrol write batch_script ID: the job's script, for its owner or root. */
    record BatchScript(long id) implements Request<Script> {}

    record Script(String text) implements Answer {
        public Script {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * scontrol token [lifespan=SECONDS] [username=NAME]: a JWT for the REST API, for the caller
     * ({@code user} null) or, asked by root, for another user; {@code lifespan} 0 for the default.
     */
    record TokenRequest(String user, long lifespan) implements Request<Token> {}

    /** The signed token, as scontrol prints it after {@code SLURM_JWT=}. */
    record Token(String jwt) implements Answer {
        public Token {
            Objects.requireNonNull(jwt, "jwt");
        }
    }

    /** scontrol show config: the controller's settings. */
    record ConfigQuery() implements Request<ConfigInfo> {}

    /**
     * The settings Slurm also has ({@code slurm}, in Slurm's order and formats) and Motley's own,
     * as of {@code asOf} (epoch seconds: when the controller read them).
     */
    record ConfigInfo(
            long asOf,
            List<io.motley.core.config.ConfigListing.Setting> slurm,
            List<io.motley.core.config.ConfigListing.Setting> motley)
            implements Answer {
        public ConfigInfo {
            slurm = List.copyOf(slurm);
            motley = List.copyOf(motley);
        }
    }

    record Nodes() implements Request<NodeList> {}

    record NodeList(List<Node> nodes) implements Answer {
        public NodeList {
            nodes = List.copyOf(nodes);
        }
    }

    /** What each node's agent last found about its own host (motley health). */
    record HostChecksQuery() implements Request<HostChecks> {}

    /** Each node's own findings, by node name in order; a node whose agent sent none is absent. */
    record HostChecks(java.util.SortedMap<String, List<HostCheck>> byNode) implements Answer {
        public HostChecks {
            java.util.TreeMap<String, List<HostCheck>> copy = new java.util.TreeMap<>();
            byNode.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            byNode = java.util.Collections.unmodifiableSortedMap(copy);
        }
    }

    record Partitions() implements Request<PartitionList> {}

    record PartitionList(String cluster, List<Partition> partitions) implements Answer {
        public PartitionList {
            partitions = List.copyOf(partitions);
        }
    }

    /**
     * scontrol update NodeName=...: an operator's state word (empty: unchanged), reason and Weight
     * (null: unchanged) for some nodes.
     */
    record UpdateNode(List<String> nodes, String state, String reason, Integer weight) implements Request<NodeErrors> {
        public UpdateNode {
            nodes = List.copyOf(nodes);
            Objects.requireNonNull(state, "state");
        }

        public UpdateNode(List<String> nodes, String state, String reason) {
            this(nodes, state, reason, null);
        }
    }

    record NodeError(String node, String error) {}

    /** The nodes an update could not change, each with why. */
    record NodeErrors(List<NodeError> errors) implements Answer {
        public NodeErrors {
            errors = List.copyOf(errors);
        }
    }

    /**
     * sacct -B (batch scripts) or --env-vars ({@code environment}): the text of each job the query selects, as
     * accounting keeps it.
     */
    record JobTexts(io.motley.core.accounting.AccountingQuery query, boolean environment) implements Request<Texts> {
        public JobTexts {
            java.util.Objects.requireNonNull(query, "query");
        }
    }

    /** The jobs' texts, in sacct's order: each job's id as sacct prints it, and its text (null: none kept). */
    record Texts(List<Text> texts) implements Answer {
        public Texts {
            texts = List.copyOf(texts);
        }

        public record Text(String jobId, String text) {
            public Text {
                java.util.Objects.requireNonNull(jobId, "jobId");
            }
        }
    }

    /** sacct (and sreport): the accounting records a query selects. */
    record Accounting(io.motley.core.accounting.AccountingQuery query) implements Request<JobRecords> {
        public Accounting {
            java.util.Objects.requireNonNull(query, "query");
        }
    }

    /** Accounting records: each job (or earlier run of it, with sacct -D) with its run and steps. */
    record JobRecords(List<io.motley.core.accounting.AccountingRecord> records) implements Answer {
        public JobRecords {
            records = List.copyOf(records);
        }

        /** The jobs of the records, as accounting holds them (without their scripts). */
        public List<Job> jobs() {
            return records.stream()
                    .map(io.motley.core.accounting.AccountingRecord::job)
                    .toList();
        }
    }

    /** sprio. */
    record PriorityFactors() implements Request<Priorities> {}

    /**
     * The weights (a config holding only them), and the pending jobs' factors; no factors under
     * priority/basic.
     */
    record Priorities(PriorityConfig weights, List<Factors> factors) implements Answer {
        public Priorities {
            factors = List.copyOf(factors);
        }
    }

    /** sshare. */
    record Shares() implements Request<ShareList> {}

    /** sacctmgr list and sreport: the whole accounts database. */
    record AccountsQuery() implements Request<AccountsAnswer> {}

    record AccountsAnswer(io.motley.core.accounts.AccountsDb db, String cluster) implements Answer {}

    /** sacctmgr add/modify/delete; {@code commit} false asks only what would change (sacctmgr without -i). */
    record AccountsUpdate(io.motley.core.accounts.Sacctmgr.Request change, boolean commit)
            implements Request<AccountsResult> {}

    /** What a change printed and whether it changed the database. */
    record AccountsResult(io.motley.core.accounts.AccountsChange.Result result) implements Answer {}

    /** {@code type}: the priority plugin's name; {@code rows}: the fair-share tree in order. */
    record ShareList(String type, List<ShareTree.Row> rows) implements Answer {
        public ShareList {
            rows = List.copyOf(rows);
        }
    }

    /**
     * motley logs: up to {@code max} bytes of a job's {@code stream} ("out" or "err") from
     * {@code offset}, from wherever they are now.
     */
    record Logs(long id, String stream, long offset, int max) implements Request<LogText> {
        public Logs {
            Objects.requireNonNull(stream, "stream");
        }
    }

    /**
     * A job's output for motley logs: {@code data} from {@code offset}, read from the outbox of
     * {@code node} (where a job's output waits for its submit host); {@code complete} when the
     * stream has ended there and nothing follows. {@code node} is null when no node holds it: then
     * it is in the file {@code path}, on the submit host {@code submitNode} (or everywhere, on a
     * shared filesystem), where the command reads it itself. {@code state} is the job's.
     */
    record LogText(
            String path, String submitNode, String node, long offset, byte[] data, boolean complete, JobState state)
            implements Answer {
        public LogText {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(state, "state");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LogText t
                    && Objects.equals(t.path, path)
                    && Objects.equals(t.submitNode, submitNode)
                    && Objects.equals(t.node, node)
                    && t.offset == offset
                    && java.util.Arrays.equals(t.data, data)
                    && t.complete == complete
                    && t.state == state;
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, node, offset, java.util.Arrays.hashCode(data), complete, state);
        }
    }

    /**
     * sbatch --stage-in: {@code data}, the bytes of job {@code id}'s stage-in archive from {@code
     * offset} (docs/files.md). The controller appends them to its own copy when {@code offset} is
     * where that copy ends, and answers how much it holds.
     */
    record StageInChunk(long id, long offset, byte[] data) implements Request<StageInReceived> {
        public StageInChunk {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StageInChunk c
                    && c.id == id
                    && c.offset == offset
                    && java.util.Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, offset, java.util.Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "StageInChunk[id=" + id + ", offset=" + offset + ", bytes=" + data.length + "]";
        }
    }

    /**
     * How much of the archive the controller holds now ({@code received} bytes; the next chunk
     * starts there), and whether it is {@code complete}: all there and its SHA-256 checked.
     */
    record StageInReceived(long received, boolean complete) implements Answer {}

    /** A node's agent reads up to {@code max} bytes of job {@code id}'s stage-in archive from {@code offset}. */
    record StageInRead(long id, long offset, int max) implements Request<StageInData> {}

    /** Bytes of a stage-in archive from {@code offset}; {@code size} is the whole archive's. */
    record StageInData(long offset, byte[] data, long size) implements Answer {
        public StageInData {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StageInData d
                    && d.offset == offset
                    && d.size == size
                    && java.util.Arrays.equals(d.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(offset, size, java.util.Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "StageInData[offset=" + offset + ", bytes=" + data.length + ", size=" + size + "]";
        }
    }

    /** Who sent a request, as the agent read it from the Unix socket's peer credentials (never the client's word). */
    record Caller(int uid, int gid, String user, List<String> groups) {
        public Caller {
            groups = groups == null ? null : List.copyOf(groups);
        }
    }

    // ---- agent link ---------------------------------------------------------------------------

    /**
     * An agent (re)connects: its node as detected ({@code node}'s cpus and memory are what jobs may
     * use; {@code totalCpus} and {@code totalMemMiB} the whole machine's), and the runs it holds.
     */
    record Register(Node node, int totalCpus, long totalMemMiB, List<Held> held) implements Report {
        public Register {
            Objects.requireNonNull(node, "node");
            held = List.copyOf(held);
        }
    }

    /** A run still running on the agent. */
    record Running(long id, int run) implements Held {}

    /**
     * {@code gpuUsage} and {@code health} are null when the node has no GPUs or no health check has run;
     * {@code clock} is the agent's wall clock when it sent this (epoch ms), 0 from an agent that does not say;
     * {@code checks} are the agent's findings about its own host (disk, certificate), empty from one that sends none.
     */
    record Heartbeat(double load, long freeMemMiB, String gpuUsage, String health, long clock, List<HostCheck> checks)
            implements Report {
        public Heartbeat {
            checks = checks == null ? List.of() : List.copyOf(checks);
        }

        public Heartbeat(double load, long freeMemMiB, String gpuUsage, String health, long clock) {
            this(load, freeMemMiB, gpuUsage, health, clock, List.of());
        }

        public Heartbeat(double load, long freeMemMiB, String gpuUsage, String health) {
            this(load, freeMemMiB, gpuUsage, health, 0);
        }
    }

    /** A run's processes ended; {@code desc}, when not null, says in a line why it did not run. */
    record JobEnded(long id, int run, JobState state, ExitStatus exit, long end, String desc, Usage usage)
            implements Report, Held {
        public JobEnded {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(exit, "exit");
            Objects.requireNonNull(usage, "usage");
        }
    }

    /** The controller's answer to a registration: how often to send heartbeats. */
    record Registered(long heartbeatSeconds) implements Order {}

    /**
     * Start this run of a job ({@code job} carries its script and environment).
     * {@code sharedFilesystem}: the node's SharedFilesystem= ("yes", "no" or "auto"), which decides
     * whether the job runs in its own directory and its output goes to its submit host.
     */
    record Launch(String cluster, long killWaitSeconds, Job job, String sharedFilesystem) implements Order {
        public static final String AUTO = "auto";

        public Launch {
            Objects.requireNonNull(job, "job");
            sharedFilesystem = sharedFilesystem == null ? AUTO : sharedFilesystem;
        }

        public Launch(String cluster, long killWaitSeconds, Job job) {
            this(cluster, killWaitSeconds, job, AUTO);
        }
    }

    /**
     * A node whose certificate is due for renewal asks for a new one on its link: {@code request}
     * is a PKCS#10 signing request (DER) for a key it made itself, for the link's own node.
     */
    record RenewCertificate(byte[] request) implements Report {
        public RenewCertificate {
            Objects.requireNonNull(request, "request");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RenewCertificate r && java.util.Arrays.equals(r.request, request);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(request);
        }
    }

    /**
     * The answer to {@link RenewCertificate}: the new certificate (PEM), or why there is none, and
     * whether that refusal is {@code temporary} (the controller's store failed: ask again soon) or
     * final for the certificate the link was opened with (revoked, not issued here, a request for
     * another node: asked again only after a long wait). A frame without the flag, from a
     * controller before it, reads as final.
     */
    record CertificateRenewed(String certificate, String error, boolean temporary) implements Order {
        public CertificateRenewed(String certificate, String error) {
            this(certificate, error, false);
        }
    }

    /**
     * A node that renewed its own certificate (the CA is at hand: {@code motley up}) tells the
     * controller on the link its old one opened, so that the new one vouches for the link from then
     * on: {@code certificate} (PEM), for the link's own node, issued by the cluster's CA.
     */
    record CertificateInUse(String certificate) implements Report {
        public CertificateInUse {
            Objects.requireNonNull(certificate, "certificate");
        }
    }

    /** End one run of a job; the agent ignores it for any other run. */
    record Kill(long id, int run, KillReason reason) implements Order {
        public Kill {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Send signal {@code signal} to one run of a job, to the processes {@code scope} names (scancel -s). */
    record SignalRun(long id, int run, int signal, SignalScope scope) implements Order {
        public SignalRun {
            Objects.requireNonNull(scope, "scope");
        }
    }

    /** Stop one run's processes (scontrol suspend) or, with {@code resume}, continue them; other runs ignore it. */
    record SuspendRun(long id, int run, boolean resume) implements Order {}

    /**
     * A run's time limit changed (scontrol update TimeLimit= on a running job): {@code
     * limitSeconds} from its start, 0 for none; other runs ignore it.
     */
    record LimitRun(long id, int run, long limitSeconds) implements Order {}

    /** The controller has recorded a run's end: the agent may forget it. */
    record AckEnded(long id, int run) implements Order {}

    // ---- output of jobs whose node does not share the submit directory (docs/files.md) ------------

    /**
     * Bytes of a run's output, from the node that runs it: {@code stream} "out" (stdout, and stderr
     * without -e) or "err", starting at {@code offset}; {@code last} when the run has ended and
     * these are its final bytes.
     */
    record OutputChunk(long id, int run, String stream, long offset, byte[] data, boolean last) implements Report {
        public OutputChunk {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof OutputChunk c
                    && c.id == id
                    && c.run == run
                    && c.stream.equals(stream)
                    && c.offset == offset
                    && c.last == last
                    && java.util.Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, run, stream, offset, last, java.util.Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "OutputChunk[id=" + id + ", run=" + run + ", stream=" + stream + ", offset=" + offset + ", bytes="
                    + data.length + ", last=" + last + "]";
        }
    }

    /**
     * A chunk routed by the controller to the agent of the job's submit node, with where it goes
     * as the controller's job record says (never as the running node said): the file {@code path}
     * on the submit host, written as {@code user} ({@code uid}, {@code gid}).
     */
    record Deliver(OutputChunk chunk, String path, int uid, int gid, String user) implements Order {
        public Deliver {
            Objects.requireNonNull(chunk, "chunk");
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * motley logs --controller|--node NAME: up to {@code max} bytes of a daemon's own log from
     * {@code offset}; {@code node} null asks for the controller's. Root and administrators only.
     */
    record DaemonLog(String node, long offset, int max) implements Request<DaemonLogText> {}

    /**
     * A daemon's log from {@code offset}: where the log was replaced by a shorter one (rotated, or
     * truncated) since the offset asked for, {@code offset} is 0 and {@code data} its start.
     */
    record DaemonLogText(long offset, byte[] data) implements Answer {
        public DaemonLogText {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DaemonLogText t && t.offset == offset && java.util.Arrays.equals(t.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(offset, java.util.Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "DaemonLogText[offset=" + offset + ", bytes=" + data.length + "]";
        }
    }

    /**
     * motley logs --node: the agent reads its own log; its answer is an {@link OutputRead} with the
     * same {@code tag} ({@code found} false when it logs to no file).
     */
    record ReadLog(long tag, long offset, int max) implements Order {}

    /** motley logs: read a run's outbox; {@code tag} pairs the answer with the question. */
    record ReadOutput(long tag, long id, int run, String stream, long offset, int max) implements Order {
        public ReadOutput {
            Objects.requireNonNull(stream, "stream");
        }
    }

    /**
     * The answer to {@link ReadOutput}: {@code found} false when this node holds no outbox for the
     * run (its output was delivered, or never came here); {@code complete} when the run has ended
     * and {@code data} reaches the stream's end.
     */
    record OutputRead(long tag, boolean found, long offset, byte[] data, boolean complete) implements Report {
        public OutputRead {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof OutputRead r
                    && r.tag == tag
                    && r.found == found
                    && r.offset == offset
                    && java.util.Arrays.equals(r.data, data)
                    && r.complete == complete;
        }

        @Override
        public int hashCode() {
            return Objects.hash(tag, found, offset, java.util.Arrays.hashCode(data), complete);
        }
    }

    /**
     * The submit node's agent has written a stream up to {@code offset} (sent by it to the
     * controller, and routed by the controller to the running node); {@code error}, when not null,
     * says why it could not write more (the node keeps the bytes and sends them again later).
     */
    record Delivered(long id, int run, String stream, long offset, String error) implements Report, Order {
        public Delivered {
            Objects.requireNonNull(stream, "stream");
        }
    }
}
