package io.motley.controller.cluster;

import io.motley.core.job.Job;
import io.motley.core.job.KillReason;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A multi-node job's other nodes: their agents hold the job's part there (its box, CPUs and
 * memory) from its start to its end, so that its steps can run tasks there. The order is the
 * batch host's own launch order; an agent that is not the job's batch host runs only a
 * placeholder in the job's box (Slurm's extern step). The caller holds the tables' lock.
 */
final class AllocationHolds {
    private static final Logger log = LoggerFactory.getLogger(AllocationHolds.class);

    private AllocationHolds() {}

    /** The nodes of the job other than its batch host. */
    static List<String> others(Job j) {
        List<String> all = j.nodes();
        return all.size() < 2 ? List.of() : all.subList(1, all.size());
    }

    /** The job started: each other node's agent is told to hold its part. */
    static void hold(ClusterState state, Job j) {
        for (String n : others(j)) {
            AgentChannel link = state.links.get(n);
            // an agent not connected now is sent the order when it registers (Reconciliation's Relaunch)
            if (link != null) link.launch(j);
        }
        if (!others(j).isEmpty()) log.info("job resources held job={} nodes={}", j.id(), others(j));
    }

    /** The job's run is ending ({@code j} as it was while it ran): the other nodes let its part go. */
    static void release(ClusterState state, Job j, KillReason why) {
        release(state, j, why, null);
    }

    /** As {@link #release(ClusterState, Job, KillReason)}, leaving out {@code except} (a node that failed). */
    static void release(ClusterState state, Job j, KillReason why, String except) {
        for (String n : others(j)) {
            if (n.equals(except)) continue;
            AgentChannel link = state.links.get(n);
            if (link != null) link.kill(j.id(), j.restarts(), why);
        }
    }
}
