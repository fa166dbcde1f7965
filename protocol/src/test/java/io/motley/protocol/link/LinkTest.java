package io.motley.protocol.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.MalformedMessage;
import io.motley.protocol.Message.Heartbeat;
import io.motley.protocol.Message.Report;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

// a broken deadline would leave a read waiting forever: fail instead
@Timeout(30)
class LinkTest {
    private static final Duration LONG = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private ServerSocketChannel server;
    private Path path;

    @BeforeEach
    void setUp() throws IOException {
        path = dir.resolve("s.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
    }

    /** The accepting side's link, on the kernel's word, with {@code bounds} on what it receives. */
    private CompletableFuture<Link<UnixDomainPrincipal>> accepting(Bounds bounds) {
        CompletableFuture<Link<UnixDomainPrincipal>> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(Link.open(Transport.of(server.accept()), PeerCredentials.principal(), bounds, LONG));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private SocketChannel raw() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(path));
        return c;
    }

    @Test
    void theKernelNamesThePeerOnBothSidesAndFramesGoAsFrameIOWritesThem() throws Exception {
        CompletableFuture<Link<UnixDomainPrincipal>> accepted = accepting(Bounds.ANSWERS);
        try (Link<Path> client = PeerCredentials.connect(path, Bounds.ANSWERS);
                Link<UnixDomainPrincipal> server = accepted.get()) {
            String me = System.getProperty("user.name");
            assertThat(server.peer().user().getName()).isEqualTo(me);
            assertThat(client.peer()).isEqualTo(path);
            client.send(new Heartbeat(1.5, 100, null, null));
            Report r = server.receive(Messages::report);
            assertThat(r).isEqualTo(new Heartbeat(1.5, 100, null, null));
        }
        // no tag on a Unix socket: the bytes are FrameIO's, so a client that speaks FrameIO is understood both ways
        accepted = accepting(Bounds.ANSWERS);
        try (SocketChannel c = raw();
                Link<UnixDomainPrincipal> server = accepted.get()) {
            FrameIO.write(Channels.newOutputStream(c), Frame.op(Ops.PING));
            assertThat(server.read().op()).isEqualTo(Ops.PING);
            Frame answer = Frame.op(Ops.OK).put("x", "y");
            server.write(answer);
            byte[] expected = FrameIO.toBytes(answer);
            assertThat(Channels.newInputStream(c).readNBytes(expected.length)).isEqualTo(expected);
        }
    }

    @Test
    void aFrameThatIsNoSuchMessageIsTheDecodersErrorAndTheLinkStaysOpen() throws Exception {
        CompletableFuture<Link<UnixDomainPrincipal>> accepted = accepting(Bounds.ANSWERS);
        try (Link<Path> client = PeerCredentials.connect(path, Bounds.ANSWERS);
                Link<UnixDomainPrincipal> server = accepted.get()) {
            client.write(Frame.op("launch-the-missiles"));
            client.send(new Heartbeat(0, 1, null, null));
            assertThatThrownBy(() -> server.receive(Messages::report)).isInstanceOf(MalformedMessage.class);
            assertThat(server.receive(Messages::report)).isInstanceOf(Heartbeat.class);
        }
    }

