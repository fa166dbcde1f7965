package io.motley.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.options.UsageException;
import io.motley.pki.CertificateAuthority;
import io.motley.pki.TlsHome;
import io.motley.pki.join.Enrolment;
import io.motley.protocol.Message.CertificateRenewed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley controller's arguments: a bad one is a usage error with exit 2, never a stack trace. */
class ControllerMainTest {
    @Test
    void readsItsOptionsInEveryGnuSpelling() {
        ControllerMain.Settings s =
                ControllerMain.parse(new String[] {"--home=/h", "--bind", "127.0.0.1", "--po", "7000"});
        assertThat(s).isEqualTo(new ControllerMain.Settings(Path.of("/h"), "127.0.0.1", 7000));
        assertThat(ControllerMain.parse(new String[] {"--home", "/h"}).port()).isNull();
    }

    @Test
    void badArgumentsAreUsageErrors() {
        // each of these once escaped as NumberFormatException or ArrayIndexOutOfBoundsException with a stack trace
        assertThatThrownBy(() -> ControllerMain.parse(new String[] {"--port", "abc"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("invalid value for --port: 'abc' (a whole number from 0 to 65535 is wanted)")
                .satisfies(e -> assertThat(((UsageException) e).exitCode()).isEqualTo(2));
        assertThatThrownBy(() -> ControllerMain.parse(new String[] {"--home"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("option '--home' requires an argument");
        assertThatThrownBy(() -> ControllerMain.parse(new String[] {"--bogus"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("unrecognized option '--bogus'");
        assertThatThrownBy(() -> ControllerMain.parse(new String[] {"extra"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("unexpected argument 'extra'");
    }

    /**
     * A renewal refused for good (revoked, not issued here, a request for another node) says so, and
     * one the CA's files failed (they may come back) is marked temporary, so the node asks again
     * soon rather than in ten minutes (docs/security.md).
     */
    @Test
    void aRenewalRefusalSaysWhetherItIsTemporary(@TempDir Path dir) throws Exception {
        Instant now = Instant.now();
        TlsHome tls = new TlsHome(dir);
        tls.controller("lab", now);
        java.math.BigInteger serial = tls.enrolNode(
                        "n1", CertificateAuthority.newKeyPair().getPublic(), now)
                .getSerialNumber();
        var renewal = ControllerMain.renewal(tls);
        byte[] request = Enrolment.csr("n1", CertificateAuthority.newKeyPair());

        CertificateRenewed wrongNode = renewal.renew("n2", serial, request);
        assertThat(wrongNode.error()).contains("not for this link's node n2");
        assertThat(wrongNode.temporary()).isFalse();
        CertificateRenewed notIssued = renewal.renew("n1", serial.add(java.math.BigInteger.ONE), request);
        assertThat(notIssued.error()).contains("was not issued here");
        assertThat(notIssued.temporary()).isFalse();

        // the list of issued certificates cannot be read: the store's trouble, not the node's
        Path issued = tls.issuedList();
        Path aside = dir.resolve("issued.aside");
        Files.move(issued, aside);
        Files.createDirectory(issued);
        CertificateRenewed storeFailed = renewal.renew("n1", serial, request);
        assertThat(storeFailed.certificate()).isNull();
        assertThat(storeFailed.temporary()).isTrue();
        Files.delete(issued);
        Files.move(aside, issued);
        assertThat(renewal.renew("n1", serial, request).certificate()).startsWith("-----BEGIN CERTIFICATE-----");

        tls.revokeNode("n1");
        CertificateRenewed revoked = renewal.renew("n1", serial, request);
        assertThat(revoked.error()).contains("was revoked");
        assertThat(revoked.temporary()).isFalse();
    }
}
