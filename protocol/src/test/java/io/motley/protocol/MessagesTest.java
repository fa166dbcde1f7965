package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
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
import io.motley.core.job.KillReason;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import io.motley.core.priority.Factors;
import io.motley.core.priority.PriorityConfig;
import io.motley.core.priority.ShareTree;
import io.motley.protocol.Message.Accounting;
import io.motley.protocol.Message.AckEnded;
import io.motley.protocol.Message.Answer;
import io.motley.protocol.Message.Caller;
import io.motley.protocol.Message.Cancel;
import io.motley.protocol.Message.ExpectedStart;
import io.motley.protocol.Message.Failure;
import io.motley.protocol.Message.Heartbeat;
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
import io.motley.protocol.Message.Outcome;
import io.motley.protocol.Message.Outcomes;
import io.motley.protocol.Message.PartitionList;
import io.motley.protocol.Message.Partitions;
import io.motley.protocol.Message.Ping;
import io.motley.protocol.Message.Pong;
import io.motley.protocol.Message.Priorities;
import io.motley.protocol.Message.PriorityFactors;
import io.motley.protocol.Message.Register;
import io.motley.protocol.Message.Registered;
import io.motley.protocol.Message.Release;
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
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessagesTest {

    static JobRequest request() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin");
        env.put("HOME", "/home/ann");
        return JobRequest.builder("#!/bin/sh\necho hi\n", "/home/ann/work")
                .name("train")
                .placement(new JobRequest.Placement(List.of("gpu", "debug"), "fast", "n[1-2]", "n3", true))
                .ntasks(4)
                .cpusPerTask(2)
                .memory(new MemoryRequest.PerNode(2048))
                .timeLimit(TimeLimit.of(3600))
                .output("out-%j.txt", null)
                .submitDir("/home/ann")
                .environment(env)
                .arguments(List.of("a", "b c"))
                .comment("a comment")
                .account("physics")
                .submitHost("login1")
                .gpus(2, "a100")
                .dependency("afterok:5", true)
                .window(1700000000, 1700009999)
                .array("1-10%2")
                .nice(5)
                .qos("high")
                .requeue(false)
                .build();
    }

    static Job job() {
        return Job.builder(42, request())
                .owner("ann", 1000, 100)
                .state(JobState.RUNNING)
                .priority(77)
                .times(new Job.Times(1700000000, 1700000010, 0))
                .allocation(new Job.Allocation("gpu", "n1", 8, 2048, List.of(0, 1), TimeLimit.of(3600)))
                .outcome(new Job.Outcome(new ExitStatus(0, 0), null, "started late"))
                .usage(new Usage(10, 20, 30, 40))
                .array(new ArrayPart(40, 2, ""))
                .restarts(1)
                .build();
    }

    static Node node(NodeState state, String reason, long reasonTime, String gpuUsage) {
        return new Node(
                "n1",
                "10.0.0.1",
                16,
                64000,
                2,
                4,
                2,
                "x86_64",
                "Linux 6.1",
                state,
                reason,
                reasonTime,
                0,
                0,
                60000,
                0.5,
                1690000000,
                1700000000,
                "0.1.0",
                List.of("fast", "ib"),
                Gpu.parse(""),
                "cgroup2",
                "submitter",
                gpuUsage,
                false);
    }

    static PriorityConfig weights() {
        return new PriorityConfig(true, 1000, 2000, 300, 40, 5, 0, 0, false, Map.of(), 1.0, 0.0);
    }

    static JobEnded ended() {
        return new JobEnded(
                42, 1, JobState.FAILED, new ExitStatus(2, 0), 1700000100, "no shell", new Usage(1, 2, 3, 4));
    }

    /** Every message with no "ok" op: decode(encode(m)) gives it back. */
    static Stream<Message> selfDescribing() {
        return Stream.of(
                new Failure("no such partition", "Invalid partition name specified", false),
                new Failure("cannot reach the controller", null, true),
                new Ping(false),
                new Ping(true),
                new Submit(request()),
                new Message.WillRun(request()),
                new Message.ListPids(0),
                new Message.ListPids(42),
                Jobs.all(),
                Jobs.one(42),
                new Cancel(List.of(1L, 2L), Map.of(7L, List.of(1, 3))),
                new Message.Complete(42, 0),
                new Message.Complete(43, 137),
                new Message.Signal(List.of(1L), Map.of(7L, List.of(2)), 10, Message.SignalScope.STEPS),
                new Message.Signal(List.of(3L, 4L), Map.of(), 19, Message.SignalScope.FULL),
                new Message.Suspend(List.of(3L, 4L), false),
                new Message.Suspend(List.of(5L), true),
                new Hold(List.of(3L)),
                new Release(List.of(3L, 4L)),
                new Hold(List.of(3L), Map.of(7L, List.of(2, 5))),
                new Hold(List.of(3L), Map.of(), true),
                new Release(List.of(), Map.of(7L, List.of(3))),
                new UpdateJob(List.of(), Map.of(7L, List.of(4)), Map.of("TimeLimit", "10")),
                new Requeue(List.of(5L)),
                new RequeueHold(List.of(6L)),
                new UpdateJob(List.of(8L), Map.of("TimeLimit", "10", "Nice", "5")),
                new Top(List.of(9L, 10L)),
                new Nodes(),
                new Partitions(),
                new Message.ConfigQuery(),
                new Message.BatchScript(42),
                new Message.JobTexts(
                        AccountingQuery.builder()
                                .job(AccountingQuery.JobId.parse("7_2"))
                                .build(),
                        false),
                new Message.JobTexts(AccountingQuery.builder().window(5, 9).build(), true),
                new Message.TokenRequest(null, 0),
                new Message.TokenRequest("alice", 600),
                new Message.DiagnosticsQuery(),
                new Message.UpdatePartition("debug", PartitionState.DRAIN),
                new UpdateNode(List.of("n1", "n2"), "DRAIN", "disk"),
                new UpdateNode(List.of("n1"), "RESUME", null),
                new UpdateNode(List.of("n1"), "", null, 5),
                new Accounting(AccountingQuery.builder()
                        .window(100, 200)
                        .uid(1000)
                        .job(AccountingQuery.JobId.parse("1"))
                        .job(AccountingQuery.JobId.parse("2_3"))
                        .build()),
                new Accounting(AccountingQuery.builder().build()),
                new PriorityFactors(),
                new Shares(),
                new Register(node(NodeState.UP, null, 0, ""), 32, 128000, List.of(new Running(41, 0), ended())),
                new Heartbeat(0.25, 1234, "gpu:0=50", "ok"),
                new Heartbeat(0.25, 1234, null, null),
                new Heartbeat(0.25, 1234, null, "ok", 1_700_000_300_000L),
                new Heartbeat(
                        0.25,
                        1234,
                        null,
                        null,
                        1_700_000_300_000L,
                        List.of(
                                new HostCheck(HostCheck.Level.FAIL, "disk", "spool", "12 MiB free (/var/spool)"),
                                new HostCheck(HostCheck.Level.OK, "certificate", "-", "valid for 80 more days"))),
                new Message.HostChecksQuery(),
                ended(),
                new Launch("motley", 30, job()),
                new Launch("motley", 30, job(), "no"),
                new Message.OutputChunk(42, 1, "out", 65536, new byte[] {0, 1, (byte) 0xff, '\n'}, false),
                new Message.OutputChunk(42, 0, "err", 0, new byte[0], true),
                new Message.OutputChunk(42, 0, "stage", 0, new byte[] {1}, true),
                new Message.Delivered(42, 0, "stage", 10240, null),
                new Message.Deliver(
                        new Message.OutputChunk(42, 1, "out", 7, "hello\n".getBytes(), true),
                        "/home/ann/slurm-42.out",
                        1000,
                        100,
                        "ann"),
                new Message.Delivered(42, 1, "out", 65536, null),
                new Message.Logs(42, "err", 100, 65536),
                new Message.StageInChunk(42, 1048576, new byte[] {0, 1, (byte) 0xff}),
                new Message.StageInRead(42, 1048576, 1048576),
                new Message.ReadOutput(7, 42, 1, "out", 0, 4096),
                new Message.OutputRead(7, true, 0, new byte[] {'h', 'i'}, false),
                new Message.OutputRead(8, false, 0, new byte[0], true),
                new Message.DaemonLog(null, 0, 65536),
                new Message.DaemonLog("nas", 4096, 100),
                new Message.ReadLog(9, 4096, 100),
                new Message.Delivered(42, 1, "err", 0, "No space left on device"),
                new Kill(42, 1, KillReason.CANCEL),
                new Kill(42, 1, KillReason.REQUEUE),
                new Kill(42, 1, KillReason.NODE_DOWN),
                new Kill(42, 0, KillReason.NOT_RUNNING_HERE),
                new Kill(42, 0, KillReason.TIME_LIMIT),
                new Kill(42, 0, KillReason.SUPERSEDED),
                new Message.SignalRun(42, 1, 12, Message.SignalScope.BATCH),
                new Message.SuspendRun(42, 1, false),
                new Message.SuspendRun(42, 1, true),
                new Message.LimitRun(42, 1, 300),
                new Message.LimitRun(42, 1, 0),
                new AckEnded(42, 1),
                new Message.RenewCertificate(new byte[] {0x30, (byte) 0x82, 1, 2}),
                new Message.CertificateRenewed("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", null),
                new Message.CertificateRenewed(null, "the certificate of node n1 was revoked"),
                new Message.CertificateRenewed(null, "the controller could not issue the certificate", true),
                new Message.CertificateInUse("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
    }

    @ParameterizedTest
    @MethodSource("selfDescribing")
    void everyMessageRoundTrips(Message m) throws IOException {
        assertThat(Messages.decode(Messages.encode(m))).isEqualTo(m);
        // and through the bytes
        assertThat(Messages.decode(FrameIO.fromBytes(FrameIO.toBytes(Messages.encode(m)))))
                .isEqualTo(m);
    }

    /**
     * Whether a renewal refusal is temporary travels as a flag only where it is set: a final one's
     * frame is the one agents before the flag read, and a frame without it (a controller before it)
     * reads as final, so either side may be the older one.
     */
    @Test
    void aRenewalRefusalIsFinalUnlessFlaggedTemporary() throws IOException {
        Frame final_ = Messages.encode(new Message.CertificateRenewed(null, "revoked"));
        assertThat(final_.has("temporary")).isFalse();
        assertThat(Messages.encode(new Message.CertificateRenewed(null, "busy", true))
                        .str("temporary"))
                .isEqualTo("1");
        Frame old = Frame.op(Ops.RENEWED).put("error", "the certificate of node n1 was revoked");
        assertThat(Messages.decode(old))
                .isEqualTo(new Message.CertificateRenewed(null, "the certificate of node n1 was revoked", false));
    }

    static Stream<Object[]> answers() {
        Partition p = new Partition(
                "gpu", true, List.of("n1", "n2"), 7200, 600, PartitionState.UP, 2, 4, List.of("physics"), null);
        Factors fx = new Factors(42, "ann", "gpu", 0.5, 0.25, 0.125, 1.0, 0.0, 5, weights());
        ShareTree.Row row = new ShareTree.Row("physics", "ann", 2, 10, 0.5, 123.5, 0.25, 0.3, 0.7);
        Job listed = job().withRequest(withoutPayload(job().request()));
        return Stream.of(
                new Object[] {new Ping(false), new Pong("motley", "ctl1", "ok")},
                new Object[] {new Submit(request()), new Submitted(42)},
                new Object[] {
                    new Message.ListPids(0),
                    new Message.PidList(
                            "vm",
                            List.of(
                                    new Message.JobPid(27659, 42, "batch", 0, 0),
                                    new Message.JobPid(27662, 42, "batch", -1, -1)))
                },
                new Object[] {
                    new Message.WillRun(request()), new Message.WillStart(43, 1_700_000_000, 2, "n[1-2]", "debug")
                },
                new Object[] {new Message.WillRun(request()), new Message.WillStart(43, 0, 1, null, "debug")},
                new Object[] {
                    new Message.Logs(42, "out", 0, 100),
                    new Message.LogText(null, null, "nas", 0, new byte[] {'x'}, true, JobState.RUNNING)
                },
                new Object[] {
                    new Message.Logs(42, "out", 0, 100),
                    new Message.LogText(
                            "/home/ann/slurm-42.out", "laptop", null, 5, new byte[0], false, JobState.COMPLETED)
                },
                new Object[] {
                    new Message.StageInChunk(42, 0, new byte[] {1}), new Message.StageInReceived(2097152, true)
                },
                new Object[] {
                    new Message.StageInRead(42, 0, 100),
                    new Message.StageInData(0, new byte[] {0, (byte) 0xff}, 6291456)
                },
                new Object[] {new Message.DaemonLog("nas", 0, 100), new Message.DaemonLogText(0, new byte[] {'x', '\n'})
                },
                new Object[] {
                    new Message.HostChecksQuery(),
                    new Message.HostChecks(new java.util.TreeMap<>(Map.of(
                            "nas",
                            List.of(
                                    new HostCheck(HostCheck.Level.WARN, "disk", "work", "900 MiB free (/w)"),
                                    new HostCheck(HostCheck.Level.OK, "certificate", "-", "valid")),
                            "laptop",
                            List.of(new HostCheck(HostCheck.Level.OK, "disk", "spool", "5000 MiB free (/s)")))))
                },
                new Object[] {new Message.HostChecksQuery(), new Message.HostChecks(new java.util.TreeMap<>())},
                new Object[] {
                    Jobs.all(),
                    new JobList(List.of(new Listed(listed, null), new Listed(listed, new ExpectedStart(5, "n2"))))
                },
                new Object[] {
                    new Cancel(List.of(1L), Map.of()),
                    new Outcomes(List.of(Outcome.done(1), new Outcome(2, "Invalid job id specified", true)))
                },
                new Object[] {
                    new Message.Complete(1, 2), new Outcomes(List.of(Outcome.failed(1, "Invalid job id specified")))
                },
                new Object[] {new Hold(List.of(1L)), new Outcomes(List.of(Outcome.failed(1, "Access denied")))},
                new Object[] {new Release(List.of(1L)), new Outcomes(List.of())},
                new Object[] {new Requeue(List.of(1L)), new Outcomes(List.of(Outcome.done(1)))},
                new Object[] {new RequeueHold(List.of(1L)), new Outcomes(List.of(Outcome.done(1)))},
                new Object[] {new UpdateJob(List.of(1L), Map.of()), new Outcomes(List.of(Outcome.failed(1, "no")))},
                new Object[] {new Top(List.of(1L)), new Outcomes(List.of())},
                new Object[] {
                    new Hold(List.of(7L)),
                    new Outcomes(List.of(
                            new Outcome(7, "Job has already finished", true, "1"),
                            new Outcome(7, null, false, "2-4,6")))
                },
                new Object[] {
                    new Nodes(),
                    new NodeList(List.of(
                            node(NodeState.DRAIN, "disk", 99, "gpu:0=1"),
                            node(NodeState.UP, null, 0, "").withNotResponding(true)))
                },
                new Object[] {new Partitions(), new PartitionList("motley", List.of(p))},
                new Object[] {new Message.UpdatePartition("debug", PartitionState.DOWN), new Message.Updated(null)},
                new Object[] {new Message.BatchScript(42), new Message.Script("#!/bin/sh\necho hi\n")},
                new Object[] {
                    new Message.JobTexts(AccountingQuery.builder().build(), true),
                    new Message.Texts(
                            List.of(new Message.Texts.Text("7", "A=1\nB=two\n"), new Message.Texts.Text("8_3", null)))
                },
                new Object[] {new Message.TokenRequest("bob", 60), new Message.Token("a.b.c")},
                new Object[] {
                    new Message.DiagnosticsQuery(),
                    new Message.Diagnostics(
                            100,
                            200,
                            5,
                            4,
                            2,
                            1,
                            1,
                            3,
                            2,
                            new Message.Passes(9, 120, 900, 2000, 3, 199),
                            new Message.Passes(1, 900, 900, 900, 3, 150))
                },
                new Object[] {
                    new Message.UpdatePartition("nope", PartitionState.UP),
                    new Message.Updated("Invalid partition name specified")
                },
                new Object[] {
                    new Message.ConfigQuery(),
                    new Message.ConfigInfo(
                            1700000000,
                            io.motley.core.config.ConfigListing.slurm(io.motley.core.config.ClusterConfig.defaults()),
                            io.motley.core.config.ConfigListing.motley(io.motley.core.config.ClusterConfig.defaults()))
                },
                new Object[] {
                    new UpdateNode(List.of("n1"), "DRAIN", "x"),
                    new NodeErrors(List.of(new NodeError("n9", "Invalid node name specified")))
                },
                new Object[] {
                    new Accounting(AccountingQuery.builder().window(0, 1).build()),
                    new JobRecords(List.of(new AccountingRecord(listed, null, List.of())))
                },
                new Object[] {new PriorityFactors(), new Priorities(weights(), List.of(fx))},
                new Object[] {new Shares(), new ShareList("priority/multifactor", List.of(row))},
                new Object[] {new Shares(), new Failure("the controller could not handle the request: boom")});
    }

    /** A job in a listing carries no script, environment or arguments. */
    static JobRequest withoutPayload(JobRequest r) {
        return Codec.request(Codec.request(r, false));
    }

    @ParameterizedTest
    @MethodSource("answers")
    void everyAnswerRoundTripsWithItsRequest(Request<?> request, Answer answer) {
        assertThat(Messages.answer(request, Messages.encode(answer))).isEqualTo(answer);
    }

    @Test
    void theRegistrationsAnswerIsAnOrder() {
        assertThat(Messages.order(Messages.encode(new Registered(3)))).isEqualTo(new Registered(3));
        assertThat(Messages.order(Messages.encode(new Kill(1, 0, KillReason.CANCEL))))
                .isEqualTo(new Kill(1, 0, KillReason.CANCEL));
        assertThatThrownBy(() -> Messages.order(Messages.encode(new Heartbeat(0, 0, null, null))))
                .isInstanceOf(MalformedMessage.class)
                .hasMessage("'heartbeat' is not an order to an agent");
        assertThatThrownBy(() -> Messages.report(Messages.encode(new AckEnded(1, 0))))
                .isInstanceOf(MalformedMessage.class);
        assertThat(Messages.report(Messages.encode(ended()))).isEqualTo(ended());
    }

    @Test
    void theCallerTravelsWithTheRequestAndOnlyTheStampCounts() {
        Caller ann = new Caller(1000, 100, "ann", List.of("users", "physics"));
        Frame relayed = Messages.encode(new Hold(List.of(3L)), ann);
        assertThat(Messages.caller(relayed)).contains(ann);
        assertThat(Messages.request(relayed)).isEqualTo(new Hold(List.of(3L)));
        assertThat(Messages.caller(Messages.encode(new Hold(List.of(3L))))).isEmpty();
        Caller noGroups = new Caller(0, 0, "root", null);
        assertThat(Messages.caller(Messages.encode(new Nodes(), noGroups))).contains(noGroups);
    }

    // ---- today's encoding (as the agent, the commands and the controller built it by hand) ----

    @Test
    void framesInTodaysEncodingDecodeToTheSameValues() {
        Frame kill = Frame.op("kill").put("id", 42).put("run", 1).put("why", "requeue");
        assertThat(Messages.decode(kill)).isEqualTo(new Kill(42, 1, KillReason.REQUEUE));
        assertThat(Messages.decode(Frame.op("kill").put("id", 7).put("run", 0).put("why", "unknown")))
                .isEqualTo(new Kill(7, 0, KillReason.NOT_RUNNING_HERE));
        assertThat(Messages.decode(Frame.op("kill").put("id", 7).put("run", 0).put("why", "node_down")))
                .isEqualTo(new Kill(7, 0, KillReason.NODE_DOWN));
        // an order without a reason was a cancel
        assertThat(Messages.decode(Frame.op("kill").put("id", 7))).isEqualTo(new Kill(7, 0, KillReason.CANCEL));

        Frame ended = Frame.op("job_ended")
                .put("id", 42)
                .put("run", 1)
                .put("state", "FAILED")
                .put("code", 2)
                .put("signal", 0)
                .put("end", 1700000100)
                .put("desc", "no shell");
        Codec.putUsage(ended, new Usage(1, 2, 3, 4));
        assertThat(Messages.decode(ended)).isEqualTo(ended());
        assertThat(FrameIO.toBytes(Messages.encode(ended()))).isEqualTo(FrameIO.toBytes(ended));

        Frame ack = Frame.op("ack_ended").put("id", 42).put("run", 1);
        assertThat(FrameIO.toBytes(Messages.encode(new AckEnded(42, 1)))).isEqualTo(FrameIO.toBytes(ack));

        Frame launch =
                Frame.op("launch").put("cluster", "motley").put("killWait", 30).add(Codec.job(job(), true));
        assertThat(Messages.decode(launch)).isEqualTo(new Launch("motley", 30, job()));
        assertThat(FrameIO.toBytes(Messages.encode(new Launch("motley", 30, job()))))
                .isEqualTo(FrameIO.toBytes(launch));

        Frame heartbeat =
                Frame.op("heartbeat").put("load", 0.25).put("freeMem", 1234).put("health", "fail: disk");
        assertThat(Messages.decode(heartbeat)).isEqualTo(new Heartbeat(0.25, 1234, null, "fail: disk"));
        Frame clocked = Frame.op("heartbeat")
                .put("load", 0.25)
                .put("freeMem", 1234)
                .put("health", "ok")
                .put("clock", 1_700_000_300_000L);
        assertThat(Messages.decode(clocked)).isEqualTo(new Heartbeat(0.25, 1234, null, "ok", 1_700_000_300_000L));
        assertThat(FrameIO.toBytes(Messages.encode(new Heartbeat(0.25, 1234, null, "ok", 1_700_000_300_000L))))
                .isEqualTo(FrameIO.toBytes(clocked));

        Frame register = Frame.op("register")
                .put("name", "n1")
                .put("address", "10.0.0.1")
                .put("cpus", 16)
                .put("mem", 64000)
                .put("totalCpus", 32)
                .put("totalMem", 128000)
                .put("sockets", 2)
                .put("coresPerSocket", 4)
                .put("threadsPerCore", 2)
                .put("arch", "x86_64")
                .put("os", "Linux 6.1")
                .put("features", "fast,ib")
                .put("gpus", "")
                .put("freeMem", 60000)
                .put("load", 0.5)
                .put("boot", 1690000000)
                .put("agentStart", 1700000000)
                .put("version", "0.1.0")
                .put("containment", "cgroup2")
                .put("jobUser", "submitter")
                .add(new Frame().put("op", "running").put("id", 41).put("run", 0))
                .add(ended);
        Register expected =
                new Register(node(NodeState.UP, null, 0, ""), 32, 128000, List.of(new Running(41, 0), ended()));
        assertThat(Messages.decode(register)).isEqualTo(expected);
        assertThat(FrameIO.toBytes(Messages.encode(expected))).isEqualTo(FrameIO.toBytes(register));

        Frame cancel = Frame.op("cancel").put("ids", "1,2").put("tasks", "7_1,7_3");
        assertThat(Messages.decode(cancel)).isEqualTo(new Cancel(List.of(1L, 2L), Map.of(7L, List.of(1, 3))));
        assertThat(FrameIO.toBytes(Messages.encode(Messages.decode(cancel)))).isEqualTo(FrameIO.toBytes(cancel));

        Frame submit = Frame.op("submit").add(Codec.request(request(), true));
        assertThat(Messages.decode(submit)).isEqualTo(new Submit(request()));
        assertThat(FrameIO.toBytes(Messages.encode(new Submit(request())))).isEqualTo(FrameIO.toBytes(submit));

        Frame accounting = Frame.op("accounting")
                .put("start", 100)
                .put("end", 200)
                .put("user", -1)
                .put("ids", "3");
        // the older form of the query (one uid, job ids) still reads
        assertThat(Messages.decode(accounting))
                .isEqualTo(new Accounting(AccountingQuery.builder()
                        .window(100, 200)
                        .job(AccountingQuery.JobId.parse("3"))
                        .build()));

        Frame update = Frame.op("update_node")
                .put("nodes", "n1,n2")
                .put("state", "DRAIN")
                .put("reason", "disk");
        assertThat(Messages.decode(update)).isEqualTo(new UpdateNode(List.of("n1", "n2"), "DRAIN", "disk"));
        // an operator's node weight travels in the node list
        assertThat(Codec.node(Codec.node(node(NodeState.UP, null, 0, "").withWeight(3)))
                        .weight())
                .isEqualTo(3);

        // answers
        assertThat(Messages.answer(new Submit(request()), Frame.op("ok").put("id", 42)))
                .isEqualTo(new Submitted(42));
        assertThat(Messages.answer(new Ping(false), Frame.op("ok"))).isEqualTo(new Pong("motley", "controller", "ok"));
        assertThat(Messages.answer(new Ping(false), Frame.error("refused").put("detail", "why")))
                .isEqualTo(new Failure("refused", "why", false));
        assertThat(Messages.answer(
                        new Cancel(List.of(1L), Map.of()),
                        Frame.op("ok")
                                .add(new Frame()
                                        .put("id", 1)
                                        .put("error", "gone")
                                        .put("always", true))))
                .isEqualTo(new Outcomes(List.of(new Outcome(1, "gone", true))));
        assertThat(Messages.order(Frame.op("ok").put("heartbeat", 3))).isEqualTo(new Registered(3));
    }

    // ---- malformed frames -------------------------------------------------------------------------

    @Test
    void aDeliveryToARelativePathOrAnUnknownStreamIsRefused() {
        Frame chunk = Messages.encode(new Message.OutputChunk(1, 0, "out", 0, new byte[] {1}, false));
        assertThatThrownBy(() -> Messages.decode(chunk.put("stream", "log")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("stream");
        Frame deliver = Messages.encode(new Message.Deliver(
                new Message.OutputChunk(1, 0, "out", 0, new byte[] {1}, false), "/home/ann/x", 1000, 100, "ann"));
        assertThatThrownBy(() -> Messages.decode(deliver.put("path", "x")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("path");
        assertThatThrownBy(() -> Messages.decode(Frame.op("output").put("id", 1).put("stream", "out")))
                .hasMessageContaining("offset");
        assertThatThrownBy(() -> Messages.decode(Frame.op("output")
                        .put("id", 1)
                        .put("stream", "out")
                        .put("offset", 0)
                        .put("data", "@@")))
                .hasMessageContaining("data");
    }

    @Test
    void aMalformedFrameIsAnErrorThatNamesTheField() {
        assertThatThrownBy(() -> Messages.decode(Frame.op("hold").put("ids", "abc")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessage("ids: 'abc' is not a job id");
        assertThatThrownBy(() -> Messages.decode(Frame.op("submit")))
                .hasMessage("job: missing (the request carries no job)");
        assertThatThrownBy(() -> Messages.decode(Frame.op("submit").add(new Frame().put("ntasks", "many"))))
                .hasMessage("job: ntasks: 'many' is not a number");
        assertThatThrownBy(() -> Messages.decode(Frame.op("update_job").put("ids", "1")))
                .hasMessage("changes: missing (the request carries no changes)");
        assertThatThrownBy(() -> Messages.decode(Frame.op("accounting").put("start", "yesterday")))
                .hasMessage("start: 'yesterday' is not a number");
        assertThatThrownBy(() -> Messages.decode(Frame.op("cancel").put("tasks", "x")))
                .hasMessage("tasks: 'x' is not an array task (ARRAYID_INDEX)");
        assertThatThrownBy(() -> Messages.decode(
                        Frame.op("signal").put("ids", "1").put("signal", 64).put("scope", "STEPS")))
                .hasMessage("signal: '64' is no signal number");
        assertThatThrownBy(() -> Messages.decode(
                        Frame.op("signal_run").put("id", 1).put("signal", 10).put("scope", "ALL")))
                .hasMessage("scope: 'ALL' is no signal scope");
        assertThatThrownBy(() -> Messages.decode(Frame.op("kill").put("id", 1).put("why", "because")))
                .hasMessage("why: 'because' is no kill reason");
        assertThatThrownBy(
                        () -> Messages.decode(Frame.op("job_ended").put("id", 1).put("state", "NAPPING")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("NAPPING");
        assertThatThrownBy(() -> Messages.decode(Frame.op("launch").put("cluster", "c")))
                .hasMessage("job: missing (the request carries no job)");
        assertThatThrownBy(() -> Messages.decode(Frame.op("register")))
                .hasMessage("name: missing (the node has no name)");
        assertThatThrownBy(() -> Messages.decode(Frame.op("frobnicate\n"))).hasMessage("unknown op 'frobnicate\\n'");
        assertThatThrownBy(() -> Messages.request(Frame.op("kill"))).hasMessage("unknown request 'kill'");
        assertThatThrownBy(() -> Messages.decode(Frame.op("ok"))).isInstanceOf(MalformedMessage.class);
        assertThatThrownBy(() -> Messages.answer(new Jobs(null), Frame.op("ok").add(new Frame().put("id", "x"))))
                .isInstanceOf(MalformedMessage.class);
        assertThatThrownBy(() -> Messages.caller(Frame.op("ping").put("caller.uid", "root")))
                .hasMessage("caller.uid: 'root' is not a number");
    }
}
