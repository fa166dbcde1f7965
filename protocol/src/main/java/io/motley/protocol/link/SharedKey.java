package io.motley.protocol.link;

import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;

/**
 * The {@link Handshake} between an agent and the controller, over TCP: each side proves that it
 * holds the cluster key, and every later frame carries a MAC. Both connection kinds use it: an
 * agent's long-lived link and the short relay connections that carry users' requests. It is the
 * shared-key stopgap until mutual TLS, which will be one more {@link Handshake}.
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
 * reordered or reflected fails its check and the connection closes ({@link Link.Tampered}).
 *
 * <p>Bounds: the handshake's frames are at most {@link Bounds#HANDSHAKE} and the whole handshake
 * must finish within {@link #HANDSHAKE_TIMEOUT}; later frames are held to the bounds each side
 * gives for what it receives.
 */
public final class SharedKey {
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    static final String AGENT_PROOF = "motley/1 agent proof";
    static final String CONTROLLER_PROOF = "motley/1 controller proof";
    static final String SESSION = "motley/1 session";
    static final String AGENT_TO_CONTROLLER = "motley/1 agent to controller";
    static final String CONTROLLER_TO_AGENT = "motley/1 controller to agent";
    static final int TAG_BYTES = 32;
    static final String WRONG_KEY = "authentication failed: this agent's cluster key does not match the controller's";

    private SharedKey() {}

    /**
     * The agent's half: proves this agent holds the key and checks that the controller does too.
     *
     * @throws Handshake.Refused the controller did not accept our proof (its message says why)
     * @throws Handshake.Unproven the peer failed to prove it holds the key: it is not our controller
     */
    public static Handshake<ControllerPeer> asAgent(ClusterKey key, String node, String role) {
        return (t, incoming) -> {
            DataInputStream in = t.in();
            DataOutputStream out = t.out();
            Frame hello = FrameIO.read(in, Bounds.HANDSHAKE);
            String nc = hello.str("nonce");
            if (!Ops.HELLO.equals(hello.op()) || nc == null || nc.isEmpty()) {
                throw new Handshake.Unproven(
                        "it did not greet as a Motley controller (op=" + printable(hello.op()) + ")");
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
            if (ok.isError()) throw new Handshake.Refused(printable(ok.str("message", "authentication failed")));
            if (!Ops.OK.equals(ok.op()) || !matches(key.mac(CONTROLLER_PROOF, nc, na, node, role), ok.str("mac"))) {
                throw new Handshake.Unproven("its answer to our proof carried no valid proof of its own");
            }
            byte[] session = key.mac(SESSION, nc, na, node, role);
            return new Link<>(
                    t,
                    incoming,
                    new Macs(session, AGENT_TO_CONTROLLER, CONTROLLER_TO_AGENT),
                    new ControllerPeer(hello.str("cluster")));
        };
    }

    /**
     * The controller's half: checks the agent's proof, answering a wrong one with an error frame,
     * then proves itself.
     *
     * @throws Handshake.Rejected the peer failed to prove it holds the key (it has been told so)
     */
    public static Handshake<AgentPeer> asController(ClusterKey key, String cluster) {
        return (t, incoming) -> {
            DataInputStream in = t.in();
            DataOutputStream out = t.out();
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
                throw new Handshake.Rejected(printable(node), "handshake without the agent's nonce (an older agent?)");
            }
            if (!Ops.AUTH.equals(auth.op()) || !matches(key.mac(AGENT_PROOF, nc, na, node, role), auth.str("mac"))) {
                tryWrite(out, Frame.error(WRONG_KEY));
                throw new Handshake.Rejected(printable(node), "wrong cluster key");
            }
            FrameIO.write(
                    out,
                    Frame.op(Ops.OK)
                            .put("mac", HexFormat.of().formatHex(key.mac(CONTROLLER_PROOF, nc, na, node, role))));
            byte[] session = key.mac(SESSION, nc, na, node, role);
            return new Link<>(
                    t,
                    incoming,
                    new Macs(session, CONTROLLER_TO_AGENT, AGENT_TO_CONTROLLER),
                    new AgentPeer(node, role));
        };
    }

    /** Connects to the controller as the agent of {@code node}; frames from the controller are then held to {@code answers}. */
    public static Link<ControllerPeer> connect(
            String host, int port, ClusterKey key, String node, String role, Bounds answers) throws IOException {
        return connect(host, port, key, node, role, answers, HANDSHAKE_TIMEOUT);
    }

    static Link<ControllerPeer> connect(
            String host, int port, ClusterKey key, String node, String role, Bounds answers, Duration timeout)
            throws IOException {
        return Link.open(Transport.connect(host, port, timeout), asAgent(key, node, role), answers, timeout);
    }

    /** The controller's side on a socket it accepted; frames from the agent are then held to {@code requests}. */
    public static Link<AgentPeer> accept(Socket s, ClusterKey key, String cluster, Bounds requests) throws IOException {
        return accept(s, key, cluster, requests, HANDSHAKE_TIMEOUT);
    }

    static Link<AgentPeer> accept(Socket s, ClusterKey key, String cluster, Bounds requests, Duration timeout)
            throws IOException {
        Transport t;
        try {
            t = Transport.of(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return Link.open(t, asController(key, cluster), requests, timeout);
    }

    /**
     * One MAC key per direction, derived from the session key; the tag covers the frame's sequence
     * number in its direction (kept by both ends, never sent), its length and its body.
     */
    private static final class Macs implements Link.Seal {
        private final Mac send;
        private final Mac receive;
        private long sent;
        private long received;

        Macs(byte[] session, String sendLabel, String receiveLabel) {
            this.send = ClusterKey.hmacOf(ClusterKey.hmac(session, sendLabel));
            this.receive = ClusterKey.hmacOf(ClusterKey.hmac(session, receiveLabel));
        }

        @Override
        public int tagBytes() {
            return TAG_BYTES;
        }

        @Override
        public byte[] tag(byte[] body) {
            return tagOf(send, sent++, body);
        }

        @Override
        public boolean check(byte[] body, byte[] tag) {
            return MessageDigest.isEqual(tagOf(receive, received++, body), tag);
        }

        private static byte[] tagOf(Mac mac, long sequence, byte[] body) {
            mac.update(ByteBuffer.allocate(12)
                    .putLong(sequence)
                    .putInt(body.length)
                    .array());
            mac.update(body);
            return mac.doFinal();
        }
    }

    private static boolean matches(byte[] expected, String hex) {
        if (hex == null) return false;
        try {
            return MessageDigest.isEqual(expected, HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            return false;
        }
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
}
