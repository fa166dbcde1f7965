package io.motley.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes frames: a 4-byte length, then the body (field count, key/value strings as
 * length-prefixed UTF-8, child count, children). Frames are capped so a bad peer cannot make a
 * daemon allocate without bound.
 */
public final class FrameIO {
    public static final int MAX_FRAME_BYTES = 256 * 1024 * 1024;

    private FrameIO() {}

    public static void write(OutputStream out, Frame frame) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        DataOutputStream body = new DataOutputStream(buf);
        writeBody(body, frame);
        body.flush();
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(buf.size());
        buf.writeTo(d);
        d.flush();
    }

    /** Reads one frame; throws EOFException when the peer closed the stream before a frame began. */
    public static Frame read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int len = d.readInt();
        if (len < 0 || len > MAX_FRAME_BYTES) throw new IOException("frame of " + len + " bytes refused");
        byte[] bytes = d.readNBytes(len);
        if (bytes.length != len) throw new EOFException("frame cut short");
        return readBody(new DataInputStream(new java.io.ByteArrayInputStream(bytes)));
    }

    /** A frame as bytes, for storing it (the database, the agent's spool). */
    public static byte[] toBytes(Frame frame) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            write(out, frame);
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The frame stored by {@link #toBytes}; a damaged record is an IOException naming the problem. */
    public static Frame fromBytes(byte[] bytes) throws IOException {
        return read(new java.io.ByteArrayInputStream(bytes));
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

    private static Frame readBody(DataInputStream d) throws IOException {
        Frame f = new Frame();
        int n = d.readInt();
        for (int i = 0; i < n; i++) f.put(readString(d), readString(d));
        int c = d.readInt();
        for (int i = 0; i < c; i++) f.add(readBody(d));
        return f;
    }

    private static void writeString(DataOutputStream d, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        d.writeInt(b.length);
        d.write(b);
    }

    private static String readString(DataInputStream d) throws IOException {
        int n = d.readInt();
        if (n < 0 || n > MAX_FRAME_BYTES) throw new IOException("string of " + n + " bytes refused");
        return new String(d.readNBytes(n), StandardCharsets.UTF_8);
    }
}
