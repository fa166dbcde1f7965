package io.motley.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes frames: a 4-byte length, then the body (field count, key/value strings as
 * length-prefixed UTF-8, child count, children). Every read is held to {@link Bounds}: the length
 * is checked before anything is buffered, and the depth as the reader descends.
 */
public final class FrameIO {
    private FrameIO() {}

    public static void write(OutputStream out, Frame frame) throws IOException {
        byte[] body = encode(frame);
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(body.length);
        d.write(body);
        d.flush();
    }

    /** Reads one frame within {@link Bounds#ANSWERS}; throws EOFException when the peer closed before a frame began. */
    public static Frame read(InputStream in) throws IOException {
        return read(in, Bounds.ANSWERS);
    }

    /** Reads one frame within {@code bounds}; throws EOFException when the peer closed before a frame began. */
    public static Frame read(InputStream in, Bounds bounds) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int len = d.readInt();
        bounds.checkLength(len);
        byte[] body = d.readNBytes(len);
        if (body.length != len) throw new EOFException("frame cut short");
        return decode(body, bounds);
    }

    /** A frame's body (no length prefix), for a link that adds its own framing. */
    public static byte[] encode(Frame frame) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
            DataOutputStream body = new DataOutputStream(buf);
            writeBody(body, frame);
            body.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    /** The frame in {@code body}, its nesting held to {@code bounds}; a malformed body is a {@link Malformed} naming the problem. */
    public static Frame decode(byte[] body, Bounds bounds) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(body);
        try {
            Frame f = readBody(b, bounds, 1);
            if (b.hasRemaining()) throw new Malformed("frame is malformed: " + b.remaining() + " bytes after its end");
            return f;
        } catch (BufferUnderflowException e) {
            throw new Malformed("frame is malformed: it ends in the middle of a field");
        }
    }

    /** A frame as bytes, for storing it (the database, the agent's spool). */
    public static byte[] toBytes(Frame frame) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            write(out, frame);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The frame stored by {@link #toBytes}; a damaged record is an IOException naming the problem. */
    public static Frame fromBytes(byte[] bytes) throws IOException {
        return read(new ByteArrayInputStream(bytes));
    }

    private static void writeBody(DataOutputStream d, Frame f) throws IOException {
        d.writeInt(f.fields().size());
        for (var e : f.fields().entrySet()) {
            writeString(d, e.getKey());
            writeString(d, e.getValue());
        }
        d.writeInt(f.children().size());
        for (Frame c : f.children()) writeBody(d, c);
    }

    // recursion is safe: checkDepth stops it at bounds.maxDepth() levels, long before the stack would fill
    private static Frame readBody(ByteBuffer b, Bounds bounds, int depth) throws IOException {
        bounds.checkDepth(depth);
        Frame f = new Frame();
        // each field takes at least 8 bytes and each child 8, so a count the body cannot hold is refused before any
        // loop
        int n = count(b, "fields");
        for (int i = 0; i < n; i++) f.put(readString(b), readString(b));
        int c = count(b, "children");
        for (int i = 0; i < c; i++) f.add(readBody(b, bounds, depth + 1));
        return f;
    }

    private static int count(ByteBuffer b, String what) throws IOException {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 8) {
            throw new Malformed("frame is malformed: " + Integer.toUnsignedLong(n) + " " + what + " do not fit in its "
                    + b.remaining() + " remaining bytes");
        }
        return n;
    }

    private static void writeString(DataOutputStream d, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        d.writeInt(b.length);
        d.write(b);
    }

    private static String readString(ByteBuffer b) throws IOException {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new Malformed(
                    "frame is malformed: a string of " + Integer.toUnsignedLong(n) + " bytes runs past its end");
        }
        String s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }

    /** A frame's body does not parse (a count or a string runs past its end): the message says where. */
    public static final class Malformed extends IOException {
        public Malformed(String message) {
            super(message);
        }
    }
}
