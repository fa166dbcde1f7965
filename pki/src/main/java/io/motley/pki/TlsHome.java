package io.motley.pki;

import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * Where a host keeps its TLS files, {@code MOTLEY_HOME/etc/tls} (owner-only, as is every file in
 * it): the CA's key and certificate on the controller's host ({@code ca.key}, {@code ca.crt}), the
 * controller's ({@code controller.key}, {@code controller.crt}) and each node's ({@code
 * node-NAME.key}, {@code node-NAME.crt}). Where the CA's key is at hand (the controller's host,
 * and so {@code motley up} on one machine) the files are made, and renewed when a third of their
 * validity is left, silently; a host that joined has only its own and the CA's certificate.
 * Processes sharing a home (the controller and its agents under {@code motley up}) take a lock
 * while they create files, so they never make two CAs; threads of one process take it in turn
 * (a file lock is held by the process, and a second thread asking for it is refused, not queued).
 */
public final class TlsHome {
    private final Path dir;

    public TlsHome(Path home) {
        this.dir = home.resolve("etc/tls");
    }

    public Path dir() {
        return dir;
    }

    public Path caKey() {
        return dir.resolve("ca.key");
    }

    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    public Path key(String owner) {
        return dir.resolve(owner + ".key");
    }

    public Path certificate(String owner) {
        return dir.resolve(owner + ".crt");
    }

    /** The file name stem of a node's key and certificate. */
    public static String nodeFiles(String node) {
        return "node-" + node.replace('/', '_');
    }

    /** Whether this host holds the cluster's CA (it is the controller's, or one machine runs it all). */
    public boolean hasAuthority() {
        return Files.exists(caKey());
    }

    /** The CA, created on first use. */
    public CertificateAuthority authority(String cluster, Instant now) throws IOException {
        return locked(() -> {
            if (Files.exists(caKey())) return CertificateAuthority.load(caKey(), caCertificate());
            CertificateAuthority ca = CertificateAuthority.create(cluster, now, CertificateAuthority.CA_VALIDITY);
            ca.save(caKey(), caCertificate());
            return ca;
        });
    }

    /** The controller's credentials, with the CA and its certificate made or renewed when due. */
    public TlsCredentials controller(String cluster, Instant now) throws IOException {
        CertificateAuthority ca = authority(cluster, now);
        return locked(() -> current("controller", now)
                .orElseGet(
                        () -> save("controller", ca.issueController(now, CertificateAuthority.CONTROLLER_VALIDITY))));
    }

    /**
     * Node {@code node}'s credentials: those on file while they are not due for renewal; else, where
     * the CA is at hand, new ones; else those on file while they are still valid.
     *
     * @throws IOException there are none that can be used (the host has not joined, or its certificate expired)
     */
    public TlsCredentials node(String node, Instant now) throws IOException {
        String stem = nodeFiles(node);
        return locked(() -> {
            var current = current(stem, now);
            if (current.isPresent()) return current.get();
            if (hasAuthority()) {
                CertificateAuthority ca = CertificateAuthority.load(caKey(), caCertificate());
                TlsCredentials issued = ca.issueNode(node, now, CertificateAuthority.NODE_VALIDITY);
                recordIssued(issued.certificate(), node);
                return save(stem, issued);
            }
            if (!Files.exists(certificate(stem)))
                throw new IOException("no certificate for node " + node + " in " + dir
                        + ": join the cluster (`motley join HOST:PORT --token TOKEN`, the line `motley init`"
                        + " printed), or copy here the files `motley node issue " + node
                        + " DIR` writes on the controller's host");
            TlsCredentials c = TlsCredentials.load(key(stem), certificate(stem), caCertificate());
            if (!c.validAt(now))
                throw new IOException("the certificate of node " + node + " in " + dir + " expired at "
                        + c.certificate().getNotAfter().toInstant() + "; join the cluster again");
            return c;
        });
    }

    /** The list of every node certificate issued here ({@code etc/tls/issued}: serial in hex, a space, the node). */
    public Path issuedList() {
        return dir.resolve("issued");
    }

    /** The revocation list the controller reads ({@link Revocations}). */
    public Path revokedList() {
        return dir.resolve("revoked");
    }

