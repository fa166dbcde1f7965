package io.motley.controller.cluster;

import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.step.Step;
import io.motley.core.step.StepAdmission;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
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
 * JOB.STEP, or the job's own end). Held in memory only: a restarted controller forgets the steps
 * of earlier runs (written down in docs/slurm-differences.md).
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

    public JobSteps(Function<Long, Optional<Job>> jobs, LongSupplier clockSeconds) {
        this(jobs, clockSeconds, KEPT_JOBS);
    }

    JobSteps(Function<Long, Optional<Job>> jobs, LongSupplier clockSeconds, int keptJobs) {
        this.jobs = jobs;
        this.clock = clockSeconds;
        this.keptJobs = keptJobs;
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
            StepAdmission.Decision d = StepAdmission.admit(req, nodesOf(job), job.allocCpus(), job.allocMemMiB(), mine);
            return switch (d) {
                case StepAdmission.Refused r -> Result.failed(r.reason());
                case StepAdmission.Busy b -> new Result(List.of(), b.reason(), true);
                case StepAdmission.Granted g -> {
                    Step s = Step.started(jobId, mine.size(), req, g.nodes(), clock.getAsLong());
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

    /** srun's report of its step's end; a step that already ended (cancelled, say) keeps its end. */
    public Result end(long jobId, int stepId, StepState state, int exitCode, int signal, Caller caller) {
        return change(jobId, stepId, caller, s -> s.ended(state, exitCode, signal, clock.getAsLong()));
    }

    /** scancel JOB.STEP. */
    public Result cancel(long jobId, int stepId, Caller caller) {
        return change(jobId, stepId, caller, s -> s.ended(StepState.CANCELLED, 0, 9, clock.getAsLong()));
    }

    private Result change(long jobId, int stepId, Caller caller, java.util.function.UnaryOperator<Step> how) {
        Optional<Job> found = jobs.apply(jobId);
        if (found.isEmpty()) return Result.failed("Invalid job id specified");
        if (!caller.isRoot() && caller.uid() != found.get().uid()) return Result.failed("Access/permission denied");
        lock.lock();
        try {
            List<Step> mine = settled(found.get());
            if (stepId < 0 || stepId >= mine.size()) return Result.failed("Invalid job id specified");
            Step s = mine.get(stepId);
            if (s.state() == StepState.RUNNING) {
                s = how.apply(s);
                mine.set(stepId, s);
                changed.signalAll();
                log.info("step ended step={} state={} exit={}:{}", s.displayId(), s.state(), s.exitCode(), s.signal());
                return Result.of(List.of(s));
            }
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

    /** The steps of these jobs, or every running step when none are named. */
    public List<Step> list(List<Long> jobIds) {
        List<Step> out = new ArrayList<>();
        lock.lock();
        try {
            List<Long> ids = jobIds.isEmpty() ? List.copyOf(steps.keySet()) : jobIds;
            for (long id : ids) {
                Optional<Job> j = jobs.apply(id);
                if (j.isEmpty()) {
                    steps.remove(id);
                    continue;
                }
                for (Step s : settled(j.get())) {
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
            if (e.getValue().stream().noneMatch(x -> x.state() == StepState.RUNNING)) it.remove();
            else break;
        }
    }

    /** The job's steps, those still running when the job itself has ended marked CANCELLED at its end. */
    private List<Step> settled(Job job) {
        // asking about a job without steps (sacct lists many) leaves no entry behind
        List<Step> mine = steps.containsKey(job.id()) ? steps.get(job.id()) : new ArrayList<>();
        if (job.state().isTerminal() || job.state() == JobState.PENDING) {
            for (int i = 0; i < mine.size(); i++) {
                Step s = mine.get(i);
                if (s.state() == StepState.RUNNING) {
                    mine.set(
                            i,
                            s.ended(StepState.CANCELLED, 0, 9, job.endTime() > 0 ? job.endTime() : clock.getAsLong()));
                    changed.signalAll();
                }
            }
        }
        return mine;
    }

    /** The job's nodes, in order; one node today (several once allocations span nodes). */
    static List<String> nodesOf(Job job) {
        return job.node() == null ? List.of() : List.of(job.node().split(","));
    }
}
