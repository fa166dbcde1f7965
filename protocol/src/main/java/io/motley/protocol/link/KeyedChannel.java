package io.motley.protocol.link;

import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;

/**
 * A TCP connection between an agent and the controller on which each side has proved that it
 * holds the cluster key, and on which every later frame carries a MAC. Both connection kinds use
 * it: an agent's long-lived link and the short relay connections that carry users' requests.
 * It is the shared-key stopgap until mutual TLS: one class, so that TLS can replace it.
 *
 * <pre>
 * controller -> agent   hello  nonce=Nc cluster=NAME
 * agent -> controller   auth   node=N role=R nonce=Na mac=HMAC(K, "agent proof", Nc, Na, N, R)
 * controller -> agent   ok     mac=HMAC(K, "controller proof", Nc, Na, N, R)     (or an error, and close)
 * </pre>
 *
 * Each side checks the other's proof over both fresh nonces, under a label the other side never
 * uses, so no proof can be replayed from an earlier connection or reflected as the other side's.
 * Then S = HMAC(K, "session", Nc, Na, N, R), one MAC key per direction is derived from S, and each
 * frame is its length, its body and HMAC(direction key, sequence, length, body), the sequence
 * being a per-direction count both ends keep and never send: a frame altered, replayed,
 * reordered or reflected fails its check and the connection closes.
 *
 * <p>Bounds: the handshake's frames are at most {@link Bounds#HANDSHAKE} and the whole handshake
 * must finish within {@link #HANDSHAKE_TIMEOUT}; later frames are held to the bounds each side
 * gives for what it receives. A peer that breaks a bound gets one error frame and is disconnected.
 */
public final class KeyedChannel implements AutoCloseable {
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    static final String AGENT_PROOF = "motley/1 agent proof";
    static final String CONTROLLER_PROOF = "motley/1 controller proof";
    static final String SESSION = "motley/1 session";
    static final String AGENT_TO_CONTROLLER = "motley/1 agent to controller";
    static final String CONTROLLER_TO_AGENT = "motley/1 controller to agent";
    static final int TAG_BYTES = 32;
    static final String WRONG_KEY = "authentication failed: this agent's cluster key does not match the controller's";

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Bounds incoming;
    private final Mac sendMac;
    private final Mac receiveMac;
    private final String node;
    private final String role;
    private final Object readLock = new Object();
    private long sent;
    private long received;

