package io.motley.agent.link;

import io.motley.agent.launch.JobLauncher;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's long-lived, authenticated link to the controller: registers with its hardware and
 * job inventory, sends heartbeats and job ends, and carries out launch and kill orders. When the
 * controller goes away it reconnects with backoff and registers again, which reconciles both sides.
 */
public final class ControllerLink {
    private static final Logger log = LoggerFactory.getLogger(ControllerLink.class);
    private final String host;
    private final int port;
    private final ClusterKey key;
    private final String node;
    private final Supplier<Frame> registration;
    private final Supplier<Frame> heartbeat;
    private volatile JobLauncher launcher;
    private volatile OutputStream out;
    private volatile long heartbeatSeconds = 1;

    public ControllerLink(String host, int port, ClusterKey key, String node, Supplier<Frame> registration,
            Supplier<Frame> heartbeat) {
        this.host = host;
        this.port = port;
        this.key = key;
        this.node = node;
        this.registration = registration;
        this.heartbeat = heartbeat;
    }

    public void attach(JobLauncher launcher) {
        this.launcher = launcher;
    }

    public String controller() {
        return host + ":" + port;
    }

    /** Opens an authenticated connection; used by the link itself and for relaying user requests. */
    public Socket connect(String role) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream o = new BufferedOutputStream(s.getOutputStream());
            s.setSoTimeout(15_000);
            Frame hello = FrameIO.read(in);
            FrameIO.write(o, Frame.op(Ops.AUTH).put("node", node).put("role", role)
                    .put("mac", key.sign(hello.str("nonce", ""), node)));
            Frame ok = FrameIO.read(in);
            if (ok.isError()) throw new AuthRefused(ok.str("message"));
            s.setSoTimeout(0);
            return new WrappedSocket(s, in, o);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** The controller said no to our key: worth a distinct log line, not a silent retry. */
    public static final class AuthRefused extends IOException {
        AuthRefused(String message) {
            super(message);
        }
    }

    /** Runs forever: connect, register, serve orders; on loss, wait and do it again. */
    public void run() {
        long backoffMs = 200;
        while (!Thread.currentThread().isInterrupted()) {
            try (Socket s = connect("agent")) {
                WrappedSocket ws = (WrappedSocket) s;
                out = ws.out;
                send(registration.get());
                backoffMs = 200;
                // a platform thread: the node's liveness must not wait for a free carrier of the virtual threads
                Thread hb = Thread.ofPlatform().daemon().name("heartbeat").start(this::heartbeats);
                try {
                    serve(ws.in);
                } finally {
                    hb.interrupt();
                    out = null;
                }
            } catch (AuthRefused e) {
                log.error("controller refused this agent node={} controller={} reason=\"{}\"", node, controller(), e.getMessage());
                backoffMs = 10_000;
            } catch (IOException e) {
                log.warn("controller link down controller={} error=\"{}\"; retrying in {} ms", controller(), e.getMessage(), backoffMs);
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(5000, backoffMs * 2);
        }
    }

    private void serve(InputStream in) throws IOException {
        while (true) {
            Frame f = FrameIO.read(in);
            switch (f.op()) {
                case Ops.OK -> {
                    heartbeatSeconds = f.lng("heartbeat", heartbeatSeconds);
                    log.info("registered with controller={} node={}", controller(), node);
                }
                case Ops.LAUNCH -> Thread.ofVirtual().start(() -> launcher.launch(f));
                case Ops.KILL -> launcher.kill(f.lng("id", -1), f.integer("run", 0),
                        switch (f.str("why", "cancel")) {
                            case "TIMEOUT" -> "TIMEOUT";
                            case "requeue" -> "REQUEUE";
                            default -> "CANCELLED";
                        });
                case Ops.ACK_ENDED -> launcher.acknowledged(f.lng("id", -1), f.integer("run", 0));
                default -> log.warn("unexpected frame from controller op={}", f.op());
            }
        }
    }

    /**
     * Sends a heartbeat whenever the controller's interval has passed. The interval arrives with
     * the registration's answer, so it is re-read on every short tick rather than slept on once
     * (a first sleep on the default would outlast a short NodeTimeout).
     */
    private void heartbeats() {
        long last = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(100);
                if (System.nanoTime() - last < heartbeatSeconds * 1_000_000_000L) continue;
                last = System.nanoTime();
                send(heartbeat.get());
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                log.debug("heartbeat not sent: {}", e.getMessage());
            }
        }
    }

    /** Sends on the link; a job end that cannot be sent now is still in the spool and goes with the next registration. */
    public void send(Frame f) throws IOException {
        OutputStream o = out;
        if (o == null) throw new IOException("not connected to the controller");
        synchronized (o) {
            FrameIO.write(o, f);
        }
    }

    /** Sends a heartbeat now (a health check changed its verdict); harmless when not connected. */
    public void heartbeatNow() {
        if (out == null) return;
        try {
            send(heartbeat.get());
        } catch (IOException e) {
            log.debug("heartbeat not sent: {}", e.getMessage());
        }
    }

    public void trySend(Frame f) {
        try {
            send(f);
        } catch (IOException e) {
            log.info("controller not reachable; the report stays in the spool op={} error=\"{}\"", f.op(), e.getMessage());
        }
    }

    /** A socket with its buffered streams, so the handshake's buffering is not lost. */
    public static final class WrappedSocket extends Socket {
        private final Socket inner;
        public final InputStream in;
        public final OutputStream out;

        WrappedSocket(Socket inner, InputStream in, OutputStream out) {
            this.inner = inner;
            this.in = in;
            this.out = out;
        }

        @Override
        public synchronized void close() throws IOException {
            inner.close();
        }
    }
}
