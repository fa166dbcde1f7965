package io.motley.cli.hosted;

import io.motley.cli.command.CallerFiles;
import io.motley.cli.command.Interrupts;
import io.motley.protocol.Frame;
import io.motley.protocol.local.CommandHost.Client;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The agent's end of one native client's session, as the command sees it: its standard output and
 * error (kept in the order written), its standard input and its files, each read by the client. A
 * reader thread takes the client's frames; when the client goes away (Ctrl-C), the command is
 * interrupted.
 */
final class ClientChannel implements AutoCloseable {
    /** How much standard output is held before it goes out without a flush. */
    static final int OUT_CHUNK = 64 * 1024;

    private static final Frame GONE = Frame.op("gone");

    private final Client client;
    private final Thread command;
    private final BlockingQueue<Frame> replies = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream pendingOut = new ByteArrayOutputStream();
    private final Thread reader;
    private volatile boolean closing;
    /** What the client's Ctrl-C runs, once the command has trapped it (srun); null: none trapped. */
    private volatile Runnable onInterrupt;
    /** Ctrl-Cs being handled now; a client that sends more than {@link #MAX_INTERRUPTS} at once has the rest dropped. */
    private final java.util.concurrent.atomic.AtomicInteger interrupting =
            new java.util.concurrent.atomic.AtomicInteger();

    static final int MAX_INTERRUPTS = 4;

    private ClientChannel(Client client) {
        this.client = client;
        this.command = Thread.currentThread();
        this.reader = Thread.ofVirtual().unstarted(this::readReplies);
    }

    static ClientChannel open(Client client) {
        ClientChannel c = new ClientChannel(client);
        c.reader.start();
        return c;
    }

    private void readReplies() {
        try {
            while (true) {
                Frame f = client.read();
                if (f.op().equals("signal")) {
                    // the client's Ctrl-C, which it sends on once the command trapped it; handled apart from the
                    // command's thread, as a signal handler is
                    Runnable h = onInterrupt;
                    if (h != null && interrupting.incrementAndGet() <= MAX_INTERRUPTS) {
                        Thread.ofVirtual().start(() -> {
                            try {
                                h.run();
                            } finally {
                                interrupting.decrementAndGet();
                            }
                        });
                    } else if (h != null) {
                        interrupting.decrementAndGet();
                    }
                    continue;
                }
                replies.put(f);
            }
        } catch (IOException | RuntimeException e) {
            replies.add(GONE);
            // the client has gone (or broke the session): stop the command rather than let it run on for no one
            if (!closing) command.interrupt();
        } catch (InterruptedException e) {
            replies.add(GONE);
        }
    }

