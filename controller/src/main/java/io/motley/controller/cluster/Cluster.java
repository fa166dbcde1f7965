package io.motley.controller.cluster;

import io.motley.controller.store.Store;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.config.ClusterConfig;
import io.motley.core.dependency.Dependency;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.queue.JobTable;
import io.motley.core.scheduler.Plan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's live view of the cluster, put together from its parts: the tables
 * ({@link ClusterState}, written through to the store), the commands users and operators give
 * on jobs ({@link JobCommands}), the nodes and their agents ({@link NodeRegistry}), the ends of
 * runs ({@link RunEnds}) and the scheduling loop ({@link SchedulingLoop}), whose decisions come
 * from the pure {@link io.motley.core.scheduler.Scheduler}. Every part holds the tables' lock
 * while it reads or changes them; none takes or returns a wire frame.
 */
public final class Cluster {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    private final ClusterConfig config;
    private final ClusterState state;
    private final Store store;
    private final LongSupplier clock;
    private final Map<Long, Job> jobs;
    private final JobCommands commands;
    private final NodeRegistry registry;
    private final RunEnds ends;

    private final Priorities priorities;
    private final Accounts accounts;
    private final SchedulingLoop loop;
    private final JobSteps steps;

    public Cluster(ClusterConfig config, Store store, LongSupplier clockSeconds) {
        this.config = config;
        this.store = store;
        this.clock = clockSeconds;
        this.state = new ClusterState(store, clock.getAsLong());
        this.jobs = state.jobs;
        long now = clock.getAsLong();
        for (Node n : store.nodes()) state.note(n);
        for (Job j : store.endedSince(now - config.minJobAgeSeconds())) state.note(j.shared());
        for (Job j : store.activeJobs()) state.note(j.shared());
        // fair share needs the usage of jobs that ended before this start, decayed from their ends
        accounts = new Accounts(config, store);
        priorities = new Priorities(
                config, accounts::associations, store.endedSince(Priorities.historySince(config, now)), this::job);
        priorities.resume(jobs.values());
        ends = new RunEnds(state, config, clock);
        loop = new SchedulingLoop(state, config, clock, priorities, accounts, this::storedFamily);
        // before the registry: an agent's restart cancels the jobs its sruns held
        commands = new JobCommands(state, config, clock, priorities, accounts, this::dependencyTarget);
        registry = new NodeRegistry(
                state,
                config,
                clock,
                ends,
                this::wakeScheduler,
                j -> commands.cancel(List.of(j.id()), Map.of(), Caller.uid(j.uid())));
        steps = new JobSteps(
                this::job,
                clock,
                node -> {
                    synchronized (state) {
                        return state.links.get(node);
                    }
                },
                store);
        steps.resume(jobs.values().stream()
                .filter(j -> j.state().holdsAllocation())
                .map(Job::id)
                .toList());
        log.info(
                "state loaded jobs_active={} nodes={}",
                jobs.values().stream().filter(j -> !j.state().isTerminal()).count(),
                state.nodes.size());
    }

    public ClusterConfig config() {
        return config;
    }

    /** sbatch --stage-in archives sent in chunks; null until {@link #keepStageInsIn} names their directory. */
    private volatile StageIns stageIns;

    /** Keeps chunked --stage-in archives in {@code dir} (the controller's own, MOTLEY_HOME/state/stage-in). */
    public void keepStageInsIn(java.nio.file.Path dir) throws java.io.IOException {
        keepStageInsIn(dir, null);
    }

    /** {@link #keepStageInsIn(java.nio.file.Path)}, with the filesystem's free bytes as {@code freeBytes} says. */
    void keepStageInsIn(java.nio.file.Path dir, LongSupplier freeBytes) throws java.io.IOException {
        stageIns = new StageIns(
                state,
                dir,
                clock,
                config.limits().stageInTimeoutSeconds(),
                config.limits().stageInSpoolBytes(),
                freeBytes,
                this::wakeScheduler);
    }

