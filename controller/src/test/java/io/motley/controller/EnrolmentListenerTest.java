package io.motley.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.pki.CertificateAuthority;
import io.motley.pki.TlsHome;
import io.motley.pki.join.Enrolment;
import io.motley.pki.join.JoinToken;
import io.motley.pki.join.JoinTokens;
import io.motley.protocol.link.TlsCredentials;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller enrols joining hosts on the port after the agents'. */
class EnrolmentListenerTest {
    @TempDir
    Path home;

    @Test
    void theControllerEnrolsAHostWithATokenOnItsPortPlusOne() throws Exception {
        int agents;
        try (ServerSocket probe = new ServerSocket(0)) {
            agents = probe.getLocalPort() - 1;
        }
        try (Enrolment.Server listener = ControllerMain.enrolment(home, "lab", "127.0.0.1", agents)) {
            assertThat(listener.port()).isEqualTo(agents + 1);
            TlsHome tls = new TlsHome(home);
            String fp = TlsCredentials.fingerprint(TlsCredentials.readCertificate(tls.caCertificate()));
            JoinTokens tokens = new JoinTokens(Enrolment.tokensFile(tls));
            JoinToken t = tokens.create(fp, JoinTokens.DEFAULT_TTL, null, Instant.now());
            Enrolment.Issued issued =
                    Enrolment.join("127.0.0.1", agents + 1, t, "h1", CertificateAuthority.newKeyPair());
            assertThat(TlsCredentials.commonName(issued.certificate())).isEqualTo("h1");
            tokens.revoke(t.id());
            assertThatThrownBy(
                            () -> Enrolment.join("127.0.0.1", agents + 1, t, "h2", CertificateAuthority.newKeyPair()))
                    .hasMessageContaining("revoked");
        }
    }

    @Test
    void aTakenJoinPortLeavesTheControllerServingWithoutEnrolment() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThat(ControllerMain.enrolment(home, "lab", "127.0.0.1", taken.getLocalPort() - 1))
                    .isNull();
        }
    }
}
