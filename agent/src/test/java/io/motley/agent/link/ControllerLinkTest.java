package io.motley.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.motley.agent.enforcement.TestHosts;
import io.motley.agent.launch.JobLauncher;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.JobState;
import io.motley.core.job.Usage;
import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Message.AckEnded;
import io.motley.protocol.Message.Heartbeat;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Register;
import io.motley.protocol.Message.Registered;
import io.motley.protocol.Message.Report;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import io.motley.protocol.link.AgentPeer;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.SharedKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

// a broken bound would leave a read waiting forever: fail instead
@Timeout(30)
class ControllerLinkTest {
    @TempDir
    Path dir;

    private ServerSocket server;
    private ClusterKey key;
    private final List<String> fakeReceived = new CopyOnWriteArrayList<>();
    private TestHosts.Logs logs;

    @BeforeEach
    void setUp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Files.writeString(dir.resolve("cluster.key"), "ab".repeat(32) + "\n");
        key = ClusterKey.load(dir.resolve("cluster.key"));
        logs = new TestHosts.Logs(ControllerLink.class);
    }

    @AfterEach
    void tearDown() throws IOException {
        logs.stop();
        server.close();
    }

    private ControllerLink link() {
        return new ControllerLink(
                "127.0.0.1",
                server.getLocalPort(),
                role -> SharedKey.asAgent(key, "n1", role),
                "n1",
                () -> new Register(
                        new Node(
                                "n1",
                                "127.0.0.1",
                                1,
                                1,
                                1,
                                1,
                                1,
                                "",
                                "",
                                NodeState.UP,
                                null,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                "",
                                List.of(),
                                List.of(),
                                "",
                                "",
                                "",
                                false),
                        1,
                        1,
                        List.of()),
                () -> new Heartbeat(0, 0, null, null));
    }

    /**
     * The attack of the issue: a process without the key listens on the controller's port, says
     * "ok" to the agent's proof and gives it a launch order for uid 0.
     */
    private void fakeController() {
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    FrameIO.write(s.getOutputStream(), Frame.op(Ops.HELLO).put("nonce", ClusterKey.newNonce()));
                    fakeReceived.add(FrameIO.read(s.getInputStream()).op());
                    FrameIO.write(s.getOutputStream(), Frame.op(Ops.OK));
                    FrameIO.write(
                            s.getOutputStream(),
                            Frame.op(Ops.LAUNCH).put("uid", 0).put("script", "id"));
                    while (true)
                        fakeReceived.add(FrameIO.read(s.getInputStream()).op());
                } catch (IOException e) {
                    // the agent hung up, as it should
                }
            }
        });
    }

    @Test
    void theAgentNeitherRegistersWithNorObeysAPeerThatCannotProveItHoldsTheKey() throws Exception {
        fakeController();
        Thread agent = Thread.ofPlatform().daemon().start(link()::run);
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> logs.lines().stream()
                            .anyMatch(l -> l.startsWith("ERROR controller failed to prove itself controller=127.0.0.1:"
                                    + server.getLocalPort())));
            // it sent its proof and nothing else: no registration, and the launch order was never read
            assertThat(fakeReceived).containsOnly(Ops.AUTH);
        } finally {
            agent.interrupt();
        }
    }

    @Test
    void aUsersRequestIsNotRelayedToAPeerThatCannotProveItHoldsTheKey() {
        fakeController();
        Frame answer = link().relay(Frame.op(Ops.SUBMIT).put("script", "secret"));
        assertThat(answer.isError()).isTrue();
        assertThat(answer.str("message")).contains("failed to prove it is this cluster's controller");
        assertThat(fakeReceived).containsOnly(Ops.AUTH);
        assertThat(logs.lines()).anyMatch(l -> l.contains("controller failed to prove itself controller="));
    }

    @Test
    void withTheRealControllerTheAgentRegistersAndRelays() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Link<AgentPeer> ch = SharedKey.accept(server.accept(), key, "test", Bounds.ANSWERS)) {
                    Frame f = ch.read();
                    received.add(ch.peer().role() + ":" + f.op());
                    if (ch.peer().role().equals("relay"))
                        ch.write(Frame.op(Ops.OK).put("id", 42));
                    else ch.read();
                } catch (IOException e) {
                    // next connection
                }
            }
        });
        assertThat(link().relay(Frame.op(Ops.SUBMIT)).lng("id", 0)).isEqualTo(42);
        Thread agent = Thread.ofPlatform().daemon().start(link()::run);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("agent:" + Ops.REGISTER));
            assertThat(received).contains("relay:" + Ops.SUBMIT);
        } finally {
            agent.interrupt();
        }
    }
    /**
     * The controller did not record a job's end (its database was lost): the end is not
     * acknowledged, so the agent reports it again on the live link, without registering anew, and
     * stops once the controller acknowledges it.
     */
    @Test
    void anUnacknowledgedEndIsReportedAgainOnTheLiveLinkUntilAcknowledged() throws Exception {
        JobEnded end = new JobEnded(7, 0, JobState.COMPLETED, new ExitStatus(0, 0), 1_000, null, Usage.NONE);
        Path spool = dir.resolve("spool");
        // an end the agent reported before, whose acknowledgement never came
        Files.createDirectories(spool.resolve("job7"));
        Files.write(spool.resolve("job7/result"), FrameIO.toBytes(Messages.encode(end)));
        JobLauncher launcher = new JobLauncher(spool, "n1", f -> {});
        assertThat(launcher.inventory()).containsExactly(end);

        List<Report> reports = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (Link<AgentPeer> ch = SharedKey.accept(server.accept(), key, "test", Bounds.ANSWERS)) {
                reports.add(ch.receive(Messages::report));
                ch.send(new Registered(1));
                while (true) {
                    Report r = ch.receive(Messages::report);
                    reports.add(r);
                    if (r instanceof JobEnded e) ch.send(new AckEnded(e.id(), e.run()));
                }
            } catch (IOException e) {
                // the agent hung up at the end of the test
            }
        });
        ControllerLink link = link();
        link.attach(launcher);
        Thread agent = Thread.ofPlatform().daemon().start(link::run);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> reports.contains(end));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> launcher.unacknowledged().isEmpty());
            assertThat(Files.exists(spool.resolve("job7"))).isFalse();
            assertThat(reports.get(0)).isInstanceOf(Register.class);
            // and it is not reported again once acknowledged: the heartbeats go on alone
            int seen = reports.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> reports.size() >= seen + 2);
            assertThat(reports).containsOnlyOnce(end);
        } finally {
            agent.interrupt();
            TestHosts.removeGroups("n1");
        }
    }

    /**
     * A step's tasks go on writing while the controller is away (it restarts): what they wrote and
     * their ends are kept, and sent in their order once the agent has registered again, before what
     * comes after; output is no longer lost.
     */
    @Test
    void stepTaskEventsWhileTheControllerIsAwayAreSentInOrderOnceRegistered() throws Exception {
        ControllerLink link = link();
        io.motley.protocol.StepMessages.TaskEvent a =
                new io.motley.protocol.StepMessages.TaskEvent(7, 0, 1, "out", "a\n".getBytes(), 0);
        io.motley.protocol.StepMessages.TaskEvent b =
                new io.motley.protocol.StepMessages.TaskEvent(7, 0, 1, "err", "b\n".getBytes(), 0);
        io.motley.protocol.StepMessages.TaskEvent end = io.motley.protocol.StepMessages.TaskEvent.ended(7, 0, 1, 3);
        link.sendTaskEvent(a);
        link.sendTaskEvent(b);
        link.sendTaskEvent(end);
        assertThat(link.unsentTaskEvents()).isEqualTo(3);
        List<Object> got = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (Link<AgentPeer> ch = SharedKey.accept(server.accept(), key, "test", Bounds.ANSWERS)) {
                got.add(ch.receive(Messages::report));
                ch.send(new Registered(1));
                while (true) {
                    if (Messages.decode(ch.read()) instanceof io.motley.protocol.StepMessages.TaskEvent e) got.add(e);
                }
            } catch (IOException e) {
                // the agent hung up at the end of the test
            }
        });
        Thread agent = Thread.ofPlatform().daemon().start(link::run);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> got.size() >= 4);
            assertThat(got.get(0)).isInstanceOf(Register.class);
            assertThat(got.subList(1, 4)).containsExactly(a, b, end);
            assertThat(link.unsentTaskEvents()).isZero();
            io.motley.protocol.StepMessages.TaskEvent later =
                    new io.motley.protocol.StepMessages.TaskEvent(7, 1, 0, "out", "c\n".getBytes(), 0);
            link.sendTaskEvent(later);
            await().atMost(Duration.ofSeconds(20)).until(() -> got.contains(later));
        } finally {
            agent.interrupt();
        }
    }

    /**
     * The controller closes the link (it gave the node up after a partition): the agent says so in
     * its log, connects again, and tells its certificate's renewer each link's number, so that a
     * renewal request lost with the first link is told from one on its way on the second.
     */
    @Test
    void aLinkTheControllerClosesIsLoggedAndTheNextGetsTheNextNumber() throws Exception {
        List<Report> reports = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            for (int n = 1; n <= 2 && !server.isClosed(); n++) {
                try (Link<AgentPeer> ch = SharedKey.accept(server.accept(), key, "test", Bounds.ANSWERS)) {
                    reports.add(ch.receive(Messages::report));
                    ch.send(new Registered(1));
                    // the first link is closed after its first heartbeat; the second is kept
                    while (true) {
                        Report r = ch.receive(Messages::report);
                        reports.add(r);
                        if (n == 1 && r instanceof Heartbeat) break;
                    }
                } catch (IOException e) {
                    // the agent hung up at the end of the test
                }
            }
        });
        List<Long> asked = new CopyOnWriteArrayList<>();
        ControllerLink link = link();
        link.renewWith(new ControllerLink.Renewer() {
            @Override
            public java.util.Optional<Report> renewalRequest(long number) {
                asked.add(number);
                return java.util.Optional.empty();
            }

            @Override
            public void renewed(io.motley.protocol.Message.CertificateRenewed answer) {}
        });
        Thread agent = Thread.ofPlatform().daemon().start(link::run);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> asked.contains(2L));
            assertThat(asked).startsWith(1L).doesNotContain(0L, 3L);
            assertThat(reports.stream().filter(Register.class::isInstance)).hasSize(2);
            assertThat(logs.lines())
                    .anyMatch(l -> l.startsWith("WARN controller link down controller=127.0.0.1:")
                            && l.contains("error=\"the controller closed the link\""));
        } finally {
            agent.interrupt();
        }
    }

    /** A controller that answers every relayed request with {@code answer}, counting them, on {@code socket}. */
    private void answering(ServerSocket socket, io.motley.protocol.Message.Answer answer, List<String> asked) {
        Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try (Link<AgentPeer> ch = SharedKey.accept(socket.accept(), key, "test", Bounds.ANSWERS)) {
                    while (true) {
                        asked.add(ch.read().op());
                        ch.write(Messages.encode(answer));
                    }
                } catch (IOException e) {
                    // next connection
                }
            }
        });
    }

    /**
     * A node reads a job's stage-in archive at launch while the controller restarts: the read waits
     * for it and gets its bytes once it is back, instead of failing the job.
     */
    @Test
    void aStageInReadWaitsForAControllerThatIsAwayAndReadsOnceItIsBack() throws Exception {
        // while "away", whatever answers on the controller's address hangs up at once: the link cannot be made
        java.util.concurrent.atomic.AtomicBoolean away = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger turnedAway = new java.util.concurrent.atomic.AtomicInteger();
        List<String> asked = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    if (away.get()) {
                        turnedAway.incrementAndGet();
                        s.close();
                        continue;
                    }
                    try (Link<AgentPeer> ch = SharedKey.accept(s, key, "test", Bounds.ANSWERS)) {
                        while (true) {
                            asked.add(ch.read().op());
                            ch.write(Messages.encode(
                                    new io.motley.protocol.Message.StageInData(0, new byte[] {1, 2, 3}, 3)));
                        }
                    }
                } catch (IOException e) {
                    // next connection
                }
            }
        });
        java.util.concurrent.CompletableFuture<JobLauncher.StageInSource.Piece> read =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return link().readStageIn(5, 0, 1 << 20, 1000, 20);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        // the read has found the controller away more than once, and still waits
        await().atMost(Duration.ofSeconds(20)).until(() -> turnedAway.get() >= 2);
        assertThat(read).isNotDone();
        away.set(false);
        JobLauncher.StageInSource.Piece p = read.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(p.data()).containsExactly(1, 2, 3);
        assertThat(p.size()).isEqualTo(3);
        assertThat(asked).containsExactly(Ops.STAGE_IN_READ);
    }

    /** The controller's refusal (the job runs elsewhere, say) is the read's error at once: no second try. */
    @Test
    void aStageInReadTheControllerRefusesFailsAtOnceWithItsWords() {
        List<String> asked = new CopyOnWriteArrayList<>();
        answering(
                server,
                new io.motley.protocol.Message.Failure("Access/permission denied: job 5 does not run on n1"),
                asked);
        assertThatThrownBy(() -> link().readStageIn(5, 0, 1 << 20, 10, 1000))
                .isInstanceOf(IOException.class)
                .hasMessage("Access/permission denied: job 5 does not run on n1");
        assertThat(asked).hasSize(1);
    }

    /** A controller that stays away: the read gives up after its tries and says why. */
    @Test
    void aStageInReadGivesUpOnAControllerThatStaysAway() throws IOException {
        server.close();
        assertThatThrownBy(() -> link().readStageIn(5, 0, 1 << 20, 3, 10))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot reach the Motley controller at 127.0.0.1:");
    }
}
