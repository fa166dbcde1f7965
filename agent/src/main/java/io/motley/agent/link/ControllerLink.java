package io.motley.agent.link;

import io.motley.agent.launch.JobLauncher;
import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.MalformedMessage;
import io.motley.protocol.Message;
import io.motley.protocol.Message.AckEnded;
import io.motley.protocol.Message.Failure;
import io.motley.protocol.Message.Heartbeat;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Kill;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Message.Order;
import io.motley.protocol.Message.Register;
import io.motley.protocol.Message.Registered;
import io.motley.protocol.Message.Report;
import io.motley.protocol.Messages;
import io.motley.protocol.link.ControllerPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.MutualTls;
import io.motley.protocol.link.SharedKey;
import io.motley.protocol.link.Transport;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's long-lived, authenticated link to the controller: registers with its hardware and
 * job inventory, sends heartbeats and job ends, and carries out launch and kill orders. Both ends
 * prove themselves (a {@link Link} opened with {@link MutualTls}, or with the {@link SharedKey}),
 * so the agent registers with and obeys only the controller, not whatever answers on its address.
 * When the controller goes away it reconnects with jittered exponential backoff ({@link Backoff})
 * and registers again, which reconciles both sides.
 */
public final class ControllerLink {
    private static final Logger log = LoggerFactory.getLogger(ControllerLink.class);
    private final String host;
    private final int port;
    private final Handshakes handshakes;
    private final String node;
    private final Supplier<Register> registration;
    private final Supplier<Heartbeat> heartbeat;
    private volatile JobLauncher launcher;
    private volatile Link<ControllerPeer> channel;
    private volatile long heartbeatSeconds = 1;
    /**
     * Relay connections kept for the next user request: a few, each closed after 30 s idle, and
     * none lent once 10 minutes old (renewed credentials also drop them, see {@link Handshakes}).
     */
    private volatile RelayPool relays =
            new RelayPool(4, Duration.ofSeconds(30), Duration.ofMinutes(10), System::nanoTime);
    /**
     * Reconnect delays: 0.1-0.2 s at first, doubling to 2.5-5 s. The cap stays well inside the
     * NodeTimeout a restarted controller grants its agents to return (30 s by default).
     */
    private final Backoff backoff =
            new Backoff(200, 5000, () -> ThreadLocalRandom.current().nextDouble());
    /** After the controller refused us or failed to prove itself, at least this long before trying again. */
    private static final long REFUSED_RETRY_MS = 10_000;

    public ControllerLink(
            String host,
            int port,
            Handshakes handshakes,
            String node,
            Supplier<Register> registration,
            Supplier<Heartbeat> heartbeat) {
        this.host = host;
        this.port = port;
        this.handshakes = handshakes;
        this.node = node;
        this.registration = registration;
        this.heartbeat = heartbeat;
    }

    /** A node's certificate renewed on its link (docs/security.md): what to ask for, and what to do with the answer. */
    public interface Renewer {
        /**
         * What to send about the node's certificate on the link numbered {@code link} (each new link
         * gets the next number, so a request lost with its link can be told from one on its way).
         */
        java.util.Optional<Report> renewalRequest(long link);

        void renewed(Message.CertificateRenewed answer);
    }

    private volatile Renewer renewer;

    /** The number of the link opened last (1 for the first). */
    private long links;

    /** Asks {@code renewer} at each heartbeat whether the node's certificate is due, and hands it the answers. */
    public void renewWith(Renewer renewer) {
        this.renewer = renewer;
    }

    /** Whether the link to the controller is up now. */
    public boolean connected() {
        return channel != null;
    }

    /** scontrol listpids, answered here: the processes of this node's runs that user {@code uid} may see. */
    public Message.PidList listPids(Message.ListPids request, int uid) {
        JobLauncher l = launcher;
        return new Message.PidList(node, l == null ? List.of() : l.listPids(request.jobId(), uid));
    }

    public void attach(JobLauncher launcher) {
        this.launcher = launcher;
    }

    /** Keeps relay connections as {@code pool} does (tests: short idle times). */
    void relayPool(RelayPool pool) {
        relays.close();
        relays = pool;
    }

    public String controller() {
        return host + ":" + port;
    }

