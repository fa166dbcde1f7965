package io.motley.protocol.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

// a broken bound would leave a read waiting forever: fail instead
@Timeout(30)
class SharedKeyTest {
    private static final Bounds ROOMY = new Bounds(1 << 20, Bounds.DEPTH);

    @TempDir
    Path dir;

    private ClusterKey key;
    private ClusterKey otherKey;
    private ServerSocket server;

    @BeforeEach
    void setUp() throws IOException {
        key = keyOf("11".repeat(32));
        otherKey = keyOf("22".repeat(32));
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
    }

    @Test
    void bothSidesProveThemselvesAndFramesFlowBothWaysInOrder() throws Exception {
        CompletableFuture<Link<AgentPeer>> controller = controller(key, ROOMY);
        try (Link<ControllerPeer> agent = connect(key);
                Link<AgentPeer> ctl = controller.get()) {
            assertThat(ctl.peer().node()).isEqualTo("n1");
            assertThat(ctl.peer().role()).isEqualTo("relay");
            for (int i = 0; i < 3; i++) agent.write(Frame.op(Ops.JOBS).put("i", i));
            for (int i = 0; i < 3; i++) assertThat(ctl.read().integer("i", -1)).isEqualTo(i);
            ctl.write(Frame.op(Ops.OK).add(new Frame().put("id", 7)));
            assertThat(agent.read().children().get(0).lng("id", 0)).isEqualTo(7);
        }
    }

    /**
     * The probe before reusing an idle connection: a live, quiet one times out its short read; a
     * frame that came meanwhile is not consumed; a peer that closed is seen at once.
     */
    @Test
    void quietTellsALiveIdleConnectionFromAClosedOneAndConsumesNothing() throws Exception {
        CompletableFuture<Link<AgentPeer>> controller = controller(key, ROOMY);
        try (Link<ControllerPeer> agent = connect(key);
                Link<AgentPeer> ctl = controller.get()) {
            assertThat(agent.quiet(Duration.ofMillis(1))).isTrue();
            agent.write(Frame.op(Ops.JOBS).put("i", 1));
            assertThat(ctl.read().integer("i", -1)).isEqualTo(1);
            ctl.write(Frame.op(Ops.OK).put("id", 7));
            // something the peer sent unasked: not quiet, and the frame is still whole for the next read
            // (a long wait: the read returns as soon as the frame's first byte is there)
            assertThat(agent.quiet(Duration.ofSeconds(20))).isFalse();
            assertThat(agent.read().lng("id", 0)).isEqualTo(7);
            assertThat(agent.quiet(Duration.ofMillis(1))).isTrue();
            // the link still works after the probes' timeouts
            agent.write(Frame.op(Ops.JOBS).put("i", 2));
            assertThat(ctl.read().integer("i", -1)).isEqualTo(2);
            ctl.close();
            assertThat(agent.quiet(Duration.ofSeconds(20))).isFalse();
        }
    }

    @Test
    void anAgentWithTheWrongKeyIsRefusedWithTheControllersMessage() {
        CompletableFuture<Link<AgentPeer>> controller = controller(otherKey, ROOMY);
        assertThatThrownBy(() -> connect(key))
                .isInstanceOf(Handshake.Refused.class)
                .hasMessage("authentication failed: this agent's cluster key does not match the controller's");
        assertThatThrownBy(controller::get)
                .hasCauseInstanceOf(Handshake.Rejected.class)
                .cause()
                .hasMessage("wrong cluster key")
                .satisfies(e -> assertThat(((Handshake.Rejected) e).claimed()).isEqualTo("n1"));
    }

    @Test
    void aPeerWithoutTheKeyCannotPassForTheController() throws Exception {
        // the attack of the issue: whoever listens on the controller's port answers "ok"
        assertThat(againstFake((auth, nc) -> Frame.op(Ops.OK))).isInstanceOf(Handshake.Unproven.class);
        // the agent's own proof sent back as the controller's: a different label, so it fails
        assertThat(againstFake((auth, nc) -> Frame.op(Ops.OK).put("mac", auth.str("mac"))))
                .isInstanceOf(Handshake.Unproven.class);
        // a proof of the right shape under another key
        assertThat(againstFake((auth, nc) -> Frame.op(Ops.OK)
                        .put(
                                "mac",
                                HexFormat.of()
                                        .formatHex(otherKey.mac(
                                                SharedKey.CONTROLLER_PROOF, nc, auth.str("nonce"), "n1", "relay")))))
                .isInstanceOf(Handshake.Unproven.class);
        // the right key, but a proof that leaves out the agent's nonce (replayable from another connection)
        assertThat(againstFake((auth, nc) -> Frame.op(Ops.OK)
                        .put(
                                "mac",
                                HexFormat.of().formatHex(key.mac(SharedKey.CONTROLLER_PROOF, nc, "", "n1", "relay")))))
                .isInstanceOf(Handshake.Unproven.class);
        // and the one made as the controller makes it passes: the checks above fail for the reason they name
        assertThat(againstFake((auth, nc) -> Frame.op(Ops.OK)
                        .put(
                                "mac",
                                HexFormat.of()
                                        .formatHex(key.mac(
                                                SharedKey.CONTROLLER_PROOF, nc, auth.str("nonce"), "n1", "relay")))))
                .isNull();
    }

