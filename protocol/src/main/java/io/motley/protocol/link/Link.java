package io.motley.protocol.link;

import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Failure;
import io.motley.protocol.Messages;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Function;

/**
 * One connection after its {@link Handshake}: the single connection layer of every Motley link
 * (agent and controller, command and agent, and those to come). It owns the socket's framing,
 * holds what it receives to its {@link Bounds}, keeps deadlines, and sends and receives typed
 * {@link Message}s through {@link Messages}.
 *
 * <p>A frame on the wire is its length (4 bytes), its body ({@link FrameIO#encode}) and the tag the
 * link's {@link Seal} gives it (none on a Unix socket, a MAC on a shared-key link). A frame over
 * the bounds, or malformed, earns the peer one error frame naming the problem and the connection
 * closes; a frame whose tag fails closes it at once ({@link Tampered}). A peer that closes between
 * frames is an {@link EOFException} from {@link #read}.
 *
 * <p>Deadlines are whole-step: {@link #open} holds the handshake to one, {@link #read(Duration)} a
 * complete frame, {@link #write(Frame, Duration)} a complete write. A read timeout alone would not
 * do, as it restarts with every byte (see {@link Deadline}). A step past its deadline closes the
 * connection and throws {@link TimedOut}.
 *
 * @param <P> who the peer is, as the handshake established it
 */
public final class Link<P> implements AutoCloseable {
    private static final byte[] NO_TAG = new byte[0];

    private final Transport transport;
    private final Bounds incoming;
    private final Seal seal;
    private final P peer;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private long received;

    /**
     * How a link's frames are protected after the handshake. Each call is made in frame order,
     * under the link's lock for that direction, so a seal may count frames.
     */
    public interface Seal {
        /** Frames go as they are: the transport itself is private to the two ends (a Unix socket) or protects them (TLS). */
        Seal NONE = new Seal() {
            @Override
            public int tagBytes() {
                return 0;
            }

            @Override
            public byte[] tag(byte[] body) {
                return NO_TAG;
            }

            @Override
            public boolean check(byte[] body, byte[] tag) {
                return true;
            }
        };

        /** The length of the tag after each frame's body; 0 for none. */
        int tagBytes();

        /** The tag of the next frame sent. */
        byte[] tag(byte[] body);

        /** Whether the next frame received carries the right tag. */
        boolean check(byte[] body, byte[] tag);
    }

    /**
     * A link on {@code transport} whose peer {@code peer} a handshake has established, whose frames
     * are sealed by {@code seal} and whose incoming frames are held to {@code incoming}. Only a
     * {@link Handshake} calls this.
     */
    public Link(Transport transport, Bounds incoming, Seal seal, P peer) {
        this.transport = transport;
        this.incoming = incoming;
        this.seal = seal;
        this.peer = peer;
    }

    /**
     * Runs {@code handshake} on a fresh connection within {@code within}; later frames from the peer
     * are held to {@code incoming}. On any failure the connection is closed, and a handshake past
     * its deadline is a {@link TimedOut}.
     */
    public static <P> Link<P> open(Transport transport, Handshake<P> handshake, Bounds incoming, Duration within)
            throws IOException {
        Deadline deadline = Deadline.closeAfter(within, transport);
        try {
            Link<P> link = handshake.open(transport, incoming);
            deadline.close();
            if (deadline.expired()) throw timedOut("handshake", within);
            return link;
        } catch (IOException | RuntimeException e) {
            deadline.close();
            transport.close();
            if (deadline.expired()) throw timedOut("handshake", within);
            throw e;
        }
    }

