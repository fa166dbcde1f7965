package io.motley.controller.cluster;

import io.motley.controller.store.StoreException;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.protocol.link.ReportThrottle;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a job's run ends: reported by its agent, or forced when its node fails. The caller holds
 * the tables' lock.
 */
final class RunEnds {
    private static final Logger log = LoggerFactory.getLogger(RunEnds.class);
    /** Longest state description kept (the agent's sentence on a failed launch, say). */
    static final int MAX_STATE_DESC = 1024;
    /**
     * How often a store that fails to record job ends is logged: while it is down every agent
     * reports each unrecorded end again at each heartbeat, and a line for each would bury the log.
     */
    static final Duration UNRECORDED_REPORT_INTERVAL = Duration.ofSeconds(30);

    private final ClusterState state;
    private final ClusterConfig config;
    private final LongSupplier clock;
    /** Ends the store failed to record, logged once an interval with how many failed since the last line. */
    private final ReportThrottle unrecorded;

    RunEnds(ClusterState state, ClusterConfig config, LongSupplier clock) {
        this.state = state;
        this.config = config;
        this.clock = clock;
        // the controller's clock, so that a test's clock decides the interval too
        this.unrecorded = new ReportThrottle(UNRECORDED_REPORT_INTERVAL, () -> clock.getAsLong() * 1_000_000_000L);
    }

    /**
     * The agent on {@code node} reports that a run ended. Idempotent: a repeat, or the end of a
     * run a requeue or a failed node already replaced, changes nothing. The end is acknowledged
     * once it is recorded, so that the agent stops reporting it. When the store fails to record it,
     * nothing changes and nothing is acknowledged, so the agent's next report of it is applied whole.
     *
     * @return whether the end is recorded (or needed no recording)
     */
    boolean ended(String node, AgentReport.RunEnded f) {
        long id = f.jobId();
        int run = f.run();
        Job j = state.jobs.get(id);
        if (j != null && run != j.restarts()) {
            if (node.equals(state.endingRuns.get(id))) state.endingRuns.remove(id);
            log.info("end of an earlier run ignored job={} node={} run={} current_run={}", id, node, run, j.restarts());
        } else if (j != null && j.state().holdsAllocation() && node.equals(j.node())) {
            Integer by = state.cancelling.get(id);
            Integer completed = state.completing.get(id);
            // cancelled before it ended: CANCELLED however its run ended in the moment before the kill came (its
            // srun, asked to end the job, exits on its own), as slurmctld records a cancel when it is asked; ended by
            // the command that held it (srun's allocation): COMPLETED or FAILED with that command's code
            JobState how = completed != null
                    ? (completed == 0 ? JobState.COMPLETED : JobState.FAILED)
                    : by != null && (f.state() == JobState.COMPLETED || f.state() == JobState.FAILED)
                            ? JobState.CANCELLED
                            : f.state();
            // a node's clock may be behind ours: a run never ends before it started
            long end = Math.max(f.end() > 0 ? f.end() : clock.getAsLong(), j.startTime());
            // Slurm reports an OOM-killed job as 0:125 whatever signal ended it
            ExitStatus exit = completed != null
                    ? new ExitStatus(completed, 0)
                    : how == JobState.OUT_OF_MEMORY ? new ExitStatus(0, 125) : new ExitStatus(f.code(), f.signal());
            Job done = j.withUsage(f.usage())
                    .endedBy(how, exit, end, how == JobState.CANCELLED ? (Integer) (by == null ? 0 : by) : null);
            String desc = stateDesc(f.desc());
            if (desc != null) done = done.withStateDesc(desc);
            try {
                state.save(done);
            } catch (StoreException e) {
                // not acknowledged, and nothing changed in memory: the job stays RUNNING, and the agent
                // reports the end again on its live link until a write succeeds
                long failures = unrecorded.event();
                if (failures > 0) {
                    log.warn(
                            "job end not recorded, the store failed; the agent reports it again job={} node={} state={}"
                                    + " failures={} error=\"{}\"",
                            id,
                            node,
                            how,
                            failures,
                            e.getMessage());
                }
                return false;
            }
            state.cancelling.remove(id);
            state.completing.remove(id);
            AllocationHolds.release(state, j, KillReason.CANCEL);
            if (desc == null) {
                log.info("job ended job={} node={} state={} exit={}", id, node, how, done.exit());
            } else {
                log.info("job ended job={} node={} state={} exit={} desc=\"{}\"", id, node, how, done.exit(), desc);
            }
        }
        Job held = state.releasing.get(id);
        if (held != null && held.restarts() == run && node.equals(held.node())) {
            // ended by its holder and recorded then: its run's end lets its nodes go, and the usage its agent
            // measured is the job's
            state.releasing.remove(id);
            try {
                if (j != null && j.restarts() == run && j.state().isTerminal()) state.save(j.withUsage(f.usage()));
            } catch (StoreException e) {
                log.warn(
                        "job usage not recorded, the store failed job={} node={} error=\"{}\"",
                        id,
                        node,
                        e.getMessage());
            }
            log.info("job run ended job={} node={} state={}", id, node, f.state());
        }
        AgentChannel link = state.links.get(node);
        if (link != null) link.acknowledge(id, run);
        return true;
    }

    /** The agent's sentence on how a job ended, on one line and bounded; null when it sent none. */
    static String stateDesc(String desc) {
        if (desc == null || desc.isBlank()) return null;
        return FreeText.quote(desc.strip().replaceAll("[\\t\\n\\r\\x0B\\f]+", " "), MAX_STATE_DESC);
    }

    /**
     * A running job whose node failed: back to the queue under JobRequeue=1 unless it was submitted
     * with --no-requeue (as Slurm does), else ended NODE_FAIL. Not saved: the caller saves all of a
     * node's jobs at once.
     */
    Job nodeFailed(Job j, long now) {
        if (config.jobRequeue() && j.request().requeue()) {
            log.info("job requeued: its node failed job={} node={} run={}", j.id(), j.node(), j.restarts() + 1);
            return j.requeue(now + config.requeueDelaySeconds(), false);
        }
        return j.ended(JobState.NODE_FAIL, ExitStatus.NONE, now);
    }
}