    /** A chunk of a job's --stage-in archive from sbatch (see {@link StageIns#append}). */
    public StageIns.Received stageInChunk(long id, long offset, byte[] data, Caller caller) {
        StageIns s = stageIns;
        if (s == null) return new StageIns.Received(0, false, "this controller keeps no stage-in files");
        return s.append(id, offset, data, caller);
    }

    /** A node's agent reads a job's --stage-in archive (see {@link StageIns#read}). */
    public StageIns.Read stageInRead(long id, long offset, int max, String node, Caller caller) {
        StageIns s = stageIns;
        if (s == null) return new StageIns.Read(new byte[0], 0, "this controller keeps no stage-in files");
        return s.read(id, offset, max, node, caller);
    }

    /** Fails stalled --stage-in uploads and removes the archives of ended jobs (once a second). */
    public void checkStageIns() {
        StageIns s = stageIns;
        if (s != null) s.check();
    }

    /** The steps of running jobs (srun). */
    public JobSteps steps() {
        return steps;
    }

    // ---- user requests -------------------------------------------------------------------

    /** Accepts or refuses a submission; an id is answered only once the job is committed. */
    public Submission submit(JobRequest req, Caller caller) {
        StageIns spool = stageIns;
        // a chunked archive takes room in the spool before its job is committed (an invalid one is refused there)
        long staged = spool == null
                ? 0
                : io.motley.core.job.Staging.manifest(req)
                        .map(io.motley.core.job.Staging.Manifest::size)
                        .filter(n -> n > 0 && n <= config.limits().maxStageInBytes())
                        .orElse(0L);
        if (staged > 0) {
            java.util.Optional<String> full = spool.reserve(staged);
            if (full.isPresent()) {
                log.info("submission refused user={} why=\"{}\"", caller.user(), full.get());
                return new Submission.Refused("Stage-in spool full, try again later", full.get());
            }
        }
        Submission s;
        try {
            s = commands.submit(req, caller);
        } finally {
            if (staged > 0) spool.release(staged);
        }
        if (s instanceof Submission.Accepted) loop.submitted();
        return s;
    }

    /**
     * sbatch --test-only: when and where a submission would start if made now, or why it would be
     * refused; nothing is stored. {@code start} 0 when no start can be given (the jobs in its way
     * have no time limit); {@code nodes} null then.
     */
    public record WillRun(
            String failure, String detail, long id, long start, long cpus, String nodes, String partition) {}

    public WillRun willRun(JobRequest req, Caller caller) {
        JobCommands.Trial t = commands.trial(req, caller);
        if (t.rejection() != null)
            return new WillRun(t.rejection().failure(), t.rejection().detail(), 0, 0, 0, null, null);
        Job j = t.job();
        Plan plan = loop.willRun(j);
        String partition = j.partition().split(",")[0];
        for (io.motley.core.scheduler.Start s : plan.starts()) {
            if (s.jobId() != j.id()) continue;
            long cpus = s.parts().stream().mapToLong(Job.Allocation.Part::cpus).sum();
            String nodes = io.motley.core.hostlist.Hostlist.compress(
                    s.parts().stream().map(Job.Allocation.Part::node).toList());
            return new WillRun(null, null, j.id(), clock.getAsLong(), cpus, nodes, s.partition());
        }
        Plan.Reservation r = plan.reservations().get(j.id());
        if (r != null)
            return new WillRun(null, null, j.id(), r.start(), j.request().cpus(), r.node(), partition);
        return new WillRun(null, null, j.id(), 0, j.request().cpus(), null, partition);
    }

    /**
     * Cancels jobs by id (an array's id takes all its tasks with it, as in Slurm) and single array
     * tasks ({@code tasks}: array id to task indices).
     */
    public List<Outcome> cancel(List<Long> ids, Map<Long, List<Integer>> tasks, Caller caller) {
        List<Outcome> out = commands.cancel(ids, tasks, caller);
        wakeScheduler();
        return out;
    }

    /** srun outside an allocation, its step done: ends the job it made with its code (see {@link JobCommands#complete}). */
    public Outcome complete(long id, int code, Caller caller) {
        Outcome out = commands.complete(id, code, caller);
        wakeScheduler();
        return out;
    }

