package io.motley.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.pki.CertificateAuthority;
import io.motley.pki.TlsHome;
import io.motley.pki.join.Enrolment;
import io.motley.protocol.Message.CertificateRenewed;
import io.motley.protocol.Message.RenewCertificate;
import io.motley.protocol.link.TlsCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host that joined holds no CA key: once its certificate is due it asks the controller on its
 * link, and swaps the answer in without a restart (docs/security.md).
 */
class NodeCredentialsTest {
    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path dir;

    TlsHome controller;
    TlsHome joined;
    X509Certificate first;
    final AtomicReference<Instant> clock = new AtomicReference<>(NOW);

    @BeforeEach
    void join() throws Exception {
        controller = new TlsHome(dir.resolve("controller"));
        TlsCredentials ctl = controller.controller("lab", NOW);
        joined = new TlsHome(dir.resolve("joined"));
        Files.createDirectories(joined.dir());
        var keys = CertificateAuthority.newKeyPair();
        first = controller.enrolNode("n1", keys.getPublic(), NOW);
        new TlsCredentials(keys.getPrivate(), first, ctl.ca())
                .save(
                        joined.key(TlsHome.nodeFiles("n1")),
                        joined.certificate(TlsHome.nodeFiles("n1")),
                        joined.caCertificate());
    }

    CertificateRenewed answer(RenewCertificate r, java.math.BigInteger serial) throws Exception {
        X509Certificate c = controller.renewNode("n1", serial, Enrolment.requestedKey(r.request(), "n1"), clock.get());
        return new CertificateRenewed(TlsCredentials.pem(c), null);
    }

    @Test
    void aDueCertificateIsRenewedOverTheLinkAndUsedFromTheNextConnection() throws Exception {
        NodeCredentials creds = new NodeCredentials(joined, "n1", clock::get);
        var before = creds.handshake("agent");
        assertThat(creds.renewalRequest(1)).isEmpty();
        clock.set(NOW.plus(Duration.ofDays(61)));
        RenewCertificate ask = (RenewCertificate) creds.renewalRequest(1).orElseThrow();
        // one request on its way at a time
        assertThat(creds.renewalRequest(1)).isEmpty();
        creds.renewed(answer(ask, first.getSerialNumber()));
        X509Certificate now = creds.current().certificate();
        assertThat(now).isNotEqualTo(first);
        assertThat(now.getNotAfter().toInstant()).isAfter(NOW.plus(Duration.ofDays(150)));
        // on disk too, so a restarted agent keeps it; and the next connection's handshake is a new one
        assertThat(TlsCredentials.readCertificate(joined.certificate(TlsHome.nodeFiles("n1"))))
                .isEqualTo(now);
        assertThat(creds.handshake("agent")).isNotSameAs(before);
        assertThat(creds.renewalRequest(1)).isEmpty();
    }

    @Test
    void aCertificateForAnotherKeyOrARefusalChangesNothing() throws Exception {
        NodeCredentials creds = new NodeCredentials(joined, "n1", clock::get);
        clock.set(NOW.plus(Duration.ofDays(61)));
        creds.renewalRequest(1).orElseThrow();
        RenewCertificate other = new RenewCertificate(Enrolment.csr("n1", CertificateAuthority.newKeyPair()));
        creds.renewed(answer(other, first.getSerialNumber()));
        creds.renewed(new CertificateRenewed(null, "the certificate of node n1 was revoked"));
        assertThat(creds.current().certificate()).isEqualTo(first);
        assertThat(TlsCredentials.readCertificate(joined.certificate(TlsHome.nodeFiles("n1"))))
                .isEqualTo(first);
        // asked again after a while
        clock.set(NOW.plus(Duration.ofDays(61)).plus(NodeCredentials.ASK_AGAIN));
        assertThat(creds.renewalRequest(1)).isPresent();
    }

