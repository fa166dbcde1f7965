package io.motley.core.scheduler;

import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.FreeText;
import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides at submit time (and again on every change to a pending job) whether a request could
 * ever run, and refuses it with Slurm's wording when it cannot: text or sizes over their bounds,
 * an unknown partition, more CPUs or memory than any node of the partition has, more than one node.
 */
public final class Admission {

    /** Why a request was refused: the detail line and the "submission failed" line, as sbatch prints them. */
    public record Rejection(String detail, String failure) {}

    private Admission() {}

    /** Partitions a request names, or the default one when it names none. */
    public static List<String> resolvePartitions(JobRequest req, List<Partition> partitions) {
        if (!req.partitions().isEmpty()) return req.partitions();
        for (Partition p : partitions) {
            if (p.isDefault()) return List.of(p.name());
        }
        return List.of();
    }

    /** Where a request may run, from its -C, -w, -x and --exclusive. */
    public static QueuedJob.Placement placement(JobRequest req) {
        Constraint c =
                req.constraint() == null || req.constraint().isBlank() ? null : Constraint.parse(req.constraint());
        java.util.Set<String> only = req.nodeList() == null
                ? java.util.Set.of()
                : new java.util.LinkedHashSet<>(io.motley.core.hostlist.Hostlist.expand(req.nodeList()));
        java.util.Set<String> not = req.excludeList() == null
                ? java.util.Set.of()
                : new java.util.LinkedHashSet<>(io.motley.core.hostlist.Hostlist.expand(req.excludeList()));
        var r = req.resources();
        QueuedJob.Span span = r.multiNode()
                ? new QueuedJob.Span(
                        r.nodes(),
                        r.maxNodes(),
                        r.ntasks(),
                        r.cpusPerTask(),
                        r.ntasksPerNode(),
                        r.ntasksGiven(),
                        r.spreadJob())
                : QueuedJob.Span.ONE;
        if (only.size() > 1 && only.size() > span.minNodes()) {
            // -w with several nodes holds them all: at least that many nodes, as in Slurm
            span = new QueuedJob.Span(
                    only.size(),
                    Math.max(only.size(), span.maxNodes()),
                    r.ntasks(),
                    r.cpusPerTask(),
                    r.ntasksPerNode(),
                    r.ntasksGiven() && r.ntasks() >= only.size(),
                    r.spreadJob());
        }
        return new QueuedJob.Placement(c, only, not, req.exclusive(), span)
                .preferring(req.prefer() == null ? null : Constraint.parse(req.prefer()));
    }

    /** The implicit top account, root's default one in every Slurm database. */
    private static final String ROOT = "root";

    /** What a submission is charged to: its account and QOS, or why it is refused (then the others are null). */
    public record Charge(String account, String qos, Rejection rejection) {}

    /**
     * Resolves a request's account and QOS against the declared associations. With accounts
     * declared, -A must name one that lists the user, and without -A the user's default account is
     * used (DefaultAccount, else the first account listing them); a job then runs under QOS
     * "normal" unless --qos names another. Without declared accounts -A is recorded as given, and
     * without -A the user's DefaultAccount if any (root's is root), so that sacct's Account column
     * shows it as Slurm's does. An unknown --qos is refused either way.
     */
    public static Charge charge(JobRequest req, String user, io.motley.core.priority.Associations assoc) {
        String qos = req.qos();
        if (qos != null && assoc.qos(qos).isEmpty()) {
            return new Charge(null, null, new Rejection(null, "Invalid qos specification"));
        }
        if (!assoc.enforced()) {
            // recorded as given; without -A the default account, as slurmdbd has it (root's is root)
            String account = req.account() != null
                    ? req.account()
                    : assoc.defaultAccount(user).orElse(ROOT.equals(user) ? ROOT : null);
            return new Charge(account, qos, null);
        }
        String account = req.account() != null
                ? req.account()
                : assoc.defaultAccount(user).orElse(null);
        if (account == null || !assoc.isMember(user, account)) {
            return new Charge(
                    null, null, new Rejection(null, "Invalid account or account/partition combination specified"));
        }
        return new Charge(account, qos == null ? io.motley.core.priority.Associations.NORMAL_QOS : qos, null);
    }

