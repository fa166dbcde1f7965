package io.motley.protocol.link;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * One side's TLS identity: its private key, its certificate, and the cluster's CA certificate that
 * it trusts. Read from and written to PEM files with the JDK alone (issuing certificates is the
 * pki module's, with Bouncy Castle), so the agent and the controller load them without any library
 * and the commands never load one.
 *
 * <p>A certificate's role is its organisational unit: {@link #NODE} for an agent (its common name
 * is the node it speaks for), {@link #CONTROLLER} for the controller. The extended key usage says
 * the same to the JDK's own checks (client only for a node, server only for the controller).
 */
public record TlsCredentials(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
    /** The organisational unit of an agent's certificate; its common name is the node. */
    public static final String NODE = "motley-node";
    /** The organisational unit of the controller's certificate. */
    public static final String CONTROLLER = "motley-controller";

    /** Reads a PKCS#8 private key, a certificate and the CA's certificate from PEM files. */
    public static TlsCredentials load(Path key, Path certificate, Path ca) throws IOException {
        return new TlsCredentials(readKey(key), readCertificate(certificate), readCertificate(ca));
    }

    /** Reads one PEM (or DER) certificate. */
    public static X509Certificate readCertificate(Path file) throws IOException {
        return certificate(Files.readAllBytes(file), file.toString());
    }

    /** Parses one PEM (or DER) certificate; {@code what} names it in an error. */
    public static X509Certificate certificate(byte[] encoded, String what) throws IOException {
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(encoded));
        } catch (CertificateException | ClassCastException e) {
            throw new IOException("not a certificate: " + what + " (" + e.getMessage() + ")", e);
        }
    }

    /** Reads one PEM PKCS#8 private key (EC or RSA). */
    public static PrivateKey readKey(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int start = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) throw new IOException("not a PKCS#8 PEM private key: " + file);
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + 27, end));
        for (String algorithm : new String[] {"EC", "RSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException tryNext) {
                // the key is of the other kind
            }
        }
        throw new IOException("unreadable private key (neither EC nor RSA): " + file);
    }

    /** A certificate as PEM text. */
    public static String pem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A private key as PKCS#8 PEM text. */
    public static String pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * Writes {@code text} to {@code file} readable by its owner only, replacing it at once (a
     * reader sees the old file or the new one, never half of one).
     */
    public static void writeOwnerOnly(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Writes two files that belong together (a key and its certificate), owner-only: both are written in full
     * before either replaces the one there, so a write that fails (a full disk) leaves the old pair as it was
     * rather than a new key beside the old certificate.
     */
    public static void writePairOwnerOnly(Path first, String firstText, Path second, String secondText)
            throws IOException {
        Path a = first.resolveSibling("." + first.getFileName() + ".tmp");
        Path b = second.resolveSibling("." + second.getFileName() + ".tmp");
        try {
            for (Path tmp : List.of(a, b)) {
                Files.deleteIfExists(tmp);
                Files.createFile(
                        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(a, firstText, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(b, secondText, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(a);
                Files.deleteIfExists(b);
            } catch (IOException ignored) {
                // what was there is untouched all the same
            }
            throw e;
        }
        Files.move(a, first, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(b, second, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes the key, the certificate and the CA's certificate, each owner-only. */
    public void save(Path key, Path certificate, Path ca) throws IOException {
        writeOwnerOnly(key, pem(this.key));
        writeOwnerOnly(certificate, pem(this.certificate));
        writeOwnerOnly(ca, pem(this.ca));
    }

    /** The SHA-256 fingerprint of a certificate's DER encoding, as {@code sha256:HEX}: what a join token pins. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The common name of a certificate's subject (the node, for an agent's); empty when it has none. */
    public static String commonName(X509Certificate certificate) {
        return attribute(certificate, "CN");
    }

    /** The organisational unit of a certificate's subject: its role ({@link #NODE}, {@link #CONTROLLER}). */
    public static String role(X509Certificate certificate) {
        return attribute(certificate, "OU");
    }

    private static String attribute(X509Certificate certificate, String type) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase(type)) return String.valueOf(rdn.getValue());
            }
        } catch (InvalidNameException e) {
            return "";
        }
        return "";
    }

    /** Whether this side's own certificate is valid at {@code now}. */
    public boolean validAt(Instant now) {
        return !now.isBefore(certificate.getNotBefore().toInstant())
                && !now.isAfter(certificate.getNotAfter().toInstant());
    }
}
