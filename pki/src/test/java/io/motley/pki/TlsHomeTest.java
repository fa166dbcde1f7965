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

    /** A host that joined and went away for good frees its name once its certificate has expired. */
    @Test
    void anExpiredCertificateHoldsNoNodeName() throws Exception {
        TlsHome tls = new TlsHome(home);
        tls.controller("lab", NOW);
        java.security.KeyPair first = CertificateAuthority.newKeyPair();
        tls.enrolNode("n1", first.getPublic(), NOW);
        assertThatThrownBy(() -> tls.enrolNode(
                        "n1", CertificateAuthority.newKeyPair().getPublic(), NOW.plus(Duration.ofDays(89))))
                .hasMessageContaining("node name n1 is held by another host's certificate");
        java.security.cert.X509Certificate again =
                tls.enrolNode("n1", CertificateAuthority.newKeyPair().getPublic(), NOW.plus(Duration.ofDays(91)));
        assertThat(TlsCredentials.commonName(again)).isEqualTo("n1");
        // issued lines name the expiry; revoking still finds every certificate of the node
        assertThat(Files.readAllLines(tls.issuedList()))
                .allSatisfy(l -> assertThat(l.split(" ")).hasSize(3));
        assertThat(tls.revokeNode("n1")).isEqualTo(2);
    }

    /** A renewed pair that cannot be written in full leaves the pair in use as it was, both halves. */
    @Test
    void aRenewedCertificateThatCannotBeWrittenLeavesTheOldKeyAndCertificateTogether() throws Exception {
        TlsHome tls = new TlsHome(home);
        tls.controller("lab", NOW);
        TlsCredentials n1 = tls.node("n1", NOW);
        String stem = TlsHome.nodeFiles("n1");
        // the certificate's temporary file cannot be made: a non-empty directory stands in its place
        Path blocker = tls.certificate(stem).resolveSibling("." + stem + ".crt.tmp");
        Files.createDirectories(blocker.resolve("x"));
        java.security.KeyPair next = CertificateAuthority.newKeyPair();
        TlsCredentials renewed = new TlsCredentials(
                next.getPrivate(),
                tls.renewNode("n1", n1.certificate().getSerialNumber(), next.getPublic(), NOW),
                n1.ca());
        assertThatThrownBy(() -> tls.installNode("n1", renewed)).isInstanceOf(Exception.class);
        assertThat(TlsCredentials.readKey(tls.key(stem))).isEqualTo(n1.key());
        assertThat(tls.node("n1", NOW).certificate()).isEqualTo(n1.certificate());
        assertThat(tls.key(stem).resolveSibling("." + stem + ".key.tmp")).doesNotExist();
        // once it can, both are replaced
        Files.delete(blocker.resolve("x"));
        Files.delete(blocker);
        tls.installNode("n1", renewed);
        assertThat(TlsCredentials.readKey(tls.key(stem))).isEqualTo(next.getPrivate());
        assertThat(tls.node("n1", NOW).certificate()).isEqualTo(renewed.certificate());
    }

    /** Renewal on a node's link: only for a certificate issued here to that node and not revoked. */
    @Test
    void aNodeRenewsWithTheCertificateItsLinkWasOpenedWith() throws Exception {
        TlsHome tls = new TlsHome(home);
        tls.controller("lab", NOW);
        java.security.cert.X509Certificate held =
                tls.enrolNode("n1", CertificateAuthority.newKeyPair().getPublic(), NOW);
        java.security.KeyPair next = CertificateAuthority.newKeyPair();
        java.security.cert.X509Certificate renewed =
                tls.renewNode("n1", held.getSerialNumber(), next.getPublic(), NOW.plus(Duration.ofDays(61)));
        assertThat(renewed.getPublicKey()).isEqualTo(next.getPublic());
        assertThat(TlsCredentials.commonName(renewed)).isEqualTo("n1");
        assertThat(renewed.getNotAfter().toInstant()).isAfter(NOW.plus(Duration.ofDays(150)));
        // another node's certificate cannot renew n1's name
        java.security.cert.X509Certificate n2 =
                tls.enrolNode("n2", CertificateAuthority.newKeyPair().getPublic(), NOW);
        assertThatThrownBy(() -> tls.renewNode("n1", n2.getSerialNumber(), next.getPublic(), NOW))
                .hasMessageContaining("not issued here to node n1");
        tls.revokeNode("n2");
        assertThatThrownBy(() -> tls.renewNode("n2", n2.getSerialNumber(), next.getPublic(), NOW))
                .hasMessageContaining("was revoked");
    }

    @Test
    void aSigningRequestIsTakenOnlyForTheLinksNode() {
        java.security.KeyPair keys = CertificateAuthority.newKeyPair();
        byte[] csr = io.motley.pki.join.Enrolment.csr("n1", keys);
        assertThat(io.motley.pki.join.Enrolment.requestedKey(csr, "n1")).isEqualTo(keys.getPublic());
        assertThatThrownBy(() -> io.motley.pki.join.Enrolment.requestedKey(csr, "n2"))
                .hasMessageContaining("is for node 'n1', not for this link's node n2");
        assertThatThrownBy(() -> io.motley.pki.join.Enrolment.requestedKey(new byte[] {1, 2, 3}, "n1"))
                .hasMessageContaining("not a certificate signing request");
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

    /** A short-lived certificate issued for another host is recorded like any other: it may renew on its link. */
    @Test
    void aShortLivedCertificateIsRecordedAndMayRenew() throws Exception {
        TlsHome tls = new TlsHome(home);
        tls.controller("lab", NOW);
        TlsCredentials n1 = tls.issueNode("n1", NOW, Duration.ofSeconds(40));
        assertThat(n1.certificate().getNotAfter().toInstant()).isEqualTo(NOW.plusSeconds(40));
        java.security.cert.X509Certificate renewed = tls.renewNode(
                "n1",
                n1.certificate().getSerialNumber(),
                CertificateAuthority.newKeyPair().getPublic(),
                NOW.plusSeconds(10));
        assertThat(renewed.getNotAfter().toInstant())
                .isEqualTo(NOW.plusSeconds(10).plus(CertificateAuthority.NODE_VALIDITY));
    }

    /**
     * A certificate a node renewed itself (motley up) vouches for its open link only when this CA
     * issued it to that node, it is recorded here, not revoked and valid.
     */
    @Test
    void aCertificateANodeRenewedItselfIsCheckedAgainstTheRecords() throws Exception {
        TlsHome tls = new TlsHome(home);
        tls.controller("lab", NOW);
        var first = tls.node("n1", NOW).certificate();
        var renewed = tls.node("n1", TlsHome.renewalDue(first)).certificate();
        assertThat(renewed).isNotEqualTo(first);
        tls.checkIssued("n1", renewed, TlsHome.renewalDue(first));

        assertThatThrownBy(() -> tls.checkIssued("n2", renewed, NOW))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not for node n2");
        assertThatThrownBy(() ->
                        tls.checkIssued("n1", renewed, renewed.getNotAfter().toInstant()))
                .hasMessageContaining("not valid now");
        // the same CA's signature, but not recorded here
        var unrecorded = CertificateAuthority.load(tls.caKey(), tls.caCertificate())
                .issueNode("n1", NOW, Duration.ofDays(1))
                .certificate();
        assertThatThrownBy(() -> tls.checkIssued("n1", unrecorded, NOW)).hasMessageContaining("not issued here");
        // another CA's
        var foreign = CertificateAuthority.create("other", NOW, Duration.ofDays(10))
                .issueNode("n1", NOW, Duration.ofDays(1))
                .certificate();
        assertThatThrownBy(() -> tls.checkIssued("n1", foreign, NOW)).hasMessageContaining("not signed");
        tls.revokeNode("n1");
        assertThatThrownBy(() -> tls.checkIssued("n1", renewed, TlsHome.renewalDue(first)))
                .hasMessageContaining("revoked");
    }

    /**
     * Nodes renewing at the same moment on the controller's links (threads of one process): each
     * gets its certificate, and every one is recorded. A file lock belongs to the process, so a
     * second thread asking for it was refused (OverlappingFileLockException) and that node's request
     * went unanswered.
     */
    @Test
    void nodesRenewingAtTheSameMomentAreEachServed() throws Exception {
        TlsHome tls = new TlsHome(home);
        tls.controller("lab", NOW);
        int nodes = 6;
        java.util.List<java.math.BigInteger> held = new java.util.ArrayList<>();
        for (int i = 0; i < nodes; i++)
            held.add(tls.enrolNode("n" + i, CertificateAuthority.newKeyPair().getPublic(), NOW)
                    .getSerialNumber());
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(nodes);
        java.util.List<java.util.concurrent.Future<java.util.List<java.math.BigInteger>>> all =
                new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(nodes)) {
            for (int i = 0; i < nodes; i++) {
                String node = "n" + i;
                java.math.BigInteger serial = held.get(i);
                all.add(pool.submit(() -> {
                    start.await();
                    java.util.List<java.math.BigInteger> got = new java.util.ArrayList<>();
                    for (int k = 0; k < 3; k++)
                        got.add(tls.renewNode(
                                        node,
                                        serial,
                                        CertificateAuthority.newKeyPair().getPublic(),
                                        NOW.plus(Duration.ofDays(61)))
                                .getSerialNumber());
                    return got;
                }));
            }
            java.util.List<java.math.BigInteger> renewed = new java.util.ArrayList<>();
            for (var f : all) renewed.addAll(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            assertThat(renewed).hasSize(nodes * 3).doesNotHaveDuplicates();
            // every one recorded (so it can be revoked), none lost to a write racing another
            java.util.List<String> issued = Files.readAllLines(tls.issuedList());
            assertThat(issued).hasSize(nodes + nodes * 3);
            for (java.math.BigInteger serial : renewed)
                assertThat(issued).anyMatch(l -> l.startsWith(serial.toString(16) + " "));
        }
    }
}
