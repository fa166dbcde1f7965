package io.motley.core.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the controller does when an agent registers: its belief about the runs on that node set
 * against the agent's inventory. Pure: the caller gathers the belief under its lock and carries
 * out the actions in the order given.
 *
 * <p>Runs, not jobs, are compared: a requeued job may have its killed run and its next one on the
 * same node, and only the current run of a job may be running.
 */
public final class Reconciliation {
    private Reconciliation() {}

    /** A run the agent reports: still running, or ended (its end report was never acknowledged). */
    public record ReportedRun(long jobId, int run, boolean ended) {}

    /**
     * The controller's belief about one job it knows: its current run, whether that run is
     * running on the registering node, and whether someone asked to cancel it.
     */
    public record Belief(int currentRun, boolean runningHere, boolean cancelling) {}

    /** One thing to do, in order. */
    public sealed interface Action {
        long jobId();
    }

    /** Process the agent's report that the run ended, as any other end report. */
    public record ProcessEnd(long jobId, int run) implements Action {}

    /** The agent runs a run that should not run there (unknown job, other node, earlier run): kill it. */
    public record KillStray(long jobId, int run) implements Action {}

    /** The run is being cancelled and may have missed the kill order: send it again. */
    public record KillCancelled(long jobId, int run) implements Action {}

    /** The controller started the run here but the agent never got the launch order: send it again. */
    public record Relaunch(long jobId) implements Action {}

    /**
     * The actions, and the jobs whose earlier run is still ending on the node (a requeue killed it
     * and the agent still holds it): such a job must keep waiting for that run's end.
     */
    public record Result(List<Action> actions, Set<Long> stillEnding) {}

    /**
     * @param reported the agent's inventory, in the order it sent it
     * @param belief what the controller knows of each reported job, by id; absent for a job it does not know
     * @param runningHere the current runs the controller believes run on this node: job id to run number
     */
    public static Result reconcile(
            List<ReportedRun> reported, Map<Long, Belief> belief, Map<Long, Integer> runningHere) {
        List<Action> actions = new ArrayList<>();
        Set<Long> stillEnding = new LinkedHashSet<>();
        Set<ReportedRun> agentKnows = new HashSet<>();
        for (ReportedRun r : reported) {
            agentKnows.add(new ReportedRun(r.jobId(), r.run(), false));
            if (r.ended()) {
                actions.add(new ProcessEnd(r.jobId(), r.run()));
                continue;
            }
            Belief b = belief.get(r.jobId());
            if (b == null || !b.runningHere() || r.run() != b.currentRun()) {
                actions.add(new KillStray(r.jobId(), r.run()));
                if (b != null && r.run() != b.currentRun()) stillEnding.add(r.jobId());
            } else if (b.cancelling()) {
                actions.add(new KillCancelled(r.jobId(), r.run()));
            }
        }
        runningHere.forEach((id, run) -> {
            if (!agentKnows.contains(new ReportedRun(id, run, false))) actions.add(new Relaunch(id));
        });
        return new Result(List.copyOf(actions), Set.copyOf(stillEnding));
    }
}
