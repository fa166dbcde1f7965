package io.motley.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsHomeTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path home;

    @Test
    void theControllerMakesItsCaAndCertificateOnceAsOwnerOnlyFiles() throws IOException {
        TlsHome tls = new TlsHome(home);
        TlsCredentials first = tls.controller("lab", NOW);
        TlsCredentials again = tls.controller("lab", NOW.plusSeconds(60));
        assertThat(again.certificate()).isEqualTo(first.certificate());
        assertThat(TlsCredentials.fingerprint(again.ca())).isEqualTo(TlsCredentials.fingerprint(first.ca()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.dir())))
                .isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(tls.dir())) {
            assertThat(files.filter(f -> !f.getFileName().toString().equals(".lock")))
                    .extracting(f ->
                            f.getFileName() + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                    .containsExactlyInAnyOrder(
                            "ca.key rw-------",
                            "ca.crt rw-------",
                            "controller.key rw-------",
                            "controller.crt rw-------");
        }
        assertThat(TlsCredentials.readKey(tls.caKey())).isNotNull();
    }

    @Test
    void aNodeOnTheCasHostGetsItsCertificateSilentlyAndItIsKept() throws IOException {
        TlsHome tls = new TlsHome(home);
        TlsCredentials controller = tls.controller("lab", NOW);
        TlsCredentials n1 = tls.node("n1", NOW);
        assertThat(TlsCredentials.commonName(n1.certificate())).isEqualTo("n1");
        assertThat(n1.ca()).isEqualTo(controller.ca());
        assertThat(tls.node("n1", NOW.plusSeconds(3600)).certificate()).isEqualTo(n1.certificate());
        assertThat(tls.node("n2", NOW).certificate()).isNotEqualTo(n1.certificate());
    }

    @Test
    void aCertificateIsRenewedOnceTwoThirdsOfItsValidityHavePassedWithTheSameCa() throws IOException {
        TlsHome tls = new TlsHome(home);
        tls.controller("lab", NOW);
        TlsCredentials n1 = tls.node("n1", NOW);
        Instant due = TlsHome.renewalDue(n1.certificate());
        assertThat(due).isAfter(NOW.plus(Duration.ofDays(59))).isBefore(NOW.plus(Duration.ofDays(61)));
        assertThat(tls.node("n1", due.minusSeconds(1)).certificate()).isEqualTo(n1.certificate());
        TlsCredentials renewed = tls.node("n1", due);
        assertThat(renewed.certificate()).isNotEqualTo(n1.certificate());
        assertThat(renewed.ca()).isEqualTo(n1.ca());
        assertThat(renewed.certificate().getNotAfter()).isAfter(n1.certificate().getNotAfter());
    }

    @Test
    void aHostWithoutTheCaAndWithoutACertificateIsToldToJoin() {
        assertThatThrownBy(() -> new TlsHome(home).node("n1", NOW))
                .hasMessageContaining("no certificate for node n1")
                .hasMessageContaining("motley join HOST:PORT --token TOKEN");
    }

    @Test
    void aJoinedHostUsesItsCertificateUntilItExpiresAndThenSaysSo() throws IOException {
        Path controllerHome = home.resolve("controller");
        CertificateAuthority ca = new TlsHome(controllerHome).authority("lab", NOW);
        TlsHome joined = new TlsHome(home.resolve("joined"));
        Files.createDirectories(joined.dir());
        TlsCredentials issued = ca.issueNode("n1", NOW, Duration.ofDays(90));
        issued.save(
                joined.key(TlsHome.nodeFiles("n1")),
                joined.certificate(TlsHome.nodeFiles("n1")),
                joined.caCertificate());
        assertThat(joined.node("n1", NOW.plus(Duration.ofDays(80))).certificate())
                .isEqualTo(issued.certificate());
        assertThatThrownBy(() -> joined.node("n1", NOW.plus(Duration.ofDays(91))))
                .hasMessageContaining("the certificate of node n1")
                .hasMessageContaining("expired");
    }

    @Test
    void revokedCertificatesAreRefusedFromTheNextLookOn() throws IOException {
        TlsHome tls = new TlsHome(home);
        tls.controller("lab", NOW);
        TlsCredentials n1 = tls.node("n1", NOW);
        TlsCredentials n2 = tls.node("n2", NOW);
        Revocations revocations = new Revocations(tls.dir().resolve("revoked"));
        assertThat(revocations.refusal(n1.certificate())).isNull();
        new Revocations(tls.dir().resolve("revoked")).revoke(n1.certificate(), "n1");
        assertThat(revocations.refusal(n1.certificate()))
                .isEqualTo("the certificate of node n1 was revoked (motley node remove)");
        assertThat(revocations.refusal(n2.certificate())).isNull();
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(tls.dir().resolve("revoked"))))
                .isEqualTo("rw-------");
    }
}
