package io.motley.protocol.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The controller's words for a failed TLS handshake: which of the usual causes it was, then the JDK's reason. */
class MutualTlsFailureTest {
    private static SSLHandshakeException handshake(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        e.initCause(cause);
        return e;
    }

    @Test
    void anExpiredCertificateIsNamedFirst() {
        Throwable e = handshake(
                "PKIX path validation failed",
                new CertificateException(new CertificateExpiredException("NotAfter: Tue Dec 01 06:27:45 UTC 2026")));
        assertThat(MutualTls.agentFailure(e))
                .startsWith("the agent's certificate expired (PKIX path validation failed")
                .contains("NotAfter: Tue Dec 01 06:27:45 UTC 2026");
    }

    @Test
    void aCertificateOfAnotherCaIsNamedFirst() {
        Throwable e = handshake(
                "PKIX path validation failed",
                new CertificateException(
                        new CertPathValidatorException("Path does not chain with any of the trust anchors")));
        assertThat(MutualTls.agentFailure(e))
                .startsWith("the agent's certificate is not issued by this cluster's CA (PKIX path validation failed");
    }

    @Test
    void anAgentThatRefusedTheControllersCertificateIsNamed() {
        assertThat(MutualTls.agentFailure(new SSLHandshakeException("Received fatal alert: bad_certificate")))
                .isEqualTo("the agent refused this controller's certificate (Received fatal alert: bad_certificate):"
                        + " it trusts another CA than this cluster's");
    }

    @Test
    void anythingElseIsTheJdksReason() {
        assertThat(MutualTls.agentFailure(new SSLHandshakeException("Unsupported or unrecognized SSL message")))
                .isEqualTo("Unsupported or unrecognized SSL message");
    }
}
