package io.motley.core.queue;

import io.motley.core.dependency.Dependency;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.scheduler.Admission;
import io.motley.core.scheduler.QueuedJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Builds a scheduling pass's queue from the jobs, for the controller and the simulator alike:
 * which pending jobs may be considered now (hold, --begin, --dependency, singleton, --deadline),
 * each array's next tasks within its %N throttle, and what each queued entry stands for. Pure:
 * the time is a parameter and the caller supplies the jobs.
 */
public final class QueueBuilder {
    /** At most this many tasks of one array are offered to the scheduler in one pass. */
    public static final int TASKS_PER_PASS = 64;

    private QueueBuilder() {}

    /** Builds the queue from every pending job of {@code table}, in id order. */
    public static QueuePass build(JobTable table, long now, LongPredicate endingRun) {
        return build(table, List.copyOf(table.jobs().keySet()), now, endingRun);
    }

    /**
     * Builds the queue from the pending jobs among {@code candidates} (ids, judged in the order
     * given: ascending, as the controller judges them). {@code endingRun} says which jobs were
     * requeued while their killed run has not ended yet (they wait with BeginTime). Decisions are
     * written into {@code table} as they are made.
     */
    public static QueuePass build(JobTable table, List<Long> candidates, long now, LongPredicate endingRun) {
        return new Pass(table, now, endingRun, null).run(candidates);
    }

    /**
     * As {@link #build(JobTable, long, LongPredicate)}, reusing {@code kept}'s record of a job
     * queued as itself when nothing it is made from changed since the last pass built with it.
     */
    public static QueuePass build(JobTable table, long now, LongPredicate endingRun, KeptRecords kept) {
        QueuePass pass = new Pass(table, now, endingRun, kept)
                .run(List.copyOf(table.jobs().keySet()));
        kept.passDone();
        return pass;
    }

    /** The queue entry of a job queued as itself. */
    public static QueuedJob queued(Job j) {
        JobRequest r = j.request();
        return new QueuedJob(
                j.id(),
                j.priority(),
                List.of(j.partition().split(",")),
                r.cpus(),
                QueuedJob.memMiB(r),
                QueuedJob.timeLimitSeconds(r.timing().limit()),
                r.hold(),
                r.gpusPerNode(),
                r.gpuType(),
                Admission.placement(r));
    }

    private static final class Pass {
        private final JobTable table;
        private final long now;
        private final LongPredicate endingRun;
        private final List<QueuedJob> queue = new ArrayList<>();
        private final Map<Long, QueueEntry> entries = new HashMap<>();
        private final Map<Long, JobRequest> asked = new HashMap<>();
        private final Map<Long, Job> updated = new LinkedHashMap<>();
        private final List<Job> toPersist = new ArrayList<>();
        private int tasks;
        /** Throttled arrays' tasks offered in this pass, by array id. */
        private final Map<Long, Integer> offeredTasks = new HashMap<>();

        private boolean arraysCut;
        private long nextChange = Long.MAX_VALUE;
        /** The last pass's records to reuse, or null. */
        private final KeptRecords kept;

        Pass(JobTable table, long now, LongPredicate endingRun, KeptRecords kept) {
            this.table = table;
            this.now = now;
            this.endingRun = endingRun;
            this.kept = kept;
        }

        QueuePass run(List<Long> candidates) {
            for (long id : candidates) {
                Job j = table.get(id);
                if (j == null || j.state() != JobState.PENDING) continue;
                if (!j.request().hold()) {
                    Job next = eligibility(j);
                    if (next != j) {
                        update(next, next.state().isTerminal() || next.request() != j.request());
                    }
                    if (next.state() != JobState.PENDING
                            || next.reason() == PendingReason.StageIn
                            || next.reason() == PendingReason.BeginTime
                            || next.reason() == PendingReason.Dependency
                            || next.reason() == PendingReason.DependencyNeverSatisfied) {
                        continue;
                    }
                    j = next;
                }
                JobRequest r = j.request();
                asked.put(j.id(), r);
                if (j.array() != null && j.array().holdsPending() && !r.hold()) {
                    queueArrayTasks(j);
                    continue;
                }
                if (j.array() != null && !r.hold() && !withinThrottle(j)) continue;
                queue.add(kept == null ? queued(j) : kept.record(j));
                entries.put(j.id(), new QueueEntry.Whole(j.id()));
            }
            return new QueuePass(queue, entries, asked, updated, toPersist, arraysCut, nextChange);
        }