    /** scancel -s: a signal to running jobs and array tasks (see {@link JobCommands#signal}). */
    public List<Outcome> signal(
            List<Long> ids,
            Map<Long, List<Integer>> tasks,
            int signal,
            io.motley.protocol.Message.SignalScope scope,
            Caller caller) {
        return commands.signal(ids, tasks, signal, scope, caller);
    }

    /** scontrol suspend (false) / resume (true) (see {@link JobCommands#suspend}). */
    public List<Outcome> suspend(List<Long> ids, Caller caller, boolean resume) {
        return commands.suspend(ids, caller, resume);
    }

    /** scontrol hold (true) / release (false). */
    public List<Outcome> hold(List<Long> ids, Caller caller, boolean hold) {
        return hold(ids, Map.of(), caller, hold);
    }

    /** scontrol hold / release of jobs and array tasks ({@code tasks}: array id to task indices). */
    public List<Outcome> hold(List<Long> ids, Map<Long, List<Integer>> tasks, Caller caller, boolean hold) {
        return hold(ids, tasks, caller, hold, false);
    }

    /** {@code asUser}: scontrol uhold, a hold the job's owner may release whoever sets it. */
    public List<Outcome> hold(
            List<Long> ids, Map<Long, List<Integer>> tasks, Caller caller, boolean hold, boolean asUser) {
        List<Outcome> out = commands.hold(ids, tasks, caller, hold, asUser);
        wakeScheduler();
        return out;
    }

    /** scontrol requeue / requeuehold. */
    public List<Outcome> requeue(List<Long> ids, Caller caller, boolean hold) {
        List<Outcome> out = commands.requeue(ids, caller, hold);
        wakeScheduler();
        return out;
    }

    /** scontrol update JobId=N KEY=VALUE...: Slurm's error text, or empty on success. */
    public Optional<String> updateJob(long id, Map<String, String> changes, Caller caller) {
        Optional<String> out = commands.update(id, changes, caller);
        if (out.isEmpty()) wakeScheduler();
        return out;
    }

    /**
     * scontrol update JobId=LIST KEY=VALUE...: an array's id reaches all its tasks and ARRAY_INDEX ({@code tasks})
     * one task; an outcome for each job reached.
     */
    public List<Outcome> updateJobs(
            List<Long> ids, Map<Long, List<Integer>> tasks, Map<String, String> changes, Caller caller) {
        List<Outcome> out = commands.update(ids, tasks, changes, caller);
        wakeScheduler();
        return out;
    }

    /**
     * scontrol update PartitionName=P State=UP|DOWN|DRAIN|INACTIVE (root only): Slurm's error text,
     * or empty on success. The scheduler honours it from its next pass: DOWN and INACTIVE start no
     * jobs, DRAIN and INACTIVE take no new ones.
     */
    public Optional<String> updatePartition(String name, PartitionState newState, Caller caller) {
        return updatePartition(name, newState, null, null, caller);
    }

    /**
     * The same with its MaxTime and DefaultTime in seconds (Durations.UNLIMITED: none);
     * a null one is left as it is. They hold for jobs submitted or updated from now on, and for the
     * scheduler's next pass, until the controller restarts (as Slurm keeps them).
     */
    public Optional<String> updatePartition(
            String name, PartitionState newState, Long maxTime, Long defaultTime, Caller caller) {
        if (!caller.isRoot()) return Optional.of("Access/permission denied");
        synchronized (state) {
            Partition p = state.partitions(config).stream()
                    .filter(x -> x.name().equals(name))
                    .findFirst()
                    .orElse(null);
            if (p == null) return Optional.of("Invalid partition name specified");
            if (newState != null) state.partitionStates.put(name, newState);
            if (maxTime != null || defaultTime != null) {
                state.partitionTimes.put(name, new long[] {
                    maxTime != null ? maxTime : p.maxTimeSeconds(),
                    defaultTime != null ? defaultTime : p.defaultTimeSeconds()
                });
            }
        }
        log.info(
                "partition updated partition={} state={} max_time_s={} default_time_s={} uid={}",
                name,
                newState,
                maxTime,
                defaultTime,
                caller.uid());
        wakeScheduler();
        return Optional.empty();
    }

