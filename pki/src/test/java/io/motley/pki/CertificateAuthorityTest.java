package io.motley.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.protocol.link.TlsCredentials;
import java.security.SignatureException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private final CertificateAuthority ca = CertificateAuthority.create("lab", NOW, Duration.ofDays(3650));

    @Test
    void theCaIsSelfSignedAndMayOnlySignLeaves() throws Exception {
        X509Certificate c = ca.certificate();
        c.verify(c.getPublicKey());
        assertThat(c.getBasicConstraints()).isEqualTo(0);
        assertThat(c.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(c.getSubjectX500Principal().getName()).contains("CN=Motley CA lab");
    }

    @Test
    void aNodesCertificateNamesTheNodeIsForClientsOnlyAndIsSignedByTheCa() throws Exception {
        TlsCredentials n = ca.issueNode("gpu-box", NOW, Duration.ofDays(90));
        X509Certificate c = n.certificate();
        c.verify(ca.certificate().getPublicKey());
        assertThat(TlsCredentials.commonName(c)).isEqualTo("gpu-box");
        assertThat(TlsCredentials.role(c)).isEqualTo(TlsCredentials.NODE);
        assertThat(c.getSubjectAlternativeNames()).containsExactly(List.of(2, "gpu-box"));
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertThat(c.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(90)));
        assertThat(c.getNotBefore().toInstant()).isBefore(NOW);
    }

    @Test
    void theControllersCertificateIsForServersOnly() throws Exception {
        X509Certificate c = ca.issueController(NOW, Duration.ofDays(365)).certificate();
        c.verify(ca.certificate().getPublicKey());
        assertThat(TlsCredentials.role(c)).isEqualTo(TlsCredentials.CONTROLLER);
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    }

    @Test
    void aCertificateOfAnotherCaDoesNotVerify() {
        CertificateAuthority other = CertificateAuthority.create("lab", NOW, Duration.ofDays(3650));
        X509Certificate c = other.issueNode("n1", NOW, Duration.ofDays(1)).certificate();
        assertThatThrownBy(() -> c.verify(ca.certificate().getPublicKey())).isInstanceOf(SignatureException.class);
    }

    @Test
    void aCertificateExpiresAtItsEndAndNeverOutlivesTheCa() {
        X509Certificate c = ca.issueNode("n1", NOW, Duration.ofDays(1)).certificate();
        assertThatThrownBy(() -> c.checkValidity(Date.from(NOW.plus(Duration.ofDays(2)))))
                .isInstanceOf(CertificateExpiredException.class);
        X509Certificate longer =
                ca.issueNode("n1", NOW, Duration.ofDays(100_000)).certificate();
        assertThat(longer.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    }

    @Test
    void aNameThatIsNoHostNameIsKeptWholeInTheCommonNameWithoutADnsName() throws Exception {
        X509Certificate c = ca.issueNode("odd,name+x", NOW, Duration.ofDays(1)).certificate();
        assertThat(TlsCredentials.commonName(c)).isEqualTo("odd,name+x");
        assertThat(c.getSubjectAlternativeNames()).isNull();
        assertThatThrownBy(() -> ca.issueNode("bad\nname", NOW, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ca.issueNode("", NOW, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFingerprintIsTheSha256OfTheCaCertificateAndDiffersBetweenCas() {
        assertThat(ca.fingerprint()).matches("sha256:[0-9a-f]{64}");
        assertThat(ca.fingerprint()).isEqualTo(TlsCredentials.fingerprint(ca.certificate()));
        assertThat(CertificateAuthority.create("lab", NOW, Duration.ofDays(1)).fingerprint())
                .isNotEqualTo(ca.fingerprint());
    }
}