    /**
     * A request lost with its link is never answered: it is asked again on the next link soon (not
     * ASK_AGAIN later, when a short-lived certificate may have expired), with a wait that doubles
     * while the links keep dropping, and the answer to the last request is the one taken.
     */
    @Test
    void aRequestLostWithItsLinkIsAskedAgainOnTheNextLinkWithBackoff() throws Exception {
        NodeCredentials creds = new NodeCredentials(joined, "n1", clock::get);
        Instant due = NOW.plus(Duration.ofDays(61));
        clock.set(due);
        creds.renewalRequest(1).orElseThrow();
        // on the same link it is still on its way
        clock.set(due.plus(Duration.ofMinutes(5)));
        assertThat(creds.renewalRequest(1)).isEmpty();
        // the link is lost: on the next one it goes again at once (RETRY_FIRST has passed)
        RenewCertificate second = (RenewCertificate) creds.renewalRequest(2).orElseThrow();
        Instant t = clock.get();
        // lost too: the next link waits twice as long, then four times
        clock.set(t.plus(NodeCredentials.RETRY_FIRST));
        assertThat(creds.renewalRequest(3)).isEmpty();
        clock.set(t.plus(NodeCredentials.RETRY_FIRST.multipliedBy(2)));
        RenewCertificate third = (RenewCertificate) creds.renewalRequest(3).orElseThrow();
        t = clock.get();
        clock.set(t.plus(NodeCredentials.RETRY_FIRST.multipliedBy(3)));
        assertThat(creds.renewalRequest(4)).isEmpty();
        clock.set(t.plus(NodeCredentials.RETRY_FIRST.multipliedBy(4)));
        RenewCertificate fourth = (RenewCertificate) creds.renewalRequest(4).orElseThrow();
        // an answer for an earlier request's key is not taken; the one for the last is
        creds.renewed(answer(third, first.getSerialNumber()));
        assertThat(creds.current().certificate()).isEqualTo(first);
        creds.renewed(answer(fourth, first.getSerialNumber()));
        assertThat(creds.current().certificate()).isNotEqualTo(first);
        assertThat(second).isNotEqualTo(fourth);
        assertThat(creds.renewalRequest(5)).isEmpty();
    }

    /** The wait on a new link never grows past ASK_AGAIN, and after a refusal a new link does not shorten it. */
    @Test
    void theWaitOnNewLinksIsBoundedAndARefusalIsNotAskedAgainSooner() throws Exception {
        NodeCredentials creds = new NodeCredentials(joined, "n1", clock::get);
        clock.set(NOW.plus(Duration.ofDays(61)));
        long link = 1;
        creds.renewalRequest(link).orElseThrow();
        for (int i = 0; i < 12; i++) {
            clock.set(clock.get().plus(NodeCredentials.ASK_AGAIN));
            creds.renewalRequest(++link).orElseThrow();
        }
        clock.set(clock.get().plus(NodeCredentials.ASK_AGAIN).minusSeconds(1));
        assertThat(creds.renewalRequest(++link)).isEmpty();

        creds.renewed(new CertificateRenewed(null, "the certificate of node n1 was revoked"));
        clock.set(clock.get().plusSeconds(1));
        Instant refusedAt = clock.get();
        assertThat(creds.renewalRequest(++link)).isPresent();
        creds.renewed(new CertificateRenewed(null, "the certificate of node n1 was revoked"));
        clock.set(refusedAt.plus(NodeCredentials.RETRY_FIRST.multipliedBy(4)));
        assertThat(creds.renewalRequest(++link)).isEmpty();
        clock.set(refusedAt.plus(NodeCredentials.ASK_AGAIN));
        assertThat(creds.renewalRequest(++link)).isPresent();
    }

