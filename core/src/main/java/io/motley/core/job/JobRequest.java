package io.motley.core.job;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a user asked for with sbatch, in typed parts: the resources, where it may run, when,
 * where its output goes, what it runs, when it may start, and what it is charged to. Values the
 * user did not give are left for the controller to fill in, which knows the partition and the
 * nodes: a {@link TimeLimit} or {@link MemoryRequest} says "not given" in its own type, never with
 * a marker number (the wire codec and the store map it to theirs). Build one with {@link
 * #builder(String, String)}.
 *
 * <p>The plain accessors below the parts ({@link #ntasks()}, {@link #partitions()}, ...) each read
 * one value of a part as it is.
 */
public record JobRequest(
        String name,
        Resources resources,
        Placement placement,
        Timing timing,
        Output output,
        Payload payload,
        Conditions conditions,
        Terms terms) {

    public JobRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(conditions, "conditions");
        Objects.requireNonNull(terms, "terms");
    }

    /**
     * How much: tasks, CPUs per task ({@code cpusPerTaskGiven} when -c was given), nodes (at least
     * {@code nodes}, at most {@code maxNodes}: -N 2-4), memory and GPUs per node ({@code gpuType}
     * null for any type), --ntasks-per-node (0: not given), whether -n was given ({@code
     * ntasksGiven}; when not, each node gets one task, or --ntasks-per-node) and --spread-job.
     */
    public record Resources(
            int ntasks,
            int cpusPerTask,
            boolean cpusPerTaskGiven,
            int nodes,
            MemoryRequest memory,
            int gpusPerNode,
            String gpuType,
            int maxNodes,
            int ntasksPerNode,
            boolean ntasksGiven,
            boolean spreadJob) {
        public Resources {
            if (ntasks < 1) throw new IllegalArgumentException("ntasks must be at least 1");
            if (cpusPerTask < 1) throw new IllegalArgumentException("cpus-per-task must be at least 1");
            if (nodes < 1) throw new IllegalArgumentException("nodes must be at least 1");
            if (maxNodes < nodes) maxNodes = nodes;
            if (ntasksPerNode < 0) throw new IllegalArgumentException("ntasks-per-node must not be negative");
            if (gpusPerNode < 0) throw new IllegalArgumentException("GPU count must not be negative");
            Objects.requireNonNull(memory, "memory");
        }

        /** A request for one node count, -n given, without --ntasks-per-node or --spread-job. */
        public Resources(
                int ntasks,
                int cpusPerTask,
                boolean cpusPerTaskGiven,
                int nodes,
                MemoryRequest memory,
                int gpusPerNode,
                String gpuType) {
            this(ntasks, cpusPerTask, cpusPerTaskGiven, nodes, memory, gpusPerNode, gpuType, nodes, 0, true, false);
        }

        /** Whether the job may span more than one node. */
        public boolean multiNode() {
            return maxNodes > 1;
        }

        /** CPUs the job needs on its node: tasks times CPUs per task. */
        public int cpus() {
            return ntasks * cpusPerTask;
        }
    }

    /**
     * Where it may run: the partitions named (empty: the default one), --constraint, --nodelist,
     * --exclude (null when not given) and --exclusive.
     */
    public record Placement(
            List<String> partitions, String constraint, String nodeList, String excludeList, boolean exclusive) {
        public Placement {
            partitions = List.copyOf(partitions);
        }
    }

    /** When: the time limit, --begin and --deadline in epoch seconds (0: none). */
    public record Timing(TimeLimit limit, long beginTime, long deadline) {
        public Timing {
            Objects.requireNonNull(limit, "limit");
        }
    }

    /**
     * -o and -e patterns, null for Slurm's defaults, and {@code submitNode}: the node whose agent
     * relayed the submission (null when unknown), whose agent writes the output where the node
     * that runs the job does not share the submit directory.
     */
    public record Output(String stdoutPattern, String stderrPattern, String submitNode) {
        public Output(String stdoutPattern, String stderrPattern) {
            this(stdoutPattern, stderrPattern, null);
        }
    }

    /**
     * What it runs and from where: the working directory, the directory sbatch ran in, the
     * environment to export, the script and its arguments, and the submitting host. The bulk of a
     * job's size. {@code options} holds sbatch options kept on the job by long name: those Motley
     * accepts but does not enforce ({@code hint}, {@code cpu-freq}, ...: value as given, kept so
     * they can be shown) and those the agent acts on ({@code open-mode}, {@code signal}).
     */
    public record Payload(
            String workDir,
            String submitDir,
            Map<String, String> environment,
            String script,
            List<String> arguments,
            String submitHost,
            Map<String, String> options) {
        public Payload {
            Objects.requireNonNull(workDir, "workDir");
            if (submitDir == null) submitDir = workDir;
            environment = Map.copyOf(environment);
            Objects.requireNonNull(script, "script");
            arguments = arguments == null ? List.of() : List.copyOf(arguments);
            options = options == null
                    ? Map.of()
                    : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(options));
        }

        /** A payload without unenforced options. */
        public Payload(
                String workDir,
                String submitDir,
                Map<String, String> environment,
                String script,
                List<String> arguments,
                String submitHost) {
            this(workDir, submitDir, environment, script, arguments, submitHost, Map.of());
        }

        /**
         * The same payload with its text shared with every other job's equal text (interned).
         * Jobs submitted from one shell carry the same environment of dozens of variables: kept
         * once, a pending job costs the controller about 1.4 KB instead of 8 KB.
         */
        public Payload shared() {
            Map<String, String> env = new java.util.HashMap<>(environment.size() * 2);
            environment.forEach((k, v) -> env.put(k.intern(), v.intern()));
            return new Payload(
                    workDir.intern(),
                    submitDir.intern(),
                    env,
                    script.intern(),
                    arguments.stream().map(String::intern).toList(),
                    submitHost == null ? null : submitHost.intern(),
                    options);
        }
    }

    /**
     * When it may start: held (-H, scontrol hold), --dependency (canonical text, null for none),
     * --kill-on-invalid-dep, and --array (the spec as given, null for a plain job).
     */
    public record Conditions(boolean hold, String dependency, boolean killOnInvalidDependency, String array) {}

    /**
     * What it is charged to and how it is treated: -A, --qos, --comment, --nice, and whether it
     * may be requeued (--requeue, the default, or --no-requeue).
     */
    public record Terms(String account, String qos, String comment, int nice, boolean requeue) {}

    /** A builder starting from a one-task, one-CPU job running {@code script} in {@code workDir}. */
    public static Builder builder(String script, String workDir) {
        return new Builder(script, workDir);
    }

    /** A builder starting from this request. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    // ---- changes ----------------------------------------------------------------------------

    /** The same request held or released. */
    public JobRequest withHold(boolean held) {
        return with(new Conditions(held, dependency(), killOnInvalidDependency(), array()));
    }

    /** The same request with another shape, name, limit or comment (scontrol update on a pending job). */
    public JobRequest updated(
            String newName,
            List<String> newPartitions,
            int newNtasks,
            int newCpusPerTask,
            TimeLimit newLimit,
            String newComment) {
        Resources r = resources;
        return new JobRequest(
                newName,
                new Resources(
                        newNtasks,
                        newCpusPerTask,
                        r.cpusPerTaskGiven() || newCpusPerTask != r.cpusPerTask(),
                        r.nodes(),
                        r.memory(),
                        r.gpusPerNode(),
                        r.gpuType(),
                        r.maxNodes(),
                        r.ntasksPerNode(),
                        r.ntasksGiven(),
                        r.spreadJob()),
                new Placement(
                        newPartitions,
                        placement.constraint(),
                        placement.nodeList(),
                        placement.excludeList(),
                        placement.exclusive()),
                new Timing(newLimit, timing.beginTime(), timing.deadline()),
                output,
                payload,
                conditions,
                new Terms(terms.account(), terms.qos(), newComment, terms.nice(), terms.requeue()));
    }

    /** The same request with its dependency replaced (null once it is satisfied, as Slurm clears it). */
    public JobRequest withDependency(String dep) {
        return with(new Conditions(hold(), dep, killOnInvalidDependency(), array()));
    }

    /** The same request with another --nice value (scontrol update Nice=). */
    public JobRequest withNice(int newNice) {
        return with(new Terms(terms.account(), terms.qos(), terms.comment(), newNice, terms.requeue()));
    }

    /** The same request charged to this account and QOS (what submission resolved them to). */
    public JobRequest charged(String newAccount, String newQos) {
        return with(new Terms(newAccount, newQos, terms.comment(), terms.nice(), terms.requeue()));
    }

    /** The same request with a time limit (an association's MaxWall for a job that gave none, as slurmctld sets it). */
    public JobRequest withTimeLimit(TimeLimit limit) {
        return new JobRequest(
                name,
                resources,
                placement,
                new Timing(limit, timing.beginTime(), timing.deadline()),
                output,
                payload,
                conditions,
                terms);
    }

    /** The same request eligible from another time (a requeued job waits, as Slurm's BeginTime). */
    public JobRequest withBeginTime(long begin) {
        return new JobRequest(
                name,
                resources,
                placement,
                new Timing(timing.limit(), begin, timing.deadline()),
                output,
                payload,
                conditions,
                terms);
    }

    /** The same request as relayed by the agent of {@code node} (see {@link Output#submitNode}). */
    public JobRequest withSubmitNode(String node) {
        return new JobRequest(
                name,
                resources,
                placement,
                timing,
                new Output(output.stdoutPattern(), output.stderrPattern(), node),
                payload,
                conditions,
                terms);
    }

    /**
     * The same request without its environment and script, for listings that show neither (sacct's): they are
     * most of a job's bytes, and a listing of 10,000 jobs carried tens of megabytes of them.
     */
    public JobRequest forListing() {
        if (payload.environment().isEmpty() && payload.script().isEmpty()) return this;
        Payload p = new Payload(
                payload.workDir(),
                payload.submitDir(),
                Map.of(),
                "",
                payload.arguments(),
                payload.submitHost(),
                payload.options());
        return new JobRequest(name, resources, placement, timing, output, p, conditions, terms);
    }

    /** The same request with its payload's text shared with other jobs' (see {@link Payload#shared}). */
    public JobRequest shared() {
        return new JobRequest(name.intern(), resources, placement, timing, output, payload.shared(), conditions, terms);
    }

    private JobRequest with(Conditions c) {
        return new JobRequest(name, resources, placement, timing, output, payload, c, terms);
    }

    private JobRequest with(Terms t) {
        return new JobRequest(name, resources, placement, timing, output, payload, conditions, t);
    }

    // ---- derived values ---------------------------------------------------------------------

    /** Slurm's TRES text for the GPUs asked for: {@code gres/gpu=2} or {@code gres/gpu:TYPE=2}; empty for none. */
    public String gpuTres() {
        if (gpusPerNode() <= 0) return "";
        return "gres/gpu" + (gpuType() == null ? "" : ":" + gpuType()) + "=" + gpusPerNode();
    }

    /** CPUs the job needs on its node: tasks times CPUs per task. */
    public int cpus() {
        return resources.cpus();
    }

    /** Memory this request names on a node (--mem, or --mem-per-cpu times its CPUs), or {@code otherwise} for none. */
    public long requestedMemMiB(long otherwise) {
        return resources.memory().onNodeMiB(cpus(), otherwise);
    }

    // ---- plain views of single parts ---------------------------------------------------------

    public List<String> partitions() {
        return placement.partitions();
    }

    public int ntasks() {
        return resources.ntasks();
    }

    public int cpusPerTask() {
        return resources.cpusPerTask();
    }

    /**
     * The CPUs a node must have for this job, Slurm's pn_min_cpus (squeue's MIN_CPUS, scontrol's
     * MinCPUsNode): a task's, times --ntasks-per-node where it was given, or --mincpus where that
     * is more.
     */
    public long minCpusPerNode() {
        long perNode = (long) cpusPerTask() * Math.max(1, resources.ntasksPerNode());
        String min = options().get("mincpus");
        if (min == null) return perNode;
        try {
            return Math.max(perNode, Long.parseLong(min.strip()));
        } catch (NumberFormatException e) {
            return perNode; // sbatch checks --mincpus: a value it kept unread counts for nothing
        }
    }

    public boolean cpusPerTaskGiven() {
        return resources.cpusPerTaskGiven();
    }

    public int nodes() {
        return resources.nodes();
    }

    public String stdoutPattern() {
        return output.stdoutPattern();
    }

    public String stderrPattern() {
        return output.stderrPattern();
    }

    /** The node whose agent relayed the submission, or null (see {@link Output#submitNode}). */
    public String submitNode() {
        return output.submitNode();
    }

    public String workDir() {
        return payload.workDir();
    }

    public String submitDir() {
        return payload.submitDir();
    }

    public Map<String, String> environment() {
        return payload.environment();
    }

    /** sbatch options kept on the job, long name to value ({@link Payload}). */
    public Map<String, String> options() {
        return payload.options();
    }

    /**
     * The kept option of a job made only to hold an allocation, by salloc or by srun outside one (its value: which):
     * as Slurm's, such a job has no batch step, only the steps srun starts in it.
     */
    public static final String ALLOCATION = "allocation";

    /** Whether salloc or srun made this job to hold an allocation ({@link #ALLOCATION}). */
    public boolean allocationOnly() {
        return payload.options().containsKey(ALLOCATION);
    }

    /**
     * {@link #ALLOCATION}'s value for the job of an srun that runs inside an agent (the native client's srun outside
     * an allocation): that srun ends with the agent's process, and so does the job's reason to be.
     */
    public static final String HELD_IN_AGENT = "srun-in-agent";

    /** The kept option of --prefer: features a node is tried with first, in place of -C's. */
    public static final String PREFER = "prefer";

    /** The kept option of -n (the REST API's tasks): the job's tasks were asked for, not derived. */
    public static final String NTASKS = "ntasks";

    /** --prefer's features; null without them. */
    public String prefer() {
        String p = payload.options().get(PREFER);
        return p == null || p.isBlank() ? null : p;
    }

    /** Whether the tasks were asked for (-n), rather than one (or --ntasks-per-node) per node. */
    public boolean ntasksAsked() {
        return payload.options().containsKey(NTASKS);
    }

    /** Whether this job is held by an srun running inside the agent it was submitted through ({@link #HELD_IN_AGENT}). */
    public boolean heldInAgent() {
        return HELD_IN_AGENT.equals(payload.options().get(ALLOCATION));
    }

    public String script() {
        return payload.script();
    }

    public List<String> arguments() {
        return payload.arguments();
    }

    public String submitHost() {
        return payload.submitHost();
    }

    public boolean hold() {
        return conditions.hold();
    }

    public String dependency() {
        return conditions.dependency();
    }

    public boolean killOnInvalidDependency() {
        return conditions.killOnInvalidDependency();
    }

    public String array() {
        return conditions.array();
    }

    public String comment() {
        return terms.comment();
    }

    public String account() {
        return terms.account();
    }

    public String qos() {
        return terms.qos();
    }

    public int nice() {
        return terms.nice();
    }

    public boolean requeue() {
        return terms.requeue();
    }

    public int gpusPerNode() {
        return resources.gpusPerNode();
    }

    public String gpuType() {
        return resources.gpuType();
    }

    public long beginTime() {
        return timing.beginTime();
    }

    public long deadline() {
        return timing.deadline();
    }

    public String constraint() {
        return placement.constraint();
    }

    public String nodeList() {
        return placement.nodeList();
    }

    public String excludeList() {
        return placement.excludeList();
    }

    public boolean exclusive() {
        return placement.exclusive();
    }

    /**
     * Slurm's OverSubscribe= of a job: NO for an --exclusive job or one an operator set to no, YES for -s or an
     * operator's yes (kept option {@code oversubscribe}, "no" for no), else OK. Kept, not enforced.
     */
    public String overSubscribe() {
        if (exclusive()) {
            // --exclusive=user|mcs, shown as asked (Motley holds the nodes whole for them too)
            String mode = payload.options().getOrDefault("exclusive", "");
            return mode.equals("user") ? "USER" : mode.equals("mcs") ? "MCS" : "NO";
        }
        String o = payload.options().get("oversubscribe");
        return o == null ? "OK" : o.equals("no") ? "NO" : "YES";
    }

    /** Kept option {@code name} given as a flag (sbatch --contiguous, --reboot or scontrol update's 1): 1, else 0. */
    public int flag(String name) {
        String v = payload.options().get(name);
        return v == null || v.equals("0") ? 0 : 1;
    }

    /** Builds a request one named value at a time (tests, and any caller with a few options). */
    public static final class Builder {
        private String name = "job";
        private int ntasks = 1;
        private int cpusPerTask = 1;
        private boolean cpusPerTaskGiven;
        private int nodes = 1;
        private int maxNodes = 1;
        private int ntasksPerNode;
        private boolean ntasksGiven = true;
        private boolean spreadJob;
        private MemoryRequest memory = MemoryRequest.UNSET;
        private int gpusPerNode;
        private String gpuType;
        private Placement placement = new Placement(List.of(), null, null, null, false);
        private Timing timing = new Timing(TimeLimit.UNSET, 0, 0);
        private Output output = new Output(null, null);
        private Payload payload;
        private Conditions conditions = new Conditions(false, null, false, null);
        private Terms terms = new Terms(null, null, null, 0, true);

        private Builder(String script, String workDir) {
            payload = new Payload(workDir, workDir, Map.of(), script, List.of(), null);
        }

        private Builder(JobRequest r) {
            name = r.name();
            ntasks = r.ntasks();
            cpusPerTask = r.cpusPerTask();
            cpusPerTaskGiven = r.cpusPerTaskGiven();
            nodes = r.nodes();
            maxNodes = r.resources().maxNodes();
            ntasksPerNode = r.resources().ntasksPerNode();
            ntasksGiven = r.resources().ntasksGiven();
            spreadJob = r.resources().spreadJob();
            memory = r.resources().memory();
            gpusPerNode = r.gpusPerNode();
            gpuType = r.gpuType();
            placement = r.placement();
            timing = r.timing();
            output = r.output();
            payload = r.payload();
            conditions = r.conditions();
            terms = r.terms();
        }

        public Builder name(String n) {
            name = n;
            return this;
        }

        /** -n: tasks, one CPU each unless {@link #cpusPerTask} says more. */
        public Builder ntasks(int n) {
            ntasks = n;
            return this;
        }

        /** -c: CPUs per task, as given by the user. */
        public Builder cpusPerTask(int c) {
            cpusPerTask = c;
            cpusPerTaskGiven = true;
            return this;
        }

        /** CPUs per task, with whether the user gave them (-c) or they are the default. */
        public Builder cpusPerTask(int c, boolean given) {
            cpusPerTask = c;
            cpusPerTaskGiven = given;
            return this;
        }

        public Builder nodes(int n) {
            nodes = n;
            maxNodes = n;
            return this;
        }

        /** -N MIN-MAX: as many nodes as can be had at once within the range, as Slurm gives. */
        public Builder nodes(int min, int max) {
            nodes = min;
            maxNodes = max;
            return this;
        }

        /** --ntasks-per-node (0: not given). */
        public Builder ntasksPerNode(int n) {
            ntasksPerNode = n;
            return this;
        }

        /** Whether -n was given; when not, a multi-node job runs one task (or --ntasks-per-node) per node. */
        public Builder ntasksGiven(boolean given) {
            ntasksGiven = given;
            return this;
        }

        /** --spread-job: as many nodes as the range allows, its tasks spread over them. */
        public Builder spreadJob(boolean spread) {
            spreadJob = spread;
            return this;
        }

        public Builder memory(MemoryRequest m) {
            memory = m;
            return this;
        }

        /** --gpus-per-node; {@code type} null for any. */
        public Builder gpus(int perNode, String type) {
            gpusPerNode = perNode;
            gpuType = type;
            return this;
        }

        public Builder partitions(String... names) {
            placement = new Placement(
                    List.of(names),
                    placement.constraint(),
                    placement.nodeList(),
                    placement.excludeList(),
                    placement.exclusive());
            return this;
        }

        public Builder partitions(List<String> names) {
            return partitions(names.toArray(String[]::new));
        }

        public Builder placement(Placement p) {
            placement = p;
            return this;
        }

        public Builder timeLimit(TimeLimit limit) {
            timing = new Timing(limit, timing.beginTime(), timing.deadline());
            return this;
        }

        /** --begin and --deadline in epoch seconds (0: none). */
        public Builder window(long beginTime, long deadline) {
            timing = new Timing(timing.limit(), beginTime, deadline);
            return this;
        }

        public Builder output(String stdoutPattern, String stderrPattern) {
            output = new Output(stdoutPattern, stderrPattern, output.submitNode());
            return this;
        }

        public Builder payload(Payload p) {
            payload = p;
            return this;
        }

        /** The directory sbatch ran in, when it differs from the working directory. */
        public Builder submitDir(String dir) {
            payload = new Payload(
                    payload.workDir(),
                    dir,
                    payload.environment(),
                    payload.script(),
                    payload.arguments(),
                    payload.submitHost(),
                    payload.options());
            return this;
        }

        /** The script's arguments. */
        public Builder arguments(List<String> args) {
            payload = new Payload(
                    payload.workDir(),
                    payload.submitDir(),
                    payload.environment(),
                    payload.script(),
                    args,
                    payload.submitHost(),
                    payload.options());
            return this;
        }

        public Builder environment(Map<String, String> env) {
            payload = new Payload(
                    payload.workDir(),
                    payload.submitDir(),
                    env,
                    payload.script(),
                    payload.arguments(),
                    payload.submitHost(),
                    payload.options());
            return this;
        }

        /** sbatch options accepted but not enforced, long name to value. */
        public Builder options(Map<String, String> opts) {
            payload = new Payload(
                    payload.workDir(),
                    payload.submitDir(),
                    payload.environment(),
                    payload.script(),
                    payload.arguments(),
                    payload.submitHost(),
                    opts);
            return this;
        }

        public Builder submitHost(String host) {
            payload = new Payload(
                    payload.workDir(),
                    payload.submitDir(),
                    payload.environment(),
                    payload.script(),
                    payload.arguments(),
                    host,
                    payload.options());
            return this;
        }

        public Builder hold(boolean held) {
            conditions = new Conditions(
                    held, conditions.dependency(), conditions.killOnInvalidDependency(), conditions.array());
            return this;
        }

        public Builder dependency(String dep, boolean killOnInvalid) {
            conditions = new Conditions(conditions.hold(), dep, killOnInvalid, conditions.array());
            return this;
        }

        public Builder array(String spec) {
            conditions = new Conditions(
                    conditions.hold(), conditions.dependency(), conditions.killOnInvalidDependency(), spec);
            return this;
        }

        public Builder conditions(Conditions c) {
            conditions = c;
            return this;
        }

        public Builder terms(Terms t) {
            terms = t;
            return this;
        }

        public Builder account(String account) {
            terms = new Terms(account, terms.qos(), terms.comment(), terms.nice(), terms.requeue());
            return this;
        }

        public Builder qos(String qos) {
            terms = new Terms(terms.account(), qos, terms.comment(), terms.nice(), terms.requeue());
            return this;
        }

        public Builder comment(String comment) {
            terms = new Terms(terms.account(), terms.qos(), comment, terms.nice(), terms.requeue());
            return this;
        }

        public Builder nice(int nice) {
            terms = new Terms(terms.account(), terms.qos(), terms.comment(), nice, terms.requeue());
            return this;
        }

        public Builder requeue(boolean mayRequeue) {
            terms = new Terms(terms.account(), terms.qos(), terms.comment(), terms.nice(), mayRequeue);
            return this;
        }

        public JobRequest build() {
            return new JobRequest(
                    name,
                    new Resources(
                            ntasks,
                            cpusPerTask,
                            cpusPerTaskGiven,
                            nodes,
                            memory,
                            gpusPerNode,
                            gpuType,
                            maxNodes,
                            ntasksPerNode,
                            ntasksGiven,
                            spreadJob),
                    placement,
                    timing,
                    output,
                    payload,
                    conditions,
                    terms);
        }
    }
}