    /** A job's batch script, or Slurm's words for why it is not given (then {@code script} is null). */
    public record ScriptLookup(String script, String error) {}

    /**
     * scontrol write batch_script: the script of a job in view, for its owner or root, as slurmctld
     * answers it (a job no longer in view is an invalid id there too).
     */
    public ScriptLookup batchScript(long id, Caller caller) {
        Job j;
        synchronized (state) {
            j = jobs.get(id);
        }
        if (j == null) return new ScriptLookup(null, "Invalid job id specified");
        if (!caller.isRoot() && caller.uid() != j.uid()) return new ScriptLookup(null, "Invalid user id");
        String script = j.request().script();
        if (script == null || script.isEmpty()) return new ScriptLookup(null, "Job script not specified");
        return new ScriptLookup(script, null);
    }

    /** sdiag: what the controller counted since it started, and the jobs pending and running now. */
    public record Diagnostics(Statistics.Figures figures, long pending, long running) {
        /** sdiag's answer at {@code now}; the REST API's diag serves the same figures. */
        public io.motley.protocol.Message.Diagnostics message(long now) {
            Statistics.Figures f = figures;
            return new io.motley.protocol.Message.Diagnostics(
                    f.since(),
                    now,
                    f.submitted(),
                    f.started(),
                    f.completed(),
                    f.canceled(),
                    f.failed(),
                    pending,
                    running,
                    passes(f.main()),
                    passes(f.backfill()));
        }

        private static io.motley.protocol.Message.Passes passes(Statistics.Cycles c) {
            return new io.motley.protocol.Message.Passes(
                    c.count(), c.lastMicros(), c.maxMicros(), c.totalMicros(), c.lastQueueLength(), c.lastWhen());
        }
    }

    public Diagnostics diagnostics() {
        synchronized (state) {
            long pending = 0;
            long running = 0;
            for (Job j : jobs.values()) {
                if (j.state() == io.motley.core.job.JobState.PENDING) pending++;
                else if (j.state() == io.motley.core.job.JobState.RUNNING) running++;
            }
            return new Diagnostics(state.statistics.figures(), pending, running);
        }
    }

    /** The config's partitions, each in its current state (scontrol update may have changed it). */
    public List<Partition> partitions() {
        synchronized (state) {
            return state.partitions(config);
        }
    }

    /** scontrol top: Slurm's error text, or empty on success. */
    public Optional<String> top(long id, Caller caller) {
        Optional<String> out = commands.top(id, caller);
        if (out.isEmpty()) wakeScheduler();
        return out;
    }

    /** What makes the job database unusable now (gone, replaced, not writable, disk full), for scontrol ping; empty when none. */
    public Optional<String> storeProblem() {
        return store.problem();
    }

    /** Jobs in view: every active one and those that ended within MinJobAge. */
    public List<Job> jobs() {
        synchronized (state) {
            return List.copyOf(jobs.values());
        }
    }