    OutputStream out() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                synchronized (ClientChannel.this) {
                    pendingOut.write(b, off, len);
                    if (pendingOut.size() >= OUT_CHUNK) flushOut();
                }
            }

            @Override
            public void flush() throws IOException {
                flushOut();
            }
        };
    }

    /** Standard error goes at once, after any standard output written before it. */
    OutputStream err() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                synchronized (ClientChannel.this) {
                    flushOut();
                    client.write(Frame.op("err").put("bytes", chars(b, off, len)));
                }
            }
        };
    }

    synchronized void flushOut() throws IOException {
        if (pendingOut.size() == 0) return;
        byte[] b = pendingOut.toByteArray();
        pendingOut.reset();
        client.write(Frame.op("out").put("bytes", chars(b, 0, b.length)));
    }

    InputStream in() {
        return new InputStream() {
            private boolean eof;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (eof) return -1;
                Frame r = ask(Frame.op("stdin").put("max", Math.min(len, OUT_CHUNK)), "stdin");
                byte[] got = bytes(r.str("bytes", ""));
                if (got.length == 0) {
                    eof = true;
                    return -1;
                }
                int n = Math.min(got.length, len);
                System.arraycopy(got, 0, b, off, n);
                return n;
            }
        };
    }

    /** The client's Ctrl-C: trapped there and sent on here once the command asks (the client's "trap"). */
    Interrupts interrupts() {
        return new Interrupts() {
            @Override
            public boolean onInterrupt(Runnable handler) {
                onInterrupt = handler;
                return trap(null);
            }

            @Override
            public void ignore() {
                onInterrupt = null;
                trap("ignore");
            }
        };
    }

    private boolean trap(String action) {
        Frame f = Frame.op("trap").put("sig", "INT");
        if (action != null) f.put("action", action);
        try {
            synchronized (this) {
                flushOut();
                client.write(f);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    CallerFiles files() {
        return new CallerFiles() {
            @Override
            public byte[] read(Path path) throws IOException {
                Frame r = ask(Frame.op("read").put("path", path.toString()), "file", path);
                return bytes(r.str("bytes", ""));
            }

            @Override
            public void write(Path path, byte[] bytes) throws IOException {
                ask(
                        Frame.op("write").put("path", path.toString()).put("bytes", chars(bytes, 0, bytes.length)),
                        "written",
                        path);
            }

            @Override
            public CallerFiles.Packed pack(Path dir, java.util.List<String> paths, long limit) throws IOException {
                // the client runs tar(1) as the caller; the paths go NUL-separated, as no path holds a NUL
                Frame r = ask(
                        Frame.op("pack")
                                .put("dir", dir.toString())
                                .put("paths", String.join("\0", paths))
                                .put("limit", limit),
                        "packed",
                        dir);
                String missing = r.str("missing", "");
                // the client keeps the archive in a file of the caller's and hands it out a chunk at a time
                // ("size"); a client that does not say its size sent the archive itself
                CallerFiles.Archive archive = r.has("size")
                        ? clientArchive(r.lng("size", 0), dir)
                        : CallerFiles.Archive.of(bytes(r.str("bytes", "")));
                return new CallerFiles.Packed(
                        missing.isEmpty() ? null : missing,
                        r.integer("status", 1),
                        new String(bytes(r.str("error", "")), StandardCharsets.UTF_8),
                        archive);
            }
        };
    }

    /** The archive the client packed, read from it in pieces ({@code pack-read}, answered {@code pack-data}). */
    private CallerFiles.Archive clientArchive(long size, Path dir) {
        return new CallerFiles.Archive() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public byte[] read(long offset, int max) throws IOException {
                Frame r = ask(Frame.op("pack-read").put("offset", offset).put("max", max), "pack-data", dir);
                return bytes(r.str("bytes", ""));
            }

            @Override
            public void close() {
                // the client removes its file when the session ends
            }
        };
    }

    private Frame ask(Frame request, String answer) throws IOException {
        return ask(request, answer, null);
    }

    /** Sends a request to the client and waits for its answer; a failure is the IOException Java would have thrown. */
    private Frame ask(Frame request, String answer, Path path) throws IOException {
        synchronized (this) {
            flushOut();
            client.write(request);
        }
        Frame r;
        try {
            r = replies.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the client");
        }
        if (r == GONE) {
            replies.add(GONE);
            throw new EOFException("the client has gone");
        }
        if (r.op().equals("failed")) throw failure(r, path);
        if (!r.op().equals(answer)) throw new IOException("client answered " + r.op() + " to " + request.op());
        return r;
    }

    /** The exception the JDK would have thrown for the client's errno, so that messages are the same on both paths. */
    static IOException failure(Frame r, Path path) {
        String file = path == null ? null : path.toString();
        String reason = r.str("message", "I/O error");
        return switch (r.str("errno", "")) {
            case "ENOENT" -> new NoSuchFileException(file);
            case "EACCES", "EPERM" -> new AccessDeniedException(file);
            case "EEXIST" -> new FileAlreadyExistsException(file);
            default -> file == null ? new IOException(reason) : new FileSystemException(file, null, reason);
        };
    }

    void exit(int code) throws IOException {
        synchronized (this) {
            flushOut();
            client.write(Frame.op("exit").put("code", code));
        }
    }

    @Override
    public void close() {
        closing = true;
        reader.interrupt();
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            // the client left as the command ended: nothing more to wait for
        }
        // a command interrupted as its client left must not leave the flag on the agent's thread
        Thread.interrupted();
    }

    /** Bytes as a string of ISO-8859-1 characters, one a byte, which any frame carries unchanged. */
    static String chars(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String chars) {
        return chars.getBytes(StandardCharsets.ISO_8859_1);
    }
}
