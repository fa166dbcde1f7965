package io.motley.core.config;

import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.priority.Associations;
import io.motley.core.priority.PriorityConfig;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.size.MemorySize;
import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's configuration, read from {@code MOTLEY_HOME/etc/motley.conf} in slurm.conf's
 * {@code Key=Value} style, so an operator's habits carry over. Everything has a default: without
 * a file the cluster is "motley" with one default partition "main" holding all nodes.
 *
 * @param nodeOverrides per-node CPUs/RealMemory that cap what an agent detects
 * @param jobRequeue slurm.conf's JobRequeue: whether batch jobs on a failed node go back to the
 *     queue (unless submitted with --no-requeue)
 * @param requeueDelaySeconds how long a requeued job waits before it may start again; Slurm's is
 *     its credential lifetime (AuthInfo cred_expire, 120 s) plus one second
 * @param priority the Priority* keys (priority/multifactor with every weight 0 by default)
 * @param associations accounts, users and QOS from AccountName=, UserName= and QOSName= lines
 * @param limits bounds on what users may submit and on the agents' command sockets
 * @param storage where the controller keeps its jobs: StorageURL, StorageUser, StoragePassFile
 * @param maxClockSkewSeconds MaxClockSkew (Motley's): how far a node's clock may be from the
 *     controller's before the node gets a "Clock skew" reason (0: never checked)
 * @param partitionSharedFilesystem SharedFilesystem= of the PartitionName lines that set it
 *     ("yes", "no" or "auto"); a node's own SharedFilesystem= wins over it
 * @param maxOutputMiB MaxOutputSize (Motley's): how much of each output stream of a job that ran
 *     without its submit directory an agent sends to the submit host; -1: not set (the agent's
 *     default, or its --max-output, which wins)
 * @param web the controller's HTTP(S) port and the agents' metrics port (HttpPort=, HttpBind=,
 *     AgentMetricsPort=, AgentMetricsBind=; docs/metrics.md), and the Prometheus the dashboard's
 *     history charts read (PrometheusURL=; docs/dashboard.md)
 */
public record ClusterConfig(
        String clusterName,
        int controllerPort,
        long nodeTimeoutSeconds,
        long defMemPerCpuMiB,
        long killWaitSeconds,
        long minJobAgeSeconds,
        List<Partition> partitions,
        Map<String, NodeOverride> nodeOverrides,
        String healthCheckProgram,
        long healthCheckIntervalSeconds,
        String containmentType,
        boolean jobRequeue,
        long requeueDelaySeconds,
        Scheduling scheduling,
        PriorityConfig priority,
        Associations associations,
        Limits limits,
        Storage storage,
        long maxClockSkewSeconds,
        Map<String, String> partitionSharedFilesystem,
        long maxOutputMiB,
        Web web) {

    public static final int DEFAULT_PORT = 6917;

    /**
     * Where the daemons serve HTTP. {@code httpPort}: the controller's port for /metrics, the REST
     * API and the web pages (-1: the default, ControllerPort + 2; 0: any free port, written with
     * the rest of the URL to run/http.url). {@code httpBind}: its address (null: the controller's
     * --bind). {@code agentMetricsPort}: an agent's /metrics port (-1: none, the default; 0: any
     * free port), on {@code agentMetricsBind} (default 127.0.0.1). {@code prometheusUrl}: the
     * Prometheus (http or https, with its path prefix) the dashboard's history charts query; null
     * for none (they draw the controller's own samples).
     */
    public record Web(
            int httpPort, String httpBind, int agentMetricsPort, String agentMetricsBind, String prometheusUrl) {
        public static final Web DEFAULT = new Web(-1, null, -1, "127.0.0.1", null);

        public Web {
            if (httpPort < -1 || httpPort > 65535) throw new IllegalArgumentException("HttpPort must be 0 to 65535");
            if (agentMetricsPort < -1 || agentMetricsPort > 65535)
                throw new IllegalArgumentException("AgentMetricsPort must be 0 to 65535");
            if (prometheusUrl != null && !prometheusUrl.matches("https?://[^/\\s]+(/\\S*)?"))
                throw new IllegalArgumentException(
                        "PrometheusURL must be an http:// or https:// address, e.g. http://127.0.0.1:9090");
        }

        /** The controller's HTTP port when it listens for agents on {@code controllerPort}. */
        public int httpPort(int controllerPort) {
            return httpPort >= 0 ? httpPort : controllerPort + 2;
        }
    }

    /** SharedFilesystem=auto (the default): shared where the job's working directory exists on the node. */
    public static final String SHARED_AUTO = "auto";

    public static final long DEFAULT_REQUEUE_DELAY = 121;
    public static final long DEFAULT_MAX_CLOCK_SKEW = 30;

    /**
     * What the config says about one node. Values of -1 mean "as detected"; {@code memSpecLimitMiB}
     * and {@code coreSpecCount} are kept for the host OS (0: nothing reserved);
     * {@code sharedFilesystem} (SharedFilesystem=) is "yes", "no" or "auto" (see docs/files.md), or
     * null where the line does not set it (then the partition's, else auto); {@code users}
     * (Users=, Motley's) the users whose requests the node's agent may relay, null for any.
     */
    public record NodeOverride(
            String name,
            int cpus,
            long realMemoryMiB,
            long memSpecLimitMiB,
            int coreSpecCount,
            int weight,
            List<String> features,
            String sharedFilesystem,
            List<String> users) {
        public NodeOverride {
            features = features == null ? List.of() : List.copyOf(features);
            users = users == null ? null : List.copyOf(users);
        }

        public NodeOverride(
                String name,
                int cpus,
                long realMemoryMiB,
                long memSpecLimitMiB,
                int coreSpecCount,
                int weight,
                List<String> features,
                String sharedFilesystem) {
            this(name, cpus, realMemoryMiB, memSpecLimitMiB, coreSpecCount, weight, features, sharedFilesystem, null);
        }

        public NodeOverride(
                String name,
                int cpus,
                long realMemoryMiB,
                long memSpecLimitMiB,
                int coreSpecCount,
                int weight,
                List<String> features) {
            this(name, cpus, realMemoryMiB, memSpecLimitMiB, coreSpecCount, weight, features, null);
        }

        public NodeOverride(String name, int cpus, long realMemoryMiB, long memSpecLimitMiB, int coreSpecCount) {
            this(name, cpus, realMemoryMiB, memSpecLimitMiB, coreSpecCount, 1, List.of());
        }

        public NodeOverride(String name, int cpus, long realMemoryMiB) {
            this(name, cpus, realMemoryMiB, 0, 0);
        }
    }

    /**
     * SchedulerType and SchedulerParameters: sched/backfill (the default, as in Slurm) or
     * sched/builtin; bf_interval (seconds between backfill passes, Slurm's default 30),
     * bf_max_job_test (jobs a backfill pass tries behind a waiting one, default 500) and
     * bf_reservations (Motley's: how many waiting jobs hold a reservation, default 1, EASY).
     */
    public record Scheduling(boolean backfill, long intervalSeconds, int maxJobTest, int reservations) {
        public static final Scheduling DEFAULT = new Scheduling(true, 30, SchedulerOptions.DEFAULT_MAX_JOB_TEST, 1);

        /** Options of a pass that may backfill; {@link SchedulerOptions#withoutBackfill()} gives the passes between. */
        public SchedulerOptions options() {
            return backfill ? new SchedulerOptions(true, reservations, maxJobTest) : SchedulerOptions.FCFS;
        }

        static Scheduling parse(boolean backfill, String parameters, Scheduling base) {
            long interval = base.intervalSeconds;
            int test = base.maxJobTest;
            int reservations = base.reservations;
            if (parameters != null) {
                for (String item : parameters.split(",")) {
                    if (item.isBlank()) continue;
                    String[] kv = item.split("=", 2);
                    String key = kv[0].strip();
                    if (kv.length != 2)
                        throw new IllegalArgumentException("SchedulerParameters item '" + item + "' needs a value");
                    long value = Long.parseLong(kv[1].strip());
                    switch (key) {
                        case "bf_interval" -> interval = atLeast(key, value, 1);
                        case "bf_max_job_test" -> test = count(key, value, 1);
                        case "bf_reservations" -> reservations = count(key, value, 0);
                        default ->
                            throw new IllegalArgumentException("unknown SchedulerParameters item " + key
                                    + "; known: bf_interval, bf_max_job_test, bf_reservations");
                    }
                }
            }
            return new Scheduling(backfill, interval, test, reservations);
        }

        private static long atLeast(String key, long value, long min) {
            if (value < min) throw new IllegalArgumentException(key + " must be at least " + min + ", got " + value);
            return value;
        }

        /** A count kept as an int: past Integer.MAX_VALUE it would wrap (bf_max_job_test=2345345678 became negative). */
        private static int count(String key, long value, int min) {
            if (value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(key + " must be at most " + Integer.MAX_VALUE + ", got " + value);
            }
            return (int) atLeast(key, value, min);
        }
    }

    /**
     * Bounds that keep one user from hurting the others.
     *
     * @param disableRootJobs slurm.conf's DisableRootJobs: jobs of uid 0 are refused at submit, and
     *     agents refuse to launch them
     * @param maxArraySize slurm.conf's MaxArraySize: array indices must be below it (Slurm's default 1001)
     * @param maxScriptBytes SchedulerParameters=max_script_size: the largest batch script (Slurm's 4 MB)
     * @param agentMaxConnections connections an agent's command socket holds at once, all users together
     * @param agentMaxConnectionsPerUser connections one local user may hold on an agent's command socket
     * @param agentRequestTimeoutSeconds how long a connection may take to send a complete request
     * @param maxStageInBytes MaxStageInSize (Motley's): the largest sbatch --stage-in archive, packed
     * @param stageInTimeoutSeconds StageInTimeout (Motley's): how long a job waits for the next chunk
     *     of its --stage-in archive before it fails
     * @param stageInSpoolBytes StageInSpoolSize (Motley's): how much the controller's spool of chunked
     *     --stage-in archives holds for all jobs together; a submission that would pass it is refused
     * @param inactiveLimitSeconds slurm.conf's InactiveLimit: how long the agent whose srun holds a
     *     job's allocation (srun outside one, run in the agent for the native client) may be silent
     *     before that job is cancelled, its srun taken for gone; 0 (Slurm's default): never
     */
    public record Limits(
            boolean disableRootJobs,
            int maxArraySize,
            long maxScriptBytes,
            int agentMaxConnections,
            int agentMaxConnectionsPerUser,
            long agentRequestTimeoutSeconds,
            long maxStageInBytes,
            long stageInTimeoutSeconds,
            long stageInSpoolBytes,
            long inactiveLimitSeconds) {
        public static final Limits DEFAULT = new Limits(
                false,
                1001,
                4L * 1024 * 1024,
                1024,
                64,
                10,
                io.motley.core.job.Staging.DEFAULT_MAX_STAGE_IN_BYTES,
                io.motley.core.job.Staging.DEFAULT_STAGE_IN_TIMEOUT_SECONDS,
                io.motley.core.job.Staging.DEFAULT_STAGE_IN_SPOOL_BYTES,
                0);

        public Limits {
            if (maxArraySize < 1) throw new IllegalArgumentException("MaxArraySize must be at least 1");
            if (maxScriptBytes < 1) throw new IllegalArgumentException("max_script_size must be at least 1");
            if (agentMaxConnections < 1) throw new IllegalArgumentException("AgentMaxConnections must be at least 1");
            if (agentMaxConnectionsPerUser < 1)
                throw new IllegalArgumentException("AgentMaxConnectionsPerUser must be at least 1");
            if (agentRequestTimeoutSeconds < 1)
                throw new IllegalArgumentException("AgentRequestTimeout must be at least 1");
            if (maxStageInBytes < 1) throw new IllegalArgumentException("MaxStageInSize must be at least 1M");
            if (stageInTimeoutSeconds < 1) throw new IllegalArgumentException("StageInTimeout must be at least 1");
            if (stageInSpoolBytes < 1) throw new IllegalArgumentException("StageInSpoolSize must be at least 1M");
            if (inactiveLimitSeconds < 0) throw new IllegalArgumentException("InactiveLimit must be 0 or more");
        }

        /** With MaxStageInSize, StageInTimeout and StageInSpoolSize at their defaults. */
        public Limits(
                boolean disableRootJobs,
                int maxArraySize,
                long maxScriptBytes,
                int agentMaxConnections,
                int agentMaxConnectionsPerUser,
                long agentRequestTimeoutSeconds) {
            this(
                    disableRootJobs,
                    maxArraySize,
                    maxScriptBytes,
                    agentMaxConnections,
                    agentMaxConnectionsPerUser,
                    agentRequestTimeoutSeconds,
                    io.motley.core.job.Staging.DEFAULT_MAX_STAGE_IN_BYTES,
                    io.motley.core.job.Staging.DEFAULT_STAGE_IN_TIMEOUT_SECONDS,
                    io.motley.core.job.Staging.DEFAULT_STAGE_IN_SPOOL_BYTES,
                    0);
        }
    }

    /**
     * StorageURL, StorageUser and StoragePassFile: a PostgreSQL or MariaDB/MySQL server for the
     * controller's jobs, or, with no URL ({@link #EMBEDDED}), the embedded SQLite file. The pass
     * file's path is as written (the controller resolves it and checks who may read it).
     * {@code storeFlags}: AccountingStoreFlags, Slurm's: {@code job_script} and {@code job_env} let
     * sacct -B and --env-vars show a job's script and environment (the controller keeps both in any
     * case, for the job's launch); {@code job_comment} is taken for Slurm's sake (comments are
     * always kept). Sorted, none by default, as in Slurm.
     */
    public record Storage(String url, String user, String passFile, java.util.SortedSet<String> storeFlags) {
        public static final Storage EMBEDDED = new Storage(null, null, null);

        /** Slurm 22.05's AccountingStoreFlags. */
        public static final List<String> STORE_FLAGS = List.of("job_comment", "job_env", "job_script");

        public Storage(String url, String user, String passFile) {
            this(url, user, passFile, new java.util.TreeSet<>());
        }

        public Storage {
            storeFlags = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(storeFlags));
            for (String f : storeFlags) {
                if (!STORE_FLAGS.contains(f))
                    throw new IllegalArgumentException(
                            "AccountingStoreFlags: '" + f + "' is not one of " + String.join(", ", STORE_FLAGS));
            }
            if (url == null && (user != null || passFile != null))
                throw new IllegalArgumentException("StorageUser and StoragePassFile need a StorageURL");
            if (url != null
                    && !url.startsWith("jdbc:postgresql://")
                    && !url.startsWith("jdbc:mariadb://")
                    && !url.startsWith("jdbc:mysql://")) {
                throw new IllegalArgumentException("StorageURL must start with jdbc:postgresql://, jdbc:mariadb://"
                        + " or jdbc:mysql:// (leave it out for the embedded SQLite file)");
            }
        }

        /** Whether the jobs live in the embedded SQLite file. */
        public boolean embedded() {
            return url == null;
        }
    }

    /** Containment strategies an agent may be told to use. */
    public static final List<String> CONTAINMENT_TYPES = List.of("auto", "cgroup2", "cgroup1", "process");

    public ClusterConfig {
        partitions = List.copyOf(partitions);
        nodeOverrides = Map.copyOf(nodeOverrides);
        partitionSharedFilesystem = Map.copyOf(partitionSharedFilesystem);
    }

    public static ClusterConfig defaults() {
        return parse("");
    }

    /** Parses the file's text; an unknown key or bad value is an error naming the line, so typos do not pass silently. */
    public static ClusterConfig parse(String text) {
        String clusterName = "motley";
        int port = DEFAULT_PORT;
        long nodeTimeout = 30;
        long defMemPerCpu = 0;
        long killWait = 30;
        long minJobAge = 300;
        List<Partition> partitions = new ArrayList<>();
        Map<String, NodeOverride> nodes = new LinkedHashMap<>();
        String healthProgram = null;
        long healthInterval = 300;
        String containment = "auto";
        boolean jobRequeue = true;
        long requeueDelay = DEFAULT_REQUEUE_DELAY;
        boolean backfill = true;
        String schedulerParameters = null;
        PriorityKeys prio = new PriorityKeys();
        List<Associations.Account> accounts = new ArrayList<>();
        Map<String, Associations.User> users = new LinkedHashMap<>();
        List<Associations.Qos> qos = new ArrayList<>();
        boolean disableRootJobs = Limits.DEFAULT.disableRootJobs();
        int maxArraySize = Limits.DEFAULT.maxArraySize();
        long inactiveLimit = Limits.DEFAULT.inactiveLimitSeconds();
        long maxScriptBytes = Limits.DEFAULT.maxScriptBytes();
        int agentMaxConnections = Limits.DEFAULT.agentMaxConnections();
        int agentMaxConnectionsPerUser = Limits.DEFAULT.agentMaxConnectionsPerUser();
        long agentRequestTimeout = Limits.DEFAULT.agentRequestTimeoutSeconds();
        long maxStageIn = Limits.DEFAULT.maxStageInBytes();
        long stageInTimeout = Limits.DEFAULT.stageInTimeoutSeconds();
        long stageInSpool = Limits.DEFAULT.stageInSpoolBytes();
        String storageUrl = null;
        java.util.SortedSet<String> storeFlags = new java.util.TreeSet<>();
        String storageUser = null;
        String storagePassFile = null;
        long maxClockSkew = DEFAULT_MAX_CLOCK_SKEW;
        Map<String, String> partitionShared = new LinkedHashMap<>();
        long maxOutput = -1;
        int httpPort = -1;
        String httpBind = null;
        int agentMetricsPort = -1;
        String agentMetricsBind = Web.DEFAULT.agentMetricsBind();
        String prometheusUrl = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            line = line.strip();
            if (line.isEmpty()) continue;
            Map<String, String> kv = pairs(line, i + 1);
            String first = kv.keySet().iterator().next();
            try {
                switch (asciiLowerCase(first)) {
                    case "partitionname" -> partitions.add(partition(kv, prio.jobFactors, partitionShared));
                    case "accountname" -> accounts.add(account(kv));
                    case "username" -> {
                        Associations.User u = user(kv);
                        if (users.put(u.name(), u) != null)
                            throw new IllegalArgumentException("user " + u.name() + " declared twice");
                    }
                    case "qosname" -> {
                        Associations.Qos q = qos(kv);
                        if (qos.stream().anyMatch(o -> o.name().equals(q.name()))) {
                            throw new IllegalArgumentException("QOS " + q.name() + " declared twice");
                        }
                        qos.add(q);
                    }
                    case "nodename" -> {
                        // Read once for the whole line, not once per node: NodeName= may name up to Hostlist.MAX_HOSTS
                        // nodes.
                        for (String k : kv.keySet()) {
                            if (!List.of(
                                            "NodeName",
                                            "CPUs",
                                            "RealMemory",
                                            "MemSpecLimit",
                                            "CoreSpecCount",
                                            "Weight",
                                            "Features",
                                            "SharedFilesystem",
                                            "Users")
                                    .contains(k)) {
                                throw new IllegalArgumentException("unknown node key " + k);
                            }
                        }
                        int cpus = kv.containsKey("CPUs") ? Integer.parseInt(kv.get("CPUs")) : -1;
                        long realMemory =
                                kv.containsKey("RealMemory") ? MemorySize.parseMebibytes(kv.get("RealMemory")) : -1;
                        long memSpec =
                                kv.containsKey("MemSpecLimit") ? MemorySize.parseMebibytes(kv.get("MemSpecLimit")) : 0;
                        int coreSpec = kv.containsKey("CoreSpecCount") ? Integer.parseInt(kv.get("CoreSpecCount")) : 0;
                        int weight = kv.containsKey("Weight") ? Integer.parseInt(kv.get("Weight")) : 1;
                        List<String> features = kv.containsKey("Features")
                                ? List.of(kv.get("Features").split(","))
                                : List.of();
                        String shared = kv.containsKey("SharedFilesystem")
                                ? sharedFilesystemWord(kv.get("SharedFilesystem"))
                                : null;
                        List<String> relayUsers = kv.containsKey("Users") ? nodeUsers(kv.get("Users")) : null;
                        for (String n : Hostlist.expand(kv.get(first))) {
                            nodes.put(
                                    n,
                                    new NodeOverride(
                                            n,
                                            cpus,
                                            realMemory,
                                            memSpec,
                                            coreSpec,
                                            weight,
                                            features,
                                            shared,
                                            relayUsers));
                        }
                    }
                    default -> {
                        if (kv.size() != 1) throw new IllegalArgumentException("one Key=Value per line expected");
                        String v = kv.get(first);
                        switch (first) {
                            case "ClusterName" -> clusterName = v;
                            case "ControllerPort" -> port = Integer.parseInt(v);
                            case "NodeTimeout", "SlurmdTimeout" -> nodeTimeout = Long.parseLong(v);
                            case "DefMemPerCPU" -> defMemPerCpu = MemorySize.parseMebibytes(v);
                            case "KillWait" -> killWait = Long.parseLong(v);
                            case "MinJobAge" -> minJobAge = Long.parseLong(v);
                            case "HealthCheckProgram" -> healthProgram = v;
                            case "HealthCheckInterval" -> healthInterval = Long.parseLong(v);
                            case "JobRequeue" -> {
                                if (!v.equals("0") && !v.equals("1"))
                                    throw new IllegalArgumentException("JobRequeue must be 0 or 1");
                                jobRequeue = v.equals("1");
                            }
                            case "RequeueDelay" -> requeueDelay = Long.parseLong(v);
                            case "ContainmentType" -> {
                                if (!CONTAINMENT_TYPES.contains(v)) {
                                    throw new IllegalArgumentException(
                                            "ContainmentType must be one of " + CONTAINMENT_TYPES);
                                }
                                containment = v;
                            }
                            case "SchedulerType" ->
                                backfill = switch (v) {
                                    case "sched/backfill" -> true;
                                    case "sched/builtin" -> false;
                                    default ->
                                        throw new IllegalArgumentException(
                                                "SchedulerType must be sched/backfill or sched/builtin");
                                };
                            case "SchedulerParameters" -> {
                                List<String> kept = new ArrayList<>();
                                for (String item : v.split(",")) {
                                    if (item.strip().startsWith("max_script_size=")) {
                                        maxScriptBytes =
                                                Long.parseLong(item.strip().substring("max_script_size=".length()));
                                    } else {
                                        kept.add(item);
                                    }
                                }
                                schedulerParameters = String.join(",", kept);
                            }
                            case "DisableRootJobs" -> disableRootJobs = yesNo(first, v);
                            case "MaxArraySize" -> maxArraySize = Integer.parseInt(v);
                            case "InactiveLimit" -> inactiveLimit = Long.parseLong(v);
                            case "AgentMaxConnections" -> agentMaxConnections = Integer.parseInt(v);
                            case "AgentMaxConnectionsPerUser" -> agentMaxConnectionsPerUser = Integer.parseInt(v);
                            case "AgentRequestTimeout" -> agentRequestTimeout = Long.parseLong(v);
                            case "MaxStageInSize" -> {
                                long mib = MemorySize.parseMebibytes(v);
                                if (mib < 1) throw new IllegalArgumentException("MaxStageInSize must be at least 1M");
                                maxStageIn = mib * 1024 * 1024;
                            }
                            case "StageInTimeout" -> stageInTimeout = Long.parseLong(v);
                            case "StageInSpoolSize" -> {
                                long mib = MemorySize.parseMebibytes(v);
                                if (mib < 1) throw new IllegalArgumentException("StageInSpoolSize must be at least 1M");
                                stageInSpool = mib * 1024 * 1024;
                            }
                            case "StorageURL" -> storageUrl = v;
                            case "AccountingStoreFlags" -> {
                                for (String f : v.split(",")) {
                                    if (!f.isBlank()) storeFlags.add(f.strip().toLowerCase(java.util.Locale.ROOT));
                                }
                            }
                            case "StorageUser" -> storageUser = v;
                            case "StoragePassFile" -> storagePassFile = v;
                            case "MaxOutputSize" -> {
                                maxOutput = MemorySize.parseMebibytes(v);
                                if (maxOutput < 1)
                                    throw new IllegalArgumentException("MaxOutputSize must be at least 1M");
                            }
                            case "HttpPort" -> httpPort = Integer.parseInt(v);
                            case "HttpBind" -> httpBind = v;
                            case "AgentMetricsPort" -> agentMetricsPort = Integer.parseInt(v);
                            case "AgentMetricsBind" -> agentMetricsBind = v;
                            case "PrometheusURL" -> prometheusUrl = v.isEmpty() ? null : v;
                            case "MaxClockSkew" -> {
                                maxClockSkew = Long.parseLong(v);
                                if (maxClockSkew < 0)
                                    throw new IllegalArgumentException(
                                            "MaxClockSkew must be 0 (no check) or more seconds");
                            }
                            default -> {
                                if (!prio.accept(first, v)) throw new IllegalArgumentException("unknown key " + first);
                            }
                        }
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("motley.conf line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        Scheduling scheduling;
        try {
            scheduling = Scheduling.parse(backfill, schedulerParameters, Scheduling.DEFAULT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("motley.conf SchedulerParameters: " + e.getMessage(), e);
        }
        if (partitions.isEmpty()) {
            partitions.add(Partition.allNodes("main", true));
        } else if (partitions.stream().noneMatch(Partition::isDefault)) {
            partitions.set(0, partitions.get(0).asDefault(true));
        }
        Limits limits;
        try {
            limits = new Limits(
                    disableRootJobs,
                    maxArraySize,
                    maxScriptBytes,
                    agentMaxConnections,
                    agentMaxConnectionsPerUser,
                    agentRequestTimeout,
                    maxStageIn,
                    stageInTimeout,
                    stageInSpool,
                    inactiveLimit);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("motley.conf: " + e.getMessage(), e);
        }
        Storage storage;
        try {
            storage = new Storage(storageUrl, storageUser, storagePassFile, storeFlags);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("motley.conf: " + e.getMessage(), e);
        }
        Web web;
        try {
            web = new Web(httpPort, httpBind, agentMetricsPort, agentMetricsBind, prometheusUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("motley.conf: " + e.getMessage(), e);
        }
        Associations assoc;
        try {
            assoc = new Associations(accounts, users, qos).validated();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("motley.conf: " + e.getMessage(), e);
        }
        return new ClusterConfig(
                clusterName,
                port,
                nodeTimeout,
                defMemPerCpu,
                killWait,
                minJobAge,
                partitions,
                nodes,
                healthProgram,
                healthInterval,
                containment,
                jobRequeue,
                requeueDelay,
                scheduling,
                prio.build(),
                assoc,
                limits,
                storage,
                maxClockSkew,
                partitionShared,
                maxOutput,
                web);
    }

    /** The Priority* and TRESBillingWeights keys as they are read, line by line. */
    private static final class PriorityKeys {
        boolean multifactor = true;
        long age;
        long fairshare;
        long jobSize;
        long partition;
        long qos;
        long maxAge = PriorityConfig.DEFAULT_MAX_AGE;
        long halfLife = PriorityConfig.DEFAULT_HALF_LIFE;
        boolean favorSmall;
        final Map<String, Integer> jobFactors = new LinkedHashMap<>();
        double cpuWeight = 1.0;
        double gpuWeight = 0.0;
        long calcPeriod = PriorityConfig.DEFAULT_CALC_PERIOD;

        boolean accept(String key, String v) {
            switch (key) {
                case "PriorityType" -> {
                    switch (v) {
                        case "priority/multifactor" -> multifactor = true;
                        case "priority/basic" -> multifactor = false;
                        default ->
                            throw new IllegalArgumentException(
                                    "PriorityType must be priority/multifactor or priority/basic");
                    }
                }
                case "PriorityWeightAge" -> age = weight(key, v);
                case "PriorityWeightFairshare" -> fairshare = weight(key, v);
                case "PriorityWeightJobSize" -> jobSize = weight(key, v);
                case "PriorityWeightPartition" -> partition = weight(key, v);
                case "PriorityWeightQOS" -> qos = weight(key, v);
                case "PriorityMaxAge" -> maxAge = seconds(v);
                case "PriorityDecayHalfLife" -> halfLife = seconds(v);
                case "PriorityFavorSmall" -> favorSmall = yesNo(key, v);
                case "TRESBillingWeights" -> billing(v);
                case "PriorityCalcPeriod" -> {
                    // minutes, as in slurm.conf (or Slurm's time format); at least one second
                    long m = v.matches("\\d+") ? Long.parseLong(v) * 60 : seconds(v);
                    calcPeriod = Math.max(1, m);
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** TRESBillingWeights=CPU=1.0,GRES/gpu=2.0: only CPUs and GPUs are billed. */
        private void billing(String v) {
            for (String item : v.split(",")) {
                int eq = item.indexOf('=');
                if (eq <= 0)
                    throw new IllegalArgumentException(
                            "TRESBillingWeights expects TRES=weight items, got '" + item + "'");
                String tres = asciiLowerCase(item.substring(0, eq));
                double w;
                try {
                    w = Double.parseDouble(item.substring(eq + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "TRESBillingWeights: '" + item.substring(eq + 1) + "' is not a number");
                }
                // NaN and Infinity parse as doubles but would make every job's usage, and so fair share, NaN.
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException(
                            "TRESBillingWeights: weights must be finite numbers, 0 or more, not " + w);
                }
                switch (tres) {
                    case "cpu" -> cpuWeight = w;
                    case "gres/gpu" -> gpuWeight = w;
                    default ->
                        throw new IllegalArgumentException(
                                "TRESBillingWeights: Motley bills CPU and GRES/gpu only, not " + tres);
                }
            }
        }

        private static long weight(String key, String v) {
            try {
                long w = Long.parseLong(v);
                if (w < 0 || w > 0xFFFFFFFFL) throw new NumberFormatException();
                return w;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number from 0 to 4294967295");
            }
        }

        /** Slurm's time format (7-0 is seven days); 0 or UNLIMITED: no limit, no decay. */
        private static long seconds(String v) {
            long s = Durations.parseTimeLimit(v);
            return s < 0 ? 0 : s;
        }

        PriorityConfig build() {
            return new PriorityConfig(
                    multifactor,
                    age,
                    fairshare,
                    jobSize,
                    partition,
                    qos,
                    maxAge,
                    halfLife,
                    favorSmall,
                    jobFactors,
                    cpuWeight,
                    gpuWeight,
                    calcPeriod);
        }
    }

    private static boolean yesNo(String key, String v) {
        if (v.equalsIgnoreCase("YES")) return true;
        if (v.equalsIgnoreCase("NO")) return false;
        throw new IllegalArgumentException(key + " must be YES or NO");
    }

    /** AccountName=NAME [Parent=ACCOUNT] [Fairshare=N] [Users=a,b]. */
    private static Associations.Account account(Map<String, String> kv) {
        String name = kv.get("AccountName");
        String parent = null;
        long shares = 1;
        List<String> members = List.of();
        for (var e : kv.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "AccountName" -> {}
                case "Parent" -> parent = v.equals("root") ? null : v;
                case "Fairshare" -> shares = shares(v);
                case "Users" -> members = List.of(v.split(","));
                default -> throw new IllegalArgumentException("unknown account key " + e.getKey());
            }
        }
        if (name.isEmpty()) throw new IllegalArgumentException("AccountName needs a name");
        return new Associations.Account(name, parent, shares, members);
    }

    /** UserName=NAME [DefaultAccount=ACCOUNT] [Fairshare=N]. */
    private static Associations.User user(Map<String, String> kv) {
        String name = kv.get("UserName");
        String def = null;
        long shares = 1;
        for (var e : kv.entrySet()) {
            switch (e.getKey()) {
                case "UserName" -> {}
                case "DefaultAccount" -> def = e.getValue();
                case "Fairshare" -> shares = shares(e.getValue());
                default -> throw new IllegalArgumentException("unknown user key " + e.getKey());
            }
        }
        return new Associations.User(name, def, shares);
    }

    /** QOSName=NAME [Priority=N]. */
    private static Associations.Qos qos(Map<String, String> kv) {
        String name = kv.get("QOSName");
        long priority = 0;
        for (var e : kv.entrySet()) {
            switch (e.getKey()) {
                case "QOSName" -> {}
                case "Priority" -> {
                    try {
                        priority = Long.parseLong(e.getValue());
                        if (priority < 0) throw new NumberFormatException();
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException("QOS Priority must be a whole number, 0 or more");
                    }
                }
                default -> throw new IllegalArgumentException("unknown QOS key " + e.getKey());
            }
        }
        return new Associations.Qos(name, priority);
    }

    private static long shares(String v) {
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Fairshare must be a whole number, 0 or more (Motley has no Fairshare=parent)");
        }
    }

    private static Partition partition(
            Map<String, String> kv, Map<String, Integer> jobFactors, Map<String, String> sharedFilesystem) {
        String name = kv.get("PartitionName");
        boolean isDefault = false;
        List<String> nodes = null;
        long maxTime = Durations.UNLIMITED;
        long defTime = Durations.UNLIMITED;
        PartitionState state = PartitionState.UP;
        int tier = 1;
        int maxNodes = -1;
        List<String> accounts = null;
        List<String> groups = null;
        for (var e : kv.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "PartitionName" -> {}
                case "Default" -> isDefault = v.equalsIgnoreCase("YES");
                case "Nodes" -> nodes = v.equalsIgnoreCase("ALL") ? null : Hostlist.expand(v);
                case "MaxTime" -> maxTime = Durations.parseTimeLimit(v);
                case "DefaultTime" -> defTime = Durations.parseTimeLimit(v);
                case "State" -> state = partitionState(v);
                case "PriorityTier" -> tier = Integer.parseInt(v);
                case "PriorityJobFactor" -> jobFactors.put(name, Integer.parseInt(v));
                case "MaxNodes" -> maxNodes = v.equalsIgnoreCase("UNLIMITED") ? -1 : Integer.parseInt(v);
                case "AllowAccounts" -> accounts = v.equalsIgnoreCase("ALL") ? null : List.of(v.split(","));
                case "AllowGroups" -> groups = v.equalsIgnoreCase("ALL") ? null : List.of(v.split(","));
                case "SharedFilesystem" -> sharedFilesystem.put(name, sharedFilesystemWord(v));
                default -> throw new IllegalArgumentException("unknown partition key " + e.getKey());
            }
        }
        return new Partition(name, isDefault, nodes, maxTime, defTime, state, tier, maxNodes, accounts, groups);
    }

    private static PartitionState partitionState(String v) {
        for (PartitionState s : PartitionState.values()) {
            if (s.name().equalsIgnoreCase(v)) return s;
        }
        throw new IllegalArgumentException(
                "partition State must be one of " + List.of(PartitionState.values()) + ", not " + v);
    }

    /**
     * Lower-cases ASCII letters only; every key and TRES name is ASCII. String.toLowerCase reallocates its result for
     * each character that lower-cases to two ('\u0130'), so a key of 60,000 of them allocated 10 GB.
     */
    private static String asciiLowerCase(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] >= 'A' && c[i] <= 'Z') c[i] = (char) (c[i] + ('a' - 'A'));
        }
        return new String(c);
    }

    private static Map<String, String> pairs(String line, int lineNo) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String tok : line.split("\\s+")) {
            int eq = tok.indexOf('=');
            if (eq <= 0)
                throw new IllegalArgumentException(
                        "motley.conf line " + lineNo + ": expected Key=Value, got '" + tok + "'");
            kv.put(tok.substring(0, eq), tok.substring(eq + 1));
        }
        return kv;
    }

    /** Users=ann,bob or Users=ALL (any user: null). */
    private static List<String> nodeUsers(String v) {
        if (v.equalsIgnoreCase("ALL")) return null;
        List<String> out = new java.util.ArrayList<>();
        for (String u : v.split(",")) {
            String t = u.strip();
            if (t.isEmpty() || !t.matches("[A-Za-z0-9._][A-Za-z0-9._-]*"))
                throw new IllegalArgumentException("Users=: not a user name: '" + t + "'");
            out.add(t);
        }
        return List.copyOf(out);
    }

    /**
     * Whether the agent of {@code node} may relay requests of {@code user}: the node's Users= lists
     * them, or it has no Users= (any user, as Slurm trusts any host holding the munge key).
     */
    public boolean vouchesFor(String node, String user) {
        NodeOverride o = node == null ? null : nodeOverrides.get(node);
        return o == null || o.users() == null || user != null && o.users().contains(user);
    }

    public NodeOverride overrideFor(String node) {
        return nodeOverrides.get(node);
    }

    /** SharedFilesystem= of a node: "yes", "no", or "auto" (also for a node without a NodeName line). */
    public String sharedFilesystem(String node) {
        NodeOverride o = nodeOverrides.get(node);
        return o == null || o.sharedFilesystem() == null ? SHARED_AUTO : o.sharedFilesystem();
    }

    /**
     * SharedFilesystem= for a job of {@code partition} on {@code node}: the node's NodeName line
     * where it sets it, else the partition's PartitionName line, else "auto".
     */
    public String sharedFilesystem(String node, String partition) {
        NodeOverride o = nodeOverrides.get(node);
        if (o != null && o.sharedFilesystem() != null) return o.sharedFilesystem();
        String p = partition == null ? null : partitionSharedFilesystem.get(partition);
        return p == null ? SHARED_AUTO : p;
    }

    private static String sharedFilesystemWord(String v) {
        String w = asciiLowerCase(v);
        if (!List.of("yes", "no", SHARED_AUTO).contains(w))
            throw new IllegalArgumentException("SharedFilesystem must be yes, no or auto, not " + v);
        return w;
    }
}
