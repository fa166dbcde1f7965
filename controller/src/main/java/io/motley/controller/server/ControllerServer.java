package io.motley.controller.server;

import io.motley.controller.cluster.AgentChannel;
import io.motley.controller.cluster.Cluster;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts TCP connections from agents. Each starts with a challenge: the controller sends a
 * nonce, the peer answers with an HMAC of it under the cluster key. Then the peer is either an
 * agent's long-lived link (register, heartbeats, job ends one way; launch and kill orders the
 * other) or a relay of user requests that the agent took from its Unix socket.
 */
public final class ControllerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerServer.class);
    private final Cluster cluster;
    private final ClusterKey key;
    private final ServerSocket server;
    private final Requests requests;

    public ControllerServer(Cluster cluster, ClusterKey key, String bind, int port) throws IOException {
        this.cluster = cluster;
        this.key = key;
        this.requests = new Requests(cluster);
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(bind, port), 512);
    }

    public int port() {
        return server.getLocalPort();
    }

    public void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread.ofVirtual().name("conn-" + s.getRemoteSocketAddress()).start(() -> handle(s));
            } catch (IOException e) {
                if (!server.isClosed()) log.warn("accept failed: {}", e.getMessage());
            }
        }
    }

    private void handle(Socket s) {
        String peer = s.getRemoteSocketAddress().toString();
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            String nonce = ClusterKey.newNonce();
            FrameIO.write(out, Frame.op(Ops.HELLO).put("nonce", nonce).put("cluster", cluster.config().clusterName()));
            s.setSoTimeout(10_000);
            Frame auth = FrameIO.read(in);
            String who = auth.str("node", "?");
            if (!Ops.AUTH.equals(auth.op()) || !key.verify(nonce, who, auth.str("mac"))) {
                log.warn("connection refused: wrong cluster key peer={} node={}", peer, who);
                FrameIO.write(out, Frame.error("authentication failed: this agent's cluster key does not match the controller's"));
                return;
            }
            FrameIO.write(out, Frame.op(Ops.OK));
            s.setSoTimeout(0);
            if ("agent".equals(auth.str("role"))) {
                agentLink(s, in, out, who);
            } else {
                relay(in, out);
            }
        } catch (EOFException | SocketException e) {
            log.debug("connection closed peer={}", peer);
        } catch (IOException | RuntimeException e) {
            log.warn("connection failed peer={} error=\"{}\"", peer, e.toString());
        }
    }

    private void relay(InputStream in, OutputStream out) throws IOException {
        while (true) {
            Frame req;
            try {
                req = FrameIO.read(in);
            } catch (EOFException e) {
                return;
            }
            Frame resp;
            try {
                resp = requests.handle(req);
            } catch (RuntimeException e) {
                log.error("request failed op={}", req.op(), e);
                resp = Frame.error("the controller could not handle the request: " + e.getMessage());
            }
            FrameIO.write(out, resp);
        }
    }

    private void agentLink(Socket s, InputStream in, OutputStream out, String node) throws IOException {
        Link link = new Link(node, s, out);
        Thread writer = Thread.ofVirtual().name("link-" + node).start(link::drain);
        try {
            Frame reg = FrameIO.read(in);
            if (!Ops.REGISTER.equals(reg.op())) throw new IOException("expected register, got " + reg.op());
            cluster.register(link, reg);
            while (true) {
                Frame f = FrameIO.read(in);
                switch (f.op()) {
                    case Ops.HEARTBEAT -> cluster.heartbeat(node, f);
                    case Ops.JOB_ENDED -> cluster.jobEnded(node, f);
                    default -> log.warn("unexpected frame from agent node={} op={}", node, f.op());
                }
            }
        } finally {
            cluster.disconnected(link);
            link.close();
            writer.interrupt();
        }
    }

    /** Sends to one agent from a queue, so the cluster's lock is never held across network writes. */
    private static final class Link implements AgentChannel {
        private final String node;
        private final Socket socket;
        private final OutputStream out;
        private final LinkedBlockingQueue<Frame> queue = new LinkedBlockingQueue<>();
        private volatile boolean closed;

        Link(String node, Socket socket, OutputStream out) {
            this.node = node;
            this.socket = socket;
            this.out = out;
        }

        @Override
        public String node() {
            return node;
        }

        @Override
        public void send(Frame frame) {
            if (!closed) queue.add(frame);
        }

        void drain() {
            try {
                while (!closed) {
                    Frame f = queue.poll(1, TimeUnit.SECONDS);
                    if (f == null) continue;
                    synchronized (out) {
                        FrameIO.write(out, f);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                log.debug("link write failed node={} error={}", node, e.getMessage());
                close();
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken socket has nothing left to report
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