    /** Looks a job up in memory, then in the store (scontrol show job of an older one). */
    public Optional<Job> job(long id) {
        synchronized (state) {
            Job j = jobs.get(id);
            if (j != null) return Optional.of(j);
            List<Job> found = store.accounting(0, Long.MAX_VALUE, -1, List.of(id));
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** Nodes with what is allocated on them now. */
    public List<Node> nodes() {
        return registry.withAllocations();
    }

    public List<Job> accounting(long start, long end, int uid, List<Long> ids) {
        return store.accounting(start, end, uid, ids);
    }

    /** sacctmgr list and sreport: the accounts database as it is now. */
    public io.motley.core.accounts.AccountsDb accountsDb() {
        synchronized (state) {
            return accounts.db();
        }
    }

    /** sacctmgr add, modify, delete (see {@link Accounts#change}); a committed change may let waiting jobs start. */
    public io.motley.core.accounts.AccountsChange.Result changeAccounts(
            io.motley.core.accounts.Sacctmgr.Request r, Caller caller, boolean commit) {
        io.motley.core.accounts.AccountsChange.Result result;
        synchronized (state) {
            result = accounts.change(r, caller, commit);
        }
        if (commit && result.changed()) wakeScheduler();
        return result;
    }

    /** A job's batch script or environment for sacct -B / --env-vars; {@code text} null: none to show. */
    public record JobText(String jobId, String text) {}

    /**
     * sacct -B ({@code environment} false) or --env-vars: the script or environment of each job the query
     * selects, as Slurm's accounting keeps them: only with AccountingStoreFlags job_script (job_env), only a job
     * that has a batch script (environments: a batch job's, as Slurm's "must be batch to display"), and only to
     * the job's owner or an operator (they may hold secrets). An environment is its KEY=VALUE lines.
     */
    public List<JobText> jobTexts(io.motley.core.accounting.AccountingQuery query, boolean environment, Caller caller) {
        boolean kept = config.storage().storeFlags().contains(environment ? "job_env" : "job_script");
        boolean operator;
        synchronized (state) {
            operator = commands.operator(caller);
        }
        List<JobText> out = new java.util.ArrayList<>();
        for (io.motley.core.accounting.AccountingRecord r : accounting(query)) {
            Job j = r.job();
            String text = null;
            boolean batch =
                    !j.request().allocationOnly() && !j.request().script().isEmpty();
            if (kept && batch && (operator || caller.uid() == j.uid())) {
                if (!environment) {
                    text = j.request().script();
                } else {
                    StringBuilder env = new StringBuilder();
                    j.request()
                            .environment()
                            .forEach((k, v) ->
                                    env.append(k).append('=').append(v).append('\n'));
                    text = env.toString();
                }
            }
            out.add(new JobText(j.displayId(), text));
        }
        return out;
    }

    /** sacct's query, answered by the store. */
    public List<io.motley.core.accounting.AccountingRecord> accounting(
            io.motley.core.accounting.AccountingQuery query) {
        // the jobs not ended, as this controller has them: the store need not decode their records
        Map<Long, Job> current = new java.util.HashMap<>();
        synchronized (state) {
            for (Job j : state.jobs.values()) if (!j.state().isTerminal()) current.put(j.id(), j);
        }
        return store.accounting(query, current);
    }

    // ---- agents --------------------------------------------------------------------------

    /** An agent (re)connected: record its node, then reconcile what it runs with what we believe. */
    public void register(AgentChannel link, AgentReport.Registration reg) {
        registry.register(link, reg);
    }

    public long heartbeatSeconds() {
        return registry.heartbeatSeconds();
    }

    public void heartbeat(String node, AgentReport.Load hb) {
        registry.heartbeat(node, hb);
    }

    /** What each node's agent last found about its own host (disk, certificate), by node name (motley health). */
    public java.util.SortedMap<String, List<io.motley.protocol.HostCheck>> hostChecks() {
        return registry.hostChecks();
    }

    /** scontrol update NodeName=... State=...: Slurm's error text, or empty on success. */
    public Optional<String> updateNode(String name, String stateWord, String reason, Caller caller) {
        return updateNode(name, stateWord, reason, null, caller);
    }

    /** The same with the node's Weight= (null: unchanged). */
    public Optional<String> updateNode(String name, String stateWord, String reason, Integer weight, Caller caller) {
        // Slurm's rule for node updates (validate_super_user): root and AdminLevel=Administrator; not Operators
        if (adminLevel(caller) != io.motley.core.accounts.AccountsDb.AdminLevel.Administrator)
            return Optional.of("Access/permission denied");
        return registry.update(name, stateWord, reason, weight, caller);
    }

    /**
     * The caller's AdminLevel as Slurm weighs it: root is an Administrator; any other user what the
     * accounts database (sacctmgr's AdminLevel) says, None when it does not know them.
     */
    public io.motley.core.accounts.AccountsDb.AdminLevel adminLevel(Caller caller) {
        if (caller.isRoot()) return io.motley.core.accounts.AccountsDb.AdminLevel.Administrator;
        return accountsDb()
                .user(caller.user())
                .map(io.motley.core.accounts.AccountsDb.User::adminLevel)
                .orElse(io.motley.core.accounts.AccountsDb.AdminLevel.None);
    }

    /**
     * The agent reports that a job's run ended. Idempotent: a repeat is acknowledged and ignored.
     * An end the store fails to record changes nothing and is not acknowledged (the agent reports
     * it again); it never throws, so the agent's link and its heartbeats go on through an outage.
     */
    public void jobEnded(String node, AgentReport.RunEnded f) {
        boolean recorded;
        synchronized (state) {
            recorded = ends.ended(node, registry.inControllerTime(node, f));
        }
        if (recorded) wakeScheduler();
    }

    /** How the reason of a node its failing health check drained starts (metrics tell it from an operator's drain). */
    public static final String HEALTH_CHECK_REASON = NodeRegistry.HEALTH_PREFIX;

    /** What a job's state description starts with while its output cannot reach its submit host. */
    public static final String OUTPUT_TROUBLE = "Output not delivered: ";

    /**
     * A job's output could not be written on its submit host ({@code error}), or can again (null):
     * said in the job's state description, which scontrol show job prints as its Reason.
     */
    public void outputTrouble(long id, String error) {
        synchronized (state) {
            Job j = jobs.get(id);
            if (j == null) return;
            String now = j.stateDesc();
            boolean ours = now != null && now.startsWith(OUTPUT_TROUBLE);
            String next = error != null ? RunEnds.stateDesc(OUTPUT_TROUBLE + error) : ours ? null : now;
            if (java.util.Objects.equals(next, now) || error != null && now != null && !ours) return;
            try {
                state.save(j.withStateDesc(next));
            } catch (io.motley.controller.store.StoreException e) {
                state.note(j.withStateDesc(next));
            }
        }
    }

    public void disconnected(AgentChannel link) {
        registry.disconnected(link);
    }

    /** Marks nodes whose heartbeats stopped DOWN (their jobs end as NODE_FAIL) and forgets old finished jobs. */
    public void checkNodes() {
        registry.checkTimeouts();
        synchronized (state) {
            long horizon = clock.getAsLong() - config.minJobAgeSeconds();
            jobs.values().removeIf(j -> j.state().isTerminal() && j.endTime() < horizon);
        }
    }

    // ---- scheduling ----------------------------------------------------------------------

    /** Asks for a scheduling pass soon (something changed); never blocks. */
    public void wakeScheduler() {
        loop.wake();
    }

    /** Runs passes when woken (submit, end, registration) and at least every second, until interrupted. */
    public void scheduleLoop() {
        loop.run();
    }

    /** One scheduling pass now; the plan it made. */
    public Plan schedulePass() {
        return loop.pass();
    }

    /** Where and when waiting jobs holding a reservation are expected to start (squeue --start), by job id. */
    public Map<Long, Plan.Reservation> expectedStarts() {
        return loop.expectedStarts();
    }

    /** Ranks pending jobs now, as a pass does first. */
    void refreshPriorities(long now) {
        loop.refreshPriorities(now);
    }

    /** The scheduling loop, for tests that take a pass apart. */
    SchedulingLoop scheduling() {
        return loop;
    }

    /** sprio's figures: every pending job's factors as last computed, or null under priority/basic. */
    public List<io.motley.core.priority.Factors> priorityFactors() {
        synchronized (state) {
            if (!priorities.multifactor()) return null;
            return priorities.factors(clock.getAsLong(), jobs.values(), clusterCpus());
        }
    }

    /** sshare's figures: the fair-share tree now. */
    public io.motley.core.priority.ShareTree shares() {
        synchronized (state) {
            return priorities.shares(clock.getAsLong(), jobs.values());
        }
    }

    /** All CPUs of the cluster's nodes, the job-size factor's denominator. */
    private int clusterCpus() {
        return state.nodes.values().stream().mapToInt(Node::cpus).sum();
    }

    /** What a dependency on job {@code id} sees of it (empty: no such job); an array is seen whole. */
    private Optional<Dependency.Target> dependencyTarget(long id) {
        return JobTable.targetOf(JobTable.familyOf(id, jobs::get, this::storedFamily));
    }

    /** Job {@code id} and, for an array, every task of it, as the store has them. */
    private List<Job> storedFamily(long id) {
        return store.accounting(0, Long.MAX_VALUE, -1, List.of(id));
    }
}
