package io.motley.controller.cluster;

import io.motley.controller.store.Store;
import io.motley.controller.store.StoreException;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.config.ClusterConfig;
import io.motley.core.dependency.Dependency;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.queue.ArrayTasks;
import io.motley.core.queue.JobTable;
import io.motley.core.queue.QueueBuilder;
import io.motley.core.queue.QueueEntry;
import io.motley.core.queue.QueuePass;
import io.motley.core.scheduler.Admission;
import io.motley.core.scheduler.Allocation;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.scheduler.Snapshot;
import io.motley.core.scheduler.Start;
import io.motley.core.time.Durations;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's live view of the cluster: jobs, nodes and agent links, kept in memory and
 * written through to the store before any answer leaves. All mutations hold this object's lock;
 * scheduling decisions come from the pure {@link Scheduler}.
 */
public final class Cluster {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    private final ClusterConfig config;
    private final Store store;
    private final LongSupplier clock;
    private final Map<Long, Job> jobs = new TreeMap<>();
    private final Map<String, Node> nodes = new TreeMap<>();
    private final Map<String, AgentChannel> links = new HashMap<>();
    private final Map<String, Long> lastSeen = new HashMap<>();
    /** Running jobs someone asked to cancel, with the uid that asked, until the agent reports the end. */
    private final Map<Long, Integer> cancelling = new HashMap<>();
    /**
     * Requeued jobs whose killed run has not reported its end yet, with the node it ran on: such a
     * job waits (BeginTime) so that it is not counted free of the CPUs the dying run still holds.
     * Kept in memory only; after a controller restart the agent's registration settles it.
     */
    private final Map<Long, String> endingRuns = new HashMap<>();

    private final Object wake = new Object();
    private final Object passes = new Object();
    private boolean scheduleWanted;
    private final Priorities priorities;
    /** When the last pass that could backfill ran (epoch seconds). */
    private long lastBackfill = Long.MIN_VALUE / 2;
    /** The last pass's reservations by job id (an array's under its own id). */
    private Map<Long, Plan.Reservation> expected = Map.of();

    public Cluster(ClusterConfig config, Store store, LongSupplier clockSeconds) {
        this.config = config;
        this.store = store;
        this.clock = clockSeconds;
        long now = clock.getAsLong();
        for (Node n : store.nodes()) {
            nodes.put(n.name(), n);
            // a restarted controller gives every known agent one timeout to reconnect
            lastSeen.put(n.name(), now);
        }
        for (Job j : store.endedSince(now - config.minJobAgeSeconds())) jobs.put(j.id(), j);
        for (Job j : store.activeJobs()) jobs.put(j.id(), j);
        // fair share needs the usage of jobs that ended before this start, decayed from their ends
        priorities = new Priorities(config, store.endedSince(Priorities.historySince(config, now)), this::job);
        log.info(
                "state loaded jobs_active={} nodes={}",
                jobs.values().stream().filter(j -> !j.state().isTerminal()).count(),
                nodes.size());
    }

    public ClusterConfig config() {
        return config;
    }

    // ---- user requests -------------------------------------------------------------------

    /** Accepts or refuses a submission; the answer carries the id only after the job is committed. */
    public Frame submit(JobRequest req, int uid, int gid, String user) {
        return submit(req, uid, gid, user, null);
    }

    /**
     * {@code groups}: the caller's group names for AllowGroups, or null when the agent did not
     * send them (then only partitions without AllowGroups take the job, unless the caller is root).
     */
    public Frame submit(JobRequest submitted, int uid, int gid, String user, List<String> groups) {
        Job job;
        synchronized (this) {
            long now = clock.getAsLong();
            // only root raises a job's priority with a negative nice; sbatch already ignores it for others, as Slurm's
            // does
            JobRequest asked = submitted.nice() < 0 && uid != 0 ? submitted.withNice(0) : submitted;
            Verdict v = admit(asked, uid, user, groupsToCheck(uid, groups), now);
            JobRequest req = v.request();
            try {
                if (v.rejection() != null) {
                    Admission.Rejection no = v.rejection();
                    String why = no.detail() == null ? no.failure() : no.detail();
                    if (v.beforeStore()) {
                        // text and sizes are judged before anything is stored, as Slurm's _validate_job_desc: no id is
                        // spent
                        log.info("submission refused user={} why=\"{}\"", user, why);
                    } else {
                        // Slurm spends a job id on a refused submission and records it as FAILED; so do we.
                        Job failed = store.insertNew(id -> new Job(
                                id,
                                req,
                                user,
                                uid,
                                gid,
                                JobState.FAILED,
                                PendingReason.None,
                                0,
                                now,
                                now,
                                now,
                                v.partition(),
                                null,
                                0,
                                0,
                                v.timeLimit(),
                                new ExitStatus(1, 0),
                                -1));
                        log.info("submission refused job={} user={} why=\"{}\"", failed.id(), user, why);
                    }
                    return Frame.error(no.failure()).put("detail", no.detail());
                }
                ArraySpec spec = req.array() == null ? null : ArraySpec.parse(req.array());
                job = store.insertNew(id -> {
                    Job j = new Job(
                            id,
                            req,
                            user,
                            uid,
                            gid,
                            JobState.PENDING,
                            PendingReason.None,
                            priorities.initial(id),
                            now,
                            0,
                            0,
                            v.partition(),
                            null,
                            0,
                            0,
                            v.timeLimit(),
                            ExitStatus.NONE,
                            -1);
                    // one record holds all of an array's pending tasks, however many
                    return spec == null ? j : j.withArray(new ArrayPart(id, -1, ArraySpec.fold(spec.indices())));
                });
            } catch (StoreException e) {
                // the store's message says what happened and what to do (disk full, database gone); nothing was saved
                log.error("submission not saved user={} error=\"{}\"", user, e.getMessage());
                return Frame.error(e.getMessage());
            }
            jobs.put(job.id(), job);
            log.info("job submitted job={} user={} name={} partition={}", job.id(), user, req.name(), v.partition());
        }
        wakeScheduler();
        return Frame.op(Ops.OK).put("id", job.id());
    }

