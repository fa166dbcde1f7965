package io.motley.protocol;

import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts the core's records to frames and back; the one place that knows the field names. */
public final class Codec {
    private Codec() {}

    public static Frame request(JobRequest r, boolean withPayload) {
        Frame f = new Frame()
                .put("name", r.name())
                .put("partitions", String.join(",", r.partitions()))
                .put("ntasks", r.ntasks())
                .put("cpusPerTask", r.cpusPerTask())
                .put("cpusPerTaskGiven", r.cpusPerTaskGiven())
                .put("nodes", r.nodes())
                .put("memPerNode", r.resources().memory() instanceof MemoryRequest.PerNode n ? n.mib() : NOT_GIVEN)
                .put("memPerCpu", r.resources().memory() instanceof MemoryRequest.PerCpu c ? c.mib() : NOT_GIVEN)
                .put("timeLimit", limitOnWire(r.timing().limit()))
                .put("stdout", r.stdoutPattern())
                .put("stderr", r.stderrPattern())
                .put("workDir", r.workDir())
                .put("submitDir", r.submitDir())
                .put("hold", r.hold())
                .put("comment", r.comment())
                .put("account", r.account())
                .put("submitHost", r.submitHost())
                .put("submitNode", r.submitNode())
                .put("gpus", r.gpusPerNode())
                .put("gpuType", r.gpuType())
                .put("dependency", r.dependency())
                .put("killOnInvalidDep", r.killOnInvalidDependency())
                .put("begin", r.beginTime())
                .put("constraint", r.constraint())
                .put("nodeList", r.nodeList())
                .put("exclude", r.excludeList())
                .put("exclusive", r.exclusive())
                .put("array", r.array())
                .put("nice", r.nice())
                .put("qos", r.qos())
                .put("deadline", r.deadline())
                .put("requeue", r.requeue());
        JobRequest.Resources res = r.resources();
        // only when they say something: a single-node request's frame reads as it always did
        if (res.maxNodes() != res.nodes()) f.put("maxNodes", res.maxNodes());
        if (res.ntasksPerNode() > 0) f.put("ntasksPerNode", res.ntasksPerNode());
        if (!res.ntasksGiven()) f.put("ntasksGiven", false);
        if (res.spreadJob()) f.put("spreadJob", true);
        if (withPayload) {
            f.put("script", r.script());
            Frame env = new Frame();
            r.environment().forEach(env::put);
            f.add(env);
            Frame argv = new Frame();
            for (int i = 0; i < r.arguments().size(); i++)
                argv.put(Integer.toString(i), r.arguments().get(i));
            f.add(argv);
        }
        if (!r.payload().options().isEmpty()) {
            // found by name, not place, so that older records without it read the same; sent without the
            // payload too (small, and sacct, squeue and scontrol show some: WCKey, MailType)
            Frame opts = Frame.op("options");
            r.payload().options().forEach(opts::put);
            f.add(opts);
        }
        return f;
    }

    public static JobRequest request(Frame f) {
        String parts = f.str("partitions", "");
        Map<String, String> env = new LinkedHashMap<>();
        List<String> argv = new java.util.ArrayList<>();
        // the environment and the arguments are the first two children that are not the options
        List<Frame> payload = new java.util.ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (Frame child : f.children()) {
            if ("options".equals(child.op())) {
                child.fields().forEach((k, v) -> {
                    if (!k.equals("op")) options.put(k, v);
                });
            } else {
                payload.add(child);
            }
        }
        if (!payload.isEmpty()) env.putAll(payload.get(0).fields());
        if (payload.size() > 1) argv.addAll(payload.get(1).fields().values());
        String workDir = f.str("workDir", "/");
        return new JobRequest(
                f.str("name", "wrap"),
                new JobRequest.Resources(
                        f.integer("ntasks", 1),
                        f.integer("cpusPerTask", 1),
                        f.bool("cpusPerTaskGiven"),
                        f.integer("nodes", 1),
                        memoryFromWire(f.lng("memPerNode", NOT_GIVEN), f.lng("memPerCpu", NOT_GIVEN)),
                        f.integer("gpus", 0),
                        f.str("gpuType"),
                        f.integer("maxNodes", f.integer("nodes", 1)),
                        f.integer("ntasksPerNode", 0),
                        !f.has("ntasksGiven") || f.bool("ntasksGiven"),
                        f.bool("spreadJob")),
                new JobRequest.Placement(
                        parts.isEmpty() ? List.of() : Arrays.asList(parts.split(",")),
                        f.str("constraint"),
                        f.str("nodeList"),
                        f.str("exclude"),
                        f.bool("exclusive")),
                new JobRequest.Timing(
                        limitFromWire(f.lng("timeLimit", NOT_GIVEN)), f.lng("begin", 0), f.lng("deadline", 0)),
                new JobRequest.Output(f.str("stdout"), f.str("stderr"), f.str("submitNode")),
                new JobRequest.Payload(
                        workDir, f.str("submitDir"), env, f.str("script", ""), argv, f.str("submitHost"), options),
                new JobRequest.Conditions(
                        f.bool("hold"), f.str("dependency"), f.bool("killOnInvalidDep"), f.str("array")),
                new JobRequest.Terms(
                        f.str("account"),
                        f.str("qos"),
                        f.str("comment"),
                        f.integer("nice", 0),
                        !f.fields().containsKey("requeue") || f.bool("requeue")));
    }

