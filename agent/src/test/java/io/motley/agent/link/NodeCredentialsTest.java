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
        assertThat(creds.renewalRequest()).isEmpty();
        clock.set(NOW.plus(Duration.ofDays(61)));
        RenewCertificate ask = creds.renewalRequest().orElseThrow();
        // one request on its way at a time
        assertThat(creds.renewalRequest()).isEmpty();
        creds.renewed(answer(ask, first.getSerialNumber()));
        X509Certificate now = creds.current().certificate();
        assertThat(now).isNotEqualTo(first);
        assertThat(now.getNotAfter().toInstant()).isAfter(NOW.plus(Duration.ofDays(150)));
        // on disk too, so a restarted agent keeps it; and the next connection's handshake is a new one
        assertThat(TlsCredentials.readCertificate(joined.certificate(TlsHome.nodeFiles("n1"))))
                .isEqualTo(now);
        assertThat(creds.handshake("agent")).isNotSameAs(before);
        assertThat(creds.renewalRequest()).isEmpty();
    }

    @Test
    void aCertificateForAnotherKeyOrARefusalChangesNothing() throws Exception {
        NodeCredentials creds = new NodeCredentials(joined, "n1", clock::get);
        clock.set(NOW.plus(Duration.ofDays(61)));
        creds.renewalRequest().orElseThrow();
        RenewCertificate other = new RenewCertificate(Enrolment.csr("n1", CertificateAuthority.newKeyPair()));
        creds.renewed(answer(other, first.getSerialNumber()));
        creds.renewed(new CertificateRenewed(null, "the certificate of node n1 was revoked"));
        assertThat(creds.current().certificate()).isEqualTo(first);
        assertThat(TlsCredentials.readCertificate(joined.certificate(TlsHome.nodeFiles("n1"))))
                .isEqualTo(first);
        // asked again after a while
        clock.set(NOW.plus(Duration.ofDays(61)).plus(NodeCredentials.ASK_AGAIN));
        assertThat(creds.renewalRequest()).isPresent();
    }
}