        /**
         * Whether a pending task with a record of its own (split off by a command, or requeued) may be offered under
         * its array's %N throttle, which counts it with the array's running tasks and those offered in this pass,
         * as Slurm's job_array_start_test does; one that may not waits with JobArrayTaskLimit.
         */
        private boolean withinThrottle(Job task) {
            String spec = task.request().array();
            int throttle = spec == null ? 0 : ArraySpec.parse(spec).throttle();
            if (throttle <= 0) return true;
            long array = task.array().arrayJobId();
            if (table.runningTasks(array) + offered(array) >= throttle) {
                if (task.reason() != PendingReason.JobArrayTaskLimit)
                    update(task.withReason(PendingReason.JobArrayTaskLimit), false);
                return false;
            }
            offeredTasks.merge(array, 1, Integer::sum);
            return true;
        }

        /** Tasks of array {@code array} offered in this pass so far, when it has a throttle. */
        private int offered(long array) {
            return offeredTasks.getOrDefault(array, 0);
        }

        private void update(Job next, boolean persist) {
            table.put(next);
            updated.put(next.id(), next);
            if (persist) toPersist.add(next);
        }

        /**
         * Whether a pending job may be considered now: gone for good once it cannot meet its
         * --deadline; not before --begin (or, requeued, before RequeueDelay has passed and its killed
         * run has ended), and not while its --dependency waits. A satisfied dependency is cleared (as
         * Slurm shows Dependency=(null)); one that can never be satisfied keeps the job pending with
         * DependencyNeverSatisfied, or cancels it under --kill-on-invalid-dep.
         */
        private Job eligibility(Job j) {
            JobRequest r = j.request();
            if (j.missesDeadline(now)) {
                // Slurm's deadline_ok: the job is removed, DEADLINE with exit 0:1, as soon as it cannot end in time
                return j.ended(JobState.DEADLINE, new ExitStatus(0, 1), now);
            }
            // its --stage-in files are still on their way to the controller (Staging.IN_AWAITED)
            if (io.motley.core.job.Staging.awaitingUpload(r))
                return j.reason() == PendingReason.StageIn ? j : j.withReason(PendingReason.StageIn);
            boolean dyingRun = endingRun.test(j.id());
            if (r.beginTime() > now || dyingRun) {
                if (!dyingRun) nextChange = Math.min(nextChange, r.beginTime());
                return j.reason() == PendingReason.BeginTime ? j : j.withReason(PendingReason.BeginTime);
            }
            if (r.dependency() == null) {
                // the reason is the scheduler's to give; clear the ones this method set
                return j.reason() == PendingReason.BeginTime
                                || j.reason() == PendingReason.Dependency
                                || j.reason() == PendingReason.StageIn
                        ? j.withReason(PendingReason.None)
                        : j;
            }
            Dependency dep = Dependency.parse(r.dependency());
            // an array depending with aftercorr is judged task by task when its tasks are offered
            if (dep.corresponding() && j.array() != null && j.array().holdsPending()) {
                // the reason is set again when its tasks are judged (readyByCorrespondingTask)
                boolean waited =
                        j.reason() == PendingReason.Dependency || j.reason() == PendingReason.DependencyNeverSatisfied;
                return waited ? j.withReason(PendingReason.None) : j;
            }
            boolean singleton = singletonNamed(dep) && table.singletonBlocked(j);
            return switch (dep.evaluate(table::target, now, singleton)) {
                case SATISFIED -> j.withRequest(r.withDependency(null)).withReason(PendingReason.None);
                case WAITING -> {
                    noteDelays(dep);
                    yield j.reason() == PendingReason.Dependency ? j : j.withReason(PendingReason.Dependency);
                }
                case NEVER -> {
                    if (r.killOnInvalidDependency()) {
                        yield j.withReason(PendingReason.DependencyNeverSatisfied)
                                .endedBy(JobState.CANCELLED, ExitStatus.NONE, now, 0);
                    }
                    yield j.reason() == PendingReason.DependencyNeverSatisfied
                            ? j
                            : j.withReason(PendingReason.DependencyNeverSatisfied);
                }
            };
        }

