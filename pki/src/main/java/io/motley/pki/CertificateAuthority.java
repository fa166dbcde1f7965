package io.motley.pki;

import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's certificate authority: its key and self-signed certificate, and the certificates it
 * issues, the controller's (server use, role {@link TlsCredentials#CONTROLLER}) and each node's
 * (client use, role {@link TlsCredentials#NODE}, the node in the common name and, where it is a
 * host name, as a DNS name too). Keys are EC P-256, signatures ECDSA with SHA-256. Issuing only:
 * TLS itself is the JDK's.
 */
public final class CertificateAuthority {
    /** How long the CA's certificate is valid. */
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** How long the controller's certificate is valid. */
    public static final Duration CONTROLLER_VALIDITY = Duration.ofDays(365);
    /** How long a node's certificate is valid; it is renewed when a third of that is left. */
    public static final Duration NODE_VALIDITY = Duration.ofDays(90);
    /** Certificates start this long before they are issued, so a peer whose clock is a little behind accepts them. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9-]{1,63})*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey key;
    private final X509Certificate certificate;

    private CertificateAuthority(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    /** A new CA for the cluster {@code cluster}, valid from {@code now} for {@code validity}. */
    public static CertificateAuthority create(String cluster, Instant now, Duration validity) {
        KeyPair pair = newKeyPair();
        X500Principal subject =
                new X500Principal("CN=Motley CA " + cluster.replaceAll("[,+=\"\\\\<>;#]", "_") + ", OU=motley-ca");
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            subject, serial(), from(now), until(now, validity), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(pair.getPrivate(), sign(b, pair.getPrivate()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the cluster's CA: " + e.getMessage(), e);
        }
    }

    /** The CA of a key and certificate read back. */
    public static CertificateAuthority of(PrivateKey key, X509Certificate certificate) {
        return new CertificateAuthority(key, certificate);
    }

    /** Reads the CA's PEM key and certificate. */
    public static CertificateAuthority load(Path key, Path certificate) throws IOException {
        return new CertificateAuthority(TlsCredentials.readKey(key), TlsCredentials.readCertificate(certificate));
    }

    /** Writes the CA's key and certificate, owner-only. */
    public void save(Path key, Path certificate) throws IOException {
        TlsCredentials.writeOwnerOnly(key, TlsCredentials.pem(this.key));
        TlsCredentials.writeOwnerOnly(certificate, TlsCredentials.pem(this.certificate));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The fingerprint a join token pins: SHA-256 of the CA certificate. */
    public String fingerprint() {
        return TlsCredentials.fingerprint(certificate);
    }

    /** A new key and the controller's certificate for it. */
    public TlsCredentials issueController(Instant now, Duration validity) {
        KeyPair pair = newKeyPair();
        X509Certificate c = issue(
                new X500Principal("CN=motley-controller, OU=" + TlsCredentials.CONTROLLER),
                new GeneralName[0],
                KeyPurposeId.id_kp_serverAuth,
                pair.getPublic(),
                now,
                validity);
        return new TlsCredentials(pair.getPrivate(), c, certificate);
    }

    /**
     * A new key and a certificate for the controller's HTTPS port (REST API, web pages, /metrics):
     * a server certificate naming {@code hosts} (host names and IP address literals), so that
     * browsers, curl and Prometheus that trust the cluster's CA verify it by the name they used.
     * It is not the controller's link certificate: it names hosts, and agents never accept it.
     */
    public TlsCredentials issueWebServer(java.util.List<String> hosts, Instant now, Duration validity) {
        KeyPair pair = newKeyPair();
        GeneralName[] names = hosts.stream()
                .distinct()
                .map(h -> IP_LITERAL.matcher(h).matches()
                        ? new GeneralName(GeneralName.iPAddress, h)
                        : new GeneralName(GeneralName.dNSName, h))
                .toArray(GeneralName[]::new);
        X509Certificate c = issue(
                new X500Principal("CN=motley-web, OU=motley-web"),
                names,
                KeyPurposeId.id_kp_serverAuth,
                pair.getPublic(),
                now,
                validity);
        return new TlsCredentials(pair.getPrivate(), c, certificate);
    }

    private static final java.util.regex.Pattern IP_LITERAL =
            java.util.regex.Pattern.compile("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

    /** A new key and the certificate of node {@code node} for it (an agent on the CA's own host). */
    public TlsCredentials issueNode(String node, Instant now, Duration validity) {
        KeyPair pair = newKeyPair();
        return new TlsCredentials(pair.getPrivate(), issueNode(node, pair.getPublic(), now, validity), certificate);
    }

    /** The certificate of node {@code node} for a public key the node made itself (it joins: its key never travels). */
    public X509Certificate issueNode(String node, PublicKey publicKey, Instant now, Duration validity) {
        if (node == null || node.isBlank() || node.length() > 64)
            throw new IllegalArgumentException("a node's name must be 1 to 64 characters");
        X500Principal subject;
        try {
            subject = new X500Principal("CN=" + escape(node) + ", OU=" + TlsCredentials.NODE);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid node name '" + node + "'", e);
        }
        return issue(
                subject,
                HOST_NAME.matcher(node).matches()
                        ? new GeneralName[] {new GeneralName(GeneralName.dNSName, node)}
                        : new GeneralName[0],
                KeyPurposeId.id_kp_clientAuth,
                publicKey,
                now,
                validity);
    }

    private X509Certificate issue(
            X500Principal subject,
            GeneralName[] altNames,
            KeyPurposeId use,
            PublicKey publicKey,
            Instant now,
            Duration validity) {
        Instant end = until(now, validity).toInstant();
        if (end.isAfter(certificate.getNotAfter().toInstant()))
            end = certificate.getNotAfter().toInstant();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            certificate, serial(), from(now), Date.from(end), subject, publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(use))
                    .addExtension(
                            Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            if (altNames.length > 0) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames));
            }
            return sign(b, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
        }
    }

    private static String escape(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) throw new IllegalArgumentException("control character in a node's name");
            if (",+=\"\\<>;#".indexOf(c) >= 0 || (i == 0 && c == ' ')) b.append('\\');
            b.append(c);
        }
        return b.toString();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** A new EC P-256 key pair (the JDK's generator). */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static Date from(Instant now) {
        return Date.from(now.minus(BACKDATE));
    }

    private static Date until(Instant now, Duration validity) {
        return Date.from(now.plus(validity));
    }
}