    /**
     * A refusal the controller marks temporary (its store failed) is asked again as soon as a lost
     * request, on the same link too, with the same doubling wait; a final refusal afterwards waits
     * ASK_AGAIN and ends the row, so the next temporary one starts again from RETRY_FIRST.
     */
    @Test
    void aTemporaryRefusalIsAskedAgainWithBackoffAndAFinalOneIsNot() throws Exception {
        NodeCredentials creds = new NodeCredentials(joined, "n1", clock::get);
        Instant t = NOW.plus(Duration.ofDays(61));
        clock.set(t);
        creds.renewalRequest(1).orElseThrow();
        for (int i = 0; i < 9; i++) {
            creds.renewed(new CertificateRenewed(null, "the store is busy", true));
            Duration wait = NodeCredentials.RETRY_FIRST.multipliedBy(1L << i);
            if (wait.compareTo(NodeCredentials.ASK_AGAIN) > 0) wait = NodeCredentials.ASK_AGAIN;
            clock.set(t.plus(wait).minusSeconds(1));
            assertThat(creds.renewalRequest(1))
                    .as("after %d temporary refusals", i + 1)
                    .isEmpty();
            clock.set(t.plus(wait));
            creds.renewalRequest(1).orElseThrow();
            t = clock.get();
        }
        // 5 s doubling up to 320 s, then capped: the eighth and ninth waits were ASK_AGAIN, not 640 s or more
        assertThat(t)
                .isEqualTo(NOW.plus(Duration.ofDays(61))
                        .plus(NodeCredentials.RETRY_FIRST.multipliedBy(127))
                        .plus(NodeCredentials.ASK_AGAIN.multipliedBy(2)));

        creds.renewed(new CertificateRenewed(null, "the certificate of node n1 was revoked"));
        clock.set(t.plus(NodeCredentials.RETRY_FIRST));
        assertThat(creds.renewalRequest(2)).isEmpty();
        clock.set(t.plus(NodeCredentials.ASK_AGAIN));
        RenewCertificate ask = (RenewCertificate) creds.renewalRequest(2).orElseThrow();
        t = clock.get();
        creds.renewed(new CertificateRenewed(null, "the store is busy", true));
        clock.set(t.plus(NodeCredentials.RETRY_FIRST));
        ask = (RenewCertificate) creds.renewalRequest(2).orElseThrow();
        creds.renewed(answer(ask, first.getSerialNumber()));
        assertThat(creds.current().certificate()).isNotEqualTo(first);
    }

    /** A renewed certificate this host fails to write is not a refusal of the node: asked again soon. */
    @Test
    void aCertificateThatCannotBeSavedHereIsAskedForAgainSoon() throws Exception {
        NodeCredentials creds = new NodeCredentials(joined, "n1", clock::get);
        Instant t = NOW.plus(Duration.ofDays(61));
        clock.set(t);
        RenewCertificate ask = (RenewCertificate) creds.renewalRequest(1).orElseThrow();
        Path certificate = joined.certificate(TlsHome.nodeFiles("n1"));
        Files.delete(certificate);
        Files.createDirectories(certificate.resolve("in-the-way"));
        creds.renewed(answer(ask, first.getSerialNumber()));
        assertThat(creds.current().certificate()).isEqualTo(first);
        clock.set(t.plus(NodeCredentials.RETRY_FIRST));
        assertThat(creds.renewalRequest(1)).isPresent();
    }

    /**
     * Where the CA is at hand the agent renews its certificate itself once due, and names the new
     * one on its open link, once, so the controller does not cut that link when the old one expires.
     */
    @Test
    void anAgentWithTheCaRenewsItselfAndNamesTheNewCertificateOnItsLinkOnce() throws Exception {
        NodeCredentials creds = new NodeCredentials(controller, "n1", clock::get);
        X509Certificate own = creds.current().certificate();
        assertThat(creds.renewalRequest(1)).isEmpty();
        clock.set(TlsHome.renewalDue(own));
        var named = creds.renewalRequest(1).orElseThrow();
        X509Certificate renewed = creds.current().certificate();
        assertThat(renewed).isNotEqualTo(own);
        assertThat(named).isEqualTo(new io.motley.protocol.Message.CertificateInUse(TlsCredentials.pem(renewed)));
        assertThat(creds.renewalRequest(1)).isEmpty();
        assertThat(creds.renewalRequest(2)).isEmpty();
    }

    /** Renewed at a new connection's handshake while the link is open (a relayed request), it is named on the link too. */
    @Test
    void aCertificateRenewedAtARelayHandshakeIsNamedOnTheOpenLink() throws Exception {
        NodeCredentials creds = new NodeCredentials(controller, "n1", clock::get);
        X509Certificate own = creds.current().certificate();
        clock.set(TlsHome.renewalDue(own).plusSeconds(1));
        creds.handshake("relay");
        X509Certificate renewed = creds.current().certificate();
        assertThat(renewed).isNotEqualTo(own);
        assertThat(creds.renewalRequest(1))
                .contains(new io.motley.protocol.Message.CertificateInUse(TlsCredentials.pem(renewed)));
    }
}