    /** Runs {@code handshake} on a socket a server accepted, as {@link #open} does. */
    public static <P> Link<P> accept(java.net.Socket s, Handshake<P> handshake, Bounds incoming, Duration within)
            throws IOException {
        Transport t;
        try {
            t = Transport.of(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return open(t, handshake, incoming, within);
    }

    /** Who is on the other end, as the handshake established (never as the peer merely claimed). */
    public P peer() {
        return peer;
    }

    /** The peer's address, for logs. */
    public String remote() {
        return transport.remote();
    }

    /**
     * Reads the next frame, checks its tag and holds it to the bounds. A frame over the bounds, or
     * malformed, is answered with one error frame and the connection closes.
     *
     * @throws EOFException the peer closed the connection between frames
     * @throws Bounds.Exceeded the frame is over the bounds
     * @throws FrameIO.Malformed the frame's body does not parse
     * @throws Tampered the frame failed its integrity check
     */
    public Frame read() throws IOException {
        synchronized (readLock) {
            DataInputStream in = transport.in();
            int len = in.readInt();
            try {
                incoming.checkLength(len);
            } catch (Bounds.Exceeded e) {
                refuse(e.getMessage());
                throw e;
            }
            byte[] body = in.readNBytes(len);
            byte[] tag = seal.tagBytes() == 0 ? NO_TAG : in.readNBytes(seal.tagBytes());
            if (body.length != len || tag.length != seal.tagBytes()) throw new EOFException("frame cut short");
            if (!seal.check(body, tag)) {
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

    /** As {@link #read()}, but the whole frame must arrive within {@code within}, else {@link TimedOut}. */
    public Frame read(Duration within) throws IOException {
        Deadline deadline = Deadline.closeAfter(within, transport);
        try {
            Frame f = read();
            deadline.close();
            if (deadline.expired()) throw timedOut("frame", within);
            return f;
        } catch (IOException e) {
            deadline.close();
            if (deadline.expired()) throw timedOut("frame", within);
            throw e;
        }
    }

    /**
     * Whether this connection, idle between requests, is still open and quiet: the peer has not
     * closed it (a restarted server) nor sent anything since the last frame read. Waits up to
     * {@code wait} for a byte and consumes none; for a caller that keeps connections open between
     * requests and must know, before writing a request on one, that it was not already gone. Only
     * TCP links (plain or TLS) can tell; a Unix socket's link answers false.
     */
    public boolean quiet(Duration wait) {
        synchronized (readLock) {
            return transport.quiet(wait);
        }
    }

    /** Reads the next frame and decodes it with {@code decoder} (such as {@code Messages::report}); a frame that is no such message is the decoder's exception, and the link stays open. */
    public <M> M receive(Function<Frame, M> decoder) throws IOException {
        return decoder.apply(read());
    }

    /** Writes one frame with its tag; safe to call from several threads. */
    public void write(Frame frame) throws IOException {
        byte[] body = FrameIO.encode(frame);
        synchronized (writeLock) {
            DataOutputStream out = transport.out();
            out.writeInt(body.length);
            out.write(body);
            if (seal.tagBytes() > 0) out.write(seal.tag(body));
            out.flush();
        }
    }

    /** As {@link #write(Frame)}, but a peer that does not take the frame within {@code within} is cut off ({@link TimedOut}). */
    public void write(Frame frame, Duration within) throws IOException {
        Deadline deadline = Deadline.closeAfter(within, transport);
        try {
            write(frame);
        } catch (IOException e) {
            if (deadline.expired()) throw timedOut("write", within);
            throw e;
        } finally {
            deadline.close();
        }
    }

    /** Sends one message. */
    public void send(Message message) throws IOException {
        write(Messages.encode(message));
    }

    /**
     * Tells the peer why it is being dropped (when it still listens, for at most {@code within}),
     * then drops it.
     */
    public void refuse(String message, Duration within) {
        try {
            write(Messages.encode(new Failure(message)), within);
        } catch (IOException ignored) {
            // the peer is going away; the caller logs why
        }
        close();
    }

    private void refuse(String message) {
        refuse(message, REFUSAL_WRITE);
    }

    /** A peer that is refused is not waited on for long: the error frame is small and goes to its socket's buffer. */
    public static final Duration REFUSAL_WRITE = Duration.ofSeconds(10);

    @Override
    public void close() {
        transport.close();
    }

    private static TimedOut timedOut(String step, Duration within) {
        return new TimedOut("no complete " + step + " within " + within.toMillis() + " ms");
    }

    /** A frame after the handshake failed its integrity check: the connection has been closed. */
    public static final class Tampered extends IOException {
        public Tampered(String message) {
            super(message);
        }
    }

    /** A step (the handshake, a frame, a write) did not finish by its deadline: the connection has been closed. */
    public static final class TimedOut extends SocketTimeoutException {
        public TimedOut(String message) {
            super(message);
        }
    }
}
