package io.motley.protocol.link;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A connected socket, TCP or Unix, with the one pair of buffered streams that its handshake and
 * then its {@link Link} read and write (bytes the handshake's reads buffered ahead belong to the
 * link). Closing it closes the socket, which is how a {@link Deadline} interrupts a blocked read or
 * write.
 */
public final class Transport implements Closeable {
    private final Closeable socket;
    private final BufferedInputStream buffered;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final String remote;

    private Transport(Closeable socket, InputStream in, OutputStream out, String remote) {
        this.socket = socket;
        this.buffered = new BufferedInputStream(in);
        this.in = new DataInputStream(buffered);
        this.out = new DataOutputStream(new BufferedOutputStream(out));
        this.remote = remote;
    }

    /** A connected TCP socket (Nagle off: frames are small and answered at once). */
    public static Transport of(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return new Transport(s, s.getInputStream(), s.getOutputStream(), String.valueOf(s.getRemoteSocketAddress()));
    }

    /** A connected socket channel (a Unix socket, most often). */
    public static Transport of(SocketChannel ch) throws IOException {
        return new Transport(
                ch, Channels.newInputStream(ch), Channels.newOutputStream(ch), String.valueOf(ch.getRemoteAddress()));
    }

    /** Connects to a TCP address, waiting at most {@code timeout} for the connection. */
    public static Transport connect(String host, int port, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return of(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Connects to a Unix socket. */
    public static Transport connect(Path unixSocket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(unixSocket));
            return of(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    DataInputStream in() {
        return in;
    }

    DataOutputStream out() {
        return out;
    }

    /**
     * Whether the peer has neither closed the connection nor sent anything: waits up to {@code wait}
     * for a byte and must time out; a byte that does arrive is left for the next read (mark and
     * reset), so nothing is consumed. Only a TCP socket (plain or TLS) can be asked; false for a
     * Unix socket, whose streams have no read timeout.
     */
    boolean quiet(Duration wait) {
        if (!(socket instanceof Socket s)) return false;
        try {
            if (buffered.available() > 0) return false;
            int before = s.getSoTimeout();
            s.setSoTimeout((int) Math.max(1, wait.toMillis()));
            try {
                buffered.mark(1);
                if (buffered.read() >= 0) buffered.reset();
                return false;
            } catch (SocketTimeoutException e) {
                // a timeout leaves the socket (and a TLS socket's records) as they were
                return true;
            } finally {
                s.setSoTimeout(before);
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** The TCP socket under this transport, for a handshake that layers TLS on it; null for a Unix socket. */
    Socket tcpSocket() {
        return socket instanceof Socket s ? s : null;
    }

    /** The peer's address, for logs. */
    public String remote() {
        return remote;
    }

    /** A socket option of the connection, such as the kernel's word on a Unix socket's peer (SO_PEERCRED). */
    public <T> T option(SocketOption<T> option) throws IOException {
        if (socket instanceof Socket s) return s.getOption(option);
        if (socket instanceof SocketChannel ch) return ch.getOption(option);
        throw new UnsupportedOperationException(option.name());
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket has nothing left to report
        }
    }
}