        /** after:JOB+MINUTES on a started job becomes true at its start plus the delay. */
        private void noteDelays(Dependency dep) {
            for (Dependency.Term t : dep.terms()) {
                if (t.kind() != Dependency.Kind.AFTER || t.delaySeconds() == 0) continue;
                table.target(t.jobId()).ifPresent(target -> {
                    long at = target.startTime() + t.delaySeconds();
                    if (target.startTime() > 0 && at > now) nextChange = Math.min(nextChange, at);
                });
            }
        }

        private static boolean singletonNamed(Dependency dep) {
            return dep.terms().stream().anyMatch(t -> t.kind() == Dependency.Kind.SINGLETON);
        }

        /**
         * Offers an array's next pending tasks, lowest index first, within its %N throttle and at
         * most {@link #TASKS_PER_PASS}, each under a synthetic negative id.
         */
        private void queueArrayTasks(Job meta) {
            JobRequest r = meta.request();
            int throttle = ArraySpec.parse(r.array()).throttle();
            long allowed =
                    throttle > 0 ? throttle - table.runningTasks(meta.id()) - offered(meta.id()) : TASKS_PER_PASS;
            if (allowed <= 0) {
                if (meta.reason() != PendingReason.JobArrayTaskLimit)
                    update(meta.withReason(PendingReason.JobArrayTaskLimit), false);
                return;
            }
            List<Integer> indices = ArraySpec.unfold(meta.array().pending());
            Dependency corr = r.dependency() == null ? null : Dependency.parse(r.dependency());
            int limit = (int) Math.min(allowed, TASKS_PER_PASS);
            if (corr != null && corr.corresponding()) {
                indices = readyByCorrespondingTask(meta, corr, indices, limit);
            }
            if (limit == TASKS_PER_PASS && indices.size() > limit) arraysCut = true;
            if (throttle > 0) offeredTasks.merge(meta.id(), Math.min(limit, indices.size()), Integer::sum);
            List<String> parts = List.of(meta.partition().split(","));
            for (int k = 0; k < Math.min(limit, indices.size()); k++) {
                // ascending in task order, so the scheduler (id breaks priority ties) starts the lowest index first;
                // among other jobs of equal priority the tasks rank by the array's submission, not ahead of all
                long synthetic = Long.MIN_VALUE + 1 + tasks++;
                entries.put(synthetic, new QueueEntry.Task(new TaskKey(meta.id(), indices.get(k)), k));
                queue.add(new QueuedJob(
                        synthetic,
                        meta.priority(),
                        parts,
                        r.cpus(),
                        QueuedJob.memMiB(r),
                        QueuedJob.timeLimitSeconds(r.timing().limit()),
                        false,
                        r.gpusPerNode(),
                        r.gpuType(),
                        Admission.placement(r),
                        meta.id()));
            }
        }

        /**
         * aftercorr: the pending tasks (at most {@code limit}, lowest index first) whose dependency,
         * judged against the corresponding tasks, is satisfied. When none is, the array waits with
         * Dependency, or DependencyNeverSatisfied once no task ever can (cancelled under
         * --kill-on-invalid-dep).
         */
        private List<Integer> readyByCorrespondingTask(Job meta, Dependency dep, List<Integer> indices, int limit) {
            boolean singleton = table.singletonBlocked(meta);
            JobTable.NamedJobs named = table.named();
            List<Integer> ready = new ArrayList<>();
            boolean anyWaiting = false;
            for (int index : indices) {
                Dependency.Status st = dep.evaluate(named::whole, id -> named.corresponding(id, index), now, singleton);
                if (st == Dependency.Status.SATISFIED) ready.add(index);
                else if (st == Dependency.Status.WAITING) anyWaiting = true;
                if (ready.size() == limit) break;
            }
            if (ready.isEmpty()) {
                PendingReason why = anyWaiting ? PendingReason.Dependency : PendingReason.DependencyNeverSatisfied;
                Job current = table.get(meta.id());
                if (!anyWaiting && meta.request().killOnInvalidDependency()) {
                    update(current.withReason(why).endedBy(JobState.CANCELLED, ExitStatus.NONE, now, 0), true);
                } else if (current.reason() != why) {
                    update(current.withReason(why), false);
                }
            }
            return ready;
        }
    }
}