    /** The wire's number for a value not given (memory, time limit), as every release has sent it. */
    static final long NOT_GIVEN = -2;

    /** The wire's number for no time limit. */
    private static final long UNLIMITED = -1;

    /** A time limit as the wire carries it: seconds, {@link #UNLIMITED} or {@link #NOT_GIVEN}. */
    static long limitOnWire(TimeLimit limit) {
        if (!limit.given()) return NOT_GIVEN;
        return limit.secondsOr(UNLIMITED);
    }

    /** The wire's time limit read back; any other negative number is unlimited, as it always was. */
    static TimeLimit limitFromWire(long wire) {
        if (wire == NOT_GIVEN) return TimeLimit.UNSET;
        if (wire < 0) return TimeLimit.UNLIMITED;
        return new TimeLimit.Seconds(wire);
    }

    /** --mem and --mem-per-cpu as the wire carries them ({@link #NOT_GIVEN} each); --mem wins, as when scheduling. */
    private static MemoryRequest memoryFromWire(long perNode, long perCpu) {
        if (perNode != NOT_GIVEN) return new MemoryRequest.PerNode(perNode);
        if (perCpu != NOT_GIVEN) return new MemoryRequest.PerCpu(perCpu);
        return MemoryRequest.UNSET;
    }

    public static Frame job(Job j, boolean withPayload) {
        Integer cancelledBy = j.outcome().cancelledBy();
        Frame f = Frame.op("job")
                .put("id", j.id())
                .put("user", j.user())
                .put("uid", j.uid())
                .put("gid", j.gid())
                .put("state", j.state().name())
                .put("reason", j.reason().name())
                .put("priority", j.priority())
                .put("submit", j.submitTime())
                .put("start", j.startTime())
                .put("end", j.endTime())
                .put("partition", j.partition())
                .put("node", j.node())
                .put("allocCpus", j.allocCpus())
                .put("allocMem", j.allocMemMiB())
                .put("limit", limitOnWire(j.timeLimit()))
                .put("exitCode", j.exit().code())
                .put("exitSignal", j.exit().signal())
                .put("cancelledBy", cancelledBy == null ? -1 : cancelledBy)
                .put(
                        "gpuIds",
                        String.join(
                                ",", j.gpuList().stream().map(String::valueOf).toList()))
                .put("maxRss", j.usage().maxRssKiB())
                .put("maxVm", j.usage().maxVmKiB())
                .put("userCpu", j.usage().userCpuMs())
                .put("sysCpu", j.usage().systemCpuMs())
                .put("restarts", j.restarts())
                .put("stateDesc", j.stateDesc());
        // a job never suspended (nearly all) carries neither
        if (j.times().suspendTime() != 0) f.put("suspendTime", j.times().suspendTime());
        if (j.times().suspendedSecs() != 0) f.put("suspendedSecs", j.times().suspendedSecs());
        if (j.allocation().parts().size() > 1)
            f.put("parts", partsOnWire(j.allocation().parts()));
        if (j.array() != null) {
            f.put("arrayJobId", j.array().arrayJobId())
                    .put("arrayTaskId", j.array().taskId())
                    .put("arrayPending", j.array().pending());
        }
        f.add(request(j.request(), withPayload));
        return f;
    }