    @Test
    void aRecordedAgentProofDoesNotOpenAnotherConnection() throws Exception {
        CompletableFuture<Frame> recorded = async(() -> {
            try (Socket s = server.accept()) {
                FrameIO.write(s.getOutputStream(), Frame.op(Ops.HELLO).put("nonce", ClusterKey.newNonce()));
                return FrameIO.read(s.getInputStream());
            }
        });
        assertThatThrownBy(() -> connect(key)).isInstanceOf(IOException.class);
        Frame auth = recorded.get();
        CompletableFuture<Link<AgentPeer>> controller = controller(key, ROOMY);
        try (Socket attacker = new Socket(server.getInetAddress(), server.getLocalPort())) {
            FrameIO.read(attacker.getInputStream());
            FrameIO.write(attacker.getOutputStream(), auth);
            assertThat(FrameIO.read(attacker.getInputStream()).str("message")).contains("cluster key does not match");
        }
        assertThatThrownBy(controller::get).hasCauseInstanceOf(Handshake.Rejected.class);
    }

    @Test
    void framesAlteredReplayedReorderedOrReflectedCloseTheConnection() throws Exception {
        // altered: one bit of the body flipped
        try (HandMadeController c = new HandMadeController();
                Link<ControllerPeer> agent = c.agent) {
            byte[] f = c.frame(0, Frame.op(Ops.LAUNCH).put("uid", 1000));
            f[10] ^= 1;
            c.out.write(f);
            assertThatThrownBy(agent::read).isInstanceOf(Link.Tampered.class);
            assertThatThrownBy(agent::read).isInstanceOf(IOException.class);
        }
        // replayed: the same frame twice
        try (HandMadeController c = new HandMadeController();
                Link<ControllerPeer> agent = c.agent) {
            byte[] f = c.frame(0, Frame.op(Ops.LAUNCH).put("uid", 1000));
            c.out.write(f);
            c.out.write(f);
            assertThat(agent.read().op()).isEqualTo(Ops.LAUNCH);
            assertThatThrownBy(agent::read).isInstanceOf(Link.Tampered.class);
        }
        // reordered: the second frame first
        try (HandMadeController c = new HandMadeController();
                Link<ControllerPeer> agent = c.agent) {
            c.out.write(c.frame(1, Frame.op(Ops.KILL)));
            c.out.write(c.frame(0, Frame.op(Ops.LAUNCH)));
            assertThatThrownBy(agent::read).isInstanceOf(Link.Tampered.class);
        }
        // reflected: the agent's own frame sent back to it
        try (HandMadeController c = new HandMadeController();
                Link<ControllerPeer> agent = c.agent) {
            agent.write(Frame.op(Ops.LAUNCH).put("uid", 0));
            int len = c.in.readInt();
            byte[] rest = c.in.readNBytes(len + SharedKey.TAG_BYTES);
            c.out.write(ByteBuffer.allocate(4).putInt(len).array());
            c.out.write(rest);
            assertThatThrownBy(agent::read).isInstanceOf(Link.Tampered.class);
        }
        // and the hand-made frames are right: the same frame, unaltered and in order, is read
        try (HandMadeController c = new HandMadeController();
                Link<ControllerPeer> agent = c.agent) {
            c.out.write(c.frame(0, Frame.op(Ops.LAUNCH)));
            c.out.write(c.frame(1, Frame.op(Ops.KILL)));
            assertThat(agent.read().op()).isEqualTo(Ops.LAUNCH);
            assertThat(agent.read().op()).isEqualTo(Ops.KILL);
        }
    }

    @Test
    void theControllerChecksTheAgentsFramesToo() throws Exception {
        CompletableFuture<Link<AgentPeer>> controller = controller(key, ROOMY);
        Proxy proxy = new Proxy();
        try (Link<ControllerPeer> agent = SharedKey.connect("127.0.0.1", proxy.port(), key, "n1", "agent", ROOMY);
                Link<AgentPeer> ctl = controller.get()) {
            agent.write(Frame.op(Ops.JOB_ENDED).put("id", 1));
            assertThat(ctl.read().op()).isEqualTo(Ops.JOB_ENDED);
            proxy.replayLast();
            assertThatThrownBy(ctl::read).isInstanceOf(Link.Tampered.class);
        } finally {
            proxy.close();
        }
    }