    /**
     * --deadline as slurmctld checks it at submission: not already past, not before --begin. A job
     * without a time limit is accepted, as slurmctld accepts it (it gives it a TimeMin of one
     * minute); such a job is removed only once the deadline has passed. Slurm prints no detail
     * line for these, only the failure. {@code effectiveLimit} is the job's limit or its partition's.
     */
    public static Optional<Rejection> checkDeadline(JobRequest req, TimeLimit effectiveLimit, long now) {
        long deadline = req.deadline();
        if (deadline <= 0) return Optional.empty();
        if (deadline < now || (req.beginTime() > 0 && deadline < req.beginTime())) {
            return Optional.of(new Rejection(null, "Invalid time specified"));
        }
        return Optional.empty();
    }

    /** Slurm's ESLURM_PATHNAME_TOO_LONG, its answer to every field over its bound. */
    public static final String TOO_LONG = "Pathname of a file, directory or other parameter too long";
    /** Longest job name, comment, account, QOS, partition list, constraint or node list: Slurm's bound (1024). */
    public static final int MAX_TEXT = 1024;
    /** Longest working directory or output path: PATH_MAX, Slurm's bound. */
    public static final int MAX_PATH = 4096;
    /** Longest array specification (Slurm's bound). */
    public static final int MAX_ARRAY_TEXT = 4096;
    /** Longest --dependency expression (Slurm's bound, 128 KiB). */
    public static final int MAX_DEPENDENCY = 128 * 1024;
    /**
     * Largest exported environment, counted as exec(2) counts it (NAME=VALUE plus a NUL each): 2 MiB,
     * what Linux lets a program be started with under the usual 8 MiB stack limit anyway.
     */
    public static final long MAX_ENVIRONMENT_BYTES = 2L * 1024 * 1024;
    /** Most exported environment variables; real environments hold tens to hundreds. */
    public static final int MAX_ENVIRONMENT_VARIABLES = 10_000;

