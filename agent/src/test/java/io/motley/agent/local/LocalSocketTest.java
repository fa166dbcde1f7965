package io.motley.agent.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.agent.enforcement.TestHosts;
import io.motley.core.config.ClusterConfig;
import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Message;
import io.motley.protocol.Ops;
import io.motley.protocol.local.CommandHost;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

// a broken bound would leave a read waiting forever: fail instead
@Timeout(30)
class LocalSocketTest {
    private static final Bounds ROOMY = Bounds.requests(4L * 1024 * 1024);

    @TempDir
    Path dir;

    private LocalSocket socket;
    private final List<Frame> relayed = new CopyOnWriteArrayList<>();
    private final List<SocketChannel> clients = new ArrayList<>();
    /** The peers a stand-in for SO_PEERCRED hands out, one per connection in order. */
    private final BlockingQueue<LocalSocket.Peer> nextPeers = new LinkedBlockingQueue<>();

    private volatile CompletableFuture<Void> relayGate = CompletableFuture.completedFuture(null);

    @AfterEach
    void tearDown() throws IOException {
        for (SocketChannel c : clients) c.close();
        if (socket != null) socket.close();
    }

    private void start(LocalSocket.Settings settings, LocalSocket.Peers peers) throws IOException {
        start(settings, peers, Optional.empty());
    }

    private void start(LocalSocket.Settings settings, LocalSocket.Peers peers, Optional<CommandHost> commands)
            throws IOException {
        socket = new LocalSocket(
                dir.resolve("agent.sock"),
                req -> {
                    relayed.add(req);
                    relayGate.join();
                    return Frame.op(Ops.OK).put("echo", req.op());
                },
                settings,
                peers,
                commands);
        Thread.ofPlatform().daemon().start(socket::serve);
    }

