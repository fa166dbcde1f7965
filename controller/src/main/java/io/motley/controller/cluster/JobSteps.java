package io.motley.controller.cluster;

import io.motley.controller.store.Store;
import io.motley.controller.store.StoreException;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.step.Step;
import io.motley.core.step.StepAdmission;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
import io.motley.core.step.StepUsage;
import io.motley.core.step.TaskUsage;
import io.motley.protocol.StepMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of running jobs (srun inside an allocation): ids 0, 1, 2, ... per job, admitted by the
 * pure {@link StepAdmission} against the job's allocation, ended once (by srun's report, scancel
 * JOB.STEP, or the job's own end). Each step is written to the store when it starts and when it
 * ends, so that a restarted controller still lists them: the steps of running jobs are read back at
 * start ({@link #resume}), those of other jobs when they are asked about. Memory holds the steps of
 * the latest {@link #KEPT_JOBS} jobs at most. A step's end asks the agents of its nodes what its
 * tasks used and keeps that with it (sacct's usage fields).
 */
public final class JobSteps {
    private static final Logger log = LoggerFactory.getLogger(JobSteps.class);

    /** What a request about steps came to: the steps it is about, or Slurm's error and whether srun should ask again. */
    public record Result(List<Step> steps, String error, boolean retry) {
        static Result of(List<Step> steps) {
            return new Result(List.copyOf(steps), null, false);
        }

        static Result failed(String error) {
            return new Result(List.of(), error, false);
        }
    }

    private final Function<Long, Optional<Job>> jobs;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The jobs whose steps are kept, at most: the oldest job's are forgotten first. */
    static final int KEPT_JOBS = 10_000;

    private final int keptJobs;

    /** By job, in the order their first step was made, so that the oldest are forgotten first. */
    private final Map<Long, List<Step>> steps = new java.util.LinkedHashMap<>();

    /** The link to a node's agent, or null when it is not connected. */
    private final Function<String, AgentChannel> links;

    /**
     * What the tasks of running steps on other nodes than their srun's did, by "job.step", until
     * srun has read it; and the node of each such task.
     */
    private final Map<String, TaskIo> io = new java.util.HashMap<>();

    /** Output held for an srun that does not read it, at most, per step; beyond it output is dropped (ends never). */
    static final long MAX_BUFFERED_BYTES = 64L << 20;

    private static final class TaskIo {
        final Map<Integer, String> nodes = new java.util.HashMap<>();
        final List<StepMessages.TaskEvent> events = new ArrayList<>();
        /** The cursor of {@code events.get(0)}. */
        long base;

        long bytes;
        boolean dropped;
        /**
         * Made by a node's events before any srun asked (this controller started while the step ran): the
         * srun's next cursor, numbered by the controller before, is where these events begin.
         */
        boolean unanchored;
    }

    /** Where steps are kept across restarts; null: nowhere, they live in memory only (tests). */
    private final Store store;

    public JobSteps(Function<Long, Optional<Job>> jobs, LongSupplier clockSeconds) {
        this(jobs, clockSeconds, KEPT_JOBS, node -> null, null);
    }

    public JobSteps(
            Function<Long, Optional<Job>> jobs,
            LongSupplier clockSeconds,
            Function<String, AgentChannel> links,
            Store store) {
        this(jobs, clockSeconds, KEPT_JOBS, links, store);
    }

    JobSteps(Function<Long, Optional<Job>> jobs, LongSupplier clockSeconds, int keptJobs) {
        this(jobs, clockSeconds, keptJobs, node -> null, null);
    }

    JobSteps(Function<Long, Optional<Job>> jobs, LongSupplier clockSeconds, Function<String, AgentChannel> links) {
        this(jobs, clockSeconds, KEPT_JOBS, links, null);
    }

    JobSteps(
            Function<Long, Optional<Job>> jobs,
            LongSupplier clockSeconds,
            int keptJobs,
            Function<String, AgentChannel> links,
            Store store) {
        this.jobs = jobs;
        this.clock = clockSeconds;
        this.keptJobs = keptJobs;
        this.links = links;
        this.store = store;
    }

    /**
     * At the controller's start: takes back the kept steps of these (running) jobs, so that squeue -s
     * lists their running steps and a new step of theirs takes the next id.
     */
    public void resume(List<Long> runningJobs) {
        if (store == null || runningJobs.isEmpty()) return;
        Map<Long, List<Step>> kept = store.steps(runningJobs);
        lock.lock();
        try {
            kept.forEach((id, list) -> steps.putIfAbsent(id, inIdOrder(id, list)));
        } finally {
            lock.unlock();
        }
        log.info(
                "steps taken back jobs={} steps={}",
                kept.size(),
                kept.values().stream().mapToInt(List::size).sum());
    }

    /**
     * A job's kept steps as a list whose index is the step's id: a step whose row is missing (its
     * start was not saved) stands as cancelled, so that the ids after it keep their places.
     */
    private static List<Step> inIdOrder(long jobId, List<Step> kept) {
        List<Step> out = new ArrayList<>();
        for (Step s : kept) {
            while (out.size() < s.id()) {
                out.add(new Step(
                        jobId,
                        out.size(),
                        "",
                        StepState.CANCELLED,
                        List.of(),
                        1,
                        0,
                        0,
                        true,
                        s.start(),
                        s.start(),
                        0,
                        9));
            }
            if (s.id() == out.size()) out.add(s);
        }
        return out;
    }

    /** Writes a step's start or end through to the store (the lock is held); false when the store refused it. */
    private boolean keep(Step s, int run) {
        if (store == null) return true;
        try {
            store.saveStep(s, run);
            return true;
        } catch (StoreException e) {
            log.warn("step not saved step={} state={} error=\"{}\"", s.displayId(), s.state(), e.getMessage());
            return false;
        }
    }

    private static String key(long jobId, int stepId) {
        return jobId + "." + stepId;
    }

    /**
     * srun: run these tasks of its running step on their nodes, each node's through its agent, in
     * the job's box there and as its user. A task on a node that is not the step's is refused; a
     * node whose agent is not connected ends its tasks at once with status 1 and a line on stderr.
     */
    public Result launch(StepMessages.Launch l, Caller caller) {
        Optional<Job> found = jobs.apply(l.jobId());
        if (found.isEmpty()) return Result.failed("Invalid job id specified");
        Job job = found.get();
        if (!caller.isRoot() && caller.uid() != job.uid()) return Result.failed("Access/permission denied");
        Map<String, List<StepMessages.RemoteTask>> byNode = new java.util.LinkedHashMap<>();
        lock.lock();
        try {
            List<Step> mine = settled(job);
            if (l.stepId() < 0 || l.stepId() >= mine.size()) return Result.failed("Invalid job id specified");
            Step s = mine.get(l.stepId());
            if (s.state() != StepState.RUNNING) return Result.failed("Job/step already completing or completed");
            for (StepMessages.RemoteTask t : l.tasks()) {
                if (!s.nodes().contains(t.node()) || t.task() < 0 || t.task() >= s.tasks())
                    return Result.failed("Requested node configuration is not available");
                byNode.computeIfAbsent(t.node(), k -> new ArrayList<>()).add(t);
            }
            TaskIo tio = io.computeIfAbsent(key(l.jobId(), l.stepId()), k -> new TaskIo());
            for (StepMessages.RemoteTask t : l.tasks()) tio.nodes.put(t.task(), t.node());
            byNode.forEach((node, tasks) -> {
                AgentChannel link = links.apply(node);
                if (link != null) {
                    link.steps(new StepMessages.RunTasks(l.jobId(), l.stepId(), l.command(), l.cwd(), tasks));
                    return;
                }
                for (StepMessages.RemoteTask t : tasks) {
                    byte[] why = ("srun: error: " + node + ": task " + t.task()
                                    + ": cannot start: the node's agent is not connected\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    add(tio, new StepMessages.TaskEvent(l.jobId(), l.stepId(), t.task(), "err", why, 0));
                    add(tio, StepMessages.TaskEvent.ended(l.jobId(), l.stepId(), t.task(), 1));
                }
            });
            log.info(
                    "step tasks sent step={} nodes={} tasks={}",
                    s.displayId(),
                    byNode.keySet(),
                    l.tasks().size());
            return Result.of(List.of(s));
        } finally {
            lock.unlock();
        }
    }

    /** How long srun's stdin for a task on another node waits for that node to have written it. */
    long inputWaitMillis = 60_000;

    /** Inputs sent to nodes and not yet answered: tag to the node asked and the answer when it comes. */
    private final Map<Long, InputSent> inputs = new java.util.concurrent.ConcurrentHashMap<>();

    private record InputSent(String node, java.util.concurrent.CompletableFuture<String> answer) {}

    /**
     * srun's stdin for task {@code in.task()} of its step, which runs on another node: sent to that
     * node's agent, and answered once the agent has written it to the task (flow control: srun sends
     * no faster than the task reads), or with why not (the task ended or is not there, the node is
     * gone, or it did not answer within {@link #inputWaitMillis}).
     */
    public Result input(StepMessages.Input in, Caller caller) throws InterruptedException {
        Optional<Job> found = jobs.apply(in.jobId());
        if (found.isEmpty()) return Result.failed("Invalid job id specified");
        if (!caller.isRoot() && caller.uid() != found.get().uid()) return Result.failed("Access/permission denied");
        String node;
        lock.lock();
        try {
            List<Step> mine = settled(found.get());
            if (in.stepId() < 0 || in.stepId() >= mine.size()) return Result.failed("Invalid job id specified");
            if (mine.get(in.stepId()).state() != StepState.RUNNING)
                return Result.failed("Job/step already completing or completed");
            TaskIo tio = io.get(key(in.jobId(), in.stepId()));
            node = tio == null ? null : tio.nodes.get(in.task());
        } finally {
            lock.unlock();
        }
        if (node == null) return Result.failed("task " + in.task() + " does not run on another node");
        AgentChannel link = links.apply(node);
        if (link == null) return Result.failed("the agent of " + node + " is not connected");
        long tag = statTags.incrementAndGet();
        InputSent sent = new InputSent(node, new java.util.concurrent.CompletableFuture<>());
        inputs.put(tag, sent);
        try {
            link.steps(new StepMessages.TaskInput(
                    tag, in.jobId(), in.stepId(), in.task(), in.data(), in.eof(), in.resize()));
            String error = sent.answer().get(inputWaitMillis, TimeUnit.MILLISECONDS);
            return error == null ? Result.of(List.of()) : Result.failed(error);
        } catch (java.util.concurrent.TimeoutException e) {
            return Result.failed(node + " did not take the input within " + inputWaitMillis / 1000 + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            return Result.failed(String.valueOf(e.getCause()));
        } finally {
            inputs.remove(tag);
        }
    }

    /** A node's answer to a {@link StepMessages.TaskInput}; one from another node than the one asked is dropped. */
    public void report(String node, StepMessages.InputTaken r) {
        InputSent sent = inputs.get(r.tag());
        if (sent != null && sent.node().equals(node)) sent.answer().complete(r.error());
    }

    /** An agent's report of what one of a step's tasks on its node did; one about a task not on that node is dropped. */
    public void report(String node, StepMessages.TaskEvent e) {
        lock.lock();
        try {
            TaskIo tio = io.get(key(e.jobId(), e.stepId()));
            String from = tio == null ? null : tio.nodes.get(e.task());
            if (from == null && runningOn(e.jobId(), e.stepId(), node)) {
                // a task launched before this controller started (it restarted since): its node is the step's, so
                // its events are taken, for the srun that still waits for them
                tio = io.computeIfAbsent(key(e.jobId(), e.stepId()), k -> {
                    TaskIo fresh = new TaskIo();
                    fresh.unanchored = true;
                    return fresh;
                });
                tio.nodes.put(e.task(), node);
                from = node;
            }
            if (!node.equals(from)) {
                log.debug("task event dropped node={} event={}", node, e);
                return;
            }
            add(tio, e);
        } finally {
            lock.unlock();
        }
    }

    /** Whether step {@code stepId} of job {@code jobId} is running and has {@code node} (the lock is held). */
    private boolean runningOn(long jobId, int stepId, String node) {
        Optional<Job> job = jobs.apply(jobId);
        if (job.isEmpty()) return false;
        List<Step> mine = settled(job.get());
        return stepId >= 0
                && stepId < mine.size()
                && mine.get(stepId).state() == StepState.RUNNING
                && mine.get(stepId).nodes().contains(node);
    }

    private void add(TaskIo tio, StepMessages.TaskEvent e) {
        if (!e.isEnd() && tio.bytes + e.data().length > MAX_BUFFERED_BYTES) {
            if (!tio.dropped)
                log.warn("step output dropped: its srun does not read it step={}.{}", e.jobId(), e.stepId());
            tio.dropped = true;
            return;
        }
        tio.bytes += e.data().length;
        tio.events.add(e);
        changed.signalAll();
    }

    /**
     * srun: what the step's tasks on other nodes did from {@code cursor} on, once there is something,
     * the step has ended, or {@code seconds} have passed. What comes before the cursor srun has read: it is forgotten.
     */
    public StepMessages.IoEvents io(long jobId, int stepId, long cursor, int seconds, Caller caller)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Optional<Job> found = jobs.apply(jobId);
        if (found.isEmpty() || !caller.isRoot() && caller.uid() != found.get().uid())
            return new StepMessages.IoEvents(cursor, List.of(), false);
        lock.lock();
        try {
            while (true) {
                TaskIo tio = io.get(key(jobId, stepId));
                List<Step> mine = settled(jobs.apply(jobId).orElse(found.get()));
                boolean running =
                        stepId >= 0 && stepId < mine.size() && mine.get(stepId).state() == StepState.RUNNING;
                // none yet while the step runs: this controller started after its tasks did (it restarted), and
                // their events come to a new record, from the cursor srun holds
                if (tio == null && running) {
                    tio = io.computeIfAbsent(key(jobId, stepId), k -> new TaskIo());
                    tio.base = cursor;
                }
                if (tio == null) return new StepMessages.IoEvents(cursor, List.of(), running);
                if (tio.unanchored) {
                    // the events that came before srun asked (those the agents kept while no controller ran
                    // among them) follow what srun read from the controller before
                    tio.base = cursor;
                    tio.unanchored = false;
                }
                int from = (int) Math.max(0, Math.min(cursor - tio.base, tio.events.size()));
                for (int i = 0; i < from; i++) tio.bytes -= tio.events.get(i).data().length;
                tio.events.subList(0, from).clear();
                tio.base += from;
                long left = deadline - System.nanoTime();
                if (!tio.events.isEmpty() || !running || left <= 0)
                    return new StepMessages.IoEvents(tio.base + tio.events.size(), tio.events, running);
                changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Tells the agents of the step's other nodes to end its tasks there (the lock is held). */
    private void killRemote(Step s) {
        TaskIo tio = io.get(key(s.jobId(), s.id()));
        if (tio == null) return;
        for (String node : new java.util.TreeSet<>(tio.nodes.values())) {
            AgentChannel link = links.apply(node);
            if (link != null) link.steps(new StepMessages.KillTasks(s.jobId(), s.id()));
        }
    }

    /** A new step of job {@code jobId}, if it fits the allocation now. */
    public Result create(long jobId, StepRequest req, Caller caller) {
        Optional<Job> found = jobs.apply(jobId);
        if (found.isEmpty()) return Result.failed("Invalid job id specified");
        Job job = found.get();
        if (!caller.isRoot() && caller.uid() != job.uid()) return Result.failed("Access/permission denied");
        if (job.state() != JobState.RUNNING || job.node() == null)
            return Result.failed("Job/step already completing or completed");
        lock.lock();
        try {
            List<Step> mine = settled(job);
            StepAdmission.Decision d =
                    StepAdmission.admit(req, nodesOf(job), cpusPerNode(job), job.allocMemPerNodeMiB(), mine);
            return switch (d) {
                case StepAdmission.Refused r -> Result.failed(r.reason());
                case StepAdmission.Busy b -> new Result(List.of(), b.reason(), true);
                case StepAdmission.Granted g -> {
                    Step s = Step.started(jobId, mine.size(), req, g.nodes(), clock.getAsLong());
                    // a step that could not be saved is not started: after a restart its id would be given again
                    if (!keep(s, job.restarts())) yield Result.failed("Unable to save the step, try again");
                    mine.add(s);
                    steps.putIfAbsent(jobId, mine);
                    forgetOldest();
                    log.info("step started step={} tasks={} nodes={}", s.displayId(), s.tasks(), s.nodes());
                    yield Result.of(List.of(s));
                }
            };
        } finally {
            lock.unlock();
        }
    }

    /**
     * srun's report of its step's end, with what its tasks used as their nodes tell it; a step that
     * already ended (cancelled, say) keeps its end.
     */
    public Result end(long jobId, int stepId, StepState state, int exitCode, int signal, Caller caller) {
        StepUsage usage = usageAtEnd(jobId, stepId, caller);
        Result r = change(
                jobId,
                stepId,
                caller,
                s -> s.ended(state, exitCode, signal, clock.getAsLong()).withUsage(usage));
        lock.lock();
        try {
            // srun has read its tasks' ends: nothing more will be read here
            if (r.error() == null || !r.steps().isEmpty()) io.remove(key(jobId, stepId));
        } finally {
            lock.unlock();
        }
        return r;
    }

    /** scancel JOB.STEP. */
    public Result cancel(long jobId, int stepId, Caller caller) {
        // what the tasks used until now: they are killed after
        StepUsage usage = usageAtEnd(jobId, stepId, caller);
        return change(
                jobId,
                stepId,
                caller,
                s -> s.ended(StepState.CANCELLED, 0, 9, clock.getAsLong()).withUsage(usage));
    }

    /** How long a step's end waits for its nodes to tell what its tasks used (tests shorten it). */
    long usageWaitMillis = 2000;

    /**
     * What the tasks of running step {@code stepId} used, as the agents of its nodes last sampled
     * them (each samples once more when asked; a task ended keeps its figures there until its job's
     * run ends). Null when the step does not run or is not the caller's, or when no node answered in
     * time or measured any of its tasks: sacct shows no usage then, rather than zeros. A node that
     * does not answer leaves its tasks out.
     */
    private StepUsage usageAtEnd(long jobId, int stepId, Caller caller) {
        Optional<Job> found = jobs.apply(jobId);
        if (found.isEmpty() || !caller.isRoot() && caller.uid() != found.get().uid()) return null;
        Step s;
        lock.lock();
        try {
            List<Step> mine = settled(found.get());
            if (stepId < 0 || stepId >= mine.size()) return null;
            s = mine.get(stepId);
        } finally {
            lock.unlock();
        }
        if (s.state() != StepState.RUNNING) return null;
        try {
            Stats asked = ask(jobId, stepId, new java.util.TreeSet<>(s.nodes()), usageWaitMillis);
            synchronized (asked) {
                if (!asked.waiting.isEmpty())
                    log.warn("step usage not told by nodes={} step={}", asked.waiting, s.displayId());
                return StepUsage.of(stepId, asked.tasks).orElse(null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * srun -K: the step's tasks on other nodes are ended; the step runs on until srun, having read their
     * ends, reports its own.
     */
    public Result terminate(long jobId, int stepId, Caller caller) {
        return onRunning(jobId, stepId, caller, (s, job, mine) -> {
            killRemote(s);
            log.info("step tasks on other nodes ended step={} (srun -K)", s.displayId());
            return Result.of(List.of(s));
        });
    }

    private Result change(long jobId, int stepId, Caller caller, java.util.function.UnaryOperator<Step> how) {
        return onRunning(jobId, stepId, caller, (s, job, mine) -> {
            s = how.apply(s);
            mine.set(stepId, s);
            keep(s, job.restarts());
            killRemote(s);
            changed.signalAll();
            log.info("step ended step={} state={} exit={}:{}", s.displayId(), s.state(), s.exitCode(), s.signal());
            return Result.of(List.of(s));
        });
    }

    /** What is done to a running step, under the lock, with its job and the job's steps. */
    private interface OnRunning {
        Result apply(Step step, Job job, List<Step> steps);
    }

    /**
     * Does {@code action} to step {@code stepId} of the caller's job if it is running; else says why not (an
     * ended step comes back with the error).
     */
    private Result onRunning(long jobId, int stepId, Caller caller, OnRunning action) {
        Optional<Job> found = jobs.apply(jobId);
        if (found.isEmpty()) return Result.failed("Invalid job id specified");
        if (!caller.isRoot() && caller.uid() != found.get().uid()) return Result.failed("Access/permission denied");
        lock.lock();
        try {
            List<Step> mine = settled(found.get());
            if (stepId < 0 || stepId >= mine.size()) return Result.failed("Invalid job id specified");
            Step s = mine.get(stepId);
            if (s.state() == StepState.RUNNING) return action.apply(s, found.get(), mine);
            return new Result(List.of(s), "Job/step already completing or completed", false);
        } finally {
            lock.unlock();
        }
    }

    /** Step {@code stepId} once it is no longer running, or as it is after {@code seconds}. */
    public Result await(long jobId, int stepId, int seconds, Caller caller) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            Optional<Job> found = jobs.apply(jobId);
            if (found.isEmpty()) return Result.failed("Invalid job id specified");
            if (!caller.isRoot() && caller.uid() != found.get().uid()) return Result.failed("Access/permission denied");
            lock.lock();
            try {
                List<Step> mine = settled(found.get());
                if (stepId < 0 || stepId >= mine.size()) return Result.failed("Invalid job id specified");
                Step s = mine.get(stepId);
                long left = deadline - System.nanoTime();
                if (s.state() != StepState.RUNNING || left <= 0) return Result.of(List.of(s));
                // the job's own end does not signal here: look again at least every second
                changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            } finally {
                lock.unlock();
            }
        }
    }

    /** sstat questions to nodes, by tag, until all their nodes answered or the wait ran out. */
    private final Map<Long, Stats> stats = new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicLong statTags = new java.util.concurrent.atomic.AtomicLong();

    /** How long sstat waits for the nodes of a job to sample its tasks (tests shorten it). */
    long statWaitMillis = 5000;

    private static final class Stats {
        final long jobId;
        final java.util.Set<String> waiting;
        final List<TaskUsage> tasks = new ArrayList<>();
        final java.util.concurrent.CountDownLatch done;

        Stats(long jobId, java.util.Set<String> nodes) {
            this.jobId = jobId;
            this.waiting = new java.util.TreeSet<>(nodes);
            this.done = new java.util.concurrent.CountDownLatch(nodes.size());
        }
    }

    /**
     * sstat: the running steps of job {@code jobId} and what their tasks use now, as the agents of
     * the job's nodes sample them (each is asked; those that do not answer in time are named). A
     * job that is not running has no running steps. Only its owner and root see the figures (no
     * node is asked for another user), as Slurm's slurmstepd answers only them ("Invalid user id").
     */
    public StepMessages.StepStats stat(long jobId, Caller caller) throws InterruptedException {
        Optional<Job> found = jobs.apply(jobId);
        if (found.isEmpty()) return null;
        Job job = found.get();
        List<Step> running = new ArrayList<>();
        lock.lock();
        try {
            for (Step x : settled(job)) if (x.state() == StepState.RUNNING) running.add(x);
        } finally {
            lock.unlock();
        }
        if (job.state() != JobState.RUNNING || job.nodes().isEmpty()) return StepMessages.StepStats.none();
        // a job made by salloc or srun to hold an allocation has no batch step, as Slurm's have none
        String batchHost = job.request().allocationOnly() ? "" : job.nodes().get(0);
        if (!caller.isRoot() && caller.uid() != job.uid())
            return new StepMessages.StepStats(running, List.of(), List.of(), batchHost, true);
        Stats asked = ask(jobId, null, new java.util.TreeSet<>(job.nodes()), statWaitMillis);
        synchronized (asked) {
            List<TaskUsage> tasks = asked.tasks.stream()
                    .filter(u -> u.step() != TaskUsage.BATCH || u.node().equals(batchHost))
                    .toList();
            return new StepMessages.StepStats(running, tasks, List.copyOf(asked.waiting), batchHost, false);
        }
    }

    /**
     * Asks the agents of {@code nodes} to sample job {@code jobId}'s tasks there (of step {@code
     * step} only, unless null) and waits for their answers, {@code waitMillis} at most: what came,
     * and in {@code waiting} who did not answer.
     */
    private Stats ask(long jobId, Integer step, java.util.Set<String> nodes, long waitMillis)
            throws InterruptedException {
        long tag = statTags.incrementAndGet();
        Stats asked = new Stats(jobId, nodes);
        stats.put(tag, asked);
        try {
            for (String node : nodes) {
                AgentChannel link = links.apply(node);
                // a node whose agent is not connected cannot answer: it is named at once, not waited for
                if (link != null) link.steps(new StepMessages.StatTasks(tag, jobId, step));
                else asked.done.countDown();
            }
            asked.done.await(waitMillis, TimeUnit.MILLISECONDS);
            return asked;
        } finally {
            stats.remove(tag);
        }
    }

    /** A node's answer to a {@link #stat} question; one from a node not asked, or for another job, is ignored. */
    public void report(String node, StepMessages.TaskStats r) {
        Stats asked = stats.get(r.tag());
        if (asked == null || asked.jobId != r.jobId()) return;
        synchronized (asked) {
            if (!asked.waiting.remove(node)) return;
            for (TaskUsage u : r.tasks()) if (u.node().equals(node)) asked.tasks.add(u);
        }
        asked.done.countDown();
    }

    /** The steps of these jobs, or every running step when none are named. */
    public List<Step> list(List<Long> jobIds) {
        List<Step> out = new ArrayList<>();
        lock.lock();
        try {
            List<Long> ids = jobIds.isEmpty() ? List.copyOf(steps.keySet()) : jobIds;
            // those not in memory are read from the store at once, as sacct asks about many
            List<Long> elsewhere =
                    ids.stream().filter(id -> !steps.containsKey(id)).distinct().toList();
            Map<Long, List<Step>> kept = store == null || elsewhere.isEmpty() ? Map.of() : store.steps(elsewhere);
            for (long id : ids) {
                Optional<Job> j = jobs.apply(id);
                if (j.isEmpty()) {
                    steps.remove(id);
                    continue;
                }
                for (Step s : settled(j.get(), kept.getOrDefault(id, List.of()))) {
                    if (!jobIds.isEmpty() || s.state() == StepState.RUNNING) out.add(s);
                }
            }
        } finally {
            lock.unlock();
        }
        out.sort(java.util.Comparator.comparingLong(Step::jobId).thenComparingInt(Step::id));
        return out;
    }

    /** Keeps memory bounded: the steps of the oldest jobs beyond {@link #keptJobs} are forgotten. */
    private void forgetOldest() {
        var it = steps.entrySet().iterator();
        while (steps.size() > keptJobs && it.hasNext()) {
            var e = it.next();
            if (e.getValue().stream().noneMatch(x -> x.state() == StepState.RUNNING)) {
                it.remove();
                io.keySet().removeIf(k -> k.startsWith(e.getKey() + "."));
            } else break;
        }
    }

    /** The job's steps, those still running when the job itself has ended marked CANCELLED at its end. */
    private List<Step> settled(Job job) {
        if (steps.containsKey(job.id()) || store == null) return settled(job, List.of());
        return settled(job, store.steps(List.of(job.id())).getOrDefault(job.id(), List.of()));
    }

    /**
     * As {@link #settled(Job)}, with {@code kept} the job's steps as the store has them, used when
     * memory has none. Those of a job still running are held in memory from then on; asking about
     * a job without steps (sacct lists many), or one that ended, leaves no entry behind.
     */
    private List<Step> settled(Job job, List<Step> kept) {
        List<Step> mine = steps.get(job.id());
        if (mine == null) {
            mine = inIdOrder(job.id(), kept);
            if (!mine.isEmpty() && job.state() == JobState.RUNNING) steps.put(job.id(), mine);
        }
        if (job.state().isTerminal() || job.state() == JobState.PENDING) {
            for (int i = 0; i < mine.size(); i++) {
                Step s = mine.get(i);
                if (s.state() == StepState.RUNNING) {
                    s = s.ended(StepState.CANCELLED, 0, 9, job.endTime() > 0 ? job.endTime() : clock.getAsLong());
                    mine.set(i, s);
                    keep(s, job.restarts());
                    changed.signalAll();
                }
            }
        }
        return mine;
    }

    /** The job's nodes, in order, its batch host first. */
    static List<String> nodesOf(Job job) {
        return job.nodes();
    }

    /** The CPUs a step may count on on each of the job's nodes: the fewest the job holds on any of them. */
    static int cpusPerNode(Job job) {
        return job.allocation().parts().stream()
                .mapToInt(Job.Allocation.Part::cpus)
                .min()
                .orElse(job.allocCpus());
    }
}