    /**
     * How this agent opens a connection for a role ("agent" for its link, "relay" for users'
     * requests): {@link MutualTls} with its certificate, or the {@link SharedKey}. Asked on every
     * connection and every relayed request, so renewed credentials are used from the next one on:
     * a kept relay connection is lent only while the handshake answered for "relay" is the very
     * one that opened it, so an implementation returns the same handshake until its credentials
     * change.
     */
    @FunctionalInterface
    public interface Handshakes {
        Handshake<ControllerPeer> forRole(String role) throws IOException;
    }

    /**
     * Opens a connection on which the controller has proved itself and we have proved ourselves to
     * it; used by the link itself and for relaying user requests.
     */
    private Link<ControllerPeer> connect(String role) throws IOException {
        return connect(handshakes.forRole(role));
    }

    private Link<ControllerPeer> connect(Handshake<ControllerPeer> handshake) throws IOException {
        return Link.open(
                Transport.connect(host, port, MutualTls.HANDSHAKE_TIMEOUT),
                handshake,
                Bounds.ANSWERS,
                MutualTls.HANDSHAKE_TIMEOUT);
    }

    /**
     * Carries one user request to the controller and returns the answer, or an error frame that
     * says what went wrong and what to do. The request goes on an idle relay connection kept from
     * an earlier request when there is a live one (no new handshake), else on a new one. A request
     * is never sent twice: a kept connection found closed before anything was written on it (the
     * controller restarted) is dropped for another or a new one, but once the request is written,
     * a lost connection is answered with an error that says it may or may not have been done.
     */
    public Frame relay(Frame request) {
        Handshake<ControllerPeer> handshake;
        RelayPool.Conn conn;
        try {
            handshake = handshakes.forRole("relay");
            RelayPool pool = relays;
            // while the agent's own link is the same, the controller has not stopped: a kept connection needs no probe
            Link<ControllerPeer> agentLink = channel;
            conn = pool.take(handshake, agentLink);
            if (conn == null) conn = pool.opened(connect(handshake), handshake, agentLink);
        } catch (Handshake.Refused e) {
            return failure("the controller at " + controller() + " refused this agent: " + e.getMessage());
        } catch (Handshake.Unproven e) {
            unproven(e);
            return failure(
                    "the program answering at " + controller() + " failed to prove it is this cluster's controller"
                            + " (" + e.getMessage() + "), so the request was not sent; see the agent's log");
        } catch (IOException e) {
            return Messages.encode(new Failure(
                    "cannot reach the Motley controller at " + controller() + " (" + e.getMessage()
                            + "). Is it running? Start the local cluster with `motley up --daemon`, or a controller with `motley controller`.",
                    null,
                    true));
        }
        Link<ControllerPeer> ch = conn.link();
        Frame answer;
        try {
            ch.write(request);
            answer = ch.read();
        } catch (Link.Tampered e) {
            ch.close();
            log.error(
                    "frame from the controller failed its integrity check controller={} error=\"{}\"; connection closed",
                    controller(),
                    e.getMessage());
            return failure(
                    "the answer from the controller at " + controller() + " failed its integrity check; the request"
                            + " may or may not have been carried out (check with squeue)");
        } catch (IOException e) {
            // part or all of the request may have reached the controller: sending it again could do it twice
            ch.close();
            String why = e instanceof EOFException ? "the controller closed it" : e.getMessage();
            log.warn("relay connection lost during a request controller={} error=\"{}\"", controller(), why);
            // detail "lost": a request that only reads (srun's wait for its tasks) may be sent again
            return Messages.encode(new Failure(
                    "the connection to the controller at " + controller() + " was lost before its answer came (" + why
                            + "); the request may or may not have been carried out (check with squeue)",
                    Failure.LOST,
                    false));
        }
        relays.give(conn);
        return answer;
    }

    /** How many times a stage-in read tries a controller that cannot be reached, a second apart. */
    static final int STAGE_IN_TRIES = 10;

    /**
     * A piece of job {@code id}'s chunked --stage-in archive, read from the controller as this agent (root, for
     * this node; the controller checks the job runs here). A controller away for a moment (restarting) is waited
     * for, up to {@link #STAGE_IN_TRIES} seconds; its refusal is the IOException's message.
     */
    public JobLauncher.StageInSource.Piece readStageIn(long id, long offset, int max) throws IOException {
        return readStageIn(id, offset, max, STAGE_IN_TRIES, 1000);
    }