    /**
     * The checks on a request's own text and size, made before anything is stored (a refusal
     * here spends no job id, as Slurm's _validate_job_desc): no control characters in the free
     * text fields, every field within its bound, the batch script within max_script_size, the
     * array's indices below MaxArraySize, the environment within what exec(2) takes, and no job of
     * root's ({@code uid} 0) under DisableRootJobs.
     */
    public static Optional<Rejection> validate(
            JobRequest req, io.motley.core.config.ClusterConfig.Limits limits, int uid) {
        Object[][] texts = {
            {"job name", req.name(), MAX_TEXT},
            {"comment", req.comment(), MAX_TEXT},
            {"account", req.account(), MAX_TEXT},
            {"qos", req.qos(), MAX_TEXT},
            {"partition", String.join(",", req.partitions()), MAX_TEXT},
            {"dependency", req.dependency(), MAX_DEPENDENCY},
            {"working directory", req.workDir(), MAX_PATH},
            {"submit directory", req.submitDir(), MAX_PATH},
            {"output path", req.stdoutPattern(), MAX_PATH},
            {"error path", req.stderrPattern(), MAX_PATH},
            {"submit host", req.submitHost(), MAX_TEXT},
            {"constraint", req.constraint(), MAX_TEXT},
            {"node list", req.nodeList(), MAX_TEXT},
            {"exclude list", req.excludeList(), MAX_TEXT},
            {"gpu type", req.gpuType(), MAX_TEXT},
            {"array specification", req.array(), MAX_ARRAY_TEXT},
        };
        for (Object[] t : texts) {
            String label = (String) t[0];
            String value = (String) t[1];
            if (FreeText.hasControl(value))
                return Optional.of(new Rejection(null, "Invalid " + label + ": control characters are not allowed"));
            if (value != null && value.length() > (int) t[2]) {
                return Optional.of(new Rejection(
                        label + " of " + value.length() + " characters is over the limit of " + t[2], TOO_LONG));
            }
        }
        long scriptBytes = utf8Length(req.script());
        if (scriptBytes > limits.maxScriptBytes()) {
            return Optional.of(new Rejection(
                    "batch script of " + scriptBytes + " bytes is over max_script_size (" + limits.maxScriptBytes()
                            + ")",
                    TOO_LONG));
        }
        if (req.environment().size() > MAX_ENVIRONMENT_VARIABLES) {
            return Optional.of(new Rejection(
                    "exported environment has " + req.environment().size() + " variables, over the limit of "
                            + MAX_ENVIRONMENT_VARIABLES,
                    TOO_LONG));
        }
        long envBytes = 0;
        for (var e : req.environment().entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || FreeText.hasControl(name)) {
                return Optional.of(new Rejection(
                        null,
                        "Invalid environment variable name: control characters, '=' and empty names are not allowed"));
            }
            envBytes += utf8Length(name) + utf8Length(e.getValue()) + 2;
        }
        if (envBytes > MAX_ENVIRONMENT_BYTES) {
            return Optional.of(new Rejection(
                    "exported environment of " + envBytes + " bytes is over the limit of " + MAX_ENVIRONMENT_BYTES
                            + " (2 MiB, what exec(2) takes)",
                    TOO_LONG));
        }
        if (req.array() != null) {
            int highest;
            try {
                highest = ArraySpec.highestIndex(req.array());
            } catch (IllegalArgumentException e) {
                return Optional.of(new Rejection(e.getMessage(), "Invalid job array specification"));
            }
            if (highest >= limits.maxArraySize()) {
                return Optional.of(new Rejection(
                        "array index " + highest + " is not below MaxArraySize (" + limits.maxArraySize() + ")",
                        "Invalid job array specification"));
            }
        }
        if (uid == 0 && limits.disableRootJobs()) {
            // Slurm's ESLURM_USER_ID_MISSING, which is what slurmctld answers a root job under DisableRootJobs
            return Optional.of(
                    new Rejection("DisableRootJobs is set: jobs of root (uid 0) are refused", "Invalid user id"));
        }
        return Optional.empty();
    }

    /** Bytes of the text in UTF-8, counted without encoding it (a script may be large). */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n += 1;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    public static Optional<Rejection> check(JobRequest req, List<Partition> partitions, List<NodeView> nodes) {
        return check(req, partitions, nodes, null);
    }

    /** As {@link #check(JobRequest, List, List)}, also checking AllowGroups against the caller's groups (null: not checked). */
    public static Optional<Rejection> check(
            JobRequest req,
            List<Partition> partitions,
            List<NodeView> nodes,
            java.util.Collection<String> callerGroups) {
        List<String> names = resolvePartitions(req, partitions);
        if (names.isEmpty()) {
            return Optional.of(new Rejection(
                    "No partition specified or system default partition", "Invalid partition name specified"));
        }
        List<Partition> chosen = new ArrayList<>();
        for (String name : names) {
            Partition p = partitions.stream()
                    .filter(x -> x.name().equals(name))
                    .findFirst()
                    .orElse(null);
            if (p == null) {
                return Optional.of(
                        new Rejection("invalid partition specified: " + name, "Invalid partition name specified"));
            }
            if (!p.state().acceptsJobs()) {
                return Optional.of(new Rejection(
                        "Partition " + name + " is " + p.state() + " and takes no new jobs",
                        "Partition in drain or inactive state"));
            }
            if (!p.allowsAccount(req.account())) {
                return Optional.of(new Rejection(
                        "Job's account " + (req.account() == null ? "(none)" : req.account())
                                + " may not use partition " + name + " (AllowAccounts="
                                + String.join(",", p.allowAccounts()) + ")",
                        "Invalid account or account/partition combination specified"));
            }
            if (callerGroups != null && !p.allowsGroups(callerGroups)) {
                return Optional.of(new Rejection(
                        "User's group not permitted to use this partition (" + name + " AllowGroups="
                                + String.join(",", p.allowGroups()) + ")",
                        "Invalid partition name specified"));
            }
            if (p.maxNodes() >= 0 && req.nodes() > p.maxNodes()) {
                return Optional.of(new Rejection(
                        "Node count specification invalid (partition " + name + " MaxNodes=" + p.maxNodes() + ")",
                        "Node count specification invalid"));
            }
            chosen.add(p);
        }
        if (req.gpusPerNode() > 0) {
            boolean gpuFits = false;
            for (Partition p : chosen) {
                for (NodeView n : nodes) {
                    if (p.contains(n.name())
                            && n.gpuCount(req.gpuType()) >= req.gpusPerNode()
                            && n.cpus() >= req.cpus()) gpuFits = true;
                }
            }
            if (!gpuFits) {
                return Optional.of(new Rejection(null, "Invalid generic resource (gres) specification"));
            }
        }
        if (req.prefer() != null) {
            // as slurmctld: features no node of the partitions has (together) are refused, not ignored
            Constraint wanted;
            try {
                wanted = Constraint.parse(req.prefer());
            } catch (IllegalArgumentException e) {
                return Optional.of(new Rejection(e.getMessage(), "Invalid preferred feature specification"));
            }
            boolean someNode = chosen.stream()
                    .anyMatch(p -> nodes.stream().anyMatch(v -> p.contains(v.name()) && wanted.matches(v.features())));
            if (!someNode && !nodes.isEmpty())
                return Optional.of(new Rejection(null, "Invalid preferred feature specification"));
        }
        if (req.constraint() != null || req.nodeList() != null || req.excludeList() != null) {
            QueuedJob.Placement place;
            try {
                place = placement(req);
            } catch (IllegalArgumentException e) {
                return Optional.of(new Rejection(e.getMessage(), "Invalid feature specification"));
            }
            // -w and -x alike name nodes that must exist, as in Slurm
            java.util.List<String> named = new java.util.ArrayList<>(place.nodes());
            named.addAll(place.excluded());
            for (String n : named) {
                if (nodes.stream().noneMatch(v -> v.name().equals(n))) {
                    return Optional.of(new Rejection("invalid node name: " + n, "Invalid node name specified"));
                }
            }
            if (place.span().multiNode() && place.nodes().size() > place.span().maxNodes()) {
                return Optional.of(new Rejection(
                        "Node count specification invalid (-w names "
                                + place.nodes().size() + " nodes, -N allows "
                                + place.span().maxNodes() + ")",
                        "Node count specification invalid"));
            }
            boolean someNode = chosen.stream()
                    .anyMatch(p -> nodes.stream().anyMatch(v -> p.contains(v.name()) && place.accepts(v)));
            if (!someNode && !nodes.isEmpty()) {
                return Optional.of(new Rejection(
                        null,
                        place.constraint() != null && place.nodes().isEmpty()
                                ? "Invalid feature specification"
                                : "Requested node configuration is not available"));
            }
        }
        QueuedJob.Placement whole = placement(req);
        if (whole.span().multiNode()) return multiNodeFits(req, whole, chosen, nodes);
        boolean anyNode = false;
        boolean cpuFits = false;
        boolean memFits = false;
        for (Partition p : chosen) {
            for (NodeView n : nodes) {
                if (!p.contains(n.name())) continue;
                anyNode = true;
                boolean c = n.cpus() >= req.cpus();
                boolean m = req.resources().memory().onNodeMiB(req.cpus(), 0) <= n.memMiB();
                if (c && m) return Optional.empty();
                cpuFits |= c;
                memFits |= m;
            }
        }
        if (!anyNode) {
            // No node has registered yet (a fresh cluster): accept, the job waits for one.
            return Optional.empty();
        }
        if (!memFits || cpuFits) {
            return Optional.of(new Rejection(
                    "Memory specification can not be satisfied", "Requested node configuration is not available"));
        }
        return Optional.of(new Rejection(
                "CPU count per node can not be satisfied (" + req.cpus() + " CPUs requested)",
                "Requested node configuration is not available"));
    }

    /**
     * Whether some partition has enough nodes that could ever hold a multi-node job's share: for
     * some node count in its range, its -w nodes and others it accepts, largest first, each with
     * the CPUs and memory its tasks need there.
     */
    private static Optional<Rejection> multiNodeFits(
            JobRequest req, QueuedJob.Placement place, List<Partition> chosen, List<NodeView> nodes) {
        QueuedJob.Span span = place.span();
        if (span.tasksGiven() && span.tasks() < span.minNodes()) {
            return Optional.of(new Rejection(
                    "Node count specification invalid (" + span.tasks() + " tasks cannot use " + span.minNodes()
                            + " nodes)",
                    "Node count specification invalid"));
        }
        if (nodes.isEmpty()) return Optional.empty();
        for (Partition p : chosen) {
            List<NodeView> members = nodes.stream()
                    .filter(v -> p.contains(v.name()) && place.accepts(v))
                    .sorted(java.util.Comparator.comparingInt(NodeView::cpus).reversed())
                    .toList();
            boolean required = place.nodes().stream()
                    .allMatch(w -> members.stream().anyMatch(v -> v.name().equals(w)));
            if (!required) continue;
            for (int k : span.nodeCounts()) {
                int[] tasks = span.tasksOn(k);
                if (tasks == null || members.size() < k) continue;
                boolean fits = true;
                for (int j = 0; j < k && fits; j++) {
                    int cpus = place.exclusive() ? members.get(j).cpus() : tasks[j] * span.cpusPerTask();
                    fits = members.get(j).cpus() >= cpus
                            && req.resources().memory().onNodeMiB(cpus, 0)
                                    <= members.get(j).memMiB()
                            && members.get(j).gpuCount(req.gpuType()) >= req.gpusPerNode();
                }
                if (fits) return Optional.empty();
            }
        }
        return Optional.of(new Rejection(
                "Requested node configuration is not available (" + span.minNodes() + " nodes)",
                "Requested node configuration is not available"));
    }
}