    private KeyedChannel(
            Socket socket,
            DataInputStream in,
            DataOutputStream out,
            Bounds incoming,
            byte[] session,
            String sendLabel,
            String receiveLabel,
            String node,
            String role) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.incoming = incoming;
        this.sendMac = ClusterKey.hmacOf(ClusterKey.hmac(session, sendLabel));
        this.receiveMac = ClusterKey.hmacOf(ClusterKey.hmac(session, receiveLabel));
        this.node = node;
        this.role = role;
    }

    /**
     * The agent's side: connects, proves this agent holds the key and checks that the controller
     * does too. Frames from the controller are then held to {@code answers}.
     *
     * @throws Refused the controller did not accept our proof (its message says why)
     * @throws Unproven the peer failed to prove it holds the key: it is not our controller
     */
    public static KeyedChannel connect(String host, int port, ClusterKey key, String node, String role, Bounds answers)
            throws IOException {
        return connect(host, port, key, node, role, answers, HANDSHAKE_TIMEOUT);
    }

    static KeyedChannel connect(
            String host, int port, ClusterKey key, String node, String role, Bounds answers, Duration timeout)
            throws IOException {
        Socket s = new Socket();
        Deadline deadline = Deadline.closeAfter(timeout, s);
        try {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            Frame hello = FrameIO.read(in, Bounds.HANDSHAKE);
            String nc = hello.str("nonce");
            if (!Ops.HELLO.equals(hello.op()) || nc == null || nc.isEmpty()) {
                throw new Unproven("it did not greet as a Motley controller (op=" + printable(hello.op()) + ")");
            }
            String na = ClusterKey.newNonce();
            FrameIO.write(
                    out,
                    Frame.op(Ops.AUTH)
                            .put("node", node)
                            .put("role", role)
                            .put("nonce", na)
                            .put("mac", HexFormat.of().formatHex(key.mac(AGENT_PROOF, nc, na, node, role))));
            Frame ok = FrameIO.read(in, Bounds.HANDSHAKE);
            if (ok.isError()) throw new Refused(printable(ok.str("message", "authentication failed")));
            if (!Ops.OK.equals(ok.op()) || !matches(key.mac(CONTROLLER_PROOF, nc, na, node, role), ok.str("mac"))) {
                throw new Unproven("its answer to our proof carried no valid proof of its own");
            }
            finish(deadline, timeout);
            return new KeyedChannel(
                    s,
                    in,
                    out,
                    answers,
                    key.mac(SESSION, nc, na, node, role),
                    AGENT_TO_CONTROLLER,
                    CONTROLLER_TO_AGENT,
                    node,
                    role);
        } catch (IOException e) {
            throw failed(s, deadline, timeout, e);
        }
    }

    /**
     * The controller's side, on a socket it accepted: checks the agent's proof, answering a wrong
     * one with an error frame, then proves itself. Frames from the agent are then held to {@code requests}.
     *
     * @throws WrongKey the peer failed to prove it holds the key (it has been told so)
     */
    public static KeyedChannel accept(Socket s, ClusterKey key, String cluster, Bounds requests) throws IOException {
        return accept(s, key, cluster, requests, HANDSHAKE_TIMEOUT);
    }

    static KeyedChannel accept(Socket s, ClusterKey key, String cluster, Bounds requests, Duration timeout)
            throws IOException {
        Deadline deadline = Deadline.closeAfter(timeout, s);
        try {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            String nc = ClusterKey.newNonce();
            FrameIO.write(out, Frame.op(Ops.HELLO).put("nonce", nc).put("cluster", cluster));
            Frame auth;
            try {
                auth = FrameIO.read(in, Bounds.HANDSHAKE);
            } catch (Bounds.Exceeded | FrameIO.Malformed e) {
                tryWrite(out, Frame.error(e.getMessage()));
                throw e;
            }
            String node = auth.str("node", "?");
            String role = auth.str("role", "");
            String na = auth.str("nonce");
            if (Ops.AUTH.equals(auth.op()) && (na == null || na.isEmpty())) {
                tryWrite(
                        out,
                        Frame.error("authentication failed: the agent sent no nonce of its own; it is older than the"
                                + " controller, upgrade it"));
                throw new WrongKey(printable(node), "handshake without the agent's nonce (an older agent?)");
            }
            if (!Ops.AUTH.equals(auth.op()) || !matches(key.mac(AGENT_PROOF, nc, na, node, role), auth.str("mac"))) {
                tryWrite(out, Frame.error(WRONG_KEY));
                throw new WrongKey(printable(node), "wrong cluster key");
            }
            FrameIO.write(
                    out,
                    Frame.op(Ops.OK)
                            .put("mac", HexFormat.of().formatHex(key.mac(CONTROLLER_PROOF, nc, na, node, role))));
            finish(deadline, timeout);
            return new KeyedChannel(
                    s,
                    in,
                    out,
                    requests,
                    key.mac(SESSION, nc, na, node, role),
                    CONTROLLER_TO_AGENT,
                    AGENT_TO_CONTROLLER,
                    node,
                    role);
        } catch (IOException e) {
            throw failed(s, deadline, timeout, e);
        }
    }

    /** The node the agent named in its proof. */
    public String node() {
        return node;
    }

    /** What the agent opened this connection for: "agent" (its link) or "relay" (users' requests). */
    public String role() {
        return role;
    }

    /** The peer's address, for logs. */
    public String remote() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    /**
     * Reads the next frame and checks its MAC. A frame over the bounds, or malformed, is answered
     * with one error frame and the connection closed; so is a frame whose MAC fails, without an answer.
     *
     * @throws EOFException the peer closed the connection between frames
     * @throws Bounds.Exceeded the frame broke a bound (the message names it)
     * @throws FrameIO.Malformed the frame's body does not parse
     * @throws Tampered the frame failed its integrity check
     */
    public Frame read() throws IOException {
        synchronized (readLock) {
            int len = in.readInt();
            try {
                incoming.checkLength(len);
            } catch (Bounds.Exceeded e) {
                refuse(e.getMessage());
                throw e;
            }
            byte[] body = in.readNBytes(len);
            byte[] tag = in.readNBytes(TAG_BYTES);
            if (body.length != len || tag.length != TAG_BYTES) throw new EOFException("frame cut short");
            if (!MessageDigest.isEqual(tag(receiveMac, received, len, body), tag)) {
                close();
                throw new Tampered("frame " + received + " failed its integrity check (altered, replayed, reordered or"
                        + " not sent by the peer that proved itself)");
            }
            received++;
            try {
                return FrameIO.decode(body, incoming);
            } catch (Bounds.Exceeded | FrameIO.Malformed e) {
                refuse(e.getMessage());
                throw e;
            }
        }
    }

    /** Writes one frame with its MAC; safe to call from several threads. */
    public void write(Frame frame) throws IOException {
        byte[] body = FrameIO.encode(frame);
        synchronized (out) {
            out.writeInt(body.length);
            out.write(body);
            out.write(tag(sendMac, sent, body.length, body));
            out.flush();
            sent++;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket has nothing left to report
        }
    }

    /** Tells the peer why it is being dropped (when it still listens), then drops it. */
    private void refuse(String message) {
        try {
            write(Frame.error(message));
        } catch (IOException ignored) {
            // the peer is going away; the caller logs why
        }
        close();
    }

    private static byte[] tag(Mac mac, long sequence, int length, byte[] body) {
        mac.update(ByteBuffer.allocate(12).putLong(sequence).putInt(length).array());
        mac.update(body);
        return mac.doFinal();
    }

    private static boolean matches(byte[] expected, String hex) {
        if (hex == null) return false;
        try {
            return MessageDigest.isEqual(expected, HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void finish(Deadline deadline, Duration timeout) throws SocketTimeoutException {
        deadline.close();
        if (deadline.expired()) throw timedOut(timeout);
    }

    private static IOException failed(Socket s, Deadline deadline, Duration timeout, IOException e) {
        deadline.close();
        try {
            s.close();
        } catch (IOException ignored) {
            // the connection failed already; that is what the caller hears
        }
        return deadline.expired() ? timedOut(timeout) : e;
    }

    private static SocketTimeoutException timedOut(Duration timeout) {
        return new SocketTimeoutException("no complete handshake within " + timeout.toMillis() + " ms");
    }

    private static void tryWrite(DataOutputStream out, Frame f) {
        try {
            FrameIO.write(out, f);
        } catch (IOException ignored) {
            // the peer is being refused; if it no longer listens there is no one to tell
        }
    }

    /** A string an unauthenticated peer chose, safe for one log line: control characters escaped, length capped. */
    static String printable(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    /** The controller did not accept this agent's proof; the message is the controller's. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** The peer that answered on the controller's address failed to prove it holds the cluster key. */
    public static final class Unproven extends IOException {
        Unproven(String reason) {
            super(reason);
        }
    }

    /** A connecting peer failed to prove it holds the cluster key; it has been answered with an error frame. */
    public static final class WrongKey extends IOException {
        private final String node;

        WrongKey(String node, String reason) {
            super(reason);
            this.node = node;
        }

        /** The node the peer claimed to be (escaped for logs). */
        public String node() {
            return node;
        }
    }

    /** A frame after the handshake failed its MAC: the connection has been closed. */
    public static final class Tampered extends IOException {
        Tampered(String message) {
            super(message);
        }
    }
}
