package io.motley.agent.link;

import io.motley.pki.TlsHome;
import io.motley.protocol.link.ControllerPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.MutualTls;
import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's TLS identity, loaded once and kept with one handshake per role (so TLS sessions are
 * reused and a relay costs no new context), and looked at again once its renewal is due: where the
 * CA is at hand a new certificate is issued then, while the jobs and the open link go on (the link
 * was authenticated when it opened; the next connection uses the new certificate).
 */
public final class NodeCredentials {
    private static final Logger log = LoggerFactory.getLogger(NodeCredentials.class);
    private final TlsHome home;
    private final String node;
    private final Supplier<Instant> clock;
    private final Map<String, Handshake<ControllerPeer>> byRole = new ConcurrentHashMap<>();
    private TlsCredentials current;

    public NodeCredentials(TlsHome home, String node) throws IOException {
        this(home, node, Instant::now);
    }

    NodeCredentials(TlsHome home, String node, Supplier<Instant> clock) throws IOException {
        this.home = home;
        this.node = node;
        this.clock = clock;
        this.current = home.node(node, clock.get());
        log.info(
                "node certificate node={} until={} ca_fingerprint={}",
                node,
                current.certificate().getNotAfter().toInstant(),
                TlsCredentials.fingerprint(current.ca()));
    }

    /** The handshake for a connection of {@code role}, with the credentials renewed first when due. */
    public Handshake<ControllerPeer> handshake(String role) throws IOException {
        renewIfDue();
        return byRole.computeIfAbsent(role, r -> MutualTls.asAgent(current(), r));
    }

    /** The credentials in use. */
    public synchronized TlsCredentials current() {
        return current;
    }

    private synchronized void renewIfDue() throws IOException {
        Instant now = clock.get();
        if (now.isBefore(TlsHome.renewalDue(current.certificate()))) return;
        TlsCredentials next = home.node(node, now);
        if (next.certificate().equals(current.certificate())) return;
        current = next;
        byRole.clear();
        log.info(
                "node certificate renewed node={} until={}",
                node,
                next.certificate().getNotAfter().toInstant());
    }
}
