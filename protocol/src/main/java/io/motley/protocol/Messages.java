package io.motley.protocol;

import io.motley.core.cluster.Node;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.core.priority.Factors;
import io.motley.core.priority.PriorityConfig;
import io.motley.core.priority.ShareTree;
import io.motley.protocol.Message.Accounting;
import io.motley.protocol.Message.AckEnded;
import io.motley.protocol.Message.Answer;
import io.motley.protocol.Message.Caller;
import io.motley.protocol.Message.Cancel;
import io.motley.protocol.Message.Deliver;
import io.motley.protocol.Message.Delivered;
import io.motley.protocol.Message.ExpectedStart;
import io.motley.protocol.Message.Failure;
import io.motley.protocol.Message.Heartbeat;
import io.motley.protocol.Message.Held;
import io.motley.protocol.Message.Hold;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.JobList;
import io.motley.protocol.Message.JobRecords;
import io.motley.protocol.Message.Jobs;
import io.motley.protocol.Message.Kill;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Message.Listed;
import io.motley.protocol.Message.NodeError;
import io.motley.protocol.Message.NodeErrors;
import io.motley.protocol.Message.NodeList;
import io.motley.protocol.Message.Nodes;
import io.motley.protocol.Message.Order;
import io.motley.protocol.Message.Outcome;
import io.motley.protocol.Message.Outcomes;
import io.motley.protocol.Message.OutputChunk;
import io.motley.protocol.Message.PartitionList;
import io.motley.protocol.Message.Partitions;
import io.motley.protocol.Message.Ping;
import io.motley.protocol.Message.Pong;
import io.motley.protocol.Message.Priorities;
import io.motley.protocol.Message.PriorityFactors;
import io.motley.protocol.Message.Register;
import io.motley.protocol.Message.Registered;
import io.motley.protocol.Message.Release;
import io.motley.protocol.Message.Report;
import io.motley.protocol.Message.Request;
import io.motley.protocol.Message.Requeue;
import io.motley.protocol.Message.RequeueHold;
import io.motley.protocol.Message.Running;
import io.motley.protocol.Message.ShareList;
import io.motley.protocol.Message.Shares;
import io.motley.protocol.Message.Submit;
import io.motley.protocol.Message.Submitted;
import io.motley.protocol.Message.Top;
import io.motley.protocol.Message.UpdateJob;
import io.motley.protocol.Message.UpdateNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The codec between {@link Message}s and {@link Frame}s: the one place that knows the wire's field
 * names (with {@link Codec}, which it uses for the core's records). Decoding never trusts a frame:
 * a missing part, a number that is no number, an unknown word is a {@link MalformedMessage} that
 * names the field.
 */
public final class Messages {
    private Messages() {}

    /** How much of a bad value an error quotes back. */
    private static final int QUOTED = 64;

    private static final String CALLER_PREFIX = "caller.";
    private static final String CALLER_UID = CALLER_PREFIX + "uid";
    private static final String CALLER_GID = CALLER_PREFIX + "gid";
    private static final String CALLER_USER = CALLER_PREFIX + "user";
    private static final String CALLER_GROUPS = CALLER_PREFIX + "groups";

    private static final String RUNNING = "running";

    private static final Set<String> REQUESTS = Set.of(
            Ops.PING,
            Ops.SUBMIT,
            Ops.WILL_RUN,
            Ops.LIST_PIDS,
            Ops.JOBS,
            Ops.QUEUE,
            Ops.CANCEL,
            Ops.COMPLETE,
            Ops.SIGNAL,
            Ops.SUSPEND,
            Ops.RESUME,
            Ops.HOLD,
            Ops.RELEASE,
            Ops.REQUEUE,
            Ops.REQUEUE_HOLD,
            Ops.UPDATE_JOB,
            Ops.TOP,
            Ops.NODES,
            Ops.PARTITIONS,
            Ops.CONFIG,
            Ops.UPDATE_NODE,
            Ops.UPDATE_PARTITION,
            Ops.BATCH_SCRIPT,
            Ops.JOB_TEXTS,
            Ops.TOKEN,
            Ops.DIAGNOSTICS,
            Ops.ACCOUNTING,
            Ops.PRIORITY_FACTORS,
            Ops.SHARES,
            Ops.ACCOUNTS,
            Ops.ACCOUNTS_CHANGE,
            Ops.LOGS,
            Ops.DAEMON_LOG,
            Ops.HOST_CHECKS,
            Ops.STAGE_IN_CHUNK,
            Ops.STAGE_IN_READ,
            StepMessages.CREATE,
            StepMessages.END,
            StepMessages.WAIT,
            StepMessages.LIST,
            StepMessages.CANCEL,
            StepMessages.TERMINATE,
            StepMessages.LAUNCH,
            StepMessages.IO,
            StepMessages.INPUT,
            StepMessages.STAT);

    // ---- encoding -------------------------------------------------------------------------------

    public static Frame encode(Message m) {
        // a chain of instanceof rather than a pattern switch: every command encodes a message at start, and a type
        // switch's bootstrap costs milliseconds there; MessagesTest round-trips every message, so one missing here
        // fails there
        if (m instanceof Failure x)
            return Frame.error(x.message()).put("detail", x.detail()).put("unreachable", x.unreachable() ? "1" : null);
        if (m instanceof Outcomes x) {
            Frame f = Frame.op(Ops.OK);
            for (Outcome o : x.outcomes()) {
                Frame c = new Frame().put("id", o.id());
                if (o.error() != null) c.put("error", o.error()).put("always", o.always());
                if (o.tasks() != null) c.put("tasks", o.tasks());
                f.add(c);
            }
            return f;
        }
        if (m instanceof Message.StepCall<?>
                || m instanceof Message.StepAnswer
                || m instanceof Message.StepOrder
                || m instanceof Message.StepReport) return StepMessages.encode(m);
        if (m instanceof Ping x) return Frame.op(Ops.PING).put("local", x.local() ? "1" : null);
        if (m instanceof Pong x)
            return Frame.op(Ops.OK)
                    .put("cluster", x.cluster())
                    .put("host", x.host())
                    .put("database", x.database());
        if (m instanceof Submit x) return Frame.op(Ops.SUBMIT).add(Codec.request(x.job(), true));
        if (m instanceof Submitted x) return Frame.op(Ops.OK).put("id", x.id());
        if (m instanceof Message.ListPids x) return Frame.op(Ops.LIST_PIDS).put("job", x.jobId());
        if (m instanceof Message.PidList x) {
            Frame f = Frame.op(Ops.OK).put("node", x.node());
            for (Message.JobPid p : x.pids())
                f.add(new Frame()
                        .put("pid", p.pid())
                        .put("job", p.jobId())
                        .put("step", p.step())
                        .put("local", p.localId())
                        .put("global", p.globalId()));
            return f;
        }
        if (m instanceof Message.WillRun x) return Frame.op(Ops.WILL_RUN).add(Codec.request(x.job(), true));
        if (m instanceof Message.WillStart x)
            return Frame.op(Ops.OK)
                    .put("id", x.id())
                    .put("start", x.start())
                    .put("cpus", x.cpus())
                    .put("nodes", x.nodes())
                    .put("partition", x.partition());
        if (m instanceof Jobs x) return Frame.op(Ops.JOBS).put("id", x.id() == null ? null : x.id().toString());
        if (m instanceof Message.Queue x)
            return Frame.op(Ops.QUEUE)
                    .put("ids", ids(List.copyOf(x.ids())))
                    .put("users", String.join(",", x.users()))
                    .put(
                            "states",
                            x.states() == null
                                    ? null
                                    : String.join(
                                            ",",
                                            x.states().stream().map(Enum::name).toList()))
                    .put("partitions", String.join(",", x.partitions()))
                    .put("names", String.join(",", x.names()))
                    .put("accounts", String.join(",", x.accounts()))
                    .put("nodes", String.join(",", x.nodes()))
                    .put("fields", x.fields());
        if (m instanceof Message.QueueList x) return QueueFrames.encode(x.rows());
        if (m instanceof JobList x) {
            Frame f = Frame.op(Ops.OK);
            for (Listed l : x.jobs()) {
                Frame j = Codec.job(l.job(), false);
                if (l.expected() != null)
                    j.put("expectedStart", l.expected().start())
                            .put("schedNodes", l.expected().nodes());
                f.add(j);
            }
            return f;
        }
        if (m instanceof Cancel x) {
            List<String> tasks = new ArrayList<>();
            x.tasks().forEach((array, indices) -> indices.forEach(i -> tasks.add(array + "_" + i)));
            return Frame.op(Ops.CANCEL).put("ids", ids(x.ids())).put("tasks", String.join(",", tasks));
        }
        if (m instanceof Message.Complete x)
            return Frame.op(Ops.COMPLETE).put("id", x.id()).put("code", x.code());
        if (m instanceof Message.Signal x) {
            List<String> tasks = new ArrayList<>();
            x.tasks().forEach((array, indices) -> indices.forEach(i -> tasks.add(array + "_" + i)));
            return Frame.op(Ops.SIGNAL)
                    .put("ids", ids(x.ids()))
                    .put("tasks", String.join(",", tasks))
                    .put("signal", x.signal())
                    .put("scope", x.scope().name());
        }
        if (m instanceof Message.Suspend x)
            return Frame.op(x.resume() ? Ops.RESUME : Ops.SUSPEND).put("ids", ids(x.ids()));
        if (m instanceof Hold x)
            return Frame.op(Ops.HOLD)
                    .put("ids", ids(x.ids()))
                    .put("tasks", tasks(x.tasks()))
                    .put("user", x.user() ? "1" : null);
        if (m instanceof Release x)
            return Frame.op(Ops.RELEASE).put("ids", ids(x.ids())).put("tasks", tasks(x.tasks()));
        if (m instanceof Requeue x) return Frame.op(Ops.REQUEUE).put("ids", ids(x.ids()));
        if (m instanceof RequeueHold x) return Frame.op(Ops.REQUEUE_HOLD).put("ids", ids(x.ids()));
        if (m instanceof UpdateJob x) {
            Frame changes = new Frame();
            x.changes().forEach(changes::put);
            return Frame.op(Ops.UPDATE_JOB)
                    .put("ids", ids(x.ids()))
                    .put("tasks", tasks(x.tasks()))
                    .add(changes);
        }
        if (m instanceof Top x) return Frame.op(Ops.TOP).put("ids", ids(x.ids()));
        if (m instanceof Nodes x) return Frame.op(Ops.NODES);
        if (m instanceof NodeList x) {
            Frame f = Frame.op(Ops.OK);
            x.nodes().forEach(n -> f.add(Codec.node(n)));
            return f;
        }
        if (m instanceof Partitions x) return Frame.op(Ops.PARTITIONS);
        if (m instanceof Message.ConfigQuery x) return Frame.op(Ops.CONFIG);
        if (m instanceof Message.DiagnosticsQuery x) return Frame.op(Ops.DIAGNOSTICS);
        if (m instanceof Message.Diagnostics x) {
            Frame f = Frame.op(Ops.OK)
                    .put("since", x.since())
                    .put("now", x.now())
                    .put("submitted", x.submitted())
                    .put("started", x.started())
                    .put("completed", x.completed())
                    .put("canceled", x.canceled())
                    .put("failed", x.failed())
                    .put("pending", x.pending())
                    .put("running", x.running());
            passes(f, "main.", x.main());
            passes(f, "backfill.", x.backfill());
            return f;
        }
        if (m instanceof Message.BatchScript x)
            return Frame.op(Ops.BATCH_SCRIPT).put("id", x.id());
        if (m instanceof Message.Script x) return Frame.op(Ops.OK).put("script", x.text());
        if (m instanceof Message.JobTexts x) {
            // the query's fields, its answer being texts rather than records in columns
            Frame out = AccountingFrames.query(x.query())
                    .put("op", Ops.JOB_TEXTS)
                    .removeFieldsStartingWith(AccountingColumns.ASK);
            return x.environment() ? out.put("environment", true) : out;
        }
        if (m instanceof Message.Texts x) {
            Frame out = Frame.op(Ops.OK);
            for (Message.Texts.Text t : x.texts()) {
                Frame c = Frame.op("text").put("job", t.jobId());
                out.add(t.text() == null ? c : c.put("text", t.text()));
            }
            return out;
        }
        if (m instanceof Message.TokenRequest x)
            return Frame.op(Ops.TOKEN).put("user", x.user()).put("lifespan", x.lifespan());
        if (m instanceof Message.Token x) return Frame.op(Ops.OK).put("jwt", x.jwt());
        if (m instanceof Message.UpdatePartition x)
            return Frame.op(Ops.UPDATE_PARTITION)
                    .put("name", x.name())
                    .put("state", x.state() == null ? null : x.state().name())
                    .put("maxTime", x.maxTime() == null ? null : Long.toString(x.maxTime()))
                    .put("defaultTime", x.defaultTime() == null ? null : Long.toString(x.defaultTime()));
        if (m instanceof Message.Updated x) return Frame.op(Ops.OK).put("error", x.error());
        if (m instanceof Message.ConfigInfo x) {
            Frame f = Frame.op(Ops.OK).put("asOf", x.asOf());
            x.slurm().forEach(st -> f.add(new Frame().put("key", st.key()).put("value", st.value())));
            x.motley()
                    .forEach(st -> f.add(new Frame()
                            .put("key", st.key())
                            .put("value", st.value())
                            .put("motley", true)));
            return f;
        }
        if (m instanceof PartitionList x) {
            Frame f = Frame.op(Ops.OK).put("cluster", x.cluster());
            x.partitions().forEach(p -> f.add(Codec.partition(p)));
            return f;
        }
        if (m instanceof UpdateNode x)
            return Frame.op(Ops.UPDATE_NODE)
                    .put("nodes", String.join(",", x.nodes()))
                    .put("state", x.state())
                    .put("reason", x.reason())
                    .put("weight", x.weight() == null ? null : Integer.toString(x.weight()));
        if (m instanceof NodeErrors x) {
            Frame f = Frame.op(Ops.OK);
            x.errors().forEach(e -> f.add(new Frame().put("node", e.node()).put("error", e.error())));
            return f;
        }
        if (m instanceof Accounting x) return AccountingFrames.query(x.query());
        if (m instanceof JobRecords x) return AccountingFrames.answer(x.records());
        if (m instanceof PriorityFactors x) return Frame.op(Ops.PRIORITY_FACTORS);
        if (m instanceof Priorities x) {
            Frame f = Codec.putWeights(Frame.op(Ops.OK), x.weights());
            x.factors().forEach(fx -> f.add(Codec.factors(fx)));
            return f;
        }
        if (m instanceof Shares x) return Frame.op(Ops.SHARES);
        if (m instanceof Message.AccountsQuery x) return Frame.op(Ops.ACCOUNTS);
        if (m instanceof Message.AccountsAnswer x) return AccountsCodec.db(x.db(), x.cluster());
        if (m instanceof Message.AccountsUpdate x) return AccountsCodec.change(x.change(), x.commit());
        if (m instanceof Message.AccountsResult x) return AccountsCodec.result(x.result());
        if (m instanceof ShareList x) {
            Frame f = Frame.op(Ops.OK).put("type", x.type());
            x.rows().forEach(r -> f.add(Codec.shareRow(r)));
            return f;
        }
        if (m instanceof Register x) {
            Node n = x.node();
            Frame f = Frame.op(Ops.REGISTER)
                    .put("name", n.name())
                    .put("address", n.address())
                    .put("cpus", n.cpus())
                    .put("mem", n.memMiB())
                    .put("totalCpus", x.totalCpus())
                    .put("totalMem", x.totalMemMiB())
                    .put("sockets", n.sockets())
                    .put("coresPerSocket", n.coresPerSocket())
                    .put("threadsPerCore", n.threadsPerCore())
                    .put("arch", n.arch())
                    .put("os", n.os())
                    .put("features", String.join(",", n.features()))
                    .put("gpus", io.motley.core.cluster.Gpu.format(n.gpus()))
                    .put("freeMem", n.freeMemMiB())
                    .put("load", n.cpuLoad())
                    .put("boot", n.bootTime())
                    .put("agentStart", n.agentStartTime())
                    .put("version", n.version())
                    .put("containment", n.containment())
                    .put("jobUser", n.jobUser());
            for (Held h : x.held()) {
                f.add(
                        switch (h) {
                            case Running r ->
                                new Frame().put("op", RUNNING).put("id", r.id()).put("run", r.run());
                            case JobEnded e -> encode(e);
                        });
            }
            return f;
        }
        if (m instanceof Heartbeat x) {
            Frame f = Frame.op(Ops.HEARTBEAT)
                    .put("load", x.load())
                    .put("freeMem", x.freeMemMiB())
                    .put("gpuUsage", x.gpuUsage())
                    .put("health", x.health());
            for (HostCheck c : x.checks()) f.add(hostCheck(c));
            // an unknown clock is left out, so a heartbeat without one reads as before
            return x.clock() == 0 ? f : f.put("clock", x.clock());
        }
        if (m instanceof Message.HostChecksQuery x) return Frame.op(Ops.HOST_CHECKS);
        if (m instanceof Message.HostChecks x) {
            Frame f = Frame.op(Ops.OK);
            x.byNode()
                    .forEach((node, checks) ->
                            checks.forEach(c -> f.add(hostCheck(c).put("node", node))));
            return f;
        }
        if (m instanceof JobEnded x)
            return Codec.putUsage(
                    Frame.op(Ops.JOB_ENDED)
                            .put("id", x.id())
                            .put("run", x.run())
                            .put("state", x.state().name())
                            .put("code", x.exit().code())
                            .put("signal", x.exit().signal())
                            .put("end", x.end())
                            .put("desc", x.desc()),
                    x.usage());
        if (m instanceof Registered x) return Frame.op(Ops.OK).put("heartbeat", x.heartbeatSeconds());
        if (m instanceof Launch x)
            return Frame.op(Ops.LAUNCH)
                    .put("cluster", x.cluster())
                    .put("killWait", x.killWaitSeconds())
                    .put("sharedFs", Launch.AUTO.equals(x.sharedFilesystem()) ? null : x.sharedFilesystem())
                    .add(Codec.job(x.job(), true));
        if (m instanceof OutputChunk x) return chunk(Frame.op(Ops.OUTPUT), x);
        if (m instanceof Deliver x)
            return chunk(Frame.op(Ops.DELIVER), x.chunk())
                    .put("path", x.path())
                    .put("uid", x.uid())
                    .put("gid", x.gid())
                    .put("user", x.user());
        if (m instanceof Message.Logs x)
            return Frame.op(Ops.LOGS)
                    .put("id", x.id())
                    .put("stream", x.stream())
                    .put("offset", x.offset())
                    .put("max", x.max());
        if (m instanceof Message.LogText x)
            return Frame.op(Ops.OK)
                    .put("path", x.path())
                    .put("submitNode", x.submitNode())
                    .put("node", x.node())
                    .put("offset", x.offset())
                    .put("data", java.util.Base64.getEncoder().encodeToString(x.data()))
                    .put("complete", x.complete())
                    .put("state", x.state().name());
        if (m instanceof Message.StageInChunk x)
            return Frame.op(Ops.STAGE_IN_CHUNK)
                    .put("id", x.id())
                    .put("offset", x.offset())
                    .put("data", java.util.Base64.getEncoder().encodeToString(x.data()));
        if (m instanceof Message.StageInReceived x)
            return Frame.op(Ops.OK).put("received", x.received()).put("complete", x.complete());
        if (m instanceof Message.StageInRead x)
            return Frame.op(Ops.STAGE_IN_READ)
                    .put("id", x.id())
                    .put("offset", x.offset())
                    .put("max", x.max());
        if (m instanceof Message.StageInData x)
            return Frame.op(Ops.OK)
                    .put("offset", x.offset())
                    .put("size", x.size())
                    .put("data", java.util.Base64.getEncoder().encodeToString(x.data()));
        if (m instanceof Message.DaemonLog x)
            return Frame.op(Ops.DAEMON_LOG)
                    .put("node", x.node())
                    .put("offset", x.offset())
                    .put("max", x.max());
        if (m instanceof Message.DaemonLogText x)
            return Frame.op(Ops.OK)
                    .put("offset", x.offset())
                    .put("data", java.util.Base64.getEncoder().encodeToString(x.data()));
        if (m instanceof Message.ReadLog x)
            return Frame.op(Ops.READ_LOG)
                    .put("tag", x.tag())
                    .put("offset", x.offset())
                    .put("max", x.max());
        if (m instanceof Message.ReadOutput x)
            return Frame.op(Ops.READ_OUTPUT)
                    .put("tag", x.tag())
                    .put("id", x.id())
                    .put("run", x.run())
                    .put("stream", x.stream())
                    .put("offset", x.offset())
                    .put("max", x.max());
        if (m instanceof Message.OutputRead x)
            return Frame.op(Ops.OUTPUT_READ)
                    .put("tag", x.tag())
                    .put("found", x.found())
                    .put("offset", x.offset())
                    .put("data", java.util.Base64.getEncoder().encodeToString(x.data()))
                    .put("complete", x.complete());
        if (m instanceof Delivered x)
            return Frame.op(Ops.DELIVERED)
                    .put("id", x.id())
                    .put("run", x.run())
                    .put("stream", x.stream())
                    .put("offset", x.offset())
                    .put("error", x.error());
        if (m instanceof Kill x)
            return Frame.op(Ops.KILL).put("id", x.id()).put("run", x.run()).put("why", word(x.reason()));
        if (m instanceof Message.SignalRun x)
            return Frame.op(Ops.SIGNAL_RUN)
                    .put("id", x.id())
                    .put("run", x.run())
                    .put("signal", x.signal())
                    .put("scope", x.scope().name());
        if (m instanceof Message.SuspendRun x)
            return Frame.op(Ops.SUSPEND_RUN)
                    .put("id", x.id())
                    .put("run", x.run())
                    .put("resume", x.resume());
        if (m instanceof Message.LimitRun x)
            return Frame.op(Ops.LIMIT_RUN).put("id", x.id()).put("run", x.run()).put("limit", x.limitSeconds());
        if (m instanceof AckEnded x)
            return Frame.op(Ops.ACK_ENDED).put("id", x.id()).put("run", x.run());
        if (m instanceof Message.RenewCertificate x)
            return Frame.op(Ops.RENEW).put("csr", java.util.Base64.getEncoder().encodeToString(x.request()));
        if (m instanceof Message.CertificateRenewed x) {
            Frame f = Frame.op(Ops.RENEWED).put("certificate", x.certificate()).put("error", x.error());
            // only when set, so a final refusal's frame is the one agents before the flag know
            return x.temporary() ? f.put("temporary", true) : f;
        }
        if (m instanceof Message.CertificateInUse x)
            return Frame.op(Ops.CERTIFICATE_IN_USE).put("certificate", x.certificate());
        throw new AssertionError("unknown message " + m);
    }

    private static Frame chunk(Frame f, OutputChunk c) {
        return f.put("id", c.id())
                .put("run", c.run())
                .put("stream", c.stream())
                .put("offset", c.offset())
                .put("data", java.util.Base64.getEncoder().encodeToString(c.data()))
                .put("last", c.last());
    }

    private static OutputChunk chunk(Frame f) {
        // a chunk may also carry a run's stage-out archive (sbatch --stage-out), sent after its output
        String stream = "stage".equals(f.str("stream")) ? "stage" : stream(f);
        long offset = number(f, "offset", -1);
        if (offset < 0) throw new MalformedMessage("offset: missing or negative");
        return new OutputChunk(runId(f), run(f), stream, offset, base64(f, "data"), f.bool("last"));
    }

    private static String stream(Frame f) {
        String stream = f.str("stream", "");
        if (!stream.equals("out") && !stream.equals("err"))
            throw new MalformedMessage("stream: '" + quote(stream) + "' is neither out nor err");
        return stream;
    }

    private static byte[] base64(Frame f, String key) {
        try {
            return java.util.Base64.getDecoder().decode(f.str(key, ""));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage(key + ": not base64");
        }
    }

    /** A request as the agent relays it: the request's own frame, stamped with who sent it. */
    public static Frame encode(Request<?> request, Caller caller) {
        Frame f = encode(request)
                .put(CALLER_UID, caller.uid())
                .put(CALLER_GID, caller.gid())
                .put(CALLER_USER, caller.user());
        if (caller.groups() != null) f.put(CALLER_GROUPS, String.join(",", caller.groups()));
        return f;
    }

    private static String ids(List<Long> ids) {
        StringBuilder b = new StringBuilder();
        for (long id : ids) {
            if (!b.isEmpty()) b.append(',');
            b.append(id);
        }
        return b.toString();
    }

    private static String word(KillReason r) {
        return switch (r) {
            case CANCEL -> "cancel";
            case REQUEUE -> "requeue";
            case NODE_DOWN -> "node_down";
            case NOT_RUNNING_HERE -> "unknown";
            case TIME_LIMIT -> "TIMEOUT";
            case SUPERSEDED -> "superseded";
        };
    }

    private static KillReason killReason(String word) {
        return switch (word) {
            case "cancel" -> KillReason.CANCEL;
            case "requeue" -> KillReason.REQUEUE;
            case "node_down" -> KillReason.NODE_DOWN;
            case "unknown" -> KillReason.NOT_RUNNING_HERE;
            case "TIMEOUT" -> KillReason.TIME_LIMIT;
            case "superseded" -> KillReason.SUPERSEDED;
            default -> throw new MalformedMessage("why: '" + quote(word) + "' is no kill reason");
        };
    }

    // ---- decoding -------------------------------------------------------------------------------

    /** Whether {@code op} names a user request (so that an unknown one can be answered as such). */
    public static boolean isRequest(String op) {
        return REQUESTS.contains(op);
    }

    /**
     * The message in a frame whose op says what it is: a request, an agent's report, an order, a
     * failure. An answer ("ok") says what it is only together with its request: use {@link #answer}.
     */
    public static Message decode(Frame f) {
        String op = f.op();
        return switch (op) {
            case "error" -> failure(f).orElseThrow();
            case Ops.PING -> new Ping(f.bool("local"));
            case Ops.SUBMIT -> new Submit(jobRequest(child(f, 0, "job"), "job: "));
            case Ops.LIST_PIDS -> new Message.ListPids(number(f, "job", 0));
            case Ops.WILL_RUN -> new Message.WillRun(jobRequest(child(f, 0, "job"), "job: "));
            case Ops.JOBS -> new Jobs(f.has("id") ? jobId(f.str("id"), "id") : null);
            case Ops.QUEUE ->
                new Message.Queue(
                        Set.copyOf(ids(f)),
                        words(f, "users"),
                        f.has("states") ? states(f.str("states")) : null,
                        words(f, "partitions"),
                        words(f, "names"),
                        words(f, "accounts"),
                        words(f, "nodes"),
                        f.str("fields", ""));
            case Ops.CANCEL -> new Cancel(ids(f), tasks(f));
            case Ops.COMPLETE -> new Message.Complete(number(f, "id", 0), (int) number(f, "code", 0));
            case Ops.SIGNAL -> new Message.Signal(ids(f), tasks(f), signal(f), scope(f));
            case StepMessages.CREATE,
                    StepMessages.END,
                    StepMessages.WAIT,
                    StepMessages.LIST,
                    StepMessages.CANCEL,
                    StepMessages.TERMINATE,
                    StepMessages.LAUNCH,
                    StepMessages.IO,
                    StepMessages.RUN_TASKS,
                    StepMessages.KILL_TASKS,
                    StepMessages.TASK_EVENT,
                    StepMessages.STAT,
                    StepMessages.STAT_TASKS,
                    StepMessages.TASK_STATS,
                    StepMessages.INPUT,
                    StepMessages.TASK_INPUT,
                    StepMessages.INPUT_TAKEN -> StepMessages.decode(f);
            case Ops.SUSPEND -> new Message.Suspend(ids(f), false);
            case Ops.RESUME -> new Message.Suspend(ids(f), true);
            case Ops.HOLD -> new Hold(ids(f), tasks(f), f.bool("user"));
            case Ops.RELEASE -> new Release(ids(f), tasks(f));
            case Ops.REQUEUE -> new Requeue(ids(f));
            case Ops.REQUEUE_HOLD -> new RequeueHold(ids(f));
            case Ops.UPDATE_JOB -> {
                Frame changes = child(f, 0, "changes");
                yield new UpdateJob(ids(f), tasks(f), new LinkedHashMap<>(changes.fields()));
            }
            case Ops.TOP -> new Top(ids(f));
            case Ops.NODES -> new Nodes();
            case Ops.PARTITIONS -> new Partitions();
            case Ops.CONFIG -> new Message.ConfigQuery();
            case Ops.DIAGNOSTICS -> new Message.DiagnosticsQuery();
            case Ops.BATCH_SCRIPT -> new Message.BatchScript(jobId(f.str("id", ""), "id"));
            case Ops.TOKEN -> new Message.TokenRequest(f.str("user"), number(f, "lifespan", 0));
            case Ops.UPDATE_PARTITION -> {
                String state = f.str("state");
                io.motley.core.cluster.PartitionState s;
                try {
                    s = state == null ? null : io.motley.core.cluster.PartitionState.valueOf(state);
                } catch (IllegalArgumentException e) {
                    throw new MalformedMessage("state: '" + quote(state) + "' is no partition state");
                }
                Long max = f.str("maxTime") == null ? null : number(f, "maxTime", -1);
                Long def = f.str("defaultTime") == null ? null : number(f, "defaultTime", -1);
                yield new Message.UpdatePartition(f.str("name", ""), s, max, def);
            }
            case Ops.UPDATE_NODE -> {
                List<String> nodes = new ArrayList<>();
                for (String n : f.str("nodes", "").split(",")) if (!n.isBlank()) nodes.add(n);
                String weight = f.str("weight");
                Integer w;
                try {
                    w = weight == null ? null : Integer.valueOf(weight);
                } catch (NumberFormatException e) {
                    throw new MalformedMessage("weight: '" + quote(weight) + "' is no number");
                }
                yield new UpdateNode(nodes, f.str("state", ""), f.str("reason"), w);
            }
            case Ops.ACCOUNTING -> new Accounting(guard("", f, () -> AccountingFrames.query(f)));
            case Ops.JOB_TEXTS ->
                new Message.JobTexts(guard("", f, () -> AccountingFrames.query(f)), f.bool("environment"));
            case Ops.PRIORITY_FACTORS -> new PriorityFactors();
            case Ops.SHARES -> new Shares();
            case Ops.ACCOUNTS -> new Message.AccountsQuery();
            case Ops.ACCOUNTS_CHANGE ->
                new Message.AccountsUpdate(
                        guard("accounts change: ", f, () -> AccountsCodec.change(f)), f.bool("commit"));
            case Ops.REGISTER -> register(f);
            case Ops.HEARTBEAT ->
                new Heartbeat(
                        decimal(f, "load", 0),
                        number(f, "freeMem", 0),
                        f.str("gpuUsage"),
                        f.str("health"),
                        number(f, "clock", 0),
                        hostChecks(f));
            case Ops.HOST_CHECKS -> new Message.HostChecksQuery();
            case Ops.JOB_ENDED -> jobEnded(f);
            case Ops.LAUNCH ->
                new Launch(
                        f.str("cluster", "motley"),
                        number(f, "killWait", 30),
                        job(child(f, 0, "job"), "job: "),
                        f.str("sharedFs", Launch.AUTO));
            case Ops.OUTPUT -> chunk(f);
            case Ops.DELIVER -> {
                String path = f.str("path");
                if (path == null || !path.startsWith("/")) throw new MalformedMessage("path: missing or not absolute");
                yield new Deliver(
                        chunk(f), path, (int) number(f, "uid", -1), (int) number(f, "gid", -1), f.str("user"));
            }
            case Ops.LOGS ->
                new Message.Logs(
                        runId(f), stream(f), Math.max(0, number(f, "offset", 0)), (int) number(f, "max", 65536));
            case Ops.STAGE_IN_CHUNK -> {
                long offset = number(f, "offset", -1);
                if (offset < 0) throw new MalformedMessage("offset: missing or negative");
                yield new Message.StageInChunk(runId(f), offset, base64(f, "data"));
            }
            case Ops.STAGE_IN_READ ->
                new Message.StageInRead(runId(f), Math.max(0, number(f, "offset", 0)), (int) number(f, "max", 65536));
            case Ops.DAEMON_LOG ->
                new Message.DaemonLog(
                        f.str("node"), Math.max(0, number(f, "offset", 0)), (int) number(f, "max", 65536));
            case Ops.READ_LOG ->
                new Message.ReadLog(
                        number(f, "tag", 0), Math.max(0, number(f, "offset", 0)), (int) number(f, "max", 65536));
            case Ops.READ_OUTPUT ->
                new Message.ReadOutput(
                        number(f, "tag", 0), runId(f), run(f), stream(f), Math.max(0, number(f, "offset", 0)), (int)
                                number(f, "max", 65536));
            case Ops.OUTPUT_READ ->
                new Message.OutputRead(
                        number(f, "tag", 0),
                        f.bool("found"),
                        number(f, "offset", 0),
                        base64(f, "data"),
                        f.bool("complete"));
            case Ops.DELIVERED -> {
                long offset = number(f, "offset", -1);
                if (offset < 0) throw new MalformedMessage("offset: missing or negative");
                yield new Delivered(runId(f), run(f), f.str("stream", "out"), offset, f.str("error"));
            }
            case Ops.KILL -> new Kill(runId(f), run(f), killReason(f.str("why", "cancel")));
            case Ops.SIGNAL_RUN -> new Message.SignalRun(runId(f), run(f), signal(f), scope(f));
            case Ops.SUSPEND_RUN -> new Message.SuspendRun(runId(f), run(f), f.bool("resume"));
            case Ops.LIMIT_RUN -> new Message.LimitRun(runId(f), run(f), f.lng("limit", 0));
            case Ops.ACK_ENDED -> new AckEnded(runId(f), run(f));
            case Ops.RENEW -> new Message.RenewCertificate(base64(f, "csr"));
            case Ops.RENEWED -> {
                if (f.str("certificate") == null && f.str("error") == null)
                    throw new MalformedMessage("certificate or error: one is needed");
                yield new Message.CertificateRenewed(f.str("certificate"), f.str("error"), f.bool("temporary"));
            }
            case Ops.CERTIFICATE_IN_USE -> {
                if (f.str("certificate") == null) throw new MalformedMessage("certificate: missing");
                yield new Message.CertificateInUse(f.str("certificate"));
            }
            case Ops.OK ->
                throw new MalformedMessage(
                        "an answer ('ok') is read with its request: Messages.answer(request, frame)");
            default -> throw new MalformedMessage("unknown op '" + quote(op) + "'");
        };
    }

    /** Who sent a relayed request, as the agent stamped it; empty when the frame carries no stamp. */
    public static Optional<Caller> caller(Frame f) {
        if (!f.has(CALLER_UID)) return Optional.empty();
        return Optional.of(new Caller(
                (int) number(f, CALLER_UID, -1),
                (int) number(f, CALLER_GID, -1),
                f.str(CALLER_USER),
                f.has(CALLER_GROUPS) ? List.of(f.str(CALLER_GROUPS).split(",")) : null));
    }

    private static Frame hostCheck(HostCheck c) {
        return new Frame()
                .put("level", c.level().name())
                .put("check", c.check())
                .put("subject", c.subject())
                .put("message", c.message());
    }

    private static HostCheck hostCheck(Frame c) {
        HostCheck.Level level;
        try {
            level = HostCheck.Level.valueOf(c.str("level", ""));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("level: not OK, WARN or FAIL");
        }
        return new HostCheck(level, c.str("check", ""), c.str("subject", "-"), c.str("message", ""));
    }

    /** A heartbeat's findings: its children (an agent that sends none sends a heartbeat without). */
    private static List<HostCheck> hostChecks(Frame f) {
        List<HostCheck> out = new ArrayList<>();
        for (Frame c : f.children()) out.add(guard("check: ", c, () -> hostCheck(c)));
        return out;
    }

    /** A user request (any caller fields in the frame are ignored: only the agent's stamp counts). */
    public static Request<?> request(Frame f) {
        if (!isRequest(f.op())) throw new MalformedMessage("unknown request '" + quote(f.op()) + "'");
        return (Request<?>) decode(f);
    }

    /** What an agent sent on its link. */
    public static Report report(Frame f) {
        if (decode(f) instanceof Report r) return r;
        throw new MalformedMessage("'" + quote(f.op()) + "' is not something an agent reports");
    }

    /** What the controller sent on an agent's link; its "ok" is the answer to the registration. */
    public static Order order(Frame f) {
        if (Ops.OK.equals(f.op())) return new Registered(number(f, "heartbeat", 1));
        if (decode(f) instanceof Order o) return o;
        throw new MalformedMessage("'" + quote(f.op()) + "' is not an order to an agent");
    }

    /** The failure an error frame carries, or empty when the frame is no error. */
    public static Optional<Failure> failure(Frame f) {
        if (!f.isError()) return Optional.empty();
        return Optional.of(new Failure(f.str("message", "request failed"), f.str("detail"), f.bool("unreachable")));
    }

    /** The answer to {@code request} in {@code f}: the request's answer type, or a {@link Failure}. */
    public static Answer answer(Request<?> request, Frame f) {
        Optional<Failure> failed = failure(f);
        if (failed.isPresent()) return failed.get();
        if (request instanceof Ping x)
            return new Pong(f.str("cluster", "motley"), f.str("host", "controller"), f.str("database", "ok"));
        if (request instanceof Submit x) return new Submitted(number(f, "id", -1));
        if (request instanceof Message.ListPids x) {
            List<Message.JobPid> pids = new ArrayList<>();
            for (Frame c : f.children())
                pids.add(new Message.JobPid(
                        number(c, "pid", 0),
                        number(c, "job", 0),
                        c.str("step", "batch"),
                        (int) number(c, "local", -1),
                        (int) number(c, "global", -1)));
            return new Message.PidList(f.str("node", ""), pids);
        }
        if (request instanceof Message.WillRun x)
            return new Message.WillStart(
                    number(f, "id", 0),
                    number(f, "start", 0),
                    number(f, "cpus", 0),
                    f.str("nodes"),
                    f.str("partition", ""));
        if (request instanceof Jobs x) {
            List<Listed> out = new ArrayList<>();
            for (Frame c : f.children()) {
                ExpectedStart e = c.has("expectedStart")
                        ? new ExpectedStart(number(c, "expectedStart", 0), c.str("schedNodes"))
                        : null;
                out.add(new Listed(job(c, "job: "), e));
            }
            return new JobList(out);
        }
        if (request instanceof Message.Queue x) return new Message.QueueList(QueueFrames.decode(f));
        if (request instanceof Cancel x) return outcomes(f);
        if (request instanceof Message.Complete x) return outcomes(f);
        if (request instanceof Message.Signal x) return outcomes(f);
        if (request instanceof Message.StepCall<?> x) return StepMessages.answer(x, f);
        if (request instanceof Message.Suspend x) return outcomes(f);
        if (request instanceof Hold x) return outcomes(f);
        if (request instanceof Release x) return outcomes(f);
        if (request instanceof Requeue x) return outcomes(f);
        if (request instanceof RequeueHold x) return outcomes(f);
        if (request instanceof UpdateJob x) return outcomes(f);
        if (request instanceof Top x) return outcomes(f);
        if (request instanceof Nodes x) {
            List<Node> out = new ArrayList<>();
            for (Frame c : f.children()) out.add(node(c));
            return new NodeList(out);
        }
        if (request instanceof Partitions x) {
            List<io.motley.core.cluster.Partition> out = new ArrayList<>();
            for (Frame c : f.children()) out.add(guard("partition: ", c, () -> Codec.partition(c)));
            return new PartitionList(f.str("cluster", "motley"), out);
        }
        if (request instanceof Message.BatchScript x) return new Message.Script(f.str("script", ""));
        if (request instanceof Message.TokenRequest x) return new Message.Token(f.str("jwt", ""));
        if (request instanceof Message.DiagnosticsQuery x)
            return new Message.Diagnostics(
                    number(f, "since", 0),
                    number(f, "now", 0),
                    number(f, "submitted", 0),
                    number(f, "started", 0),
                    number(f, "completed", 0),
                    number(f, "canceled", 0),
                    number(f, "failed", 0),
                    number(f, "pending", 0),
                    number(f, "running", 0),
                    passes(f, "main."),
                    passes(f, "backfill."));
        if (request instanceof Message.UpdatePartition x) return new Message.Updated(f.str("error"));
        if (request instanceof Message.ConfigQuery x) {
            List<io.motley.core.config.ConfigListing.Setting> slurm = new ArrayList<>();
            List<io.motley.core.config.ConfigListing.Setting> motley = new ArrayList<>();
            for (Frame c : f.children()) {
                var st = new io.motley.core.config.ConfigListing.Setting(c.str("key", ""), c.str("value", ""));
                (c.bool("motley") ? motley : slurm).add(st);
            }
            return new Message.ConfigInfo(number(f, "asOf", 0), slurm, motley);
        }
        if (request instanceof UpdateNode x) {
            List<NodeError> out = new ArrayList<>();
            for (Frame c : f.children()) out.add(new NodeError(c.str("node"), c.str("error")));
            return new NodeErrors(out);
        }
        if (request instanceof Accounting x)
            return new JobRecords(guard("records: ", f, () -> AccountingFrames.records(f)));
        if (request instanceof Message.JobTexts x) {
            List<Message.Texts.Text> out = new ArrayList<>();
            for (Frame c : f.children()) out.add(new Message.Texts.Text(c.str("job", ""), c.str("text")));
            return new Message.Texts(out);
        }
        if (request instanceof PriorityFactors x) {
            PriorityConfig weights = guard("weights: ", f, () -> Codec.weights(f));
            List<Factors> out = new ArrayList<>();
            for (Frame c : f.children()) out.add(guard("factors: ", c, () -> Codec.factors(c, weights)));
            return new Priorities(weights, out);
        }
        if (request instanceof Shares x) {
            List<ShareTree.Row> out = new ArrayList<>();
            for (Frame c : f.children()) out.add(guard("share: ", c, () -> Codec.shareRow(c)));
            return new ShareList(f.str("type", ""), out);
        }
        if (request instanceof Message.AccountsQuery x)
            return new Message.AccountsAnswer(guard("accounts: ", f, () -> AccountsCodec.db(f)), f.str("cluster", ""));
        if (request instanceof Message.AccountsUpdate x)
            return new Message.AccountsResult(guard("accounts change: ", f, () -> AccountsCodec.result(f)));
        if (request instanceof Message.DaemonLog x)
            return new Message.DaemonLogText(number(f, "offset", 0), base64(f, "data"));
        if (request instanceof Message.StageInChunk x)
            return new Message.StageInReceived(number(f, "received", 0), f.bool("complete"));
        if (request instanceof Message.StageInRead x)
            return new Message.StageInData(number(f, "offset", 0), base64(f, "data"), number(f, "size", 0));
        if (request instanceof Message.HostChecksQuery x) {
            java.util.SortedMap<String, List<HostCheck>> byNode = new java.util.TreeMap<>();
            for (Frame c : f.children())
                byNode.computeIfAbsent(c.str("node", ""), k -> new ArrayList<>())
                        .add(guard("check: ", c, () -> hostCheck(c)));
            return new Message.HostChecks(byNode);
        }
        if (request instanceof Message.Logs x)
            return new Message.LogText(
                    f.str("path"),
                    f.str("submitNode"),
                    f.str("node"),
                    number(f, "offset", 0),
                    base64(f, "data"),
                    f.bool("complete"),
                    guard("state: ", f, () -> JobState.valueOf(f.str("state", "PENDING"))));
        throw new AssertionError("unknown message " + request);
    }

    private static Outcomes outcomes(Frame f) {
        List<Outcome> out = new ArrayList<>();
        for (Frame c : f.children())
            out.add(new Outcome(jobId(c.str("id", ""), "id"), c.str("error"), c.bool("always"), taskSet(c)));
        return new Outcomes(out);
    }

    private static Register register(Frame f) {
        Node node = node(f);
        List<Held> held = new ArrayList<>();
        for (Frame c : f.children()) {
            if (c.op().equals(RUNNING)) held.add(new Running(runId(c), run(c)));
            else if (c.op().equals(Ops.JOB_ENDED)) held.add(jobEnded(c));
            else throw new MalformedMessage("held: '" + quote(c.op()) + "' is neither running nor job_ended");
        }
        return new Register(
                node, (int) number(f, "totalCpus", node.cpus()), number(f, "totalMem", node.memMiB()), held);
    }

    private static JobEnded jobEnded(Frame f) {
        JobState state = guard("", f, () -> JobState.valueOf(f.str("state", "")));
        return new JobEnded(
                runId(f),
                run(f),
                state,
                new ExitStatus((int) number(f, "code", 0), (int) number(f, "signal", 0)),
                number(f, "end", 0),
                f.str("desc"),
                guard("", f, () -> Codec.usage(f)));
    }

    private static Node node(Frame f) {
        if (f.str("name") == null) throw new MalformedMessage("name: missing (the node has no name)");
        return guard("", f, () -> Codec.node(f));
    }

    private static Job job(Frame f, String what) {
        return guard(what, f, () -> {
            if (f.children().isEmpty()) throw new MalformedMessage("request: missing (the job carries no request)");
            Job j = Codec.job(f);
            return j;
        });
    }

    private static JobRequest jobRequest(Frame f, String what) {
        return guard(what, f, () -> Codec.request(f));
    }

    /** Runs a decoder of the core's records, turning its exceptions into a message that names the field. */
    private static <T> T guard(String what, Frame f, java.util.function.Supplier<T> decoder) {
        try {
            return decoder.get();
        } catch (MalformedMessage e) {
            throw new MalformedMessage(what + e.getMessage());
        } catch (NumberFormatException e) {
            throw new MalformedMessage(what + badNumber(f, e));
        } catch (IllegalArgumentException | NullPointerException | IndexOutOfBoundsException e) {
            throw new MalformedMessage(what + FreeText.quote(String.valueOf(e.getMessage()), 200));
        }
    }

    /** Which field of {@code f} holds the value a NumberFormatException complains of. */
    private static String badNumber(Frame f, NumberFormatException e) {
        for (var field : f.fields().entrySet()) {
            String v = field.getValue();
            if (v != null && String.valueOf(e.getMessage()).contains('"' + v + '"')) {
                return quote(field.getKey()) + ": '" + quote(v) + "' is not a number";
            }
        }
        return "a number field is not a number (" + quote(e.getMessage()) + ")";
    }

    /** The frame's {@code index}th child frame, which holds {@code what}. */
    private static Frame child(Frame f, int index, String what) {
        if (f.children().size() <= index)
            throw new MalformedMessage(what + ": missing (the request carries no " + what + ")");
        return f.children().get(index);
    }

    private static void passes(Frame f, String prefix, Message.Passes p) {
        f.put(prefix + "count", p.count())
                .put(prefix + "last", p.lastMicros())
                .put(prefix + "max", p.maxMicros())
                .put(prefix + "total", p.totalMicros())
                .put(prefix + "queue", p.lastQueueLength())
                .put(prefix + "when", p.lastWhen());
    }

    private static Message.Passes passes(Frame f, String prefix) {
        return new Message.Passes(
                number(f, prefix + "count", 0),
                number(f, prefix + "last", 0),
                number(f, prefix + "max", 0),
                number(f, prefix + "total", 0),
                number(f, prefix + "queue", 0),
                number(f, prefix + "when", 0));
    }

    private static long number(Frame f, String key, long fallback) {
        String v = f.str(key);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new MalformedMessage(key + ": '" + quote(v) + "' is not a number");
        }
    }

    private static double decimal(Frame f, String key, double fallback) {
        String v = f.str(key);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new MalformedMessage(key + ": '" + quote(v) + "' is not a number");
        }
    }

    private static long runId(Frame f) {
        return jobId(f.str("id", ""), "id");
    }

    /** A signal number as kill(2) takes it: 1 to 31 (the standard signals). */
    private static int signal(Frame f) {
        long n = number(f, "signal", -1);
        if (n < 1 || n > 31)
            throw new MalformedMessage("signal: '" + quote(f.str("signal", "")) + "' is no signal number");
        return (int) n;
    }

    private static Message.SignalScope scope(Frame f) {
        String s = f.str("scope", "");
        try {
            return Message.SignalScope.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("scope: '" + quote(s) + "' is no signal scope");
        }
    }

    private static int run(Frame f) {
        long run = number(f, "run", 0);
        if (run < 0 || run > Integer.MAX_VALUE) throw new MalformedMessage("run: '" + run + "' is not a run number");
        return (int) run;
    }

    /** A comma-separated list of names; none when the field is absent or empty. */
    private static Set<String> words(Frame f, String key) {
        Set<String> out = new java.util.HashSet<>();
        for (String t : f.str(key, "").split(",")) if (!t.isEmpty()) out.add(t);
        return out;
    }

    private static Set<JobState> states(String list) {
        Set<JobState> out = java.util.EnumSet.noneOf(JobState.class);
        for (String t : list.split(",")) {
            if (t.isEmpty()) continue;
            try {
                out.add(JobState.valueOf(t));
            } catch (IllegalArgumentException e) {
                throw new MalformedMessage("states: '" + quote(t) + "' is no job state");
            }
        }
        return out;
    }

    private static List<Long> ids(Frame f) {
        List<Long> ids = new ArrayList<>();
        for (String t : f.str("ids", "").split(",")) {
            if (!t.isBlank()) ids.add(jobId(t, "ids"));
        }
        return ids;
    }

    private static long jobId(String t, String field) {
        try {
            long id = Long.parseLong(t.trim());
            if (id < 0) throw new NumberFormatException();
            return id;
        } catch (NumberFormatException e) {
            throw new MalformedMessage(field + ": '" + quote(t) + "' is not a job id");
        }
    }

    /** Array tasks as "ARRAY_TASK,..." (the command expands 12_[1-3] to 12_1,12_2,12_3). */
    /** An outcome's folded task indices ({@code 1-3,7}), null when it has none. */
    private static String taskSet(Frame c) {
        String t = c.str("tasks");
        if (t != null && !t.matches("[0-9]{1,10}(-[0-9]{1,10})?(,[0-9]{1,10}(-[0-9]{1,10})?)*"))
            throw new MalformedMessage("tasks: '" + quote(t) + "' is no set of array task indices");
        return t;
    }

    /** Array tasks as the tasks field carries them: ARRAY_INDEX, comma-separated (null when none). */
    private static String tasks(Map<Long, List<Integer>> tasks) {
        if (tasks.isEmpty()) return null;
        List<String> out = new ArrayList<>();
        tasks.forEach((array, indices) -> indices.forEach(i -> out.add(array + "_" + i)));
        return String.join(",", out);
    }

    private static Map<Long, List<Integer>> tasks(Frame f) {
        Map<Long, List<Integer>> out = new LinkedHashMap<>();
        for (String t : f.str("tasks", "").split(",")) {
            if (t.isBlank()) continue;
            int u = t.indexOf('_');
            if (u < 0) throw new MalformedMessage("tasks: '" + quote(t) + "' is not an array task (ARRAYID_INDEX)");
            long array = jobId(t.substring(0, u), "tasks");
            long index = jobId(t.substring(u + 1), "tasks");
            if (index > Integer.MAX_VALUE) throw new MalformedMessage("tasks: '" + quote(t) + "' is not an array task");
            out.computeIfAbsent(array, k -> new ArrayList<>()).add((int) index);
        }
        return out;
    }

    private static String quote(String s) {
        return FreeText.quote(s, QUOTED);
    }
}
