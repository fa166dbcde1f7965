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
 * CA is at hand a new certificate is issued then, while the jobs and the open link go on (the next
 * connection uses the new certificate, and the open link names it to the controller, which would
 * otherwise cut the link when the certificate it was opened with expires).
 */
public final class NodeCredentials implements ControllerLink.Renewer {
    /**
     * How long a renewal request waits for its answer on the link it went on, and after a final
     * refusal, before it is asked again.
     */
    static final java.time.Duration ASK_AGAIN = java.time.Duration.ofMinutes(10);

    /**
     * How long a request lost with its link, or refused for a reason that may pass (the controller's
     * store failed), waits before it is asked again; doubled for each request in a row that failed
     * so, up to {@link #ASK_AGAIN}, so a link that keeps dropping or a controller that keeps failing
     * is not sent a new request (a new key) at every reconnection or heartbeat.
     */
    static final java.time.Duration RETRY_FIRST = java.time.Duration.ofSeconds(5);

    /** The key of the renewal asked for and not answered yet. */
    private java.security.KeyPair pending;

    private Instant askedAt;

    /** The link the last request went on ({@link ControllerLink.Renewer#renewalRequest(long)}). */
    private long askedOn;

    /**
     * The requests in a row since the last renewal that got no answer at all or a temporary refusal
     * (a final refusal ends the row).
     */
    private int unanswered;

    /** The last request was refused for good: the next waits {@link #ASK_AGAIN}, whatever link it goes on. */
    private boolean refused;

    /** The last request was refused for a reason that may pass: the next waits as after a lost one, on any link. */
    private boolean failed;

    /** A certificate this agent renewed itself (the CA at hand) that the open link has not named yet. */
    private java.security.cert.X509Certificate toName;

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

    /**
     * What to send on link {@code link} about the certificate, if anything. Where the CA is at hand,
     * the certificate is renewed here once due, and the first time it is asked after that the answer
     * names the new certificate ({@link io.motley.protocol.Message.CertificateInUse}). Elsewhere (a
     * host that joined), once renewal is due, a request for a new one: then nothing while it is on
     * its way on the same link (up to {@link #ASK_AGAIN}), but asked again soon on a new link, since
     * a request lost with its link is never answered (after {@link #RETRY_FIRST}, doubling), and as
     * soon after a temporary refusal, on any link; a final refusal waits {@link #ASK_AGAIN}.
     */
    @Override
    public synchronized java.util.Optional<io.motley.protocol.Message.Report> renewalRequest(long link) {
        Instant now = clock.get();
        if (home.hasAuthority()) {
            try {
                renewIfDue();
            } catch (IOException e) {
                log.error("node certificate not renewed node={} error=\"{}\"", node, e.getMessage());
            }
            if (toName == null) return java.util.Optional.empty();
            try {
                return java.util.Optional.of(
                        new io.motley.protocol.Message.CertificateInUse(TlsCredentials.pem(toName)));
            } finally {
                toName = null;
            }
        }
        if (now.isBefore(TlsHome.renewalDue(current.certificate()))) return java.util.Optional.empty();
        if (askedAt != null && now.isBefore(askedAt.plus(waitAfter(link)))) return java.util.Optional.empty();
        if (refused) unanswered = 0;
        else if (askedAt != null) unanswered++;
        pending = io.motley.pki.CertificateAuthority.newKeyPair();
        askedAt = now;
        askedOn = link;
        refused = false;
        failed = false;
        log.info(
                "node certificate due for renewal; asking the controller node={} until={} asked_before={}",
                node,
                current.certificate().getNotAfter().toInstant(),
                unanswered);
        return java.util.Optional.of(
                new io.motley.protocol.Message.RenewCertificate(io.motley.pki.join.Enrolment.csr(node, pending)));
    }

    /** How long after the last request the next goes on {@code link}. */
    private java.time.Duration waitAfter(long link) {
        if (refused || !failed && link == askedOn) return ASK_AGAIN;
        java.time.Duration wait = RETRY_FIRST.multipliedBy(1L << Math.min(unanswered, 16));
        return wait.compareTo(ASK_AGAIN) < 0 ? wait : ASK_AGAIN;
    }

    /**
     * The controller's answer: a certificate for the key asked with, of this node, signed by the
     * cluster's CA, replaces the one in use (on disk too); the open link and running jobs go on,
     * and the next connection uses it. Anything else is logged and asked again: soon (with backoff)
     * after a refusal the controller marks temporary or a failure to write the certificate here, ten
     * minutes later after a final refusal or a certificate that fails the checks.
     */
    @Override
    public synchronized void renewed(io.motley.protocol.Message.CertificateRenewed answer) {
        if (answer.error() != null) {
            log.warn(
                    "node certificate renewal refused node={} temporary={} reason=\"{}\"",
                    node,
                    answer.temporary(),
                    answer.error());
            if (answer.temporary()) failed = true;
            else refused = true;
            return;
        }
        if (pending == null) {
            log.warn("a certificate arrived that this agent did not ask for; ignored node={}", node);
            return;
        }
        java.security.cert.X509Certificate c;
        try {
            c = TlsCredentials.certificate(
                    answer.certificate().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    "the renewed certificate");
            if (!c.getPublicKey().equals(pending.getPublic()))
                throw new IOException("it is not for the key this agent asked with");
            if (!node.equals(TlsCredentials.commonName(c))) throw new IOException("it is not for node " + node);
            c.verify(current.ca().getPublicKey());
            c.checkValidity(java.util.Date.from(clock.get()));
        } catch (IOException | java.security.GeneralSecurityException e) {
            log.error("renewed certificate refused node={} reason=\"{}\"", node, e.getMessage());
            refused = true;
            return;
        }
        try {
            TlsCredentials next = home.installNode(node, new TlsCredentials(pending.getPrivate(), c, current.ca()));
            current = next;
            byRole.clear();
            pending = null;
            askedAt = null;
            unanswered = 0;
            refused = false;
            failed = false;
            log.info(
                    "node certificate renewed by the controller node={} until={}",
                    node,
                    c.getNotAfter().toInstant());
        } catch (IOException e) {
            // this host's disk, not the certificate: a new request once it may have passed
            log.error("renewed certificate not saved node={} error=\"{}\"", node, e.getMessage());
            failed = true;
        }
    }

    private synchronized void renewIfDue() throws IOException {
        Instant now = clock.get();
        if (now.isBefore(TlsHome.renewalDue(current.certificate()))) return;
        TlsCredentials next = home.node(node, now);
        if (next.certificate().equals(current.certificate())) return;
        current = next;
        byRole.clear();
        toName = next.certificate();
        log.info(
                "node certificate renewed node={} until={}",
                node,
                next.certificate().getNotAfter().toInstant());
    }
}