    @Test
    void aFrameOverTheLengthBoundGetsOneErrorFrameAndTheConnectionCloses() throws Exception {
        CompletableFuture<Link<UnixDomainPrincipal>> accepted = accepting(new Bounds(1024, 4));
        try (Link<Path> client = PeerCredentials.connect(path, Bounds.ANSWERS);
                Link<UnixDomainPrincipal> server = accepted.get()) {
            client.write(Frame.op(Ops.SUBMIT).put("script", "x".repeat(2000)));
            assertThatThrownBy(server::read)
                    .isInstanceOf(Bounds.Exceeded.class)
                    .hasMessageMatching("frame of \\d+ bytes is over the limit of 1024 bytes");
            Frame refusal = client.read();
            assertThat(refusal.isError()).isTrue();
            assertThat(refusal.str("message")).matches("frame of \\d+ bytes is over the limit of 1024 bytes");
            assertThatThrownBy(client::read).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void aFrameNestedTooDeepOrMalformedGetsOneErrorFrameSayingSo() throws Exception {
        CompletableFuture<Link<UnixDomainPrincipal>> accepted = accepting(new Bounds(1024, 4));
        try (Link<Path> client = PeerCredentials.connect(path, Bounds.ANSWERS);
                Link<UnixDomainPrincipal> server = accepted.get()) {
            Frame deep = new Frame();
            for (int i = 0; i < 5; i++) deep = new Frame().add(deep);
            client.write(deep);
            assertThatThrownBy(server::read)
                    .isInstanceOf(Bounds.Exceeded.class)
                    .hasMessage("frame nested more than 4 levels deep is over the limit of 4 levels");
            assertThat(client.read().str("message"))
                    .isEqualTo("frame nested more than 4 levels deep is over the limit of 4 levels");
        }
        accepted = accepting(Bounds.ANSWERS);
        try (SocketChannel c = raw();
                Link<UnixDomainPrincipal> server = accepted.get()) {
            DataOutputStream d = new DataOutputStream(Channels.newOutputStream(c));
            d.writeInt(4);
            d.writeInt(0);
            d.flush();
            assertThatThrownBy(server::read)
                    .isInstanceOf(FrameIO.Malformed.class)
                    .hasMessage("frame is malformed: it ends in the middle of a field");
            assertThat(FrameIO.read(Channels.newInputStream(c)).str("message"))
                    .isEqualTo("frame is malformed: it ends in the middle of a field");
        }
    }

    @Test
    void aFrameCutShortIsAnEndOfStreamNotAFrame() throws Exception {
        CompletableFuture<Link<UnixDomainPrincipal>> accepted = accepting(Bounds.ANSWERS);
        try (SocketChannel c = raw();
                Link<UnixDomainPrincipal> server = accepted.get()) {
            DataOutputStream d = new DataOutputStream(Channels.newOutputStream(c));
            d.writeInt(100);
            d.write(new byte[10]);
            d.flush();
            c.close();
            assertThatThrownBy(server::read).isInstanceOf(EOFException.class).hasMessage("frame cut short");
        }
    }

    @Test
    void aPeerThatDripsAFrameIsCutOffAtTheReadDeadline() throws Exception {
        CompletableFuture<Link<UnixDomainPrincipal>> accepted = accepting(Bounds.ANSWERS);
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try (SocketChannel c = raw();
                Link<UnixDomainPrincipal> server = accepted.get()) {
            OutputStream o = Channels.newOutputStream(c);
            o.write(new byte[] {0, 0, 0x0f, (byte) 0xff});
            // one byte every 50 ms: a read timeout would be reset by each, the deadline is not
            drip.scheduleAtFixedRate(
                    () -> {
                        try {
                            o.write('x');
                        } catch (IOException ignored) {
                            // cut off, as it should be
                        }
                    },
                    0,
                    50,
                    TimeUnit.MILLISECONDS);
            assertThatThrownBy(() -> server.read(Duration.ofMillis(300)))
                    .isInstanceOf(Link.TimedOut.class)
                    .hasMessage("no complete frame within 300 ms");
            // closed: an end of stream, or a reset when the server closed with dripped bytes still unread
            int end;
            try {
                end = Channels.newInputStream(c).read();
            } catch (java.net.SocketException reset) {
                end = -1;
            }
            assertThat(end).isEqualTo(-1);
        } finally {
            drip.shutdownNow();
        }
    }

    @Test
    void aFrameReadInTimeLeavesTheLinkOpen() throws Exception {
        CompletableFuture<Link<UnixDomainPrincipal>> accepted = accepting(Bounds.ANSWERS);
        try (Link<Path> client = PeerCredentials.connect(path, Bounds.ANSWERS);
                Link<UnixDomainPrincipal> server = accepted.get()) {
            client.write(Frame.op(Ops.PING));
            assertThat(server.read(Duration.ofMillis(300)).op()).isEqualTo(Ops.PING);
            // the deadline was for that frame only: the link stays open both ways
            server.write(Frame.op(Ops.OK));
            assertThat(client.read().op()).isEqualTo(Ops.OK);
            client.write(Frame.op(Ops.NODES));
            assertThat(server.read().op()).isEqualTo(Ops.NODES);
        }
    }

    @Test
    void aPeerThatTakesNothingIsCutOffAtTheWriteDeadline() throws Exception {
        CompletableFuture<Link<UnixDomainPrincipal>> accepted = accepting(Bounds.ANSWERS);
        try (SocketChannel c = raw();
                Link<UnixDomainPrincipal> server = accepted.get()) {
            // larger than any socket buffer, and the peer reads none of it
            Frame big = Frame.op(Ops.OK).put("x", "y".repeat(32 * 1024 * 1024));
            assertThatThrownBy(() -> server.write(big, Duration.ofMillis(300)))
                    .isInstanceOf(Link.TimedOut.class)
                    .hasMessage("no complete write within 300 ms");
        }
    }

    @Test
    void aHandshakeThatFailsClosesTheConnectionAndReturnsNoLink() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Object> failed = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                Link.open(
                        Transport.of(server.accept()),
                        (t, incoming) -> {
                            ran.set(true);
                            throw new Handshake.Rejected("mallory", "no such peer");
                        },
                        Bounds.ANSWERS,
                        LONG);
                failed.complete(null);
            } catch (Throwable e) {
                failed.completeExceptionally(e);
            }
        });
        try (SocketChannel c = raw()) {
            assertThat(Channels.newInputStream(c).read()).isEqualTo(-1);
        }
        assertThatThrownBy(failed::get)
                .cause()
                .isInstanceOf(Handshake.Rejected.class)
                .hasMessage("no such peer")
                .satisfies(e -> assertThat(((Handshake.Rejected) e).claimed()).isEqualTo("mallory"));
        assertThat(ran).isTrue();
        // a strategy's bug is no half-open connection either
        CompletableFuture<Object> broken = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                Link.open(
                        Transport.of(server.accept()),
                        (t, incoming) -> {
                            throw new IllegalStateException("bug");
                        },
                        Bounds.ANSWERS,
                        LONG);
                broken.complete(null);
            } catch (Throwable e) {
                broken.completeExceptionally(e);
            }
        });
        try (SocketChannel c = raw()) {
            assertThat(Channels.newInputStream(c).read()).isEqualTo(-1);
        }
        assertThatThrownBy(broken::get).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void aHandshakeThatWaitsOnASilentPeerIsCutOffAtItsDeadline() throws Exception {
        CompletableFuture<Object> opened = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                Link.open(
                        Transport.of(server.accept()),
                        (t, incoming) -> {
                            FrameIO.read(t.in(), Bounds.HANDSHAKE);
                            throw new AssertionError("the silent peer sent a frame");
                        },
                        Bounds.ANSWERS,
                        Duration.ofMillis(300));
                opened.complete(null);
            } catch (Throwable e) {
                opened.completeExceptionally(e);
            }
        });
        try (SocketChannel silent = raw()) {
            assertThatThrownBy(opened::get)
                    .cause()
                    .isInstanceOf(Link.TimedOut.class)
                    .hasMessage("no complete handshake within 300 ms");
            assertThat(Channels.newInputStream(silent).read()).isEqualTo(-1);
        }
    }

    @Test
    void aFrameWhoseTagFailsClosesTheLink() throws Exception {
        // a seal that takes one byte of tag and wants it to be 7
        Link.Seal seven = new Link.Seal() {
            @Override
            public int tagBytes() {
                return 1;
            }

            @Override
            public byte[] tag(byte[] body) {
                return new byte[] {7};
            }

            @Override
            public boolean check(byte[] body, byte[] tag) {
                return tag[0] == 7;
            }
        };
        CompletableFuture<Link<String>> accepted = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                accepted.complete(Link.open(
                        Transport.of(server.accept()),
                        (t, incoming) -> new Link<>(t, incoming, seven, "peer"),
                        Bounds.ANSWERS,
                        LONG));
            } catch (Throwable e) {
                accepted.completeExceptionally(e);
            }
        });
        try (SocketChannel c = raw();
                Link<String> server = accepted.get()) {
            OutputStream o = Channels.newOutputStream(c);
            o.write(tagged(Frame.op(Ops.PING), 7));
            o.write(tagged(Frame.op(Ops.NODES), 8));
            assertThat(server.read().op()).isEqualTo(Ops.PING);
            assertThatThrownBy(server::read)
                    .isInstanceOf(Link.Tampered.class)
                    .hasMessageStartingWith("frame 1 failed its integrity check");
            InputStream in = Channels.newInputStream(c);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void whatALinkWithASealSendsCarriesTheTagAfterTheBody() throws Exception {
        Link.Seal nine = new Link.Seal() {
            @Override
            public int tagBytes() {
                return 1;
            }

            @Override
            public byte[] tag(byte[] body) {
                return new byte[] {9};
            }

            @Override
            public boolean check(byte[] body, byte[] tag) {
                return true;
            }
        };
        CompletableFuture<Link<String>> accepted = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                accepted.complete(Link.open(
                        Transport.of(server.accept()),
                        (t, incoming) -> new Link<>(t, incoming, nine, "peer"),
                        Bounds.ANSWERS,
                        LONG));
            } catch (Throwable e) {
                accepted.completeExceptionally(e);
            }
        });
        try (SocketChannel c = raw();
                Link<String> server = accepted.get()) {
            server.write(Frame.op(Ops.OK));
            DataInputStream in = new DataInputStream(Channels.newInputStream(c));
            assertThat(in.readNBytes(tagged(Frame.op(Ops.OK), 9).length)).isEqualTo(tagged(Frame.op(Ops.OK), 9));
        }
    }

    private static byte[] tagged(Frame f, int tag) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        byte[] body = FrameIO.encode(f);
        d.writeInt(body.length);
        d.write(body);
        d.write(tag);
        return b.toByteArray();
    }
}