    public static Job job(Frame f) {
        int cancelledBy = f.integer("cancelledBy", -1);
        String gpuIds = f.str("gpuIds", "");
        return new Job(
                f.lng("id", 0),
                request(f.children().get(0)),
                new Job.Owner(f.str("user", "?"), f.integer("uid", -1), f.integer("gid", -1)),
                JobState.valueOf(f.str("state")),
                PendingReason.valueOf(f.str("reason", "None")),
                f.lng("priority", 0),
                new Job.Times(
                        f.lng("submit", 0),
                        f.lng("start", 0),
                        f.lng("end", 0),
                        f.lng("suspendTime", 0),
                        f.lng("suspendedSecs", 0)),
                f.has("parts")
                        ? new Job.Allocation(
                                f.str("partition"),
                                partsFromWire(f.str("parts", "")),
                                limitFromWire(f.lng("limit", UNLIMITED)))
                        : new Job.Allocation(
                                f.str("partition"),
                                f.str("node"),
                                f.integer("allocCpus", 0),
                                f.lng("allocMem", 0),
                                gpuIds.isEmpty()
                                        ? List.of()
                                        : Arrays.stream(gpuIds.split(","))
                                                .map(Integer::parseInt)
                                                .toList(),
                                limitFromWire(f.lng("limit", UNLIMITED))),
                // absent when the job has no state description (and in records written before there was one)
                new Job.Outcome(
                        new ExitStatus(f.integer("exitCode", 0), f.integer("exitSignal", 0)),
                        cancelledBy < 0 ? null : cancelledBy,
                        f.str("stateDesc")),
                usage(f),
                f.has("arrayJobId")
                        ? new ArrayPart(f.lng("arrayJobId", 0), f.integer("arrayTaskId", -1), f.str("arrayPending", ""))
                        : null,
                // absent in records written before requeue existed: never requeued
                f.integer("restarts", 0));
    }

    /**
     * A multi-node job's parts as one field: {@code node:cpus:memMiB:gpu+gpu} per node, {@code ;}
     * between nodes, the batch host first. A single-node job sends none, and its node, allocCpus,
     * allocMem and gpuIds fields say it all; for a multi-node job those hold the batch host, the
     * totals and the batch host's GPUs, so older readers still see a sensible job.
     */
    public static String partsOnWire(List<Job.Allocation.Part> parts) {
        StringBuilder out = new StringBuilder();
        for (Job.Allocation.Part p : parts) {
            if (!out.isEmpty()) out.append(';');
            out.append(p.node())
                    .append(':')
                    .append(p.cpus())
                    .append(':')
                    .append(p.memMiB())
                    .append(':')
                    .append(String.join(
                            "+", p.gpuIds().stream().map(String::valueOf).toList()));
        }
        return out.toString();
    }

    /** {@link #partsOnWire} read back. */
    public static List<Job.Allocation.Part> partsFromWire(String text) {
        List<Job.Allocation.Part> parts = new java.util.ArrayList<>();
        if (text == null || text.isEmpty()) return parts;
        for (String one : text.split(";")) {
            String[] f = one.split(":", -1);
            if (f.length != 4) throw new IllegalArgumentException("invalid node part '" + one + "'");
            parts.add(new Job.Allocation.Part(
                    f[0],
                    Integer.parseInt(f[1]),
                    Long.parseLong(f[2]),
                    f[3].isEmpty()
                            ? List.of()
                            : Arrays.stream(f[3].split("\\+"))
                                    .map(Integer::parseInt)
                                    .toList()));
        }
        return parts;
    }

    /** Usage fields, as in a job frame or an agent's job-end report. */
    public static Usage usage(Frame f) {
        return new Usage(f.lng("maxRss", 0), f.lng("maxVm", 0), f.lng("userCpu", 0), f.lng("sysCpu", 0));
    }

    public static Frame putUsage(Frame f, Usage u) {
        return f.put("maxRss", u.maxRssKiB())
                .put("maxVm", u.maxVmKiB())
                .put("userCpu", u.userCpuMs())
                .put("sysCpu", u.systemCpuMs());
    }

    public static Frame node(Node n) {
        return Frame.op("node")
                .put("name", n.name())
                .put("address", n.address())
                .put("cpus", n.cpus())
                .put("mem", n.memMiB())
                .put("sockets", n.sockets())
                .put("coresPerSocket", n.coresPerSocket())
                .put("threadsPerCore", n.threadsPerCore())
                .put("arch", n.arch())
                .put("os", n.os())
                .put("state", n.state().name())
                .put("reason", n.reason())
                .put("reasonTime", n.reasonTime())
                .put("allocCpus", n.allocCpus())
                .put("allocMem", n.allocMemMiB())
                .put("freeMem", n.freeMemMiB())
                .put("load", n.cpuLoad())
                .put("boot", n.bootTime())
                .put("agentStart", n.agentStartTime())
                .put("version", n.version())
                .put("features", String.join(",", n.features()))
                .put("gpus", Gpu.format(n.gpus()))
                .put("containment", n.containment())
                .put("jobUser", n.jobUser())
                .put("gpuUsage", n.gpuUsage())
                .put("notResponding", n.notResponding())
                .put("weight", n.weight());
    }

