package io.motley.agent.local;

import io.motley.agent.link.ControllerLink;
import io.motley.core.config.ClusterConfig;
import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.MalformedMessage;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Caller;
import io.motley.protocol.Message.Failure;
import io.motley.protocol.Message.Ping;
import io.motley.protocol.Message.Pong;
import io.motley.protocol.Message.Request;
import io.motley.protocol.Messages;
import io.motley.protocol.link.AcceptLoop;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.PeerCredentials;
import io.motley.protocol.link.ReportThrottle;
import io.motley.protocol.link.Transport;
import io.motley.protocol.local.CommandHost;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Unix domain socket where local commands reach the cluster. The kernel tells us who is on
 * the other end (SO_PEERCRED, through the link's {@link PeerCredentials} handshake); that
 * identity, not anything the client says, goes with the request to the controller. This is munge's model without a separate daemon.
 *
 * <p>Every local user may connect, so no one may crowd the others out: connections are limited per
 * user and in total (one over either limit gets an error frame and is closed at once), a
 * connection must send each complete request within a timeout (waiting for the controller's
 * answer does not count), requests are held to {@link Bounds}, and a failing accept backs off.
 */
public final class LocalSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalSocket.class);
    private static final Duration REPORT_INTERVAL = Duration.ofSeconds(10);
    private final Path path;
    private final ServerSocketChannel server;
    private final Relay relay;
    private final Settings settings;
    private final Peers peers;
    private final Optional<CommandHost> commands;
    private final Map<Integer, Integer> perUser = new HashMap<>();
    private int total;
    private final ReportThrottle refusals = new ReportThrottle(REPORT_INTERVAL);
    private final ReportThrottle idle = new ReportThrottle(REPORT_INTERVAL);
    private final ReportThrottle refusedRequests = new ReportThrottle(REPORT_INTERVAL);

    /** Who is on the other end of a connection, as the kernel says; groups are the user's, for AllowGroups. */
    record Peer(int uid, int gid, String user, String groups) {}

    /**
     * Turns the kernel's word on a connection's peer into ids and groups; a stand-in in tests (a
     * test cannot change its uid).
     */
    interface Peers {
        Peer of(UnixDomainPrincipal who) throws IOException;
    }

    /** SO_PEERCRED, with the names turned into ids and the user's groups looked up (cached). */
    static final Peers KERNEL_PEERS = LocalSocket::kernelPeer;

    /** Carries a stamped request to the controller and returns its answer. */
    interface Relay {
        Frame relay(Frame request);
    }

    /** The socket's bounds, from the cluster's Limits. */
    record Settings(int maxConnections, int maxConnectionsPerUser, Duration requestTimeout, Bounds requests) {
        static Settings of(ClusterConfig.Limits limits) {
            return new Settings(
                    limits.agentMaxConnections(),
                    limits.agentMaxConnectionsPerUser(),
                    Duration.ofSeconds(limits.agentRequestTimeoutSeconds()),
                    Bounds.requests(limits.maxScriptBytes()));
        }
    }

    public LocalSocket(Path path, ControllerLink link, ClusterConfig.Limits limits) throws IOException {
        this(path, link::relay, Settings.of(limits), KERNEL_PEERS, installedCommands());
        answerPidsWith((request, caller) -> link.listPids(request, caller.uid()));
    }

    /** scontrol listpids is answered here, never relayed: by default with no processes. */
    private volatile java.util.function.BiFunction<Message.ListPids, Caller, Message.PidList> pids =
            (request, caller) -> new Message.PidList("", List.of());

    /** This agent's node, which a local ping answers with (srun learns from it which of a step's nodes is its own). */
    private volatile String node;

    /** Names this agent's node in the answer to a local ping. */
    public void nameNode(String node) {
        this.node = node;
    }

    /** Who answers scontrol listpids for this node (the agent's launcher). */
    void answerPidsWith(java.util.function.BiFunction<Message.ListPids, Caller, Message.PidList> answer) {
        this.pids = answer;
    }

    LocalSocket(Path path, Relay relay, Settings settings, Peers peers) throws IOException {
        this(path, relay, settings, peers, Optional.empty());
    }

    LocalSocket(Path path, Relay relay, Settings settings, Peers peers, Optional<CommandHost> commands)
            throws IOException {
        this.commands = commands;
        this.path = path;
        this.relay = relay;
        this.settings = settings;
        this.peers = peers;
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) {
            // every local user must reach the socket; the daemons' umask (077) would shut them out
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else if (!Files.getPosixFilePermissions(dir)
                .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
            log.warn("other users cannot enter {}, so only its owner and group can use the agent's socket there", dir);
        }
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path), 256);
        // any local user may submit, as any user may talk to munged; identity comes from the kernel
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    public void serve() {
        new AcceptLoop<>(
                        new AcceptLoop.Source<SocketChannel>() {
                            @Override
                            public SocketChannel accept() throws IOException {
                                return server.accept();
                            }

                            @Override
                            public boolean isOpen() {
                                return server.isOpen();
                            }
                        },
                        ch -> Thread.ofVirtual().start(() -> handle(ch)),
                        (n, e) -> {
                            if (e != null)
                                log.warn("local accept failing count={} error=\"{}\"; backing off", n, e.getMessage());
                            else log.info("local accept working again after count={} more failures", n);
                        })
                .run();
    }

    private void handle(SocketChannel ch) {
        Link<Peer> link;
        try {
            link = Link.open(
                    Transport.of(ch),
                    PeerCredentials.resolvedBy(peers::of),
                    settings.requests(),
                    PeerCredentials.HANDSHAKE_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            log.debug("local peer unknown: {}", e.getMessage());
            closeQuietly(ch);
            return;
        }
        Peer peer = link.peer();
        String refusal = admit(peer);
        if (refusal != null) {
            // the client may be sending rather than reading: its refusal waits at most that long
            link.refuse(refusal, settings.requestTimeout());
            long n = refusals.event();
            if (n > 0) log.warn("local connections refused count={} user={} reason=\"{}\"", n, peer.user(), refusal);
            return;
        }
        try (link) {
            serve(link, peer);
        } catch (IOException e) {
            log.debug("local client gone user={} error={}", peer.user(), e.getMessage());
        } finally {
            release(peer);
        }
    }

    private void serve(Link<Peer> link, Peer peer) throws IOException {
        while (true) {
            Frame req;
            // the timeout covers reading a request only: a client waiting for its answer is not idle
            try {
                req = link.read(settings.requestTimeout());
            } catch (EOFException e) {
                return;
            } catch (Bounds.Exceeded | FrameIO.Malformed e) {
                // the link has answered with one error frame naming the problem, and closed
                long n = refusedRequests.event();
                if (n > 0)
                    log.warn("local requests refused count={} user={} reason=\"{}\"", n, peer.user(), e.getMessage());
                return;
            } catch (Link.TimedOut e) {
                long n = idle.event();
                if (n > 0) {
                    log.info(
                            "local connections closed for sending no complete request within {} s count={} user={}",
                            settings.requestTimeout().toSeconds(),
                            n,
                            peer.user());
                }
                return;
            }
            if (CommandHost.OP.equals(req.op())) {
                command(link, peer, req);
                return;
            }
            link.write(answer(req, peer));
        }
    }

    /**
     * A native client's session: the command runs here, in-process, for the caller the kernel named
     * (the cli's {@link CommandHost}); without the cli on the classpath the client is told to run
     * its JVM client instead.
     */
    private void command(Link<Peer> link, Peer peer, Frame start) throws IOException {
        if (commands.isEmpty()) {
            link.write(Frame.op("jvm").put("reason", "this agent does not run commands"));
            return;
        }
        commands.get()
                .serve(
                        start,
                        caller(peer),
                        new CommandHost.Client() {
                            @Override
                            public Frame read() throws IOException {
                                return link.read();
                            }

                            @Override
                            public void write(Frame frame) throws IOException {
                                link.write(frame);
                            }
                        },
                        req -> answer(req, peer));
    }

    /** The commands the cli provides when its jar is on the agent's classpath (dist puts every jar there). */
    static Optional<CommandHost> installedCommands() {
        return ServiceLoader.load(CommandHost.class).findFirst();
    }

    /**
     * The answer to one request: a local ping is answered here; any other request is relayed with
     * the kernel's word for who is calling, over anything the client claimed. A request that is no
     * valid message is answered here and not relayed.
     */
    private Frame answer(Frame req, Peer peer) {
        Request<?> request;
        try {
            request = Messages.request(req);
        } catch (MalformedMessage e) {
            long n = refusedRequests.event();
            if (n > 0)
                log.warn("local requests refused count={} user={} reason=\"{}\"", n, peer.user(), e.getMessage());
            return Messages.encode(new Failure(
                    e.getMessage().startsWith("unknown request")
                            ? e.getMessage()
                            : "malformed request: " + e.getMessage()));
        }
        if (request instanceof Ping p && p.local()) return Messages.encode(new Pong(null, node, "ok"));
        if (request instanceof Message.ListPids l) return Messages.encode(pids.apply(l, caller(peer)));
        return relay.relay(Messages.encode(request, caller(peer)));
    }

    static Caller caller(Peer peer) {
        return new Caller(
                peer.uid(),
                peer.gid(),
                peer.user(),
                peer.groups() == null ? null : List.of(peer.groups().split(",")));
    }

    /** Counts a new connection in, or says why it may not be (null when admitted). */
    private synchronized String admit(Peer peer) {
        int mine = perUser.getOrDefault(peer.uid(), 0);
        if (mine >= settings.maxConnectionsPerUser()) {
            return "too many connections from user " + peer.user() + " on this node (limit "
                    + settings.maxConnectionsPerUser() + "); close some and retry";
        }
        if (total >= settings.maxConnections()) {
            return "too many connections on this node (limit " + settings.maxConnections()
                    + ", all users together); retry" + " in a moment";
        }
        perUser.put(peer.uid(), mine + 1);
        total++;
        return null;
    }

    private synchronized void release(Peer peer) {
        perUser.computeIfPresent(peer.uid(), (uid, n) -> n > 1 ? n - 1 : null);
        total--;
    }

    private static Peer kernelPeer(UnixDomainPrincipal who) {
        String user = who.user().getName();
        return new Peer(Identity.uid(user), Identity.gid(who.group().getName()), user, Identity.groups(user));
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to tell a peer we could not identify
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
