package io.motley.controller.cluster;

import io.motley.controller.store.Store;
import io.motley.core.cluster.Node;
import io.motley.core.job.Job;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The controller's tables (jobs in view, nodes, agent links) and the two ways a change enters
 * them. The object is also the one lock over them: every part of the controller that reads or
 * changes the tables holds it.
 *
 * <ul>
 *   <li>{@link #save}: a change someone may have been told of, or that must survive a restart (a
 *       job accepted, started, ended, cancelled, held, updated; a node's state) is written to the
 *       store first and enters memory only once it is committed.
 *   <li>{@link #note}: a change the controller derives again at any time (a pending job's reason,
 *       its priority, a node's load) is kept in memory only; a restarted controller computes it
 *       anew, so writing it would only cost a sync.
 * </ul>
 */
final class ClusterState {
    final Store store;
    /** Jobs in view: every active one and those that ended within MinJobAge, by id. */
    final Map<Long, Job> jobs = new TreeMap<>();
    /** Every node that ever registered, by name. */
    final Map<String, Node> nodes = new TreeMap<>();
    /** The connected agents, by node name: only their nodes can be given work. */
    final Map<String, AgentChannel> links = new HashMap<>();
    /** Running jobs someone asked to cancel, with the uid that asked, until the agent reports the end. */
    final Map<Long, Integer> cancelling = new HashMap<>();
    /**
     * Of those, the jobs whose holder ended them (srun outside an allocation, done with its step) while the store
     * could not record that end at once, with the exit code their end records instead of CANCELLED.
     */
    final Map<Long, Integer> completing = new HashMap<>();
    /**
     * Jobs their holder ended ({@code complete}: srun outside an allocation done with its step, salloc's command
     * done), recorded COMPLETED or FAILED at once as slurmctld records them, whose run has not reported its end yet;
     * as they ran, by id. Their nodes' CPUs, memory and GPUs stay theirs in the scheduler's view until it has (Slurm's
     * COMPLETING). Kept in memory only: a controller restart, the node's failure or its agent's registration without
     * the run lets them go.
     */
    final Map<Long, Job> releasing = new HashMap<>();
    /**
     * Requeued jobs whose killed run has not reported its end yet, with the node it ran on: such a
     * job waits (BeginTime) so that it is not counted free of the CPUs the dying run still holds.
     * Kept in memory only; after a controller restart the agent's registration settles it.
     */
    final Map<Long, String> endingRuns = new HashMap<>();

    /**
     * Partition states set by scontrol update PartitionName=... State=..., over the config's; kept
     * in memory only, so a controller restart returns to the config's states.
     */
    final Map<String, io.motley.core.cluster.PartitionState> partitionStates = new HashMap<>();

    /**
     * Node weights set by scontrol update NodeName=... Weight=..., over the config's; kept in memory
     * only, as Slurm keeps them, so a controller restart returns to the config's weights.
     */
    final Map<String, Integer> nodeWeights = new HashMap<>();

    /** sdiag's counters; fed by {@link #save(Job)} and {@link #saveAll}, and by the scheduling passes. */
    final Statistics statistics;

    ClusterState(Store store, long since) {
        this.store = store;
        this.statistics = new Statistics(since);
    }

    /**
     * Partition time limits set by scontrol update PartitionName=... MaxTime=... DefaultTime=...
     * ({max, default} in seconds), over the config's; in memory only, as the states are.
     */
    final Map<String, long[]> partitionTimes = new HashMap<>();

    /** The config's partitions, each in its current state and with its current time limits. */
    java.util.List<io.motley.core.cluster.Partition> partitions(io.motley.core.config.ClusterConfig config) {
        if (partitionStates.isEmpty() && partitionTimes.isEmpty()) return config.partitions();
        return config.partitions().stream()
                .map(p -> partitionStates.containsKey(p.name()) ? p.withState(partitionStates.get(p.name())) : p)
                .map(p -> partitionTimes.containsKey(p.name())
                        ? p.withTimes(
                                partitionTimes.get(p.name())[0], partitionTimes.get(p.name())[1])
                        : p)
                .toList();
    }

    /** Writes the job through to the store, then to memory. */
    void save(Job j) {
        store.saveJob(j);
        statistics.saved(jobs.put(j.id(), j), j);
    }

    /** Writes the jobs through to the store in one transaction, then to memory. */
    void saveAll(List<Job> changed) {
        if (changed.isEmpty()) return;
        store.saveJobs(changed);
        changed.forEach(j -> statistics.saved(jobs.put(j.id(), j), j));
    }

    /** Keeps a derived change (reason, priority) in memory only. */
    void note(Job j) {
        jobs.put(j.id(), j);
    }

    /** Writes the node through to the store, then to memory. */
    void save(Node n) {
        store.saveNode(n);
        nodes.put(n.name(), n);
    }

    /** Keeps a node's derived figures (load, free memory, GPU use) in memory only. */
    void note(Node n) {
        nodes.put(n.name(), n);
    }
}