    /** The groups AllowGroups is checked against: none for root, who may use every partition, as in Slurm. */
    private static List<String> groupsToCheck(int callerUid, List<String> groups) {
        if (callerUid == 0) return null;
        return groups == null ? List.of() : groups;
    }

    /**
     * What the shared check made of a request: the request as charged (its account and QOS
     * resolved), the partitions it may run in and the time limit it gets there, or why it is
     * refused; {@code beforeStore} when the refusal comes before anything may be stored (its text
     * or size), so that no job id is spent on it.
     */
    record Verdict(
            JobRequest request, String partition, long timeLimit, Admission.Rejection rejection, boolean beforeStore) {}

    /**
     * The one check every request that creates or changes a job passes (sbatch, scontrol update):
     * its text and sizes and DisableRootJobs ({@link Admission#validate}), its account and QOS,
     * its partitions (state, AllowAccounts, AllowGroups against {@code callerGroups}, null to skip,
     * MaxNodes) and the nodes that could run it, its --deadline against the time limit it would
     * get, and the jobs its --dependency names. {@code ownerUid} and {@code owner} are the job's.
     */
    private Verdict admit(JobRequest asked, int ownerUid, String owner, List<String> callerGroups, long now) {
        Optional<Admission.Rejection> invalid = Admission.validate(asked, config.limits(), ownerUid);
        if (invalid.isPresent())
            return new Verdict(asked, String.join(",", asked.partitions()), Durations.UNLIMITED, invalid.get(), true);
        List<NodeView> views = nodes.values().stream().map(Node::view).toList();
        // the account (-A or the user's default) and QOS the job is charged to, checked when accounts are declared
        Admission.Charge charge = Admission.charge(asked, owner, config.associations());
        JobRequest req = charge.rejection() == null ? asked.charged(charge.account(), charge.qos()) : asked;
        Optional<Admission.Rejection> no = charge.rejection() != null
                ? Optional.of(charge.rejection())
                : Admission.check(req, config.partitions(), views, callerGroups);
        List<String> parts = Admission.resolvePartitions(req, config.partitions());
        Partition first = config.partitions().stream()
                .filter(p -> !parts.isEmpty() && p.name().equals(parts.get(0)))
                .findFirst()
                .orElse(null);
        long limit = first == null ? req.timeLimitSeconds() : first.effectiveTimeLimit(req.timeLimitSeconds());
        if (limit == JobRequest.UNSET) limit = Durations.UNLIMITED;
        String partition = String.join(",", parts.isEmpty() ? req.partitions() : parts);
        if (no.isEmpty()) no = Admission.checkDeadline(req, limit, now);
        if (no.isEmpty() && req.dependency() != null) {
            try {
                for (long id : Dependency.parse(req.dependency()).jobIds()) {
                    if (dependencyTarget(id).isEmpty()) {
                        no = Optional.of(new Admission.Rejection(
                                "dependency names job " + id + ", which does not exist", "Job dependency problem"));
                    }
                }
            } catch (IllegalArgumentException e) {
                no = Optional.of(new Admission.Rejection(e.getMessage(), "Job dependency problem"));
            }
        }
        return new Verdict(req, partition, limit, no.orElse(null), false);
    }

    /** What makes the job database unusable now (gone, replaced, not writable, disk full), for scontrol ping; empty when none. */
    public Optional<String> storeProblem() {
        return store.problem();
    }

    /** Jobs in view: every active one and those that ended within MinJobAge. */
    public synchronized List<Job> jobs() {
        return List.copyOf(jobs.values());
    }

