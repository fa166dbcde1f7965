package io.motley.controller.server;

import io.motley.controller.cluster.AgentChannel;
import io.motley.controller.cluster.AgentReport;
import io.motley.controller.cluster.Cluster;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.Reconciliation;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import io.motley.protocol.link.AcceptLoop;
import io.motley.protocol.link.KeyedChannel;
import io.motley.protocol.link.ReportThrottle;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts TCP connections from agents. Each starts with a handshake in which the agent and the
 * controller prove to each other that they hold the cluster key, after which every frame carries
 * a MAC ({@link KeyedChannel}). Then the peer is either an agent's long-lived link (register,
 * heartbeats, job ends one way; launch and kill orders the other) or a relay of user requests
 * that the agent took from its Unix socket. Requests are held to the request bounds
 * (max_script_size plus headroom); before the handshake, frames are tiny.
 */
public final class ControllerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerServer.class);
    private final Cluster cluster;
    private final ClusterKey key;
    private final Bounds requests;
    private final ServerSocket server;
    private final Requests handlers;
    // anyone who can reach the port can be refused: one line per interval, with a count, not one per attempt
    private final ReportThrottle refusals = new ReportThrottle(Duration.ofSeconds(10));

    public ControllerServer(Cluster cluster, ClusterKey key, String bind, int port, Bounds requests)
            throws IOException {
        this.cluster = cluster;
        this.key = key;
        this.requests = requests;
        this.handlers = new Requests(cluster);
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(bind, port), 512);
    }

    public int port() {
        return server.getLocalPort();
    }

    public void serve() {
        new AcceptLoop<>(
                        new AcceptLoop.Source<Socket>() {
                            @Override
                            public Socket accept() throws IOException {
                                return server.accept();
                            }

                            @Override
                            public boolean isOpen() {
                                return !server.isClosed();
                            }
                        },
                        s -> Thread.ofVirtual()
                                .name("conn-" + s.getRemoteSocketAddress())
                                .start(() -> handle(s)),
                        (n, e) -> {
                            if (e != null)
                                log.warn("accept failing count={} error=\"{}\"; backing off", n, e.getMessage());
                            else log.info("accept working again after count={} more failures", n);
                        })
                .run();
    }

    private void handle(Socket s) {
        String peer = String.valueOf(s.getRemoteSocketAddress());
        KeyedChannel ch;
        try {
            ch = KeyedChannel.accept(s, key, cluster.config().clusterName(), requests);
        } catch (KeyedChannel.WrongKey e) {
            refused(e.getMessage(), peer, e.node());
            return;
        } catch (EOFException | SocketException e) {
            log.debug("connection closed during the handshake peer={}", peer);
            return;
        } catch (IOException e) {
            refused(e.getMessage(), peer, "?");
            return;
        }
        try (ch) {
            if ("agent".equals(ch.role())) {
                agentLink(ch);
            } else {
                relay(ch);
            }
        } catch (EOFException | SocketException e) {
            log.debug("connection closed peer={}", peer);
        } catch (Bounds.Exceeded | FrameIO.Malformed | KeyedChannel.Tampered e) {
            log.warn("connection closed: {} peer={} node={}", e.getMessage(), peer, ch.node());
        } catch (IOException | RuntimeException e) {
            log.warn("connection failed peer={} error=\"{}\"", peer, e.toString());
        }
    }

    private void refused(String reason, String peer, String node) {
        long n = refusals.event();
        if (n > 0) log.warn("connection refused: {} peer={} node={} count={}", reason, peer, node, n);
    }

    private void relay(KeyedChannel ch) throws IOException {
        while (true) {
            Frame req;
            try {
                req = ch.read();
            } catch (EOFException e) {
                return;
            }
            Frame resp;
            try {
                resp = handlers.handle(req);
            } catch (RuntimeException e) {
                log.error("request failed op={}", req.op(), e);
                resp = Frame.error("the controller could not handle the request: " + e.getMessage());
            }
            ch.write(resp);
        }
    }

    private void agentLink(KeyedChannel ch) throws IOException {
        String node = ch.node();
        Link link = new Link(
                node, ch, cluster.config().clusterName(), cluster.config().killWaitSeconds());
        Thread writer = Thread.ofVirtual().name("link-" + node).start(link::drain);
        try {
            Frame reg = ch.read();
            if (!Ops.REGISTER.equals(reg.op())) throw new IOException("expected register, got " + reg.op());
            cluster.register(link, registration(reg));
            while (true) {
                Frame f = ch.read();
                switch (f.op()) {
                    case Ops.HEARTBEAT -> cluster.heartbeat(node, load(f));
                    case Ops.JOB_ENDED -> cluster.jobEnded(node, runEnded(f));
                    default -> log.warn("unexpected frame from agent node={} op={}", node, f.op());
                }
            }
        } finally {
            cluster.disconnected(link);
            link.close();
            writer.interrupt();
        }
    }

    /** An agent's registration: its node as detected, the machine's size, and the runs it holds. */
    static AgentReport.Registration registration(Frame reg) {
        Node node = Codec.node(reg);
        List<Reconciliation.ReportedRun> runs = new ArrayList<>();
        List<AgentReport.RunEnded> ends = new ArrayList<>();
        for (Frame c : reg.children()) {
            boolean ended = c.op().equals(Ops.JOB_ENDED);
            runs.add(new Reconciliation.ReportedRun(c.lng("id", -1), c.integer("run", 0), ended));
            if (ended) ends.add(runEnded(c));
        }
        return new AgentReport.Registration(
                node, reg.integer("totalCpus", node.cpus()), reg.lng("totalMem", node.memMiB()), runs, ends);
    }

    static AgentReport.RunEnded runEnded(Frame f) {
        return new AgentReport.RunEnded(
                f.lng("id", -1),
                f.integer("run", 0),
                JobState.valueOf(f.str("state")),
                f.integer("code", 0),
                f.integer("signal", 0),
                f.lng("end", 0),
                Codec.usage(f),
                f.str("desc"));
    }

    static AgentReport.Load load(Frame hb) {
        return new AgentReport.Load(hb.dbl("load", 0), hb.lng("freeMem", 0), hb.str("gpuUsage"), hb.str("health"));
    }

    /** Sends to one agent from a queue, so the cluster's lock is never held across network writes. */
    private static final class Link implements AgentChannel {
        private final String node;
        private final KeyedChannel channel;
        private final LinkedBlockingQueue<Frame> queue = new LinkedBlockingQueue<>();
        private volatile boolean closed;

        private final String cluster;
        private final long killWait;

        Link(String node, KeyedChannel channel, String cluster, long killWait) {
            this.node = node;
            this.channel = channel;
            this.cluster = cluster;
            this.killWait = killWait;
        }

        @Override
        public String node() {
            return node;
        }

        @Override
        public void launch(Job job) {
            send(Frame.op(Ops.LAUNCH)
                    .put("cluster", cluster)
                    .put("killWait", killWait)
                    .add(Codec.job(job, true)));
        }

        @Override
        public void kill(long jobId, int run, KillReason why) {
            send(Frame.op(Ops.KILL).put("id", jobId).put("run", run).put("why", killWord(why)));
        }

        @Override
        public void acknowledge(long jobId, int run) {
            send(Frame.op(Ops.ACK_ENDED).put("id", jobId).put("run", run));
        }

        @Override
        public void registered(long heartbeatSeconds) {
            send(Frame.op(Ops.OK).put("heartbeat", heartbeatSeconds));
        }

        private void send(Frame frame) {
            if (!closed) queue.add(frame);
        }

        void drain() {
            try {
                while (!closed) {
                    Frame f = queue.poll(1, TimeUnit.SECONDS);
                    if (f == null) continue;
                    channel.write(f);
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
            channel.close();
        }
    }

    /** The agent's word for a kill reason. */
    static String killWord(KillReason why) {
        return switch (why) {
            case CANCEL -> "cancel";
            case REQUEUE -> "requeue";
            case NODE_DOWN -> "node_down";
            case NOT_RUNNING_HERE -> "unknown";
            case TIME_LIMIT -> "TIMEOUT";
            case SUPERSEDED -> "superseded";
        };
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