    /** {@link #readStageIn(long, long, int)}, trying an unreachable controller {@code tries} times, {@code pauseMillis} apart. */
    JobLauncher.StageInSource.Piece readStageIn(long id, long offset, int max, int tries, long pauseMillis)
            throws IOException {
        Message.StageInRead ask = new Message.StageInRead(id, offset, max);
        Frame request = Messages.encode(ask, new Message.Caller(0, 0, "root", List.of()));
        for (int tried = 1; ; tried++) {
            Message.Answer a;
            try {
                a = Messages.answer(ask, relay(request));
            } catch (MalformedMessage e) {
                throw new IOException("the controller's answer is unreadable: " + e.getMessage(), e);
            }
            if (a instanceof Message.StageInData d) return new JobLauncher.StageInSource.Piece(d.data(), d.size());
            Failure f = (Failure) a;
            if (!f.unreachable() || tried >= tries) throw new IOException(f.message());
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading stage-in files");
            }
        }
    }

    private static Frame failure(String message) {
        return Messages.encode(new Failure(message));
    }

    private void unproven(Handshake.Unproven e) {
        log.error(
                "controller failed to prove itself controller={} reason=\"{}\"; not registering with it"
                        + " or taking orders from it",
                controller(),
                e.getMessage());
    }

    /** Runs forever: connect, register, serve orders; on loss, wait and do it again. */
    public void run() {
        while (!Thread.currentThread().isInterrupted()) {
            boolean refused = false;
            String lost = null;
            try (Link<ControllerPeer> ch = connect("agent")) {
                channel = ch;
                send(registration.get());
                long number = ++links;
                // a platform thread: the node's liveness must not wait for a free carrier of the virtual threads
                Thread hb = Thread.ofPlatform().daemon().name("heartbeat").start(() -> heartbeats(number));
                try {
                    serve(ch);
                } finally {
                    hb.interrupt();
                    registered = false;
                    channel = null;
                }
            } catch (Handshake.Refused e) {
                log.error(
                        "controller refused this agent node={} controller={} reason=\"{}\"",
                        node,
                        controller(),
                        e.getMessage());
                refused = true;
            } catch (Handshake.Unproven e) {
                unproven(e);
                refused = true;
            } catch (Link.Tampered e) {
                log.error(
                        "frame from the controller failed its integrity check controller={} error=\"{}\"; link closed",
                        controller(),
                        e.getMessage());
            } catch (Bounds.Exceeded | FrameIO.Malformed e) {
                log.error(
                        "controller sent a frame we refuse controller={} error=\"{}\"; link closed",
                        controller(),
                        e.getMessage());
            } catch (IOException e) {
                // an end of stream carries no message: the controller closed the link (it gave the node up, say)
                lost = e.getMessage() != null
                        ? e.getMessage()
                        : e instanceof EOFException
                                ? "the controller closed the link"
                                : e.getClass().getSimpleName();
            }
            long waitMs = backoff.next();
            if (refused) waitMs = Math.max(waitMs, REFUSED_RETRY_MS);
            if (lost != null) {
                log.warn(
                        "controller link down controller={} error=\"{}\"; retrying in {} ms",
                        controller(),
                        lost,
                        waitMs);
            }
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void serve(Link<ControllerPeer> ch) throws IOException {
        while (true) {
            Order order;
            try {
                order = ch.receive(Messages::order);
            } catch (MalformedMessage e) {
                log.warn(
                        "controller sent an order we cannot read controller={} error=\"{}\"",
                        controller(),
                        e.getMessage());
                continue;
            }
            switch (order) {
                case Registered r -> {
                    heartbeatSeconds = r.heartbeatSeconds();
                    // the next loss starts from a short delay again; a link that drops before this keeps backing off
                    backoff.reset();
                    log.info("registered with controller={} node={}", controller(), node);
                    registered = true;
                    resendTaskEvents();
                }
                case Launch l -> launcher.launchInBackground(l);
                case Kill k -> launcher.kill(k.id(), k.run(), k.reason());
                case Message.SignalRun g ->
                    Thread.ofVirtual().start(() -> launcher.signal(g.id(), g.run(), g.signal(), g.scope()));
                case Message.SuspendRun u ->
                    Thread.ofVirtual().start(() -> launcher.suspend(u.id(), u.run(), u.resume()));
                case Message.LimitRun l ->
                    Thread.ofVirtual().start(() -> launcher.limit(l.id(), l.run(), l.limitSeconds()));
                case AckEnded a -> launcher.acknowledged(a.id(), a.run());
                case Message.Deliver d ->
                    Thread.ofVirtual().start(() -> {
                        Message.Delivered answer = launcher.deliver(d);
                        try {
                            send(answer);
                        } catch (IOException e) {
                            // the running node sends the chunk again, and what is written is skipped then
                            log.debug("delivery answer not sent: {}", e.getMessage());
                        }
                    });
                case Message.Delivered d -> launcher.delivered(d);
                case Message.ReadOutput r ->
                    Thread.ofVirtual().start(() -> {
                        try {
                            send(launcher.readOutput(r));
                        } catch (IOException e) {
                            log.debug("output read not answered: {}", e.getMessage());
                        }
                    });
                case Message.ReadLog r ->
                    Thread.ofVirtual().start(() -> {
                        try {
                            send(ownLog(r));
                        } catch (IOException e) {
                            log.debug("log read not answered: {}", e.getMessage());
                        }
                    });
                case io.motley.protocol.StepMessages.RunTasks t ->
                    Thread.ofVirtual().start(() -> launcher.runTasks(t, this::sendTaskEvent));
                case io.motley.protocol.StepMessages.KillTasks k -> launcher.killTasks(k.jobId(), k.stepId());
                case io.motley.protocol.StepMessages.TaskInput t ->
                    Thread.ofVirtual().start(() -> {
                        String error;
                        try {
                            error = launcher.taskInput(t);
                        } catch (InterruptedException e) {
                            error = "the agent is stopping";
                        }
                        trySend(new io.motley.protocol.StepMessages.InputTaken(t.tag(), error));
                    });
                case io.motley.protocol.StepMessages.StatTasks t ->
                    Thread.ofVirtual()
                            .start(() -> trySend(new io.motley.protocol.StepMessages.TaskStats(
                                    t.tag(),
                                    t.jobId(),
                                    // a step's end asks for its own tasks, not every task the job ever ran here
                                    launcher.stepUsage(t.jobId()).stream()
                                            .filter(u -> t.step() == null || u.step() == t.step())
                                            .toList())));
                case Message.StepOrder other ->
                    log.warn("controller sent a step order we do not know controller={} order={}", controller(), other);
                case Message.CertificateRenewed c -> {
                    Renewer r = renewer;
                    if (r != null) r.renewed(c);
                }
                case Failure x ->
                    log.warn("controller reported an error controller={} message=\"{}\"", controller(), x.message());
            }
        }
    }

    /**
     * motley logs --node: this agent's own log, read for the controller (never a path the
     * controller names: the file is the one this agent was started with).
     */
    static Message.OutputRead ownLog(Message.ReadLog r) {
        Optional<io.motley.protocol.DaemonLogFile> own = io.motley.protocol.DaemonLogFile.ofThisProcess();
        if (own.isEmpty()) return new Message.OutputRead(r.tag(), false, r.offset(), new byte[0], false);
        try {
            Message.DaemonLogText t = own.get().read(r.offset(), Math.max(1, Math.min(r.max(), 1 << 20)));
            return new Message.OutputRead(r.tag(), true, t.offset(), t.data(), false);
        } catch (IOException e) {
            log.warn(
                    "own log not readable for motley logs file={} error=\"{}\"",
                    own.get().path(),
                    e.getMessage());
            return new Message.OutputRead(r.tag(), false, r.offset(), new byte[0], false);
        }
    }

    /**
     * Sends a heartbeat whenever the controller's interval has passed. The interval arrives with
     * the registration's answer, so it is re-read on every short tick rather than slept on once
     * (a first sleep on the default would outlast a short NodeTimeout). Each heartbeat also reports
     * again the job ends still unacknowledged since the one before: the controller acknowledges an
     * end once it is recorded, so one it has not acknowledged by then (its database was lost, say)
     * is recorded on the live link when the database returns, without waiting for a registration.
     */
    private void heartbeats(long link) {
        long last = System.nanoTime();
        List<JobEnded> waiting = List.of();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(100);
                if (System.nanoTime() - last < heartbeatSeconds * 1_000_000_000L) continue;
                last = System.nanoTime();
                send(heartbeat.get());
                waiting = reportAgain(waiting);
                Renewer r = renewer;
                if (r != null) {
                    var ask = r.renewalRequest(link);
                    if (ask.isPresent()) send(ask.get());
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                log.debug("heartbeat not sent: {}", e.getMessage());
            }
        }
    }

    /**
     * Sends again the ends that were already waiting for their acknowledgement at the last
     * heartbeat (an end reported just now is not doubled); returns those waiting now.
     */
    private List<JobEnded> reportAgain(List<JobEnded> before) throws IOException {
        JobLauncher l = launcher;
        if (l == null) return List.of();
        List<JobEnded> now = l.unacknowledged();
        for (JobEnded e : now) {
            if (!before.contains(e)) continue;
            log.debug("job end not acknowledged yet; reporting it again job={} run={}", e.id(), e.run());
            send(e);
        }
        return now;
    }

    /** Sends on the link; a job end that cannot be sent now stays unacknowledged and goes again at a heartbeat or registration. */
    public void send(Report report) throws IOException {
        Link<ControllerPeer> ch = channel;
        if (ch == null) throw new IOException("not connected to the controller");
        ch.send(report);
    }

    /** Sends a heartbeat now (a health check changed its verdict); harmless when not connected. */
    public void heartbeatNow() {
        if (channel == null) return;
        try {
            send(heartbeat.get());
        } catch (IOException e) {
            log.debug("heartbeat not sent: {}", e.getMessage());
        }
    }

    /**
     * The step task events that could not be sent (the controller was away), in their order: sent again once the
     * agent has registered, and before any later one, as an srun reads a task's output and then its end (the
     * controller takes events of a step it did not launch after a restart). Output beyond {@link #MAX_UNSENT_BYTES}
     * is dropped, ends beyond {@link #MAX_UNSENT_ENDS}; the lock is held while they are sent.
     */
    private final java.util.ArrayDeque<io.motley.protocol.StepMessages.TaskEvent> unsent = new java.util.ArrayDeque<>();

    private long unsentBytes;
    private int unsentEnds;
    /** Whether events were dropped since the kept ones were last all sent. */
    private boolean losing;

    /** At most this many task ends are kept for the controller's return; more are lost. */
    static final int MAX_UNSENT_ENDS = 10_000;

    /** At most this much task output is kept for the controller's return; more is lost. */
    static final long MAX_UNSENT_BYTES = 64L << 20;

    /** Whether the link now up has been answered Registered: kept events are sent only then. */
    private volatile boolean registered;

    void sendTaskEvent(io.motley.protocol.StepMessages.TaskEvent e) {
        synchronized (unsent) {
            if (unsent.isEmpty()) {
                try {
                    send(e);
                    return;
                } catch (IOException x) {
                    log.info(
                            "controller not reachable; step task events are kept to send again job={} step={}"
                                    + " task={}",
                            e.jobId(),
                            e.stepId(),
                            e.task());
                }
            }
            keep(e);
            if (registered) resendTaskEvents();
        }
    }

    /** Keeps {@code e} for the controller's return, within the bounds (the lock is held). */
    private void keep(io.motley.protocol.StepMessages.TaskEvent e) {
        if (e.isEnd() ? unsentEnds >= MAX_UNSENT_ENDS : unsentBytes + e.data().length > MAX_UNSENT_BYTES) {
            // said once until the kept events are sent: a task that goes on writing would fill the log
            if (!losing)
                log.warn(
                        "controller not reachable for long; step task events are lost from now on job={} step={}"
                                + " task={}",
                        e.jobId(),
                        e.stepId(),
                        e.task());
            losing = true;
            return;
        }
        unsent.add(e);
        if (e.isEnd()) unsentEnds++;
        else unsentBytes += e.data().length;
    }

    /** Sends the kept events in order, as far as the link takes them; the rest stay, in order. */
    private void resendTaskEvents() {
        synchronized (unsent) {
            while (!unsent.isEmpty()) {
                io.motley.protocol.StepMessages.TaskEvent e = unsent.peek();
                try {
                    send(e);
                } catch (IOException x) {
                    return;
                }
                unsent.poll();
                if (e.isEnd()) unsentEnds--;
                else unsentBytes -= e.data().length;
            }
            losing = false;
        }
    }

    /** How many task events are kept for the controller's return (tests). */
    int unsentTaskEvents() {
        synchronized (unsent) {
            return unsent.size();
        }
    }

    public void trySend(Report report) {
        try {
            send(report);
        } catch (IOException e) {
            log.info(
                    "controller not reachable; the report stays in the spool report={} error=\"{}\"",
                    report.getClass().getSimpleName(),
                    e.getMessage());
        }
    }
}