    /** Looks a job up in memory, then in the store (scontrol show job of an older one). */
    public synchronized Optional<Job> job(long id) {
        Job j = jobs.get(id);
        if (j != null) return Optional.of(j);
        List<Job> found = store.accounting(0, Long.MAX_VALUE, -1, List.of(id));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Slurm's words for acting on a job that does not exist or is someone else's (only its owner and root may); null when allowed. */
    private static String refusal(Job j, int uid) {
        if (j == null) return "Invalid job id specified";
        if (uid != 0 && uid != j.uid()) return "Access/permission denied";
        return null;
    }

    /** Result of acting on one job: null message for success, else Slurm's error text. */
    public record Outcome(long id, String error, boolean alwaysShown) {}

    public List<Outcome> cancel(List<Long> ids, int uid) {
        return cancel(ids, Map.of(), uid);
    }

    /**
     * Cancels jobs by id (an array's id takes all its tasks with it, as in Slurm) and single array
     * tasks ({@code tasks}: array id to task indices): a running task is cancelled like a job, a
     * pending one leaves the array's pending set.
     */
    public List<Outcome> cancel(List<Long> requested, Map<Long, List<Integer>> tasks, int uid) {
        List<Outcome> out = new ArrayList<>();
        List<Long> ids = new ArrayList<>(requested);
        synchronized (this) {
            long now = clock.getAsLong();
            for (long id : requested) {
                for (Job t : jobs.values()) {
                    if (t.array() != null
                            && t.array().arrayJobId() == id
                            && t.id() != id
                            && !t.state().isTerminal()) ids.add(t.id());
                }
            }
            tasks.forEach((arrayId, indices) -> {
                for (int index : indices) {
                    Optional<Job> task = jobs.values().stream()
                            .filter(t -> t.array() != null
                                    && t.array().arrayJobId() == arrayId
                                    && t.array().taskId() == index)
                            .findFirst();
                    if (task.isPresent()) {
                        ids.add(task.get().id());
                        continue;
                    }
                    Job meta = jobs.get(arrayId);
                    if (meta == null
                            || meta.array() == null
                            || !meta.array().holdsPending()
                            || !ArraySpec.unfold(meta.array().pending()).contains(index)) {
                        out.add(new Outcome(arrayId, "Invalid job id specified", false));
                        continue;
                    }
                    if (uid != 0 && uid != meta.uid()) {
                        out.add(new Outcome(arrayId, "Access/permission denied", true));
                        continue;
                    }
                    List<Integer> rest =
                            new ArrayList<>(ArraySpec.unfold(meta.array().pending()));
                    rest.remove(Integer.valueOf(index));
                    Job next = rest.isEmpty()
                            ? meta.withArray(new ArrayPart(arrayId, index, ""))
                                    .ended(JobState.CANCELLED, ExitStatus.NONE, now, uid)
                            : meta.withArray(new ArrayPart(arrayId, -1, ArraySpec.fold(rest)));
                    store.saveJob(next);
                    jobs.put(arrayId, next);
                    out.add(new Outcome(arrayId, null, false));
                }
            });
            for (long id : new java.util.LinkedHashSet<>(ids)) {
                Job j = jobs.get(id);
                String refused = refusal(j, uid);
                if (refused != null) {
                    // scancel reports an unknown id only when asked to be verbose, as Slurm's does
                    out.add(new Outcome(id, refused, j != null));
                } else if (j.state().isTerminal()) {
                    out.add(new Outcome(id, "Job/step already completing or completed", false));
                } else if (j.state() == JobState.PENDING) {
                    Job done = j.ended(JobState.CANCELLED, ExitStatus.NONE, now, uid);
                    store.saveJob(done);
                    jobs.put(id, done);
                    log.info("job cancelled while pending job={} by_uid={}", id, uid);
                    out.add(new Outcome(id, null, false));
                } else {
                    cancelling.put(id, uid);
                    AgentChannel link = links.get(j.node());
                    if (link != null) link.send(kill(j, "cancel"));
                    log.info("job cancel sent job={} node={} by_uid={}", id, j.node(), uid);
                    out.add(new Outcome(id, null, false));
                }
            }
        }
        wakeScheduler();
        return out;
    }

    public List<Outcome> hold(List<Long> ids, int uid, boolean hold) {
        List<Outcome> out = new ArrayList<>();
        synchronized (this) {
            for (long id : ids) {
                Job j = jobs.get(id);
                String refused = refusal(j, uid);
                if (refused != null) {
                    out.add(new Outcome(id, refused, true));
                } else if (j.state() != JobState.PENDING) {
                    out.add(new Outcome(id, "Job is no longer pending execution", true));
                } else {
                    Job next = j.withPriorityHold(hold);
                    store.saveJob(next);
                    jobs.put(id, next);
                    out.add(new Outcome(id, null, false));
                }
            }
        }
        wakeScheduler();
        return out;
    }

    /**
     * scontrol requeue / requeuehold: a running batch job is killed and a finished one taken back;
     * either waits again under its id with its run counter one higher, eligible only after
     * RequeueDelay (Slurm's BeginTime hold), held as well for requeuehold. Refused, with Slurm's
     * words, for a pending job and for one submitted with --no-requeue.
     */
    public List<Outcome> requeue(List<Long> ids, int uid, boolean hold) {
        List<Outcome> out = new ArrayList<>();
        synchronized (this) {
            long now = clock.getAsLong();
            for (long id : ids) {
                Job j = jobs.get(id);
                String refused = refusal(j, uid);
                if (refused != null) {
                    out.add(new Outcome(id, refused, true));
                } else if (j.state() == JobState.PENDING) {
                    out.add(new Outcome(id, "Job is pending execution", true));
                } else if (!j.request().requeue()) {
                    out.add(new Outcome(id, "Requested operation is presently disabled", true));
                } else {
                    if (j.state() == JobState.RUNNING) {
                        cancelling.remove(id);
                        endingRuns.put(id, j.node());
                        AgentChannel link = links.get(j.node());
                        if (link != null) link.send(kill(j, "requeue"));
                    }
                    Job next = j.requeue(now + config.requeueDelaySeconds(), hold);
                    store.saveJob(next);
                    jobs.put(id, next);
                    log.info(
                            "job requeued job={} was={} run={} by_uid={} hold={}",
                            id,
                            j.state(),
                            next.restarts(),
                            uid,
                            hold);
                    out.add(new Outcome(id, null, false));
                }
            }
        }
        wakeScheduler();
        return out;
    }

    /** The kill order for a job's current run: the agent ignores it for any other run of the job. */
    private static Frame kill(Job j, String why) {
        return Frame.op(Ops.KILL).put("id", j.id()).put("run", j.restarts()).put("why", why);
    }

    /**
     * A running job whose node failed: back to the queue under JobRequeue=1 unless it was submitted
     * with --no-requeue (as Slurm does), else ended NODE_FAIL.
     */
    private Job nodeFailed(Job j, long now) {
        if (config.jobRequeue() && j.request().requeue()) {
            log.info("job requeued: its node failed job={} node={} run={}", j.id(), j.node(), j.restarts() + 1);
            return j.requeue(now + config.requeueDelaySeconds(), false);
        }
        return j.ended(JobState.NODE_FAIL, ExitStatus.NONE, now, -1);
    }

    /**
     * scontrol update JobId=N KEY=VALUE...: changes a pending job's TimeLimit, Partition,
     * Dependency, NumCPUs, NumTasks, Name, Comment or Nice, checked by the same check as a new
     * submission (only root lowers a nice value, as in Slurm).
     * Returns Slurm's error text, or empty on success.
     */
    public Optional<String> updateJob(long id, Map<String, String> changes, int uid) {
        return updateJob(id, changes, uid, null);
    }

    /**
     * As {@link #updateJob(long, Map, int)}; {@code groups} are the caller's, for AllowGroups
     * (null when the agent did not send them: then only partitions without AllowGroups, unless
     * the caller is root).
     */
    public Optional<String> updateJob(long id, Map<String, String> changes, int uid, List<String> groups) {
        synchronized (this) {
            Job j = jobs.get(id);
            String refused = refusal(j, uid);
            if (refused != null) return Optional.of(refused);
            if (j.state() != JobState.PENDING) return Optional.of("Job is no longer pending execution");
            JobRequest r = j.request();
            String name = r.name();
            List<String> parts =
                    r.partitions().isEmpty() ? List.of(j.partition().split(",")) : r.partitions();
            int ntasks = r.ntasks();
            int cpusPerTask = r.cpusPerTask();
            long limit = r.timeLimitSeconds();
            String comment = r.comment();
            String dependency = r.dependency();
            int nice = r.nice();
            for (var e : changes.entrySet()) {
                String v = e.getValue();
                try {
                    switch (e.getKey().toLowerCase(java.util.Locale.ROOT)) {
                        case "timelimit" -> limit = Durations.parseTimeLimit(v);
                        case "partition" -> parts = List.of(v.split(","));
                        case "numcpus", "mincpusnode" -> {
                            ntasks = 1;
                            cpusPerTask = Integer.parseInt(v);
                        }
                        case "numtasks" -> ntasks = Integer.parseInt(v);
                        case "name", "jobname" -> name = v;
                        case "comment" -> comment = v;
                        case "dependency" ->
                            dependency =
                                    v.isEmpty() ? null : Dependency.parse(v).toString();
                        case "nice" -> nice = Integer.parseInt(v.trim());
                        default -> {
                            return Optional.of("Update of " + e.getKey() + " is not supported by Motley yet");
                        }
                    }
                } catch (IllegalArgumentException ex) {
                    return Optional.of("Invalid " + e.getKey() + " specification: " + ex.getMessage());
                }
            }
            if (nice < r.nice() && uid != 0) return Optional.of("Access/permission denied");
            JobRequest next = r.updated(name, parts, ntasks, cpusPerTask, limit, comment)
                    .withDependency(dependency)
                    .withNice(nice);
            // everything a submission is checked for, with the caller's groups: a job goes nowhere by update that
            // sbatch would refuse
            Verdict v = admit(next, j.uid(), j.user(), groupsToCheck(uid, groups), clock.getAsLong());
            if (v.rejection() != null) return Optional.of(v.rejection().failure());
            Job updated = j.withRequest(v.request()).withPartition(v.partition(), v.timeLimit());
            store.saveJob(updated);
            jobs.put(id, updated);
            log.info("job updated job={} by_uid={} changes={}", id, uid, changes);
        }
        wakeScheduler();
        return Optional.empty();
    }

    /**
     * scontrol top: the job goes ahead of the same user's other pending jobs in its partition
     * (under multifactor through nice values, as Slurm does).
     */
    public Optional<String> top(long id, int uid) {
        synchronized (this) {
            Job j = jobs.get(id);
            String refused = refusal(j, uid);
            if (refused != null) return Optional.of(refused);
            if (j.state() != JobState.PENDING) return Optional.of("Job is no longer pending execution");
            long highest = jobs.values().stream()
                    .filter(o -> o.state() == JobState.PENDING
                            && o.uid() == j.uid()
                            && o.partition().equals(j.partition()))
                    .mapToLong(Job::priority)
                    .max()
                    .orElse(j.priority());
            if (highest > j.priority()
                    || jobs.values().stream()
                            .anyMatch(o -> o.id() != id
                                    && o.state() == JobState.PENDING
                                    && o.uid() == j.uid()
                                    && o.partition().equals(j.partition())
                                    && o.priority() == highest)) {
                // swap with the user's top job so the user's share of the queue does not grow
                Job topJob = jobs.values().stream()
                        .filter(o -> o.id() != id
                                && o.state() == JobState.PENDING
                                && o.uid() == j.uid()
                                && o.partition().equals(j.partition())
                                && o.priority() == highest)
                        .findFirst()
                        .orElseThrow();
                List<Job> moved = priorities.top(j, topJob, highest, clock.getAsLong(), jobs.values(), clusterCpus());
                store.saveJobs(moved);
                moved.forEach(m -> jobs.put(m.id(), m));
            }
        }
        wakeScheduler();
        return Optional.empty();
    }

    /** Nodes with what is allocated on them now. */
    public synchronized List<Node> nodes() {
        Map<String, int[]> cpus = new HashMap<>();
        Map<String, long[]> mem = new HashMap<>();
        for (Job j : jobs.values()) {
            if (j.state() == JobState.RUNNING && j.node() != null) {
                cpus.computeIfAbsent(j.node(), k -> new int[1])[0] += j.allocCpus();
                mem.computeIfAbsent(j.node(), k -> new long[1])[0] += j.allocMemMiB();
            }
        }
        List<Node> out = new ArrayList<>();
        for (Node n : nodes.values()) {
            out.add(n.withAllocation(
                    cpus.getOrDefault(n.name(), new int[1])[0], mem.getOrDefault(n.name(), new long[1])[0]));
        }
        return out;
    }

    public List<Job> accounting(long start, long end, int uid, List<Long> ids) {
        return store.accounting(start, end, uid, ids);
    }

    // ---- agents --------------------------------------------------------------------------

    /** An agent (re)connected: record its node, then reconcile what it runs with what we believe. */
    public void register(AgentChannel link, Frame reg) {
        synchronized (this) {
            long now = clock.getAsLong();
            String name = reg.str("name");
            Node reported = Codec.node(reg);
            ClusterConfig.NodeOverride o = config.overrideFor(name);
            int cpus = reported.cpus();
            long mem = reported.memMiB();
            // the configured size is the whole machine's, as slurm.conf's is; the agent reports both that and
            // what jobs may use once the host's reserved cores and memory are set aside
            int totalCpus = reg.integer("totalCpus", cpus);
            long totalMem = reg.lng("totalMem", mem);
            String inval = null;
            if (o != null && o.cpus() > totalCpus) {
                inval = "Configured CPUs=" + o.cpus() + " but the node has " + totalCpus
                        + "; lower CPUs in motley.conf's NodeName=" + name
                        + " line (or remove it to use what is detected)";
            } else if (o != null && o.realMemoryMiB() > totalMem) {
                inval = "Configured RealMemory=" + o.realMemoryMiB() + " but the node has " + totalMem
                        + " MiB; lower RealMemory in motley.conf's NodeName=" + name
                        + " line (or remove it to use what is detected)";
            }
            if (o != null && o.cpus() > 0) cpus = Math.min(cpus, o.cpus());
            if (o != null && o.realMemoryMiB() > 0) mem = Math.min(mem, o.realMemoryMiB());
            Node before = nodes.get(name);
            NodeState state = NodeState.UP;
            String reason = null;
            if (inval != null) {
                state = NodeState.INVAL;
                reason = inval;
                log.warn("node invalid node={} reason=\"{}\"", name, inval);
            } else if (before != null && (before.state() == NodeState.DRAIN || isAdminDown(before))) {
                // an operator's drain or down outlives the agent's restarts, as in Slurm
                state = before.state();
                reason = before.reason();
            }
            Node n = new Node(
                    name,
                    reported.address(),
                    cpus,
                    mem,
                    reported.sockets(),
                    reported.coresPerSocket(),
                    reported.threadsPerCore(),
                    reported.arch(),
                    reported.os(),
                    state,
                    reason,
                    now,
                    0,
                    0,
                    reported.freeMemMiB(),
                    reported.cpuLoad(),
                    reported.bootTime(),
                    reported.agentStartTime(),
                    reported.version(),
                    withDeclared(reported.features(), o),
                    reported.gpus(),
                    reported.containment(),
                    reported.jobUser(),
                    reported.gpuUsage());
            nodes.put(name, n);
            store.saveNode(n);
            AgentChannel old = links.put(name, link);
            if (old != null && old != link) old.close();
            lastSeen.put(name, now);
            if (before != null && before.state() == NodeState.DOWN) {
                log.info("node back in service node={} was=\"{}\"", name, before.reason());
            }
            log.info("agent registered node={} cpus={} mem={}M address={}", name, cpus, mem, n.address());

            // runs, not jobs: a requeued job may have its killed run and its next one on the same node
            Set<String> agentKnows = new HashSet<>();
            Set<Long> stillEnding = new HashSet<>();
            for (Frame c : reg.children()) {
                long id = c.lng("id", -1);
                int run = c.integer("run", 0);
                agentKnows.add(id + ":" + run);
                if (c.op().equals(Ops.JOB_ENDED)) {
                    ended(name, c);
                    continue;
                }
                Job j = jobs.get(id);
                if (j == null || j.state() != JobState.RUNNING || !name.equals(j.node()) || run != j.restarts()) {
                    log.warn(
                            "agent runs a job that is not running there; killing it node={} job={} run={}",
                            name,
                            id,
                            run);
                    link.send(Frame.op(Ops.KILL).put("id", id).put("run", run).put("why", "unknown"));
                    if (j != null && run != j.restarts()) stillEnding.add(id);
                } else if (cancelling.containsKey(id)) {
                    link.send(kill(j, "cancel"));
                }
            }
            endingRuns.entrySet().removeIf(e -> e.getValue().equals(name) && !stillEnding.contains(e.getKey()));
            for (Job j : jobs.values()) {
                if (j.state() == JobState.RUNNING
                        && name.equals(j.node())
                        && !agentKnows.contains(j.id() + ":" + j.restarts())) {
                    // we decided to start it but the agent never got the order: send it again
                    log.info("resending launch the agent never received job={} node={}", j.id(), name);
                    link.send(launchFrame(j));
                }
            }
            link.send(Frame.op(Ops.OK).put("heartbeat", heartbeatSeconds()));
        }
        wakeScheduler();
    }

    /** The agent's automatic features plus those motley.conf declares for the node. */
    private static List<String> withDeclared(List<String> automatic, ClusterConfig.NodeOverride o) {
        if (o == null || o.features().isEmpty()) return automatic;
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(automatic);
        all.addAll(o.features());
        return List.copyOf(all);
    }

    private int weight(String node) {
        ClusterConfig.NodeOverride o = config.overrideFor(node);
        return o == null ? 1 : o.weight();
    }

    public long heartbeatSeconds() {
        return Math.max(1, Math.min(10, config.nodeTimeoutSeconds() / 3));
    }

    public synchronized void heartbeat(String node, Frame hb) {
        long now = clock.getAsLong();
        lastSeen.put(node, now);
        Node n = nodes.get(node);
        if (n == null) return;
        n = n.withLoad(hb.dbl("load", 0), hb.lng("freeMem", 0), hb.str("gpuUsage"));
        nodes.put(node, n);
        if (hb.has("health")) health(n, hb.str("health"), now);
    }

    static final String NOT_RESPONDING = "Not responding";
    static final String HEALTH_PREFIX = "Health check failed: ";

    private static boolean isAdminDown(Node n) {
        return n.state() == NodeState.DOWN && n.reason() != null && !NOT_RESPONDING.equals(n.reason());
    }

    /** A failing health check drains the node with its output as reason; a passing one resumes a node it drained. */
    private void health(Node n, String result, long now) {
        boolean ok = result.equals("ok");
        boolean drainedByHealth =
                n.state() == NodeState.DRAIN && n.reason() != null && n.reason().startsWith(HEALTH_PREFIX);
        Node next = null;
        if (!ok && n.state() == NodeState.UP) {
            String why = HEALTH_PREFIX + result.replaceFirst("^fail:", "").strip();
            next = n.withState(NodeState.DRAIN, why, now);
            log.warn("node drained by its health check node={} reason=\"{}\"", n.name(), why);
        } else if (ok && drainedByHealth) {
            next = n.withState(NodeState.UP, null, now);
            log.info("node resumed: health check passes again node={}", n.name());
        }
        if (next != null) {
            nodes.put(n.name(), next);
            store.saveNode(next);
            wakeScheduler();
        }
    }

    /** scontrol update NodeName=... State=DRAIN|RESUME|DOWN|UNDRAIN Reason=...: an operator's word on a node. */
    public synchronized Optional<String> updateNode(String name, String stateWord, String reason, int uid) {
        if (uid != 0) return Optional.of("Access/permission denied");
        Node n = nodes.get(name);
        if (n == null) return Optional.of("Invalid node name specified");
        long now = clock.getAsLong();
        String word = stateWord.toUpperCase(java.util.Locale.ROOT);
        Node next;
        switch (word) {
            case "DRAIN", "DOWN" -> {
                if (reason == null || reason.isBlank())
                    return Optional.of("You must specify a reason when DOWNING or DRAINING a node. Request denied");
                next = n.withState(word.equals("DRAIN") ? NodeState.DRAIN : NodeState.DOWN, reason, now);
                if (word.equals("DOWN")) {
                    // as in Slurm, DOWN ends the node's jobs
                    List<Job> failed = new ArrayList<>();
                    for (Job j : jobs.values()) {
                        if (j.state() == JobState.RUNNING && name.equals(j.node())) {
                            failed.add(nodeFailed(j, now));
                            AgentChannel link = links.get(name);
                            if (link != null) link.send(kill(j, "node_down"));
                        }
                    }
                    store.saveJobs(failed);
                    failed.forEach(j -> jobs.put(j.id(), j));
                }
            }
            case "RESUME", "UNDRAIN", "IDLE" -> {
                if (n.state() == NodeState.INVAL) return Optional.of("Node configuration is invalid: " + n.reason());
                next = n.withState(NodeState.UP, null, now);
                lastSeen.put(name, now);
            }
            default -> {
                return Optional.of("Invalid node state specified");
            }
        }
        nodes.put(name, next);
        store.saveNode(next);
        log.info("node updated by operator node={} state={} reason=\"{}\"", name, next.state(), reason);
        wakeScheduler();
        return Optional.empty();
    }

    /** The agent reports that a job's processes ended. Idempotent: a repeat is acknowledged and ignored. */
    public void jobEnded(String node, Frame f) {
        synchronized (this) {
            ended(node, f);
        }
        wakeScheduler();
    }

    private void ended(String node, Frame f) {
        long id = f.lng("id", -1);
        int run = f.integer("run", 0);
        Job j = jobs.get(id);
        AgentChannel link = links.get(node);
        if (j != null && run != j.restarts()) {
            // the end of a run that a requeue (or a failed node) already replaced: it changes nothing
            if (node.equals(endingRuns.get(id))) endingRuns.remove(id);
            log.info("end of an earlier run ignored job={} node={} run={} current_run={}", id, node, run, j.restarts());
        } else if (j != null && j.state() == JobState.RUNNING && node.equals(j.node())) {
            JobState state = JobState.valueOf(f.str("state"));
            Integer by = cancelling.remove(id);
            long end = f.lng("end", clock.getAsLong());
            // Slurm reports an OOM-killed job as 0:125 whatever signal ended it
            ExitStatus how = state == JobState.OUT_OF_MEMORY
                    ? new ExitStatus(0, 125)
                    : new ExitStatus(f.integer("code", 0), f.integer("signal", 0));
            Job done = j.withUsage(Codec.usage(f))
                    .ended(state, how, end, state == JobState.CANCELLED ? (by == null ? 0 : by) : -1);
            String desc = stateDesc(f.str("desc"));
            if (desc != null) done = done.withStateDesc(desc);
            store.saveJob(done);
            jobs.put(id, done);
            if (desc == null) {
                log.info("job ended job={} node={} state={} exit={}", id, node, state, done.exit());
            } else {
                log.info("job ended job={} node={} state={} exit={} desc=\"{}\"", id, node, state, done.exit(), desc);
            }
        }
        if (link != null) link.send(Frame.op(Ops.ACK_ENDED).put("id", id).put("run", run));
    }

    /** Longest state description kept (the agent's sentence on a failed launch, say). */
    static final int MAX_STATE_DESC = 1024;

    /** The agent's sentence on how a job ended, on one line and bounded; null when it sent none. */
    static String stateDesc(String desc) {
        if (desc == null || desc.isBlank()) return null;
        return FreeText.quote(desc.strip().replaceAll("[\\t\\n\\r\\x0B\\f]+", " "), MAX_STATE_DESC);
    }

    public synchronized void disconnected(AgentChannel link) {
        if (links.get(link.node()) == link) {
            links.remove(link.node());
            log.info("agent link closed node={}", link.node());
        }
    }

    /** Marks nodes whose heartbeats stopped DOWN (their jobs end as NODE_FAIL) and forgets old finished jobs. */
    public void checkNodes() {
        boolean changed = false;
        synchronized (this) {
            long now = clock.getAsLong();
            for (Node n : List.copyOf(nodes.values())) {
                long seen = lastSeen.getOrDefault(n.name(), 0L);
                if (n.state() != NodeState.DOWN && now - seen > config.nodeTimeoutSeconds()) {
                    String why = NOT_RESPONDING;
                    nodes.put(n.name(), n.withState(NodeState.DOWN, why, now));
                    store.saveNode(nodes.get(n.name()));
                    log.warn("node down node={} reason=\"{}\" silent_for={}s", n.name(), why, now - seen);
                    List<Job> failed = new ArrayList<>();
                    for (Job j : jobs.values()) {
                        if (j.state() == JobState.RUNNING && n.name().equals(j.node())) {
                            failed.add(nodeFailed(j, now));
                        }
                    }
                    store.saveJobs(failed);
                    failed.forEach(j -> jobs.put(j.id(), j));
                    failed.forEach(j -> cancelling.remove(j.id()));
                    // runs killed by a requeue on a dead node will not report; their jobs need not wait
                    endingRuns.values().removeIf(n.name()::equals);
                    changed = true;
                }
            }
            long horizon = now - config.minJobAgeSeconds();
            jobs.values().removeIf(j -> j.state().isTerminal() && j.endTime() < horizon);
        }
        if (changed) wakeScheduler();
    }

    // ---- scheduling ----------------------------------------------------------------------

    public void wakeScheduler() {
        synchronized (wake) {
            scheduleWanted = true;
            wake.notifyAll();
        }
    }

    /** Runs passes when woken (submit, end, registration) and at least every second. */
    public void scheduleLoop() {
        String lastFailure = null;
        while (!Thread.currentThread().isInterrupted()) {
            synchronized (wake) {
                if (!scheduleWanted) {
                    try {
                        wake.wait(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                scheduleWanted = false;
            }
            try {
                schedulePass();
                lastFailure = null;
            } catch (RuntimeException e) {
                // a pass that keeps failing the same way (a full disk, a lost database) is said once, not every second
                String failure = e.toString();
                if (failure.equals(lastFailure)) {
                    log.debug("scheduling pass failed again: {}", failure);
                } else if (e instanceof StoreException) {
                    log.error("scheduling pass failed: {}", e.getMessage());
                } else {
                    log.error("scheduling pass failed", e);
                }
                lastFailure = failure;
            }
        }
    }

    /** What a pass planned from: the snapshot, and the queue it was made of (array tasks, each job's request then). */
    record PassInput(Snapshot snapshot, SchedulerOptions options, QueuePass queue) {}

    /**
     * One pass: a snapshot taken under the lock, a plan made outside it (so submissions and
     * queries are answered while a large queue is planned), then the starts that still hold are
     * committed and their launch orders sent.
     */
    public Plan schedulePass() {
        // one pass at a time: a second one planning from the same snapshot could place two jobs on the same CPUs
        synchronized (passes) {
            PassInput in = snapshotForPass();
            if (in == null) return new Plan(List.of(), Map.of());
            Plan plan = Scheduler.plan(in.snapshot(), in.options());
            commitPass(in, plan);
            return plan;
        }
    }

    synchronized PassInput snapshotForPass() {
        long now = clock.getAsLong();
        refreshPriorities(now);
        List<NodeView> views = new ArrayList<>();
        for (Node n : nodes.values()) {
            // only nodes whose agent is connected can be given work
            NodeState s = links.containsKey(n.name()) ? n.state() : NodeState.DOWN;
            views.add(new NodeView(
                    n.name(), n.cpus(), n.memMiB(), s, n.gpus(), java.util.Set.copyOf(n.features()), weight(n.name())));
        }
        List<Allocation> running = new ArrayList<>();
        for (Job j : jobs.values()) {
            if (j.state() != JobState.RUNNING) continue;
            // reservations count on a running job's resources from the end of its time limit
            long end = j.timeLimitSeconds() > 0 ? j.startTime() + j.timeLimitSeconds() : Allocation.NO_END;
            running.add(new Allocation(j.id(), j.node(), j.allocCpus(), j.allocMemMiB(), j.gpuList(), end));
        }
        QueuePass queue =
                QueueBuilder.build(new JobTable(jobs.values(), this::storedFamily), now, endingRuns::containsKey);
        jobs.putAll(queue.updated());
        for (Job j : queue.ended()) {
            if (j.state() == JobState.DEADLINE) {
                log.info(
                        "job removed: it can no longer end before its deadline job={} limit={}s deadline={}",
                        j.id(),
                        j.timeLimitSeconds(),
                        j.request().deadline());
            } else {
                log.info(
                        "job cancelled: its dependency can never be satisfied job={} dependency={}",
                        j.id(),
                        j.request().dependency());
            }
        }
        store.saveJobs(queue.toPersist());
        if (queue.queue().isEmpty()) {
            expected = Map.of();
            return null;
        }
        ClusterConfig.Scheduling cfg = config.scheduling();
        SchedulerOptions options = cfg.options();
        if (cfg.backfill()) {
            // backfill every bf_interval seconds; the passes between keep the reservations but start in priority order
            if (now - lastBackfill >= cfg.intervalSeconds()) {
                lastBackfill = now;
            } else {
                options = options.withoutBackfill();
            }
        }
        return new PassInput(
                new Snapshot(views, config.partitions(), running, queue.queue(), config.defMemPerCpuMiB(), now),
                options,
                queue);
    }

    /**
     * Starts what the plan says, skipping any start the cluster changed under it while it was
     * made (job cancelled, held or updated, node gone or drained); the next pass sees those.
     */
    synchronized void commitPass(PassInput in, Plan plan) {
        long now = clock.getAsLong();
        QueuePass queue = in.queue();
        List<Job> started = new ArrayList<>();
        boolean skipped = false;
        for (Start s : plan.starts()) {
            QueueEntry entry = queue.entry(s.jobId());
            long jobId = entry.jobId();
            Job j = jobs.get(jobId);
            Node node = nodes.get(s.node());
            boolean still = j != null
                    && j.state() == JobState.PENDING
                    && j.request() == queue.asked().get(jobId)
                    && node != null
                    && node.state() == NodeState.UP
                    && links.containsKey(s.node())
                    && (!(entry instanceof QueueEntry.Task t)
                            || ArrayTasks.holds(j, t.key().index()));
            if (!still) {
                skipped = true;
                continue;
            }
            // the plan's limit is the partition's effective one: never "not given"
            Job run = entry instanceof QueueEntry.Task t
                    ? startArrayTask(j, t.key().index())
                    : j;
            started.add(
                    run.started(s.partition(), s.node(), s.cpus(), s.memMiB(), s.gpuIds(), s.timeLimitSeconds(), now));
        }
        store.saveJobs(started);
        for (Job j : started) {
            jobs.put(j.id(), j);
            links.get(j.node()).send(launchFrame(j));
            log.info(
                    "job started job={} node={} cpus={} mem={}M gpus={}",
                    j.id(),
                    j.node(),
                    j.allocCpus(),
                    j.allocMemMiB(),
                    j.gpuIds());
        }
        plan.reasons().forEach((id, why) -> {
            QueueEntry entry = queue.entry(id);
            Job j = jobs.get(entry.jobId());
            // an array's first waiting task speaks for the array
            if (j != null && j.state() == JobState.PENDING && j.reason() != why && entry.speaksForJob()) {
                jobs.put(j.id(), j.withReason(why));
            }
        });
        Map<Long, Plan.Reservation> next = new HashMap<>();
        plan.reservations().forEach((id, r) -> next.putIfAbsent(queue.entry(id).jobId(), r));
        expected = Map.copyOf(next);
        if (skipped) wakeScheduler();
    }

    /**
     * A task of an array starts: it becomes a job of its own with a new id, as Slurm does, and
     * leaves the array's pending set; the last task takes the array's own id.
     */
    private Job startArrayTask(Job meta, int index) {
        if (ArrayTasks.isLast(meta, index)) return ArrayTasks.lastTask(meta, index);
        Job remaining = ArrayTasks.remaining(meta, index);
        jobs.put(meta.id(), remaining);
        store.saveJob(remaining);
        return store.insertNew(id -> ArrayTasks.task(meta, index, id));
    }

    /** Where and when waiting jobs holding a reservation are expected to start (squeue --start), by job id. */
    public synchronized Map<Long, Plan.Reservation> expectedStarts() {
        return expected;
    }

    /**
     * Ranks new or changed pending jobs, and all of them every PriorityCalcPeriod (multifactor;
     * nothing under basic). Kept in memory only: they keep changing, and a restarted controller
     * ranks every job again.
     */
    public synchronized void refreshPriorities(long now) {
        for (Job j : priorities.refresh(now, jobs.values(), clusterCpus())) jobs.put(j.id(), j);
    }

    /** sprio's figures: every pending job's factors as last computed, or null under priority/basic. */
    public synchronized List<io.motley.core.priority.Factors> priorityFactors() {
        if (!priorities.multifactor()) return null;
        return priorities.factors(clock.getAsLong(), jobs.values(), clusterCpus());
    }

    /** sshare's figures: the fair-share tree now. */
    public synchronized io.motley.core.priority.ShareTree shares() {
        return priorities.shares(clock.getAsLong(), jobs.values());
    }

    /** All CPUs of the cluster's nodes, the job-size factor's denominator. */
    private int clusterCpus() {
        return nodes.values().stream().mapToInt(Node::cpus).sum();
    }

    /** What a dependency on job {@code id} sees of it (empty: no such job); an array is seen whole. */
    private Optional<Dependency.Target> dependencyTarget(long id) {
        return JobTable.targetOf(JobTable.familyOf(id, jobs::get, this::storedFamily));
    }

    /** Job {@code id} and, for an array, every task of it, as the store has them. */
    private List<Job> storedFamily(long id) {
        return store.accounting(0, Long.MAX_VALUE, -1, List.of(id));
    }

    private Frame launchFrame(Job j) {
        return Frame.op(Ops.LAUNCH)
                .put("cluster", config.clusterName())
                .put("killWait", config.killWaitSeconds())
                .add(Codec.job(j, true));
    }
}
