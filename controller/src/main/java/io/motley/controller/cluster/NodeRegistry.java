package io.motley.controller.cluster;

import io.motley.controller.store.StoreException;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.Reconciliation;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes: registration (with the INVAL check of a configured size against the machine),
 * reconciliation of what an agent runs with what the controller believes, heartbeats, health
 * drain and resume, an operator's state changes, and the timeout that marks a silent node DOWN.
 * Holds the tables' lock while it works; {@code wake} asks for a scheduling pass.
 */
final class NodeRegistry {
    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);
    static final String NOT_RESPONDING = "Not responding";
    static final String HEALTH_PREFIX = "Health check failed: ";
    static final String CLOCK_SKEW_PREFIX = "Clock skew ";
    /** Heartbeats whose clock readings the skew estimate is taken from (the least delayed of them). */
    static final int SKEW_SAMPLES = 4;

    private final ClusterState state;
    private final ClusterConfig config;
    private final LongSupplier clock;
    private final RunEnds ends;
    /** Cancels a job as its owner would (scancel): the holders an agent's restart left without their srun. */
    private final java.util.function.Consumer<Job> cancelAsOwner;

    private final Runnable wake;
    /** When each node's agent was last heard from (epoch seconds). */
    private final Map<String, Long> lastSeen = new HashMap<>();
    /** Nodes silent past InactiveLimit whose srun-held jobs were cancelled; a node heard again leaves it. */
    private final java.util.Set<String> pastInactiveLimit = new java.util.HashSet<>();
    /** Each node's last few readings of (agent's clock - ours) in ms, newest last. */
    private final Map<String, ArrayDeque<Long>> clockReadings = new HashMap<>();
    /** Each node's agent's last findings about its own host (kept in memory: they come again with each heartbeat). */
    private final Map<String, List<io.motley.protocol.HostCheck>> hostChecks = new HashMap<>();

    NodeRegistry(
            ClusterState state,
            ClusterConfig config,
            LongSupplier clock,
            RunEnds ends,
            Runnable wake,
            java.util.function.Consumer<Job> cancelAsOwner) {
        this.state = state;
        this.config = config;
        this.clock = clock;
        this.ends = ends;
        this.wake = wake;
        this.cancelAsOwner = cancelAsOwner;
        long now = clock.getAsLong();
        // a restarted controller gives every known agent one timeout to reconnect
        for (String name : state.nodes.keySet()) lastSeen.put(name, now);
    }

    long heartbeatSeconds() {
        return Math.max(1, Math.min(10, config.nodeTimeoutSeconds() / 3));
    }

    /**
     * How long a node may be silent before it is flagged NOT_RESPONDING: two heartbeats missed in a
     * row (one late heartbeat is transit jitter, not a fault), and always short of NodeTimeout. Slurm
     * pings a node silent for SlurmdTimeout/3 and flags it when that ping fails; our heartbeats are
     * that ping, sent by the agent every NodeTimeout/3 (at most 10 s).
     */
    long notRespondingSeconds() {
        return Math.max(1, Math.min(2 * heartbeatSeconds(), config.nodeTimeoutSeconds() - 1));
    }

    /** An agent (re)connected: record its node, then reconcile what it runs with what we believe. */
    void register(AgentChannel link, AgentReport.Registration reg) {
        synchronized (state) {
            long now = clock.getAsLong();
            Node reported = reg.node();
            String name = reported.name();
            ClusterConfig.NodeOverride o = config.overrideFor(name);
            int cpus = reported.cpus();
            long mem = reported.memMiB();
            // the configured size is the whole machine's, as slurm.conf's is
            String inval = invalid(name, o, reg.totalCpus(), reg.totalMemMiB());
            if (o != null && o.cpus() > 0) cpus = Math.min(cpus, o.cpus());
            if (o != null && o.realMemoryMiB() > 0) mem = Math.min(mem, o.realMemoryMiB());
            Node before = state.nodes.get(name);
            NodeState s = NodeState.UP;
            String reason = null;
            if (inval != null) {
                s = NodeState.INVAL;
                reason = inval;
                log.warn("node invalid node={} reason=\"{}\"", name, inval);
            } else if (before != null && (before.state() == NodeState.DRAIN || isAdminDown(before))) {
                // an operator's drain or down outlives the agent's restarts, as in Slurm
                s = before.state();
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
                    s,
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
                    reported.gpuUsage(),
                    false);
            try {
                state.save(n);
            } catch (StoreException e) {
                // the database is away: the node still serves (its record is written at its next change), so that
                // an agent that reconnects during an outage keeps its link, its heartbeats and its jobs' ends
                state.note(n);
                log.warn("node registered but not saved, the store failed node={} error=\"{}\"", name, e.getMessage());
            }
            AgentChannel old = state.links.put(name, link);
            if (old != null && old != link) old.close();
            lastSeen.put(name, now);
            if (before != null && before.state() == NodeState.DOWN) {
                log.info("node back in service node={} was=\"{}\"", name, before.reason());
            }
            log.info("agent registered node={} cpus={} mem={}M address={}", name, cpus, mem, n.address());
            reconcile(link, name, reg);
            if (before != null
                    && before.agentStartTime() > 0
                    && reported.agentStartTime() > 0
                    && before.agentStartTime() != reported.agentStartTime()) {
                endHoldersOf(name, "the agent was restarted");
            }
            // the ends just reported were stamped by the clock we knew; a restarted agent (or host) may have
            // another one, so it is judged afresh from its heartbeats
            clockReadings.remove(name);
            link.registered(heartbeatSeconds());
        }
        wake.run();
    }

    /**
     * The sruns that ran inside the agent on {@code node} (the native client's srun outside an allocation) are
     * taken for gone: the agent was restarted, or it has been silent past InactiveLimit (as slurmctld ends a job whose
     * srun stops answering). The jobs that held their allocations, submitted through it, are cancelled as their
     * owners' sruns would have cancelled them. Called under the lock.
     */
    private void endHoldersOf(String node, String why) {
        List<Job> orphans = state.jobs.values().stream()
                // not one already being cancelled or completed
                .filter(j -> !j.state().isTerminal()
                        && !state.cancelling.containsKey(j.id())
                        && !state.completing.containsKey(j.id()))
                .filter(j ->
                        j.request().heldInAgent() && node.equals(j.request().submitNode()))
                .toList();
        for (Job j : orphans) {
            log.warn(
                    "{}: its srun holding the job is taken for gone, the job is cancelled node={} job={}",
                    why,
                    node,
                    j.id());
            cancelAsOwner.accept(j);
        }
    }

    /** Why a configured size cannot be right for this machine, with what to do; null when it fits. */
    private static String invalid(String name, ClusterConfig.NodeOverride o, int totalCpus, long totalMem) {
        if (o != null && o.cpus() > totalCpus) {
            return "Configured CPUs=" + o.cpus() + " but the node has " + totalCpus
                    + "; lower CPUs in motley.conf's NodeName=" + name
                    + " line (or remove it to use what is detected)";
        }
        if (o != null && o.realMemoryMiB() > totalMem) {
            return "Configured RealMemory=" + o.realMemoryMiB() + " but the node has " + totalMem
                    + " MiB; lower RealMemory in motley.conf's NodeName=" + name
                    + " line (or remove it to use what is detected)";
        }
        return null;
    }

    /** Carries out {@link Reconciliation} of the agent's inventory against the controller's belief. */
    private void reconcile(AgentChannel link, String name, AgentReport.Registration reg) {
        Map<Reconciliation.ReportedRun, AgentReport.RunEnded> endReports = new HashMap<>();
        for (AgentReport.RunEnded e : reg.ends()) {
            endReports.put(new Reconciliation.ReportedRun(e.jobId(), e.run(), true), e);
        }
        Map<Long, Reconciliation.Belief> belief = new HashMap<>();
        for (Reconciliation.ReportedRun r : reg.runs()) {
            Job j = state.jobs.get(r.jobId());
            if (j != null) {
                belief.put(
                        j.id(),
                        new Reconciliation.Belief(
                                j.restarts(),
                                j.state().holdsAllocation() && j.nodes().contains(name),
                                state.cancelling.containsKey(j.id())));
            }
        }
        Map<Long, Integer> runningHere = new TreeMap<>();
        for (Job j : state.jobs.values()) {
            // a multi-node job's other nodes hold its part: a run there too, for reconciliation
            if (j.state().holdsAllocation() && j.nodes().contains(name)) runningHere.put(j.id(), j.restarts());
        }
        Reconciliation.Result result = Reconciliation.reconcile(reg.runs(), belief, runningHere);
        for (Reconciliation.Action a : result.actions()) {
            switch (a) {
                case Reconciliation.ProcessEnd e -> {
                    AgentReport.RunEnded report =
                            endReports.get(new Reconciliation.ReportedRun(e.jobId(), e.run(), true));
                    if (report != null) ends.ended(name, inControllerTime(name, report));
                }
                case Reconciliation.KillStray k -> {
                    log.warn(
                            "agent runs a job that is not running there; killing it node={} job={} run={}",
                            name,
                            k.jobId(),
                            k.run());
                    link.kill(k.jobId(), k.run(), KillReason.NOT_RUNNING_HERE);
                }
                case Reconciliation.KillCancelled k -> link.kill(k.jobId(), k.run(), KillReason.CANCEL);
                case Reconciliation.Relaunch r -> {
                    // we decided to start it but the agent never got the order: send it again
                    Job j = state.jobs.get(r.jobId());
                    if (j != null && j.state().holdsAllocation() && j.nodes().contains(name)) {
                        log.info("resending launch the agent never received job={} node={}", j.id(), name);
                        link.launch(j);
                    }
                }
            }
        }
        // a time limit changed (scontrol update) while the agent was away or restarting reaches it now; an agent
        // that already has it ignores the order
        for (Reconciliation.ReportedRun run : reg.runs()) {
            Job j = state.jobs.get(run.jobId());
            if (!run.ended()
                    && j != null
                    && j.restarts() == run.run()
                    && j.state().holdsAllocation()
                    && j.nodes().contains(name)) link.timeLimit(j.id(), j.restarts(), j.timeLimit());
        }
        state.endingRuns
                .entrySet()
                .removeIf(
                        e -> e.getValue().equals(name) && !result.stillEnding().contains(e.getKey()));
        // a run its holder's end killed that the agent no longer runs will not report its end
        state.releasing
                .values()
                .removeIf(j -> name.equals(j.node())
                        && reg.runs().stream()
                                .noneMatch(r -> !r.ended() && r.jobId() == j.id() && r.run() == j.restarts()));
    }

    /** The agent's automatic features plus those motley.conf declares for the node. */
    private static List<String> withDeclared(List<String> automatic, ClusterConfig.NodeOverride o) {
        if (o == null || o.features().isEmpty()) return automatic;
        LinkedHashSet<String> all = new LinkedHashSet<>(automatic);
        all.addAll(o.features());
        return List.copyOf(all);
    }

    /** A heartbeat: the node's load is noted (memory only), and its health check's result acted on. */
    void heartbeat(String node, AgentReport.Load hb) {
        synchronized (state) {
            long now = clock.getAsLong();
            lastSeen.put(node, now);
            Node n = state.nodes.get(node);
            if (n == null) return;
            boolean wasSilent = n.notResponding();
            n = n.withLoad(hb.cpuLoad(), hb.freeMemMiB(), hb.gpuUsage()).withNotResponding(false);
            state.note(n);
            if (wasSilent) {
                log.info("node responding again node={}", node);
                wake.run();
            }
            if (hb.health() != null) health(n, hb.health(), now);
            if (hb.agentClockMs() > 0) checkClock(node, hb.agentClockMs(), now);
            if (!hb.checks().isEmpty()) hostChecks.put(node, hb.checks());
        }
    }

    /** What each known node's agent last found about its own host, by node name; nodes whose agent said nothing are absent. */
    java.util.SortedMap<String, List<io.motley.protocol.HostCheck>> hostChecks() {
        synchronized (state) {
            java.util.SortedMap<String, List<io.motley.protocol.HostCheck>> out = new java.util.TreeMap<>();
            hostChecks.forEach((node, checks) -> {
                if (state.nodes.containsKey(node)) out.put(node, checks);
            });
            return out;
        }
    }

    /**
     * Compares the agent's clock with ours. A heartbeat read at {@code now} was sent a transit time
     * earlier, so (agent's clock - now) understates the agent's clock by that transit: never more.
     * Of the last few heartbeats the largest difference is the least delayed, hence the estimate
     * (NTP's clock filter does the same). Past MaxClockSkew the node gets a "Clock skew" reason,
     * which the next estimate within the bound clears; the node is not drained, because its time
     * limits run on its monotonic clock and job ends are put into our time (see inControllerTime).
     * An operator's or health check's reason is never replaced.
     */
    private void checkClock(String name, long agentMs, long now) {
        ArrayDeque<Long> readings = clockReadings.computeIfAbsent(name, k -> new ArrayDeque<>());
        readings.addLast(agentMs - now * 1000);
        while (readings.size() > SKEW_SAMPLES) readings.removeFirst();
        long bound = config.maxClockSkewSeconds();
        Node n = state.nodes.get(name);
        if (bound <= 0 || n == null) return;
        long skew = skewSeconds(name);
        boolean ours = n.reason() != null && n.reason().startsWith(CLOCK_SKEW_PREFIX);
        String why = Math.abs(skew) > bound ? skewReason(skew) : null;
        if (why != null && (n.reason() == null || ours && !why.equals(n.reason()))) {
            log.warn(
                    "node clock differs from the controller's node={} skew={}s max_clock_skew={}s reason=\"{}\"",
                    name,
                    skew,
                    bound,
                    why);
            state.save(n.withState(n.state(), why, now));
        } else if (why == null && ours) {
            log.info("node clock agrees with the controller's again node={} skew={}s", name, skew);
            state.save(n.withState(n.state(), null, now));
        }
    }

    /**
     * The node's clock minus ours in whole seconds (positive: it is ahead), from its recent
     * heartbeats; 0 when none carried a clock. Rounded to a tenth of MaxClockSkew (at least 1 s), so
     * that transit jitter does not rewrite the reason at every heartbeat.
     */
    long skewSeconds(String name) {
        ArrayDeque<Long> readings = clockReadings.get(name);
        if (readings == null || readings.isEmpty()) return 0;
        long ms = readings.stream().mapToLong(Long::longValue).max().orElse(0);
        long step = Math.max(1, config.maxClockSkewSeconds() / 10);
        return Math.round(ms / 1000.0 / step) * step;
    }

    /** The reason a node with this skew gets: "Clock skew 300s ahead" or "Clock skew 300s behind". */
    static String skewReason(long skewSeconds) {
        return CLOCK_SKEW_PREFIX + Math.abs(skewSeconds) + "s " + (skewSeconds > 0 ? "ahead" : "behind");
    }

    /**
     * A run's end as the node stamped it, moved into our time by the node's known skew, and never
     * later than now (an end cannot be in the future); the agent's 0 ("did not say") is kept.
     */
    AgentReport.RunEnded inControllerTime(String node, AgentReport.RunEnded f) {
        if (f.end() <= 0) return f;
        long end;
        synchronized (state) {
            end = Math.min(f.end() - skewSeconds(node), clock.getAsLong());
        }
        if (end == f.end()) return f;
        return new AgentReport.RunEnded(f.jobId(), f.run(), f.state(), f.code(), f.signal(), end, f.usage(), f.desc());
    }

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
            state.save(next);
            wake.run();
        }
    }

    /**
     * scontrol update NodeName=... State=DRAIN|RESUME|DOWN|UNDRAIN Reason=...: an operator's word on a
     * node (an empty word with a reason: the reason alone), and its Weight= (null: unchanged), kept
     * in memory as Slurm keeps it; {@link Cluster#updateNode} has checked that the caller may.
     */
    Optional<String> update(String name, String stateWord, String reason, Integer weight, Caller caller) {
        synchronized (state) {
            Node n = state.nodes.get(name);
            if (n == null) return Optional.of("Invalid node name specified");
            long now = clock.getAsLong();
            String word = stateWord.toUpperCase(Locale.ROOT);
            Node next;
            switch (word) {
                case "" -> {
                    // a Reason= alone: the reason changes, the state stays (a Weight= alone: neither)
                    next = reason == null ? null : n.withState(n.state(), reason, now);
                }
                case "DRAIN", "DOWN" -> {
                    if (reason == null || reason.isBlank())
                        return Optional.of("You must specify a reason when DOWNING or DRAINING a node. Request denied");
                    next = n.withState(word.equals("DRAIN") ? NodeState.DRAIN : NodeState.DOWN, reason, now);
                    // as in Slurm, DOWN ends the node's jobs
                    if (word.equals("DOWN")) failJobsOn(name, now, KillReason.NODE_DOWN);
                }
                case "RESUME", "UNDRAIN", "IDLE" -> {
                    if (n.state() == NodeState.INVAL)
                        return Optional.of("Node configuration is invalid: " + n.reason());
                    next = n.withState(NodeState.UP, null, now);
                    lastSeen.put(name, now);
                }
                default -> {
                    return Optional.of("Invalid node state specified");
                }
            }
            if (weight != null) {
                state.nodeWeights.put(name, weight);
                log.info("node weight updated by operator node={} weight={} by={}", name, weight, caller.user());
            }
            if (next != null) {
                state.save(next);
                log.info(
                        "node updated by operator node={} state={} reason=\"{}\" by={}",
                        name,
                        next.state(),
                        reason,
                        caller.user());
            }
        }
        wake.run();
        return Optional.empty();
    }

    /**
     * Ends or requeues every job running on the node (its node failed); {@code kill} non-null
     * also tells the node's agent, if connected, to kill them.
     */
    private void failJobsOn(String name, long now, KillReason kill) {
        List<Job> failed = new ArrayList<>();
        for (Job j : state.jobs.values()) {
            if (!j.state().holdsAllocation() || !j.nodes().contains(name)) continue;
            Job after = ends.nodeFailed(j, now);
            failed.add(after);
            AgentChannel link = state.links.get(name);
            if (kill != null && link != null) link.kill(j.id(), j.restarts(), kill);
            // the job's other nodes let its part go, and the tasks of its steps there end
            AllocationHolds.release(state, j, KillReason.NODE_DOWN, name);
            if (!name.equals(j.node())) {
                // another node of a multi-node job failed: its batch script, still running on the
                // batch host, is killed there, and the job's resources on every node freed
                AgentChannel host = state.links.get(j.node());
                if (host != null) {
                    host.kill(j.id(), j.restarts(), KillReason.NODE_DOWN);
                    // a requeued job waits until the killed run has let go of the batch host
                    if (after.state() == JobState.PENDING) state.endingRuns.put(j.id(), j.node());
                }
                log.warn(
                        "job failed: a node of its allocation failed job={} node={} nodes={}",
                        j.id(),
                        name,
                        j.nodeList());
            }
        }
        state.saveAll(failed);
        failed.forEach(j -> {
            state.cancelling.remove(j.id());
            state.completing.remove(j.id());
        });
    }

    void disconnected(AgentChannel link) {
        synchronized (state) {
            if (state.links.get(link.node()) == link) {
                state.links.remove(link.node());
                log.info("agent link closed node={}", link.node());
            }
        }
    }

    /**
     * Flags nodes whose heartbeats stopped NOT_RESPONDING (no new jobs start there), then, past
     * NodeTimeout, marks them DOWN (their jobs end as NODE_FAIL or are requeued). The flag stays on a
     * DOWN node until its agent registers again, as Slurm shows {@code down*}.
     */
    void checkTimeouts() {
        boolean changed = false;
        synchronized (state) {
            long now = clock.getAsLong();
            for (Node n : List.copyOf(state.nodes.values())) {
                long seen = lastSeen.getOrDefault(n.name(), 0L);
                if (!n.notResponding() && now - seen > notRespondingSeconds()) {
                    // memory only, as a heartbeat's load is: a restarted controller gives the node a timeout anyway
                    n = n.withNotResponding(true);
                    state.note(n);
                    log.warn("node not responding node={} silent_for={}s", n.name(), now - seen);
                }
                // once a silence, not at every tick: the jobs are looked through when the limit is passed
                long inactive = config.limits().inactiveLimitSeconds();
                if (inactive <= 0 || now - seen <= inactive) pastInactiveLimit.remove(n.name());
                else if (pastInactiveLimit.add(n.name()))
                    endHoldersOf(n.name(), "silent for " + (now - seen) + "s, past InactiveLimit");
                if (n.state() != NodeState.DOWN && now - seen > config.nodeTimeoutSeconds()) {
                    state.save(n.withState(NodeState.DOWN, NOT_RESPONDING, now));
                    log.warn("node down node={} reason=\"{}\" silent_for={}s", n.name(), NOT_RESPONDING, now - seen);
                    failJobsOn(n.name(), now, null);
                    // its link is given up too: behind a partition that heals, the agent would otherwise go on
                    // heartbeating on it, never registering again, and its node would stay DOWN with runs the
                    // controller gave up on; closed, the agent finds it reset, reconnects and is reconciled
                    AgentChannel link = state.links.remove(n.name());
                    if (link != null) link.close();
                    // runs killed by a requeue on a dead node will not report; their jobs need not wait
                    state.endingRuns.values().removeIf(n.name()::equals);
                    String gone = n.name();
                    state.releasing.values().removeIf(j -> gone.equals(j.node()));
                    changed = true;
                }
            }
        }
        if (changed) wake.run();
    }

    /** The node's Weight: an operator's (scontrol update), else its NodeName= line's, else 1. */
    static int weight(ClusterState state, ClusterConfig config, String node) {
        Integer set = state.nodeWeights.get(node);
        if (set != null) return set;
        ClusterConfig.NodeOverride o = config.overrideFor(node);
        return o == null ? 1 : o.weight();
    }

    List<Node> withAllocations() {
        synchronized (state) {
            Map<String, int[]> cpus = new HashMap<>();
            Map<String, long[]> mem = new HashMap<>();
            for (Job j : state.jobs.values()) {
                if (!j.state().holdsAllocation()) continue;
                for (Job.Allocation.Part p : j.allocation().parts()) {
                    if (p.node() == null) continue;
                    cpus.computeIfAbsent(p.node(), k -> new int[1])[0] += p.cpus();
                    mem.computeIfAbsent(p.node(), k -> new long[1])[0] += p.memMiB();
                }
            }
            List<Node> out = new ArrayList<>();
            for (Node n : state.nodes.values()) {
                out.add(n.withAllocation(
                                cpus.getOrDefault(n.name(), new int[1])[0], mem.getOrDefault(n.name(), new long[1])[0])
                        .withWeight(weight(state, config, n.name())));
            }
            return out;
        }
    }
}