    /** Issues node {@code node} a new key and certificate (for another host) and records it, so that it can be revoked. */
    public TlsCredentials issueNode(String node, Instant now) throws IOException {
        return issueNode(node, now, CertificateAuthority.NODE_VALIDITY);
    }

    /** As {@link #issueNode(String, Instant)}, valid for {@code validity} (a short-lived certificate, in tests). */
    public TlsCredentials issueNode(String node, Instant now, Duration validity) throws IOException {
        if (!hasAuthority())
            throw new IOException("no CA on this host (" + caKey() + "): run this on the controller's host");
        return locked(() -> {
            CertificateAuthority ca = CertificateAuthority.load(caKey(), caCertificate());
            TlsCredentials issued = ca.issueNode(node, now, validity);
            recordIssued(issued.certificate(), node);
            return issued;
        });
    }

    /**
     * Issues node {@code node} a certificate for a public key it made itself (it joins with a token),
     * unless a certificate issued here to that name is still in force.
     *
     * @throws IllegalStateException the name is held by another certificate (revoke it with {@code motley node remove})
     */
    public X509Certificate enrolNode(String node, java.security.PublicKey publicKey, Instant now) throws IOException {
        if (!hasAuthority())
            throw new IOException("no CA on this host (" + caKey() + "): run this on the controller's host");
        return locked(() -> {
            Revocations revocations = new Revocations(revokedList());
            // an expired certificate holds no name: the host it was for cannot connect with it any more
            for (java.math.BigInteger serial : issuedTo(node, now)) {
                if (!revocations.isRevoked(serial))
                    throw new IllegalStateException("node name " + node
                            + " is held by another host's certificate (revoke it first: motley node remove " + node
                            + ")");
            }
            CertificateAuthority ca = CertificateAuthority.load(caKey(), caCertificate());
            X509Certificate c = ca.issueNode(node, publicKey, now, CertificateAuthority.NODE_VALIDITY);
            recordIssued(c, node);
            return c;
        });
    }

    /**
     * The serials issued here to {@code node} that have not expired at {@code now} (a line written
     * before expiry dates were listed counts as not expired).
     */
    private java.util.List<java.math.BigInteger> issuedTo(String node, Instant now) throws IOException {
        java.util.List<java.math.BigInteger> serials = new java.util.ArrayList<>();
        if (!Files.exists(issuedList())) return serials;
        for (String line : Files.readAllLines(issuedList())) {
            String[] parts = line.trim().split(" ");
            if (parts.length < 2 || !parts[1].equals(node)) continue;
            if (parts.length > 2 && now != null && !now.isBefore(Instant.ofEpochSecond(Long.parseLong(parts[2]))))
                continue;
            serials.add(new java.math.BigInteger(parts[0], 16));
        }
        return serials;
    }

    /**
     * A new certificate for node {@code node}, asked for over its authenticated link: {@code serial}
     * is the certificate the link was opened with, which must be one issued here to that node and
     * not revoked; the new one is for {@code publicKey}, a key the node made itself.
     *
     * @throws IllegalStateException the presented certificate is not one that may renew (the reason)
     */
    public X509Certificate renewNode(
            String node, java.math.BigInteger serial, java.security.PublicKey publicKey, Instant now)
            throws IOException {
        if (!hasAuthority())
            throw new IOException("no CA on this host (" + caKey() + "): run this on the controller's host");
        return locked(() -> {
            if (serial == null || !issuedTo(node, null).contains(serial))
                throw new IllegalStateException("the link's certificate was not issued here to node " + node);
            if (new Revocations(revokedList()).isRevoked(serial))
                throw new IllegalStateException("the certificate of node " + node + " was revoked");
            CertificateAuthority ca = CertificateAuthority.load(caKey(), caCertificate());
            X509Certificate c = ca.issueNode(node, publicKey, now, CertificateAuthority.NODE_VALIDITY);
            recordIssued(c, node);
            return c;
        });
    }