    /** Peers handed out from {@link #nextPeers}: a test cannot change its own uid, so it names who connects. */
    private LocalSocket.Peers standIn() {
        return ch -> {
            try {
                return nextPeers.poll(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        };
    }

    private static LocalSocket.Peer user(int uid, String name) {
        return new LocalSocket.Peer(uid, uid, name, name + ",users");
    }

    private SocketChannel connect() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
        clients.add(c);
        return c;
    }

    private static Frame call(SocketChannel c, Frame req) throws IOException {
        FrameIO.write(Channels.newOutputStream(c), req);
        return FrameIO.read(Channels.newInputStream(c));
    }

    /** A connection the agent has counted: it answered a request on it. */
    private SocketChannel admitted() throws IOException {
        SocketChannel c = connect();
        assertThat(call(c, Frame.op(Ops.PING)).op()).isEqualTo(Ops.OK);
        return c;
    }

    private static boolean closedByAgent(SocketChannel c) {
        try {
            InputStream in = Channels.newInputStream(c);
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void listpidsIsAnsweredHereForTheCallerAndNeverRelayed() throws IOException {
        start(new LocalSocket.Settings(100, 2, Duration.ofSeconds(30), ROOMY), standIn());
        List<String> asked = new CopyOnWriteArrayList<>();
        socket.answerPidsWith((request, caller) -> {
            asked.add(request.jobId() + " by " + caller.uid());
            return new io.motley.protocol.Message.PidList(
                    "n1", List.of(new io.motley.protocol.Message.JobPid(4242, 7, "batch", 0, 0)));
        });
        nextPeers.add(user(1001, "alice"));
        Frame answer = call(connect(), Frame.op(Ops.LIST_PIDS).put("job", 7).put("caller.uid", 0));
        assertThat(answer.op()).isEqualTo(Ops.OK);
        assertThat(answer.str("node")).isEqualTo("n1");
        assertThat(answer.children().get(0).str("pid")).isEqualTo("4242");
        // the kernel's word for who asks, not the frame's
        assertThat(asked).containsExactly("7 by 1001");
        assertThat(relayed).isEmpty();
    }

    @Test
    void aLocalPingIsAnsweredHereWithThisAgentsNodeAndNeverRelayed() throws IOException {
        start(new LocalSocket.Settings(100, 2, Duration.ofSeconds(30), ROOMY), standIn());
        nextPeers.add(user(1001, "alice"));
        nextPeers.add(user(1001, "alice"));
        Message.Ping ping = new Message.Ping(true);
        Frame local = io.motley.protocol.Messages.encode(ping);
        // before the agent has named its node: an answer without one, as from an older agent
        assertThat(call(connect(), local).has("host")).isFalse();
        socket.nameNode("gpu-box");
        Frame named = call(connect(), local);
        assertThat(((Message.Pong) io.motley.protocol.Messages.answer(ping, named)).host())
                .isEqualTo("gpu-box");
        assertThat(relayed).isEmpty();
    }

    @Test
    void aUserOverTheirLimitIsRefusedWithOneErrorFrameWhileOthersStillGetIn() throws IOException {
        start(new LocalSocket.Settings(100, 2, Duration.ofSeconds(30), ROOMY), standIn());
        nextPeers.add(user(1001, "alice"));
        SocketChannel first = admitted();
        nextPeers.add(user(1001, "alice"));
        admitted();
        nextPeers.add(user(1001, "alice"));
        SocketChannel third = connect();
        Frame refusal = FrameIO.read(Channels.newInputStream(third));
        assertThat(refusal.isError()).isTrue();
        assertThat(refusal.str("message"))
                .isEqualTo("too many connections from user alice on this node (limit 2); close some and retry");
        assertThat(closedByAgent(third)).isTrue();
        // another user is not locked out
        nextPeers.add(user(1002, "bob"));
        admitted();
        // and alice gets back in once she closes one
        first.close();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            nextPeers.add(user(1001, "alice"));
            SocketChannel again = connect();
            return call(again, Frame.op(Ops.PING)).op().equals(Ops.OK);
        });
    }

    @Test
    void connectionsOverTheTotalAreRefusedAtOnceAndTheRefusalsAreLoggedOncePerInterval() throws Exception {
        // the kernel's own peer credentials, for real
        start(new LocalSocket.Settings(3, 100, Duration.ofSeconds(30), ROOMY), peersFromTheKernel());
        TestHosts.Logs logs = new TestHosts.Logs(LocalSocket.class);
        try {
            SocketChannel first = admitted();
            admitted();
            admitted();
            for (int i = 0; i < 20; i++) {
                SocketChannel over = connect();
                Frame refusal = FrameIO.read(Channels.newInputStream(over));
                assertThat(refusal.str("message")).startsWith("too many connections on this node (limit 3");
                assertThat(closedByAgent(over)).isTrue();
            }
            assertThat(logs.lines()).filteredOn(l -> l.contains("refused")).hasSize(1);
            first.close();
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> call(connect(), Frame.op(Ops.PING)).op().equals(Ops.OK));
        } finally {
            logs.stop();
        }
    }

