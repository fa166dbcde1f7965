package io.motley.cli.command;

import io.motley.cli.Main;
import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounting.JobRun;
import io.motley.core.accounting.JobStep;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.time.Durations;
import io.motley.protocol.AccountingFrames;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Message;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import io.motley.protocol.QueueSelection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Jobs, nodes and partitions like those of the reference capture, and a fake cluster that answers with them. */
final class Fixtures {
    private Fixtures() {}

    static final ZoneId ZONE = ZoneId.of("UTC");

    /**
     * Runs the commands as the agent runs them for the native client (HostedCommands, through a
     * stand-in for the client) instead of directly: the cli's tests run once each way (cli/pom.xml).
     */
    static final boolean HOSTED = Boolean.getBoolean("motley.cli.hosted");

    /** Epoch seconds of a wall-clock time in the fixtures' zone. */
    static long at(String isoLocal) {
        return LocalDateTime.parse(isoLocal).atZone(ZONE).toEpochSecond();
    }

    // ---- jobs ----------------------------------------------------------------------------------

    static JobBuilder job(long id, String name) {
        return new JobBuilder(id, name);
    }

    /** Builds a Job with the capture's defaults: root, partition debug, one CPU, work dir /srv/anchor/fmt. */
    static final class JobBuilder {
        private final long id;
        private final String name;
        private String user = "root";
        private int uid = 0;
        private int gid = 0;
        private JobState state = JobState.PENDING;
        private PendingReason reason = PendingReason.None;
        private long priority;
        private long submit;
        private long start;
        private long end;
        private String partition = "debug";
        private String node;
        private int allocCpus;
        private long allocMem;
        private TimeLimit limit = TimeLimit.UNLIMITED;
        private ExitStatus exit = ExitStatus.NONE;
        private Integer cancelledBy;
        private int ntasks = 1;
        private int cpusPerTask = 1;
        private int nodes = 1;
        private MemoryRequest memory = MemoryRequest.UNSET;
        private boolean hold;
        private String comment;
        private String account;
        private String workDir = "/srv/anchor/fmt";
        private String stdout;
        private String desc;

        JobBuilder(long id, String name) {
            this.id = id;
            this.name = name;
            this.priority = 4294901376L - id;
        }

        JobBuilder user(String u, int id) {
            this.user = u;
            this.uid = id;
            this.gid = id;
            return this;
        }

        JobBuilder submitted(long t) {
            this.submit = t;
            return this;
        }

        JobBuilder pending(PendingReason why) {
            this.state = JobState.PENDING;
            this.reason = why;
            return this;
        }

        JobBuilder held() {
            this.hold = true;
            this.reason = PendingReason.JobHeldUser;
            return this;
        }

        JobBuilder priority(long p) {
            this.priority = p;
            return this;
        }

        JobBuilder partition(String p) {
            this.partition = p;
            return this;
        }

        JobBuilder account(String a) {
            this.account = a;
            return this;
        }

        JobBuilder comment(String c) {
            this.comment = c;
            return this;
        }

        JobBuilder stdout(String pattern) {
            this.stdout = pattern;
            return this;
        }

        JobBuilder limit(long seconds) {
            this.limit = TimeLimit.of(seconds);
            return this;
        }

        JobBuilder cpus(int tasks, int perTask) {
            this.ntasks = tasks;
            this.cpusPerTask = perTask;
            return this;
        }

        JobBuilder nodes(int n) {
            this.nodes = n;
            return this;
        }

        JobBuilder memPerNode(long mib) {
            this.memory = new MemoryRequest.PerNode(mib);
            return this;
        }

        JobBuilder memPerCpu(long mib) {
            this.memory = new MemoryRequest.PerCpu(mib);
            return this;
        }

        /** Running on a node since {@code t}, holding the CPUs it asked for and {@code mem} MiB. */
        JobBuilder running(String onNode, long t, long mem) {
            this.state = JobState.RUNNING;
            this.reason = PendingReason.None;
            this.node = onNode;
            this.start = t;
            this.allocCpus = ntasks * cpusPerTask;
            this.allocMem = mem;
            return this;
        }

        /** Holding {@code cpus} CPUs, more than it asked for (--exclusive); after {@link #running}. */
        JobBuilder holding(int cpus) {
            this.allocCpus = cpus;
            return this;
        }

        JobBuilder ended(JobState s, ExitStatus how, long t) {
            this.state = s;
            this.exit = how;
            this.end = t;
            if (s == JobState.TIMEOUT) this.reason = PendingReason.TimeLimit;
            else if (start > 0) this.reason = PendingReason.None;
            return this;
        }

        JobBuilder cancelledBy(int byUid) {
            this.cancelledBy = byUid;
            return this;
        }

        JobBuilder desc(String d) {
            this.desc = d;
            return this;
        }

