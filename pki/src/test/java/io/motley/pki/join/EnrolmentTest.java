package io.motley.pki.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.pki.CertificateAuthority;
import io.motley.pki.TlsHome;
import io.motley.protocol.link.TlsCredentials;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enrolment exchange over loopback sockets: a good join, and each refusal. */
class EnrolmentTest {
    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    private TlsHome tls;
    private JoinTokens tokens;
    private Enrolment.Server server;
    private String fingerprint;

    @BeforeEach
    void start() throws Exception {
        tls = new TlsHome(dir.resolve("controller"));
        TlsCredentials controller = tls.controller("lab", now.get());
        fingerprint = TlsCredentials.fingerprint(controller.ca());
        tokens = new JoinTokens(Enrolment.tokensFile(tls));
        server = new Enrolment.Server(tls, controller, "127.0.0.1", 0, now::get).start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Enrolment.Issued join(JoinToken t, String node, KeyPair keys) throws Exception {
        return Enrolment.join("127.0.0.1", server.port(), t, node, keys);
    }

    @Test
    void aGoodTokenGetsTheHostACertificateForItsOwnKey() throws Exception {
        JoinToken t = tokens.create(fingerprint, JoinTokens.DEFAULT_TTL, null, now.get());
        KeyPair keys = CertificateAuthority.newKeyPair();
        Enrolment.Issued issued = join(t, "n7", keys);
        assertThat(TlsCredentials.commonName(issued.certificate())).isEqualTo("n7");
        assertThat(TlsCredentials.role(issued.certificate())).isEqualTo(TlsCredentials.NODE);
        assertThat(issued.certificate().getPublicKey()).isEqualTo(keys.getPublic());
        issued.certificate().verify(issued.ca().getPublicKey());
        assertThat(TlsCredentials.fingerprint(issued.ca())).isEqualTo(fingerprint);
        assertThat(java.nio.file.Files.readString(tls.issuedList())).contains(" n7");
    }

    @Test
    void aWrongSecretIsRefusedAsAWrongToken() throws Exception {
        JoinToken t = tokens.create(fingerprint, JoinTokens.DEFAULT_TTL, null, now.get());
        JoinToken wrong = new JoinToken(t.id(), "a".repeat(16), t.pin());
        assertThatThrownBy(() -> join(wrong, "n1", CertificateAuthority.newKeyPair()))
                .isInstanceOf(JoinTokens.Refused.class)
                .hasMessage("refused: wrong token");
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        JoinToken t = tokens.create(fingerprint, Duration.ofMinutes(10), null, now.get());
        now.set(now.get().plus(Duration.ofMinutes(11)));
        assertThatThrownBy(() -> join(t, "n1", CertificateAuthority.newKeyPair()))
                .hasMessageContaining("refused: the token expired");
    }

    @Test
    void aRevokedTokenIsRefused() throws Exception {
        JoinToken t = tokens.create(fingerprint, JoinTokens.DEFAULT_TTL, null, now.get());
        tokens.revoke(t.id());
        assertThatThrownBy(() -> join(t, "n1", CertificateAuthority.newKeyPair()))
                .hasMessageContaining("refused: the token was revoked");
    }

    @Test
    void aUsedUpTokenIsRefusedAndARefusedJoinCostsNoUse() throws Exception {
        JoinToken t = tokens.create(fingerprint, JoinTokens.DEFAULT_TTL, 2, now.get());
        join(t, "n1", CertificateAuthority.newKeyPair());
        // refused (the name is held): the token's second use is still there
        assertThatThrownBy(() -> join(t, "n1", CertificateAuthority.newKeyPair()))
                .hasMessageContaining("held");
        join(t, "n2", CertificateAuthority.newKeyPair());
        assertThatThrownBy(() -> join(t, "n3", CertificateAuthority.newKeyPair()))
                .hasMessageContaining("refused: the token is used up");
    }

    @Test
    void aPinMismatchIsCaughtByTheJoinerBeforeItSendsAnything() throws Exception {
        JoinToken t = tokens.create(fingerprint, JoinTokens.DEFAULT_TTL, 1, now.get());
        JoinToken otherPin = new JoinToken(t.id(), t.secret(), "0".repeat(64));
        assertThatThrownBy(() -> join(otherPin, "n1", CertificateAuthority.newKeyPair()))
                .isInstanceOf(JoinTokens.Refused.class)
                .hasMessageStartingWith("pin mismatch");
        assertThat(server.requests.get()).isZero();
        // the token was never presented, so its single use is still there
        join(t, "n1", CertificateAuthority.newKeyPair());
        assertThat(server.requests.get()).isEqualTo(1);
    }

    @Test
    void aNameHeldByAnotherCertificateIsRefusedUntilItIsRevoked() throws Exception {
        JoinToken t = tokens.create(fingerprint, JoinTokens.DEFAULT_TTL, null, now.get());
        join(t, "n4", CertificateAuthority.newKeyPair());
        assertThatThrownBy(() -> join(t, "n4", CertificateAuthority.newKeyPair()))
                .hasMessageContaining("node name n4 is held by another host's certificate");
        assertThat(tls.revokeNode("n4")).isEqualTo(1);
        assertThat(TlsCredentials.commonName(
                        join(t, "n4", CertificateAuthority.newKeyPair()).certificate()))
                .isEqualTo("n4");
    }
}
