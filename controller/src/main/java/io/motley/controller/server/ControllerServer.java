package io.motley.controller.server;

import io.motley.controller.cluster.AgentChannel;
import io.motley.controller.cluster.AgentReport;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.store.StoreException;
import io.motley.core.cluster.Reconciliation;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.KillReason;
import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.MalformedMessage;
import io.motley.protocol.Message;
import io.motley.protocol.Message.AckEnded;
import io.motley.protocol.Message.Delivered;
import io.motley.protocol.Message.Failure;
import io.motley.protocol.Message.Heartbeat;
import io.motley.protocol.Message.Held;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Kill;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Message.Order;
import io.motley.protocol.Message.OutputChunk;
import io.motley.protocol.Message.Register;
import io.motley.protocol.Message.Registered;
import io.motley.protocol.Message.Report;
import io.motley.protocol.Message.Running;
import io.motley.protocol.Messages;
import io.motley.protocol.link.AcceptLoop;
import io.motley.protocol.link.AgentPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.MutualTls;
import io.motley.protocol.link.ReportThrottle;
import io.motley.protocol.link.SharedKey;
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
 * Accepts TCP connections from agents. Each is a {@link Link} opened with a {@link Handshake} in
 * which the agent and the controller prove themselves to each other: {@link MutualTls} (both
 * present certificates of the cluster's CA; the node is the one in the agent's certificate) or
 * the {@link SharedKey} (both prove they hold the cluster key; every frame carries a MAC). Then the peer is either an agent's long-lived link (register,
 * heartbeats, job ends one way; launch and kill orders the other) or a relay of user requests
 * that the agent took from its Unix socket. Requests are held to the request bounds
 * (max_script_size plus headroom); before the handshake, frames are tiny.
 */