    public static Node node(Frame f) {
        return new Node(
                f.str("name"),
                f.str("address", ""),
                f.integer("cpus", 1),
                f.lng("mem", 1),
                f.integer("sockets", 1),
                f.integer("coresPerSocket", 1),
                f.integer("threadsPerCore", 1),
                f.str("arch", ""),
                f.str("os", ""),
                NodeState.valueOf(f.str("state", "UP")),
                f.str("reason"),
                f.lng("reasonTime", 0),
                f.integer("allocCpus", 0),
                f.lng("allocMem", 0),
                f.lng("freeMem", 0),
                f.dbl("load", 0),
                f.lng("boot", 0),
                f.lng("agentStart", 0),
                f.str("version", ""),
                f.str("features", "").isEmpty()
                        ? List.of()
                        : Arrays.asList(f.str("features").split(",")),
                Gpu.parse(f.str("gpus", "")),
                f.str("containment", ""),
                f.str("jobUser", ""),
                f.str("gpuUsage", ""),
                f.bool("notResponding"),
                f.integer("weight", 1));
    }

    public static Frame partition(Partition p) {
        return Frame.op("partition")
                .put("name", p.name())
                .put("default", p.isDefault())
                .put("nodes", p.nodes() == null ? null : String.join(",", p.nodes()))
                .put("maxTime", p.maxTimeSeconds())
                .put("defaultTime", p.defaultTimeSeconds())
                .put("state", p.state().name())
                .put("tier", p.priorityTier())
                .put("maxNodes", p.maxNodes())
                .put("allowAccounts", p.allowAccounts() == null ? null : String.join(",", p.allowAccounts()))
                .put("allowGroups", p.allowGroups() == null ? null : String.join(",", p.allowGroups()));
    }

    public static Partition partition(Frame f) {
        String nodes = f.str("nodes");
        return new Partition(
                f.str("name"),
                f.bool("default"),
                nodes == null ? null : nodes.isEmpty() ? List.of() : Arrays.asList(nodes.split(",")),
                f.lng("maxTime", -1),
                f.lng("defaultTime", -1),
                PartitionState.valueOf(f.str("state", "UP")),
                f.integer("tier", 1),
                f.integer("maxNodes", -1),
                f.has("allowAccounts") ? Arrays.asList(f.str("allowAccounts").split(",")) : null,
                f.has("allowGroups") ? Arrays.asList(f.str("allowGroups").split(",")) : null);
    }

    /** The weights sprio shows, on the answer's own frame. */
    public static Frame putWeights(Frame f, io.motley.core.priority.PriorityConfig p) {
        return f.put("type", p.typeName())
                .put("wAge", p.weightAge())
                .put("wFairshare", p.weightFairshare())
                .put("wJobSize", p.weightJobSize())
                .put("wPartition", p.weightPartition())
                .put("wQos", p.weightQos());
    }

    /** The weights again, as a config holding only them (what the commands need to weigh factors). */
    public static io.motley.core.priority.PriorityConfig weights(Frame f) {
        return new io.motley.core.priority.PriorityConfig(
                !"priority/basic".equals(f.str("type")),
                f.lng("wAge", 0),
                f.lng("wFairshare", 0),
                f.lng("wJobSize", 0),
                f.lng("wPartition", 0),
                f.lng("wQos", 0),
                0,
                0,
                false,
                Map.of(),
                1.0,
                0.0);
    }

    public static Frame factors(io.motley.core.priority.Factors x) {
        return Frame.op("factors")
                .put("id", x.jobId())
                .put("user", x.user())
                .put("partition", x.partition())
                .put("age", x.age())
                .put("fairshare", x.fairShare())
                .put("jobsize", x.jobSize())
                .put("part", x.partitionFactor())
                .put("qos", x.qos())
                .put("nice", x.nice());
    }

    public static io.motley.core.priority.Factors factors(Frame f, io.motley.core.priority.PriorityConfig weights) {
        return new io.motley.core.priority.Factors(
                f.lng("id", 0),
                f.str("user", "?"),
                f.str("partition", ""),
                f.dbl("age", 0),
                f.dbl("fairshare", 0),
                f.dbl("jobsize", 0),
                f.dbl("part", 0),
                f.dbl("qos", 0),
                f.lng("nice", 0),
                weights);
    }

    public static Frame shareRow(io.motley.core.priority.ShareTree.Row r) {
        return Frame.op("share")
                .put("account", r.account())
                .put("user", r.user())
                .put("depth", r.depth())
                .put("rawShares", r.rawShares())
                .put("normShares", r.normShares())
                .put("rawUsage", r.rawUsage())
                .put("normUsage", r.normUsage())
                .put("effectiveUsage", r.effectiveUsage())
                .put("fairShare", r.fairShare());
    }

    public static io.motley.core.priority.ShareTree.Row shareRow(Frame f) {
        return new io.motley.core.priority.ShareTree.Row(
                f.str("account", ""),
                f.str("user"),
                (int) f.lng("depth", 0),
                f.lng("rawShares", -1),
                f.dbl("normShares", 0),
                f.dbl("rawUsage", 0),
                f.dbl("normUsage", 0),
                f.dbl("effectiveUsage", 0),
                f.dbl("fairShare", 0));
    }
}