        Job build() {
            JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", workDir)
                    .name(name)
                    .partitions(partition)
                    .ntasks(ntasks)
                    .cpusPerTask(cpusPerTask, cpusPerTask > 1)
                    .nodes(nodes)
                    .memory(memory)
                    .timeLimit(limit)
                    .output(stdout, null)
                    .hold(hold)
                    .comment(comment)
                    .account(account)
                    .submitHost("vm")
                    .build();
            return Job.builder(id, r)
                    .owner(user, uid, gid)
                    .state(state)
                    .reason(reason)
                    .priority(hold ? 0 : priority)
                    .times(new Job.Times(submit, start, end))
                    .allocation(new Job.Allocation(partition, node, allocCpus, allocMem, List.of(), limit))
                    .outcome(new Job.Outcome(exit, cancelledBy, null))
                    .build()
                    .withStateDesc(desc);
        }
    }

    // ---- nodes and partitions -------------------------------------------------------------------

    /** The capture's node "vm": 2 CPUs (1 socket, 2 cores), 24105 MiB. */
    static Node vm() {
        return node("vm", 2, 24105).withLoad(1.08, 23776, null);
    }

    static Node node(String name, int cpus, long mem) {
        return new Node(
                name,
                name,
                cpus,
                mem,
                1,
                cpus,
                1,
                "x86_64",
                "Linux 6.18.44-fc-v769 #1 SMP PREEMPT_DYNAMIC @0",
                NodeState.UP,
                null,
                0,
                0,
                0,
                mem,
                0.0,
                at("2026-11-22T11:33:17"),
                at("2026-11-22T11:57:10"),
                "22.05.8",
                java.util.List.of(),
                java.util.List.of(),
                "",
                "",
                "",
                false);
    }

    static Partition debug() {
        return Partition.allNodes("debug", true);
    }

    static Partition partition(String name, boolean isDefault, List<String> nodes, long maxTime, PartitionState s) {
        return new Partition(name, isDefault, nodes, maxTime, Durations.UNLIMITED, s);
    }

    // ---- a cluster that answers requests --------------------------------------------------------

    /** Canned answers built with Codec, and a record of what was asked. */
    static final class FakeCluster {
        final List<Job> jobs = new ArrayList<>();
        final List<Node> nodes = new ArrayList<>();
        final List<Partition> partitions = new ArrayList<>();
        final List<Frame> requests = new ArrayList<>();
        /** Earlier runs of requeued jobs, by job id, as the store keeps them. */
        final Map<Long, List<JobRun>> runs = new java.util.HashMap<>();

        String cluster = "anchor";
        /** Answer to HOLD and RELEASE; by default every job succeeds. */
        Function<Frame, Frame> holdAnswer = req -> {
            Frame out = Frame.op(Ops.OK);
            for (String id : req.str("ids").split(",")) out.add(new Frame().put("id", id));
            return out;
        };

        /** Answers to other requests by op (sprio's and sshare's). */
        final Map<String, Frame> canned = new java.util.HashMap<>();

        /** Answers to other requests by op, made from the request (sstat's, by job). */
        final Map<String, Function<Frame, Frame>> answers = new java.util.HashMap<>();

        /** Answer to SUBMIT; by default the job gets id 77. */
        Function<Frame, Frame> submitAnswer = req -> Frame.op(Ops.OK).put("id", 77);

        /** Expected starts the controller would report for pending jobs: id to {start, node}. */
        final Map<Long, Object[]> expected = new java.util.HashMap<>();

        /** Not null: squeue's request is refused with this message. */
        String queueRefused;

        /** A controller older than squeue's own request: it answers it as unknown, as Requests did. */
        FakeCluster older() {
            queueRefused = "unknown request 'queue'";
            return this;
        }

        FakeCluster expect(long id, long start, String node) {
            expected.put(id, new Object[] {start, node});
            return this;
        }

        FakeCluster jobs(Job... js) {
            jobs.addAll(Arrays.asList(js));
            return this;
        }

        FakeCluster nodes(Node... ns) {
            nodes.addAll(Arrays.asList(ns));
            return this;
        }

        FakeCluster partitions(Partition... ps) {
            partitions.addAll(Arrays.asList(ps));
            return this;
        }