    @Test
    void aConnectionThatSendsNoCompleteRequestInTimeIsClosedButOneWaitingForItsAnswerIsNot() throws Exception {
        start(new LocalSocket.Settings(100, 100, Duration.ofMillis(500), ROOMY), peersFromTheKernel());
        relayGate = new CompletableFuture<>();
        // a client whose request is with the controller for longer than the timeout
        SocketChannel waiting = connect();
        FrameIO.write(Channels.newOutputStream(waiting), Frame.op(Ops.JOBS));
        await().atMost(Duration.ofSeconds(10)).until(() -> !relayed.isEmpty());
        long t0 = System.nanoTime();
        SocketChannel silent = connect();
        SocketChannel half = connect();
        // half a request: the length of a frame and a few bytes of it, then nothing
        DataOutputStream d = new DataOutputStream(Channels.newOutputStream(half));
        d.writeInt(100);
        d.write(new byte[10]);
        d.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> closedByAgent(silent) && closedByAgent(half));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        // the waiting client was not idle: it still gets its answer, and may send another request
        relayGate.complete(null);
        assertThat(FrameIO.read(Channels.newInputStream(waiting)).str("echo")).isEqualTo(Ops.JOBS);
        assertThat(call(waiting, Frame.op(Ops.NODES)).str("echo")).isEqualTo(Ops.NODES);
    }

    @Test
    void aNativeClientsCommandRunsInTheHostForTheKernelsCallerWithItsRequestsStampedAsAnyOther() throws IOException {
        List<Message.Caller> callers = new CopyOnWriteArrayList<>();
        CommandHost host = (start, caller, client, relay) -> {
            callers.add(caller);
            // the command's request goes the way a JVM client's does, caller claims and all
            Frame answer =
                    relay.apply(Frame.op(Ops.NODES).put(Ops.CALLER_UID, 0).put(Ops.CALLER_USER, "root"));
            client.write(Frame.op("read").put("path", "/home/alice/job.sh"));
            Frame file = client.read();
            client.write(Frame.op("out").put("bytes", answer.str("echo") + " " + file.str("bytes")));
            client.write(Frame.op("exit").put("code", 0));
        };
        start(new LocalSocket.Settings(100, 100, Duration.ofSeconds(30), ROOMY), standIn(), Optional.of(host));
        nextPeers.add(user(1001, "alice"));
        SocketChannel c = connect();
        Frame read = call(c, Frame.op(CommandHost.OP).put("v", CommandHost.VERSION));
        assertThat(read.op()).isEqualTo("read");
        Frame out = call(c, Frame.op("file").put("bytes", "#!/bin/sh"));
        assertThat(out.str("bytes")).isEqualTo(Ops.NODES + " #!/bin/sh");
        assertThat(FrameIO.read(Channels.newInputStream(c)).op()).isEqualTo("exit");
        assertThat(closedByAgent(c)).isTrue();
        assertThat(callers).containsExactly(new Message.Caller(1001, 1001, "alice", List.of("alice", "users")));
        assertThat(relayed).hasSize(1);
        assertThat(relayed.get(0).fields())
                .containsEntry(Ops.CALLER_UID, "1001")
                .containsEntry(Ops.CALLER_USER, "alice");
    }

    @Test
    void withoutTheCliTheNativeClientIsToldToRunItsJvmClient() throws IOException {
        start(new LocalSocket.Settings(100, 100, Duration.ofSeconds(30), ROOMY), standIn());
        nextPeers.add(user(1001, "alice"));
        SocketChannel c = connect();
        Frame answer = call(c, Frame.op(CommandHost.OP).put("v", CommandHost.VERSION));
        assertThat(answer.op()).isEqualTo("jvm");
        assertThat(relayed).isEmpty();
    }

    @Test
    void theCallersIdentityAndGroupsGoOnEveryRequestOverAnythingTheClientClaimed() throws IOException {
        start(new LocalSocket.Settings(100, 100, Duration.ofSeconds(30), ROOMY), standIn());
        nextPeers.add(user(1001, "alice"));
        SocketChannel c = connect();
        call(
                c,
                Frame.op(Ops.UPDATE_JOB)
                        .put(Ops.CALLER_UID, 0)
                        .put(Ops.CALLER_USER, "root")
                        .put(Ops.CALLER_GROUPS, "root,wheel,secret")
                        .put("caller.admin", "1")
                        .put("ids", "7")
                        .add(new Frame().put("TimeLimit", "5")));
        call(c, Frame.op(Ops.NODES));
        assertThat(relayed).hasSize(2);
        for (Frame f : relayed) {
            assertThat(f.fields())
                    .containsEntry(Ops.CALLER_UID, "1001")
                    .containsEntry(Ops.CALLER_GID, "1001")
                    .containsEntry(Ops.CALLER_USER, "alice")
                    .containsEntry(Ops.CALLER_GROUPS, "alice,users")
                    .doesNotContainKey("caller.admin");
        }
        assertThat(relayed.get(0).str("ids")).isEqualTo("7");
    }

    @Test
    void aRequestOverTheBoundsGetsOneErrorFrameNamingTheBoundAndIsNotRelayed() throws IOException {
        start(new LocalSocket.Settings(100, 100, Duration.ofSeconds(30), new Bounds(1024, 4)), peersFromTheKernel());
        SocketChannel big = connect();
        Frame answer = call(big, Frame.op(Ops.SUBMIT).put("script", "x".repeat(2000)));
        assertThat(answer.str("message")).matches("frame of \\d+ bytes is over the limit of 1024 bytes");
        assertThat(closedByAgent(big)).isTrue();
        Frame deep = new Frame();
        for (int i = 0; i < 5; i++) deep = new Frame().add(deep);
        SocketChannel nested = connect();
        assertThat(call(nested, deep).str("message"))
                .isEqualTo("frame nested more than 4 levels deep is over the limit of 4 levels");
        assertThat(relayed).isEmpty();
    }

    @Test
    void aMalformedRequestGetsOneErrorFrameSayingSo() throws IOException {
        start(new LocalSocket.Settings(100, 100, Duration.ofSeconds(30), ROOMY), peersFromTheKernel());
        SocketChannel c = connect();
        DataOutputStream d = new DataOutputStream(Channels.newOutputStream(c));
        // a body of one field count and nothing else: the child count is missing
        d.writeInt(4);
        d.writeInt(0);
        d.flush();
        assertThat(FrameIO.read(Channels.newInputStream(c)).str("message"))
                .isEqualTo("frame is malformed: it ends in the middle of a field");
        assertThat(closedByAgent(c)).isTrue();
        assertThat(relayed).isEmpty();
    }

    @Test
    void aRequestThatIsNoValidMessageIsAnsweredHereAndNotRelayed() throws IOException {
        start(new LocalSocket.Settings(100, 100, Duration.ofSeconds(30), ROOMY), peersFromTheKernel());
        SocketChannel c = connect();
        assertThat(call(c, Frame.op(Ops.HOLD).put("ids", "seven")).str("message"))
                .isEqualTo("malformed request: ids: 'seven' is not a job id");
        assertThat(call(c, Frame.op("launch")).str("message")).isEqualTo("unknown request 'launch'");
        assertThat(relayed).isEmpty();
        // the connection stays usable for the next request
        assertThat(call(c, Frame.op(Ops.NODES)).str("echo")).isEqualTo(Ops.NODES);
    }

    @Test
    void aFrameNestedTwoHundredThousandLevelsIsRefusedAndTheAgentCarriesOn() throws IOException {
        start(new LocalSocket.Settings(100, 100, Duration.ofSeconds(30), ROOMY), peersFromTheKernel());
        int levels = 200_000;
        SocketChannel abyss = connect();
        DataOutputStream d = new DataOutputStream(Channels.newOutputStream(abyss));
        d.writeInt(8 * levels);
        for (int i = 0; i < levels - 1; i++) {
            d.writeInt(0);
            d.writeInt(1);
        }
        d.writeInt(0);
        d.writeInt(0);
        d.flush();
        assertThat(FrameIO.read(Channels.newInputStream(abyss)).str("message"))
                .isEqualTo("frame nested more than 16 levels deep is over the limit of 16 levels");
        assertThat(relayed).isEmpty();
        assertThat(call(connect(), Frame.op(Ops.PING)).op()).isEqualTo(Ops.OK);
    }

    @Test
    void theSettingsComeFromTheClustersLimits() {
        LocalSocket.Settings s = LocalSocket.Settings.of(ClusterConfig.Limits.DEFAULT);
        assertThat(s.maxConnections()).isEqualTo(1024);
        assertThat(s.maxConnectionsPerUser()).isEqualTo(64);
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.requests().maxBytes()).isEqualTo(20 * 1024 * 1024);
    }

    @Test
    void theSocketStaysOpenToEveryLocalUser() throws IOException {
        start(new LocalSocket.Settings(100, 100, Duration.ofSeconds(30), ROOMY), standIn());
        assertThat(Files.getPosixFilePermissions(dir.resolve("agent.sock")).toString())
                .isEqualTo("[OWNER_READ, OWNER_WRITE, OWNER_EXECUTE, GROUP_READ, GROUP_WRITE, GROUP_EXECUTE,"
                        + " OTHERS_READ, OTHERS_WRITE, OTHERS_EXECUTE]");
    }

    private static LocalSocket.Peers peersFromTheKernel() {
        return LocalSocket.KERNEL_PEERS;
    }
}