    /**
     * Checks that {@code c} may vouch for node {@code node}'s open link in place of the certificate
     * that opened it (the node renewed it itself, the CA at hand: {@code motley up}): signed by this
     * CA, for that node, recorded as issued to it here, not revoked and valid at {@code now}.
     *
     * @throws IllegalStateException it may not (the reason)
     */
    public void checkIssued(String node, X509Certificate c, Instant now) throws IOException {
        X509Certificate ca = TlsCredentials.readCertificate(caCertificate());
        try {
            c.verify(ca.getPublicKey());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the certificate is not signed by this cluster's CA");
        }
        if (!node.equals(TlsCredentials.commonName(c)))
            throw new IllegalStateException("the certificate is not for node " + node);
        if (!c.getNotAfter().toInstant().isAfter(now)
                || c.getNotBefore().toInstant().isAfter(now))
            throw new IllegalStateException("the certificate is not valid now");
        locked(() -> {
            if (!issuedTo(node, null).contains(c.getSerialNumber()))
                throw new IllegalStateException("the certificate was not issued here to node " + node);
            if (new Revocations(revokedList()).isRevoked(c.getSerialNumber()))
                throw new IllegalStateException("the certificate of node " + node + " was revoked");
            return null;
        });
    }

    /** Keeps a node's renewed key and certificate (a host that joined, renewed over its link) in place of the old. */
    public TlsCredentials installNode(String node, TlsCredentials c) throws IOException {
        return locked(() -> save(nodeFiles(node), c));
    }

    /**
     * Revokes every certificate issued here to node {@code node}; returns how many. The controller
     * refuses them from the node's next connection on.
     */
    public int revokeNode(String node) throws IOException {
        return locked(() -> {
            if (!Files.exists(issuedList())) return 0;
            java.util.List<String> serials = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(issuedList())) {
                String[] parts = line.trim().split(" ");
                if (parts.length >= 2 && parts[1].equals(node)) serials.add(parts[0]);
            }
            Revocations revocations = new Revocations(revokedList());
            int n = 0;
            for (String serial : serials) {
                if (revocations.revoke(new java.math.BigInteger(serial, 16), node)) n++;
            }
            return n;
        });
    }

    private void recordIssued(X509Certificate c, String node) throws IOException {
        String before = Files.exists(issuedList()) ? Files.readString(issuedList()) : "";
        // the expiry lets an expired certificate's name be taken again (enrolNode)
        TlsCredentials.writeOwnerOnly(
                issuedList(),
                before + c.getSerialNumber().toString(16) + " " + node + " "
                        + c.getNotAfter().toInstant().getEpochSecond() + "\n");
    }

    /** When credentials should be renewed: once two thirds of their validity have passed. */
    public static Instant renewalDue(X509Certificate c) {
        Instant from = c.getNotBefore().toInstant();
        Instant until = c.getNotAfter().toInstant();
        return from.plus(Duration.between(from, until).multipliedBy(2).dividedBy(3));
    }

    private java.util.Optional<TlsCredentials> current(String stem, Instant now) throws IOException {
        if (!Files.exists(certificate(stem)) || !Files.exists(key(stem))) return java.util.Optional.empty();
        TlsCredentials c = TlsCredentials.load(key(stem), certificate(stem), caCertificate());
        if (!c.validAt(now) || !now.isBefore(renewalDue(c.certificate()))) return java.util.Optional.empty();
        return java.util.Optional.of(c);
    }

    private TlsCredentials save(String stem, TlsCredentials c) {
        try {
            // together: a failure halfway must not leave a new key beside the old certificate
            TlsCredentials.writePairOwnerOnly(
                    key(stem), TlsCredentials.pem(c.key()), certificate(stem), TlsCredentials.pem(c.certificate()));
            return c;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private interface Locked<T> {
        T run() throws IOException;
    }

    /** Held around the file lock: two nodes renewing at the same moment on the controller's links, say. */
    private static final java.util.concurrent.locks.ReentrantLock IN_PROCESS =
            new java.util.concurrent.locks.ReentrantLock();

    private <T> T locked(Locked<T> body) throws IOException {
        IN_PROCESS.lock();
        try {
            return fileLocked(body);
        } finally {
            IN_PROCESS.unlock();
        }
    }

    private <T> T fileLocked(Locked<T> body) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        try (FileChannel ch =
                        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            return body.run();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