        Frame call(Frame req) {
            requests.add(req);
            Frame out = Frame.op(Ops.OK);
            switch (req.op()) {
                case Ops.JOBS -> {
                    for (Job j : jobs) {
                        // an array's id reaches every record of the array, as the controller answers it
                        if (req.has("id")
                                && j.id() != req.lng("id", 0)
                                && (j.array() == null || j.array().arrayJobId() != req.lng("id", 0))) continue;
                        Frame f = Codec.job(j, false);
                        Object[] e = expected.get(j.id());
                        if (e != null) f.put("expectedStart", (Long) e[0]).put("schedNodes", (String) e[1]);
                        out.add(f);
                    }
                }
                case Ops.QUEUE -> {
                    if (queueRefused != null) return Frame.error(queueRefused);
                    // selected as the controller does it
                    Message.Queue q = (Message.Queue) Messages.request(req);
                    return QueueSelection.answer(q, jobs, id -> {
                        Object[] e = expected.get(id);
                        return e == null ? null : new Message.ExpectedStart((Long) e[0], (String) e[1]);
                    });
                }
                case Ops.ACCOUNTING -> {
                    // answered as the controller's store does: each started job has its batch step
                    AccountingQuery q = AccountingFrames.query(req);
                    List<AccountingRecord> records = new ArrayList<>();
                    for (Job j : jobs) {
                        List<JobStep> steps = j.startTime() > 0 && j.node() != null
                                ? List.of(new JobStep(
                                        j.restarts(),
                                        "batch",
                                        j.startTime(),
                                        j.endTime(),
                                        j.state().name(),
                                        j.exit(),
                                        j.node(),
                                        j.allocCpus(),
                                        j.usage()))
                                : List.of();
                        records.addAll(q.select(j, runs.getOrDefault(j.id(), List.of()), steps));
                    }
                    // in columns when asked, as the controller answers
                    return AccountingFrames.wantsColumns(req)
                            ? AccountingFrames.columns(records)
                            : AccountingFrames.answer(records);
                }
                case Ops.NODES -> nodes.forEach(n -> out.add(Codec.node(n)));
                case Ops.PARTITIONS -> {
                    out.put("cluster", cluster);
                    partitions.forEach(p -> out.add(Codec.partition(p)));
                }
                case Ops.HOLD,
                        Ops.RELEASE,
                        Ops.CANCEL,
                        Ops.SIGNAL,
                        Ops.UPDATE_NODE,
                        Ops.REQUEUE,
                        Ops.REQUEUE_HOLD,
                        Ops.SUSPEND,
                        Ops.RESUME -> {
                    return holdAnswer.apply(req);
                }
                case Ops.SUBMIT -> {
                    return submitAnswer.apply(req);
                }
                default -> {
                    if (canned.containsKey(req.op())) return canned.get(req.op());
                    if (answers.containsKey(req.op()))
                        return answers.get(req.op()).apply(req);
                    return Frame.error("unknown request '" + req.op() + "'");
                }
            }
            return out;
        }

        Frame last(String op) {
            for (int i = requests.size() - 1; i >= 0; i--)
                if (requests.get(i).op().equals(op)) return requests.get(i);
            return null;
        }

        /** How many requests of this kind reached the cluster. */
        int count(String op) {
            return (int) requests.stream().filter(r -> r.op().equals(op)).count();
        }
    }

    // ---- running a command ----------------------------------------------------------------------

    /** What a command printed and returned. */
    record Result(int code, String out, String err) {}

    static Result run(Command cmd, FakeCluster cluster, long now, String... args) throws Exception {
        return run(cmd, cluster, now, 0, "root", "", args);
    }

    static Result run(Command cmd, FakeCluster cluster, long now, int uid, String user, String stdin, String... args)
            throws Exception {
        return run(cmd, cluster, now, uid, user, stdin, Map.of(), args);
    }

    static Result run(
            Command cmd,
            FakeCluster cluster,
            long now,
            int uid,
            String user,
            String stdin,
            Map<String, String> env,
            String... args)
            throws Exception {
        String name = cmd.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        if (HOSTED && io.motley.cli.hosted.HostedCommands.SERVED.contains(name)) {
            // as the agent runs it for the native client: the same command, its streams and files through the client
            var outcome = io.motley.cli.hosted.ClientStandIn.run(
                    new io.motley.cli.hosted.HostedCommands(n -> cmd, () -> now, ZONE, "vm"),
                    new io.motley.cli.hosted.ClientStandIn(stdin, java.util.Set.of()),
                    new Message.Caller(uid, uid, user, null),
                    cluster::call,
                    "/srv/anchor/fmt",
                    env,
                    java.util.stream.Stream.concat(java.util.stream.Stream.of(name), Arrays.stream(args))
                            .toList());
            // a command the agent does not run (interactive scontrol) runs in the JVM client, as below
            if (outcome.jvm() == null) return new Result(outcome.exit(), outcome.out(), outcome.err());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        Io io = new Io(
                o,
                e,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                false,
                env,
                "/srv/anchor/fmt",
                req -> answer(cluster, req),
                now,
                ZONE,
                "vm",
                user,
                uid);
        // as Main reports what a command throws, on both paths
        int code = Main.run(cmd, name, List.of(args), io);
        o.flush();
        e.flush();
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** As AgentClient does: an error answer is thrown. */
    private static Frame answer(FakeCluster cluster, Frame req) {
        Frame f = cluster.call(req);
        if (f.isError()) throw new io.motley.cli.client.AgentClient.RequestFailed(f.str("message"), f.str("detail"));
        return f;
    }

    /** Joins lines with "\n" and ends with one, as the commands print. */
    static String lines(String... ls) {
        return String.join("\n", ls) + "\n";
    }
}
