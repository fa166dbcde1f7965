package io.motley.cli.command;

import io.motley.cli.client.AgentClient.ClusterUnreachable;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.Partition;
import io.motley.core.job.Job;
import io.motley.core.step.Step;
import io.motley.protocol.Message;
import io.motley.protocol.Message.JobList;
import io.motley.protocol.Message.Jobs;
import io.motley.protocol.Message.Listed;
import io.motley.protocol.Message.Nodes;
import io.motley.protocol.Message.Partitions;
import io.motley.protocol.StepMessages;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The few reads every command needs, decoded into the core's records. */
public final class Requests {
    private Requests() {}

    public static List<Job> jobs(Io io) throws ClusterUnreachable {
        return jobs(io, new HashMap<>());
    }

    /** Where and when the scheduler expects a pending job to start (it holds a reservation). */
    public record ExpectedStart(long start, String node) {}

    /** The jobs, and into {@code expected} the expected starts of those holding a reservation. */
    public static List<Job> jobs(Io io, Map<Long, ExpectedStart> expected) throws ClusterUnreachable {
        return listed(io.gateway().ask(Jobs.all()), expected);
    }

    /** One job (in memory or from the store), and its expected start when it holds a reservation. */
    public static List<Job> job(Io io, long id, Map<Long, ExpectedStart> expected) throws ClusterUnreachable {
        return listed(io.gateway().ask(Jobs.one(id)), expected);
    }

    private static List<Job> listed(JobList answer, Map<Long, ExpectedStart> expected) {
        List<Job> out = new ArrayList<>();
        for (Listed l : answer.jobs()) {
            out.add(l.job());
            if (l.expected() != null)
                expected.put(
                        l.job().id(),
                        new ExpectedStart(l.expected().start(), l.expected().nodes()));
        }
        return out;
    }

    public static List<Job> job(Io io, long id) throws ClusterUnreachable {
        return job(io, id, new HashMap<>());
    }

    public static List<Node> nodes(Io io) throws ClusterUnreachable {
        return io.gateway().ask(new Nodes()).nodes();
    }

    /** Partitions, and the cluster's name in {@link PartitionList#cluster()}. */
    public record PartitionList(String cluster, List<Partition> partitions) {}

    public static PartitionList partitions(Io io) throws ClusterUnreachable {
        Message.PartitionList answer = io.gateway().ask(new Partitions());
        return new PartitionList(answer.cluster(), answer.partitions());
    }

    /**
     * The steps of jobs {@code ids}, by job: srun's, which give a job its DerivedExitCode. None where the
     * steps cannot be listed (an older controller), as a job without steps.
     */
    static Map<Long, List<Step>> steps(Io io, List<Long> ids) throws Exception {
        if (ids.isEmpty()) return Map.of();
        Map<Long, List<Step>> out = new HashMap<>();
        try {
            for (Step s : io.gateway().ask(new StepMessages.ListSteps(ids)).steps())
                out.computeIfAbsent(s.jobId(), k -> new ArrayList<>()).add(s);
        } catch (io.motley.cli.client.AgentClient.RequestFailed e) {
            return Map.of();
        }
        return out;
    }
}