    @Test
    void anOversizedHandshakeFrameIsAnsweredWithAnErrorNamingTheBound() throws Exception {
        CompletableFuture<Link<AgentPeer>> controller = controller(key, ROOMY);
        try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
            FrameIO.read(s.getInputStream());
            new DataOutputStream(s.getOutputStream()).writeInt(256 * 1024 * 1024);
            assertThat(FrameIO.read(s.getInputStream()).str("message"))
                    .isEqualTo("frame of 268435456 bytes is over the limit of 4096 bytes");
        }
        assertThatThrownBy(controller::get).hasCauseInstanceOf(Bounds.Exceeded.class);
    }

    @Test
    void aMalformedHandshakeFrameIsAnsweredWithAnErrorSayingSo() throws Exception {
        CompletableFuture<Link<AgentPeer>> controller = controller(key, ROOMY);
        try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
            FrameIO.read(s.getInputStream());
            DataOutputStream d = new DataOutputStream(s.getOutputStream());
            d.writeInt(8);
            d.writeInt(1000);
            d.writeInt(0);
            assertThat(FrameIO.read(s.getInputStream()).str("message"))
                    .startsWith("frame is malformed: 1000 fields do not fit");
        }
        assertThatThrownBy(controller::get).hasCauseInstanceOf(FrameIO.Malformed.class);
    }

    @Test
    void aPeerThatDripsItsHandshakeIsCutOffAtTheDeadline() throws Exception {
        CompletableFuture<Link<AgentPeer>> controller =
                async(() -> SharedKey.accept(server.accept(), key, "test", ROOMY, Duration.ofMillis(500)));
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        long t0 = System.nanoTime();
        try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
            FrameIO.read(s.getInputStream());
            OutputStream o = s.getOutputStream();
            o.write(new byte[] {0, 0, 0x0f, (byte) 0xff});
            // one byte every 100 ms: a read timeout would be reset by each, the deadline is not
            drip.scheduleAtFixedRate(
                    () -> {
                        try {
                            o.write('x');
                        } catch (IOException ignored) {
                            // cut off, as it should be
                        }
                    },
                    0,
                    100,
                    TimeUnit.MILLISECONDS);
            assertThatThrownBy(controller::get)
                    .cause()
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("no complete handshake within 500 ms");
        } finally {
            drip.shutdownNow();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anAgentGivesUpOnAControllerThatNeverGreets() {
        CompletableFuture<Socket> silent = async(server::accept);
        assertThatThrownBy(() -> SharedKey.connect(
                        "127.0.0.1", server.getLocalPort(), key, "n1", "agent", ROOMY, Duration.ofMillis(300)))
                .isInstanceOf(SocketTimeoutException.class);
        silent.join();
    }

    @Test
    void afterTheHandshakeAFrameOverTheReceiversBoundsGetsOneErrorFrameAndTheConnectionCloses() throws Exception {
        CompletableFuture<Link<AgentPeer>> controller = controller(key, new Bounds(1024, 4));
        try (Link<ControllerPeer> agent = connect(key);
                Link<AgentPeer> ctl = controller.get()) {
            agent.write(Frame.op(Ops.SUBMIT).put("script", "x".repeat(2000)));
            assertThatThrownBy(ctl::read)
                    .isInstanceOf(Bounds.Exceeded.class)
                    .hasMessageMatching("frame of \\d+ bytes is over the limit of 1024 bytes");
            Frame answer = agent.read();
            assertThat(answer.isError()).isTrue();
            assertThat(answer.str("message")).matches("frame of \\d+ bytes is over the limit of 1024 bytes");
            assertThatThrownBy(agent::read).isInstanceOf(EOFException.class);
        }
        controller = controller(key, new Bounds(1024, 4));
        try (Link<ControllerPeer> agent = connect(key);
                Link<AgentPeer> ctl = controller.get()) {
            Frame deep = new Frame();
            for (int i = 0; i < 5; i++) deep = new Frame().add(deep);
            agent.write(deep);
            assertThatThrownBy(ctl::read)
                    .isInstanceOf(Bounds.Exceeded.class)
                    .hasMessage("frame nested more than 4 levels deep is over the limit of 4 levels");
            assertThat(agent.read().str("message"))
                    .isEqualTo("frame nested more than 4 levels deep is over the limit of 4 levels");
        }
    }

    @Test
    void peerChosenTextIsEscapedForLogs() {
        assertThat(SharedKey.printable("evil\nnode=x")).isEqualTo("evil\\x0anode=x");
        assertThat(SharedKey.printable("a".repeat(1000))).hasSize(200);
    }

    /** Runs {@code work} on its own thread; a failure comes out of get() as the ExecutionException's cause, unwrapped. */
    private static <T> CompletableFuture<T> async(Work<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(work.run());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private interface Work<T> {
        T run() throws Exception;
    }

    private Link<ControllerPeer> connect(ClusterKey k) throws IOException {
        return SharedKey.connect("127.0.0.1", server.getLocalPort(), k, "n1", "relay", ROOMY);
    }

    private CompletableFuture<Link<AgentPeer>> controller(ClusterKey k, Bounds requests) {
        return async(() -> SharedKey.accept(server.accept(), k, "test", requests));
    }

    /** A controller that answers the agent's proof with {@code answer}; returns what connect threw (null when it passed). */
    private Throwable againstFake(java.util.function.BiFunction<Frame, String, Frame> answer) throws Exception {
        CompletableFuture<Object> fake = async(() -> {
            try (Socket s = server.accept()) {
                String nc = ClusterKey.newNonce();
                FrameIO.write(s.getOutputStream(), Frame.op(Ops.HELLO).put("nonce", nc));
                Frame auth = FrameIO.read(s.getInputStream());
                FrameIO.write(s.getOutputStream(), answer.apply(auth, nc));
                s.getInputStream().read();
            } catch (IOException e) {
                // the agent hung up on us: what this test expects of a fake
            }
            return null;
        });
        try (Link<ControllerPeer> ignored = connect(key)) {
            return null;
        } catch (IOException e) {
            return e;
        } finally {
            fake.get(10, TimeUnit.SECONDS);
        }
    }

    private ClusterKey keyOf(String hex) throws IOException {
        Path f = dir.resolve(hex.substring(0, 2) + ".key");
        Files.writeString(f, hex + "\n");
        return ClusterKey.load(f);
    }

    /** The controller's side done by hand from the documented derivation, so a test can forge its frames. */
    private final class HandMadeController implements AutoCloseable {
        final Link<ControllerPeer> agent;
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;
        final byte[] toAgent;

        HandMadeController() throws Exception {
            CompletableFuture<Socket> accepted = async(server::accept);
            String nc = ClusterKey.newNonce();
            CompletableFuture<Link<ControllerPeer>> connecting =
                    async(() -> SharedKey.connect("127.0.0.1", server.getLocalPort(), key, "n1", "agent", ROOMY));
            socket = accepted.get();
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
            FrameIO.write(out, Frame.op(Ops.HELLO).put("nonce", nc));
            Frame auth = FrameIO.read(in);
            String na = auth.str("nonce");
            FrameIO.write(
                    out,
                    Frame.op(Ops.OK)
                            .put(
                                    "mac",
                                    HexFormat.of()
                                            .formatHex(key.mac(SharedKey.CONTROLLER_PROOF, nc, na, "n1", "agent"))));
            agent = connecting.get();
            byte[] session = key.mac(SharedKey.SESSION, nc, na, "n1", "agent");
            toAgent = ClusterKey.hmac(session, SharedKey.CONTROLLER_TO_AGENT);
        }

        /** Frame number {@code seq} from the controller to the agent, as it goes on the wire. */
        byte[] frame(long seq, Frame f) throws IOException {
            byte[] body = FrameIO.encode(f);
            var mac = ClusterKey.hmacOf(toAgent);
            mac.update(ByteBuffer.allocate(12).putLong(seq).putInt(body.length).array());
            mac.update(body);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            d.writeInt(body.length);
            d.write(body);
            d.write(mac.doFinal());
            return b.toByteArray();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Forwards bytes between an agent and the controller's server socket and can send the agent's last chunk again. */
    private final class Proxy implements AutoCloseable {
        private final ServerSocket front = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        private volatile byte[] last = new byte[0];
        private volatile OutputStream toController;
        private volatile Socket a;
        private volatile Socket b;

        Proxy() throws IOException {
            Thread.ofVirtual().start(() -> {
                try {
                    a = front.accept();
                    b = new Socket(server.getInetAddress(), server.getLocalPort());
                    toController = b.getOutputStream();
                    Thread.ofVirtual().start(() -> pump(b, a, false));
                    pump(a, b, true);
                } catch (IOException ignored) {
                    // the test is over
                }
            });
        }

        int port() {
            return front.getLocalPort();
        }

        private void pump(Socket from, Socket to, boolean record) {
            byte[] buf = new byte[65536];
            try {
                int n;
                while ((n = from.getInputStream().read(buf)) > 0) {
                    if (record) last = java.util.Arrays.copyOf(buf, n);
                    to.getOutputStream().write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // one side closed
            }
        }

        void replayLast() throws IOException {
            toController.write(last);
        }

        @Override
        public void close() throws IOException {
            front.close();
            if (a != null) a.close();
            if (b != null) b.close();
        }
    }
}
