package io.motley.agent.link;

import io.motley.protocol.link.ControllerPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.Link;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Relay connections to the controller kept open between user requests, so that a request does not
 * pay a new handshake (a TLS one costs tens of milliseconds of CPU). A connection is either lent
 * to one request or lies here idle, so one request at a time uses it; concurrent requests take
 * different ones, or open new ones. At most {@code maxIdle} lie here, each closed once idle for
 * {@code idleFor}; one opened with other credentials than the current ones (they were renewed) or
 * older than {@code maxAge} is closed instead of lent, so renewed credentials take effect.
 *
 * <p>A connection lent is one the controller has not closed while it lay here (a restart): it is
 * probed first ({@link Link#quiet}: a read that must time out, a millisecond), without writing or
 * consuming anything, and a dead one is closed and the next tried. The probe is skipped for a
 * connection given back less than {@link #TRUSTED_IDLE} ago while the agent's own link to the
 * controller is the one that was up when the connection was opened: the controller closes relay
 * connections only when it stops, and its stop drops that link too (the agent then reconnects on a
 * new one). In a shell loop of commands the probe was a millisecond of each request's few.
 */
final class RelayPool {
    /** How long the probe waits for the read that must time out on a live, quiet connection. */
    static final Duration PROBE = Duration.ofMillis(1);

    /** How long a connection may lie idle and be lent without a probe while the agent's link is the same. */
    static final Duration TRUSTED_IDLE = Duration.ofSeconds(5);

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final int maxIdle;
    private final Duration idleFor;
    private final Duration maxAge;
    private final LongSupplier nanos;
    /** Most recently returned first, so a burst's extra connections are the ones that age out. */
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();

    /**
     * A connection, the handshake that opened it, when (System.nanoTime), and the agent's own link to the
     * controller that was up then (null: none).
     */
    record Conn(Link<ControllerPeer> link, Handshake<ControllerPeer> handshake, long opened, Object agentLink) {}

    /** An idle connection, its expiry, and since when it lies here (System.nanoTime). */
    private record Idle(Conn conn, ScheduledFuture<?> expiry, long since) {}

    RelayPool(int maxIdle, Duration idleFor, Duration maxAge, LongSupplier nanos) {
        this.maxIdle = maxIdle;
        this.idleFor = idleFor;
        this.maxAge = maxAge;
        this.nanos = nanos;
    }

    /**
     * A connection just opened with {@code handshake}, to be lent and given back, while {@code agentLink} is the
     * agent's own link to the controller (null: none).
     */
    Conn opened(Link<ControllerPeer> link, Handshake<ControllerPeer> handshake, Object agentLink) {
        return new Conn(link, handshake, nanos.getAsLong(), agentLink);
    }

    /**
     * A live idle connection opened with {@code current}, now lent to the caller alone; null when
     * there is none (the caller opens a new one). Those opened with other credentials, too old or
     * found dead are closed on the way. {@code agentLink} is the agent's own link to the controller now (null:
     * none): a connection opened while the same one was up, given back less than {@link #TRUSTED_IDLE} ago, is
     * lent without a probe.
     */
    Conn take(Handshake<ControllerPeer> current, Object agentLink) {
        while (true) {
            Idle next;
            List<Conn> stale = new ArrayList<>();
            synchronized (this) {
                for (Iterator<Idle> it = idle.iterator(); it.hasNext(); ) {
                    Idle i = it.next();
                    if (i.conn().handshake() != current || tooOld(i.conn())) {
                        it.remove();
                        i.expiry().cancel(false);
                        stale.add(i.conn());
                    }
                }
                next = idle.pollFirst();
                if (next != null) next.expiry().cancel(false);
            }
            stale.forEach(c -> c.link().close());
            if (next == null) return null;
            if (trusted(next, agentLink) || next.conn().link().quiet(PROBE)) return next.conn();
            next.conn().link().close();
        }
    }

    /**
     * Takes back a connection whose request was answered in full; it is closed instead when the
     * pool is full or it is too old.
     */
    void give(Conn conn) {
        synchronized (this) {
            if (idle.size() < maxIdle && !tooOld(conn)) {
                Idle[] self = new Idle[1];
                ScheduledFuture<?> expiry = TIMER.schedule(() -> expire(self), idleFor.toNanos(), TimeUnit.NANOSECONDS);
                self[0] = new Idle(conn, expiry, nanos.getAsLong());
                idle.addFirst(self[0]);
                return;
            }
        }
        conn.link().close();
    }

    /** Closes an idle connection whose time is up, unless a request took it first. */
    private void expire(Idle[] self) {
        Idle i;
        synchronized (this) {
            i = self[0];
            if (i == null || !idle.remove(i)) return;
        }
        i.conn().link().close();
    }

    /** How many connections lie idle now. */
    synchronized int idle() {
        return idle.size();
    }

    /** Closes every idle connection. */
    void close() {
        List<Idle> all;
        synchronized (this) {
            all = new ArrayList<>(idle);
            idle.clear();
        }
        for (Idle i : all) {
            i.expiry().cancel(false);
            i.conn().link().close();
        }
    }

    private boolean trusted(Idle i, Object agentLink) {
        return agentLink != null
                && i.conn().agentLink() == agentLink
                && nanos.getAsLong() - i.since() < TRUSTED_IDLE.toNanos();
    }

    private boolean tooOld(Conn c) {
        return nanos.getAsLong() - c.opened() >= maxAge.toNanos();
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "relay-idle");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }
}