public final class ControllerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerServer.class);
    private final Cluster cluster;
    private final Handshake<AgentPeer> handshake;
    private final Bounds requests;
    private final ServerSocket server;
    private final Requests handlers;
    private final OutputRouter output;
    /** The user requests answered, by type, for /metrics. */
    private final io.motley.controller.metrics.RpcStatistics rpc =
            new io.motley.controller.metrics.RpcStatistics(Messages::isRequest);
    // anyone who can reach the port can be refused: one line per interval and address, with a count, not one
    // per attempt; by address, so that one host retrying without end hides no other host's refusal
    private final java.util.Map<String, ReportThrottle> refusals = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, ReportThrottle> eldest) {
            return size() > 256;
        }
    };

    /**
     * A server on {@code bind:port} whose connections are opened with {@code handshake}: {@link
     * MutualTls} (the default) or {@link SharedKey}.
     */
    public ControllerServer(Cluster cluster, Handshake<AgentPeer> handshake, String bind, int port, Bounds requests)
            throws IOException {
        this.cluster = cluster;
        this.handshake = handshake;
        this.requests = requests;
        this.output = new OutputRouter(cluster::job, cluster::outputTrouble);
        this.handlers = new Requests(cluster, output);
        server = new ServerSocket();
        server.setReuseAddress(true);
        try {
            server.bind(new InetSocketAddress(bind, port), 512);
        } catch (java.net.BindException e) {
            server.close();
            throw new java.net.BindException("port " + port + " on " + bind + " is taken (" + e.getMessage()
                    + "): another controller, or another program, listens there; stop it, or give this one"
                    + " another port: ControllerPort= in motley.conf (motley controller also takes --port)");
        }
    }

    /** Answers scontrol token from now on (the REST API's JWTs): signed by {@code tokens}, other users named from {@code users}. */
    public void issueTokens(io.motley.controller.rest.Tokens tokens, io.motley.controller.rest.Users users) {
        handlers.issueTokens(tokens, users);
    }

    /**
     * motley logs' answer for {@code caller}: a {@link Message.LogText} or a {@link Message.Failure}
     * (the web dashboard's tail reads a job's output through it).
     */
    public Message.Answer logs(
            long id, String stream, long offset, int max, io.motley.controller.cluster.Caller caller) {
        return handlers.logs(
                new Message.Logs(id, stream, offset, max),
                new Message.Caller(caller.uid(), caller.gid(), caller.user(), caller.groups()));
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The user requests answered so far, by type and time taken. */
    public io.motley.controller.metrics.RpcStatistics rpcStatistics() {
        return rpc;
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
        String from = s.getInetAddress() == null ? "?" : s.getInetAddress().getHostAddress();
        Link<AgentPeer> ch;
        try {
            ch = Link.accept(s, handshake, requests, MutualTls.HANDSHAKE_TIMEOUT);
        } catch (Handshake.Rejected e) {
            refused(e.getMessage(), peer, from, e.claimed());
            return;
        } catch (EOFException | SocketException e) {
            log.debug("connection closed during the handshake peer={}", peer);
            return;
        } catch (IOException e) {
            refused(e.getMessage(), peer, from, "?");
            return;
        }
        try (ch) {
            if ("agent".equals(ch.peer().role())) {
                agentLink(ch);
            } else {
                relay(ch);
            }
        } catch (EOFException | SocketException e) {
            log.debug("connection closed peer={}", peer);
        } catch (Bounds.Exceeded | FrameIO.Malformed | Link.Tampered e) {
            log.warn(
                    "connection closed: {} peer={} node={}",
                    e.getMessage(),
                    peer,
                    ch.peer().node());
        } catch (IOException | RuntimeException e) {
            log.warn("connection failed peer={} error=\"{}\"", peer, e.toString());
        }
    }

    private void refused(String reason, String peer, String from, String node) {
        ReportThrottle throttle;
        synchronized (refusals) {
            throttle = refusals.computeIfAbsent(from, a -> new ReportThrottle(Duration.ofSeconds(10)));
        }
        long n = throttle.event();
        if (n > 0) log.warn("connection refused: {} peer={} node={} count={}", reason, peer, node, n);
    }

    private void relay(Link<AgentPeer> ch) throws IOException {
        while (true) {
            Frame req;
            try {
                req = ch.read();
            } catch (EOFException e) {
                return;
            }
            Frame resp;
            long began = System.nanoTime();
            try {
                resp = handlers.handle(req, ch.peer().node());
            } catch (RuntimeException e) {
                log.error("request failed op={}", req.op(), e);
                resp = Messages.encode(new Failure("the controller could not handle the request: " + e.getMessage()));
            }
            rpc.answered(req.op(), System.nanoTime() - began);
            ch.write(resp);
        }
    }

    /** Renews a node's certificate on its link (the CA is the controller host's); null in the shared-key mode. */
    @FunctionalInterface
    public interface Renewal {
        /** A new certificate for {@code node}, whose link was opened with certificate {@code serial}, or why not. */
        Message.CertificateRenewed renew(String node, java.math.BigInteger serial, byte[] request);

        /**
         * Why {@code certificate}, which node {@code node} renewed itself and named on its link, may
         * not vouch for that link; null when it may (issued by the cluster's CA to that node, and
         * neither revoked nor expired).
         */
        default String inUse(String node, java.security.cert.X509Certificate certificate) {
            return "this controller takes no certificate a node renewed itself";
        }
    }

    private volatile Renewal renewal;

    /** The certificate that vouches for an open link: the one it was opened with, or the one renewed on it since. */
    private record Vouched(java.math.BigInteger serial, java.time.Instant notAfter) {}

    /** The links open now, with their certificates: a revocation or the certificate's expiry cuts them. */
    private final java.util.Map<AgentLink, Vouched> open = new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.concurrent.ScheduledExecutorService checks =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("revocation-check").factory());

    /**
     * Certificates: {@code renewal} answers nodes that ask for a new one on their link, and every
     * {@code every} the open links are looked at again: one whose certificate {@code revoked} names
     * (motley node remove), or whose certificate has expired, is closed at once, and its node is
     * refused when it connects again. A certificate renewed on a link vouches for it from then on.
     */
    public void certificates(
            Renewal renewal, java.util.function.Predicate<java.math.BigInteger> revoked, java.time.Duration every) {
        certificates(renewal, revoked, every, java.time.Instant::now);
    }

    /** As {@link #certificates(Renewal, java.util.function.Predicate, Duration)}, with expiry judged by {@code clock}. */
    void certificates(
            Renewal renewal,
            java.util.function.Predicate<java.math.BigInteger> revoked,
            java.time.Duration every,
            java.util.function.Supplier<java.time.Instant> clock) {
        this.renewal = renewal;
        checks.scheduleWithFixedDelay(
                () -> {
                    try {
                        cutLinks(revoked, clock.get());
                    } catch (RuntimeException e) {
                        log.error("certificate check of the open links failed", e);
                    }
                },
                every.toMillis(),
                every.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void cutLinks(java.util.function.Predicate<java.math.BigInteger> revoked, java.time.Instant now) {
        open.forEach((link, cert) -> {
            if (revoked.test(cert.serial())) {
                log.warn(
                        "link cut: the node's certificate was revoked node={} serial={}",
                        link.node(),
                        cert.serial().toString(16));
                link.close();
            } else if (cert.notAfter() != null && !now.isBefore(cert.notAfter())) {
                log.warn(
                        "link cut: the node's certificate expired node={} serial={} expired={}",
                        link.node(),
                        cert.serial().toString(16),
                        cert.notAfter());
                link.close();
            }
        });
    }

    private Message.CertificateRenewed renew(AgentLink link, Message.RenewCertificate r) {
        String node = link.node();
        Renewal with = renewal;
        Vouched by = open.get(link);
        if (with == null || by == null)
            return new Message.CertificateRenewed(null, "this controller issues no certificates (shared-key mode)");
        Message.CertificateRenewed answer;
        try {
            answer = with.renew(node, by.serial(), r.request());
        } catch (RuntimeException e) {
            log.error("certificate renewal failed node={}", node, e);
            answer = null;
        }
        // the node is answered whatever happened: unanswered, it would not ask again on this link for minutes
        if (answer == null || answer.certificate() == null && answer.error() == null)
            answer = new Message.CertificateRenewed(
                    null, "the controller could not issue the certificate (its log says why); ask again later", true);
        if (answer.error() != null) {
            log.warn(
                    "certificate renewal refused node={} temporary={} reason=\"{}\"",
                    node,
                    answer.temporary(),
                    answer.error());
            return answer;
        }
        try {
            // the node proved it holds the new key (its request is signed with it) on a link its old certificate opened
            java.security.cert.X509Certificate c = io.motley.protocol.link.TlsCredentials.certificate(
                    answer.certificate().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    "the renewed certificate");
            open.replace(
                    link, by, new Vouched(c.getSerialNumber(), c.getNotAfter().toInstant()));
            log.info(
                    "certificate renewed on the node's link node={} serial={} until={}",
                    node,
                    c.getSerialNumber().toString(16),
                    c.getNotAfter().toInstant());
        } catch (IOException e) {
            log.warn(
                    "certificate renewed on the node's link, but it cannot be read node={} error=\"{}\"",
                    node,
                    e.getMessage());
        }
        return answer;
    }

    /**
     * A node that renewed its own certificate names it on its link: once the CA's side vouches for
     * it, the link is kept open past the expiry of the certificate it was opened with.
     */
    private void inUse(AgentLink link, Message.CertificateInUse named) {
        String node = link.node();
        Renewal with = renewal;
        Vouched by = open.get(link);
        if (with == null || by == null) {
            log.warn("node named a certificate on a link no certificate opened; ignored node={}", node);
            return;
        }
        java.security.cert.X509Certificate c;
        try {
            c = io.motley.protocol.link.TlsCredentials.certificate(
                    named.certificate().getBytes(java.nio.charset.StandardCharsets.US_ASCII), "the named certificate");
        } catch (IOException e) {
            log.warn("node named a certificate that cannot be read node={} error=\"{}\"", node, e.getMessage());
            return;
        }
        // renewed as the link opened: that certificate opened it
        if (c.getSerialNumber().equals(by.serial())) return;
        String refusal = with.inUse(node, c);
        if (refusal != null) {
            log.warn(
                    "certificate named on the node's link refused node={} serial={} reason=\"{}\"",
                    node,
                    c.getSerialNumber().toString(16),
                    refusal);
            return;
        }
        if (open.replace(
                link, by, new Vouched(c.getSerialNumber(), c.getNotAfter().toInstant())))
            log.info(
                    "certificate renewed by the node now vouches for its link node={} serial={} until={}",
                    node,
                    c.getSerialNumber().toString(16),
                    c.getNotAfter().toInstant());
    }

    private void agentLink(Link<AgentPeer> ch) throws IOException {
        String node = ch.peer().node();
        AgentLink link = new AgentLink(
                node,
                ch,
                cluster.config().clusterName(),
                cluster.config().killWaitSeconds(),
                job -> cluster.config().sharedFilesystem(node, job.partition()));
        if (ch.peer().serial() != null)
            open.put(link, new Vouched(ch.peer().serial(), ch.peer().notAfter()));
        Thread writer = Thread.ofVirtual().name("link-" + node).start(link::drain);
        java.util.function.Consumer<Order> route = link::send;
        try {
            Frame reg = ch.read();
            if (!(report(reg) instanceof Register first))
                throw new IOException("expected register, got " + FreeText.quote(reg.op(), 64));
            String refusal = impersonation(node, first);
            if (refusal != null) {
                log.warn("agent refused: {} peer={} node={}", refusal, ch.remote(), node);
                ch.refuse(refusal, Link.REFUSAL_WRITE);
                return;
            }
            cluster.register(link, registration(first));
            output.connected(node, route);
            while (true) {
                Report report;
                try {
                    report = ch.receive(Messages::report);
                } catch (MalformedMessage e) {
                    log.warn("unreadable report from agent node={} problem=\"{}\"", node, e.getMessage());
                    continue;
                }
                try {
                    switch (report) {
                        case Heartbeat h ->
                            cluster.heartbeat(
                                    node,
                                    new AgentReport.Load(
                                            h.load(), h.freeMemMiB(), h.gpuUsage(), h.health(), h.clock(), h.checks()));
                        case JobEnded e -> cluster.jobEnded(node, runEnded(e));
                        case OutputChunk c -> output.chunk(node, c);
                        case Delivered d -> output.delivered(node, d);
                        case Message.OutputRead r -> output.outputRead(node, r);
                        case Message.StepReport r -> {
                            if (r instanceof io.motley.protocol.StepMessages.TaskEvent e)
                                cluster.steps().report(node, e);
                            else if (r instanceof io.motley.protocol.StepMessages.TaskStats t)
                                cluster.steps().report(node, t);
                            else if (r instanceof io.motley.protocol.StepMessages.InputTaken t)
                                cluster.steps().report(node, t);
                        }
                        case Message.RenewCertificate r -> Thread.ofVirtual().start(() -> link.send(renew(link, r)));
                        case Message.CertificateInUse u -> inUse(link, u);
                        case Register r -> {
                            String again = impersonation(node, r);
                            if (again != null) {
                                log.warn("agent refused: {} peer={} node={}", again, ch.remote(), node);
                                ch.refuse(again, Link.REFUSAL_WRITE);
                                return;
                            }
                            log.warn("agent registered again on its link node={}", node);
                        }
                    }
                } catch (StoreException e) {
                    // the database is lost (a health check's drain could not be saved, say): keep the link, so
                    // heartbeats go on counting and the node is not taken for dead once the database returns
                    log.warn(
                            "agent report not recorded, the store failed node={} report={} error=\"{}\"",
                            node,
                            report.getClass().getSimpleName(),
                            e.getMessage());
                }
            }
        } finally {
            open.remove(link);
            output.disconnected(node, route);
            cluster.disconnected(link);
            link.close();
            writer.interrupt();
        }
    }

    /**
     * Why a registration is refused: an agent speaks only for the node its certificate (or its
     * shared-key proof) names, and the registration names a node in its own words too. Null when
     * they agree. Heartbeats and job ends carry no node: the link's is the only one they count for.
     */
    static String impersonation(String node, Register reg) {
        String claimed = reg.node() == null ? null : reg.node().name();
        if (node.equals(claimed)) return null;
        return "this agent's certificate is for node '" + FreeText.quote(node, 64) + "' but it registered as '"
                + FreeText.quote(String.valueOf(claimed), 64) + "'";
    }

    /** The controller's view of a registration: the node, the machine's size, and the runs the agent holds. */
    static AgentReport.Registration registration(Register reg) {
        List<Reconciliation.ReportedRun> runs = new ArrayList<>();
        List<AgentReport.RunEnded> ends = new ArrayList<>();
        for (Held h : reg.held()) {
            switch (h) {
                case Running r -> runs.add(new Reconciliation.ReportedRun(r.id(), r.run(), false));
                case JobEnded e -> {
                    runs.add(new Reconciliation.ReportedRun(e.id(), e.run(), true));
                    ends.add(runEnded(e));
                }
            }
        }
        return new AgentReport.Registration(reg.node(), reg.totalCpus(), reg.totalMemMiB(), runs, ends);
    }

    static AgentReport.RunEnded runEnded(JobEnded e) {
        return new AgentReport.RunEnded(
                e.id(), e.run(), e.state(), e.exit().code(), e.exit().signal(), e.end(), e.usage(), e.desc());
    }

    /** The registration that opens an agent's link; one that is no valid message closes the link. */
    private static Report report(Frame f) throws IOException {
        try {
            return Messages.report(f);
        } catch (MalformedMessage e) {
            throw new IOException("agent sent a malformed report: " + e.getMessage());
        }
    }

    /** Sends to one agent from a queue, so the cluster's lock is never held across network writes. */
    private static final class AgentLink implements AgentChannel {
        private final String node;
        private final Link<AgentPeer> channel;
        // orders are encoded by the writer, off the cluster's lock
        private final LinkedBlockingQueue<Order> queue = new LinkedBlockingQueue<>();
        private volatile boolean closed;

        private final String cluster;
        private final long killWait;
        /** SharedFilesystem= for a job on this node: the node's, else its partition's (read at each launch). */
        private final java.util.function.Function<Job, String> sharedFilesystem;

        AgentLink(
                String node,
                Link<AgentPeer> channel,
                String cluster,
                long killWait,
                java.util.function.Function<Job, String> sharedFilesystem) {
            this.node = node;
            this.channel = channel;
            this.cluster = cluster;
            this.killWait = killWait;
            this.sharedFilesystem = sharedFilesystem;
        }

        @Override
        public String node() {
            return node;
        }

        @Override
        public void launch(Job job) {
            send(new Launch(cluster, killWait, job, sharedFilesystem.apply(job)));
        }

        @Override
        public void kill(long jobId, int run, KillReason why) {
            send(new Kill(jobId, run, why));
        }

        @Override
        public void signal(long jobId, int run, int signal, io.motley.protocol.Message.SignalScope scope) {
            send(new io.motley.protocol.Message.SignalRun(jobId, run, signal, scope));
        }

        @Override
        public void suspend(long jobId, int run, boolean resume) {
            send(new io.motley.protocol.Message.SuspendRun(jobId, run, resume));
        }

        @Override
        public void timeLimit(long jobId, int run, io.motley.core.job.TimeLimit limit) {
            send(new io.motley.protocol.Message.LimitRun(jobId, run, limit.secondsOr(0)));
        }

        @Override
        public void acknowledge(long jobId, int run) {
            send(new AckEnded(jobId, run));
        }

        @Override
        public void registered(long heartbeatSeconds) {
            send(new Registered(heartbeatSeconds));
        }

        @Override
        public void steps(Message.StepOrder order) {
            send(order);
        }

        void send(Order order) {
            if (!closed) queue.add(order);
        }

        void drain() {
            try {
                while (!closed) {
                    Order order = queue.poll(1, TimeUnit.SECONDS);
                    if (order == null) continue;
                    channel.send(order);
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

    @Override
    public void close() throws IOException {
        checks.shutdownNow();
        server.close();
    }
}
