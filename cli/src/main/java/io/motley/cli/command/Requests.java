package io.motley.cli.command;

import io.motley.cli.client.AgentClient.ClusterUnreachable;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.Partition;
import io.motley.core.job.Job;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
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
        return decode(io.gateway().call(Frame.op(Ops.JOBS)), expected);
    }

    /** One job (in memory or from the store), and its expected start when it holds a reservation. */
    public static List<Job> job(Io io, long id, Map<Long, ExpectedStart> expected) throws ClusterUnreachable {
        return decode(io.gateway().call(Frame.op(Ops.JOBS).put("id", id)), expected);
    }

    private static List<Job> decode(Frame answer, Map<Long, ExpectedStart> expected) {
        List<Job> out = new ArrayList<>();
        for (Frame f : answer.children()) {
            Job j = Codec.job(f);
            out.add(j);
            if (f.has("expectedStart"))
                expected.put(j.id(), new ExpectedStart(f.lng("expectedStart", 0), f.str("schedNodes")));
        }
        return out;
    }

    public static List<Job> job(Io io, long id) throws ClusterUnreachable {
        return job(io, id, new HashMap<>());
    }

    public static List<Node> nodes(Io io) throws ClusterUnreachable {
        List<Node> out = new ArrayList<>();
        for (Frame f : io.gateway().call(Frame.op(Ops.NODES)).children()) out.add(Codec.node(f));
        return out;
    }

    /** Partitions, and the cluster's name in {@link PartitionList#cluster()}. */
    public record PartitionList(String cluster, List<Partition> partitions) {}

    public static PartitionList partitions(Io io) throws ClusterUnreachable {
        Frame resp = io.gateway().call(Frame.op(Ops.PARTITIONS));
        List<Partition> out = new ArrayList<>();
        for (Frame f : resp.children()) out.add(Codec.partition(f));
        return new PartitionList(resp.str("cluster", "motley"), out);
    }
}
