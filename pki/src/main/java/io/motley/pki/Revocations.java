package io.motley.pki;

import io.motley.protocol.link.MutualTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The certificates the controller no longer admits ({@code etc/tls/revoked}: one line per
 * certificate, its serial in hex, a space and the node). {@code motley node remove} appends to it;
 * the controller reads it again whenever it changes, so a removal takes effect on the node's next
 * connection without a restart.
 */
public final class Revocations implements MutualTls.Admission {
    private final Path file;
    private FileTime seen;
    private Map<String, String> revoked = Map.of();

    public Revocations(Path file) {
        this.file = file;
    }

    @Override
    public synchronized String refusal(X509Certificate certificate) {
        reload();
        String node = revoked.get(certificate.getSerialNumber().toString(16));
        return node == null ? null : "the certificate of node " + node + " was revoked (motley node remove)";
    }

    /** Whether the certificate with serial {@code serial} is revoked. */
    public synchronized boolean isRevoked(java.math.BigInteger serial) {
        reload();
        return revoked.containsKey(serial.toString(16));
    }

    /** Records that {@code certificate}, of node {@code node}, is revoked. */
    public void revoke(X509Certificate certificate, String node) throws IOException {
        revoke(certificate.getSerialNumber(), node);
    }

    /** Records that the certificate with serial {@code serial}, of node {@code node}, is revoked; false if it already was. */
    public synchronized boolean revoke(java.math.BigInteger serial, String node) throws IOException {
        reload();
        if (revoked.containsKey(serial.toString(16))) return false;
        StringBuilder text = new StringBuilder(Files.exists(file) ? Files.readString(file) : "");
        text.append(serial.toString(16)).append(' ').append(node).append('\n');
        io.motley.protocol.link.TlsCredentials.writeOwnerOnly(file, text.toString());
        seen = null;
        reload();
        return true;
    }

    private void reload() {
        try {
            FileTime now = Files.getLastModifiedTime(file);
            if (now.equals(seen)) return;
            Map<String, String> read = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.trim().split("\\s+", 2);
                if (parts[0].isEmpty()) continue;
                read.put(parts[0].toLowerCase(java.util.Locale.ROOT), parts.length > 1 ? parts[1] : "?");
            }
            revoked = Map.copyOf(read);
            seen = now;
        } catch (NoSuchFileException e) {
            revoked = Map.of();
            seen = null;
        } catch (IOException e) {
            // keep what was read last: an unreadable list must not admit what it revoked
            org.slf4j.LoggerFactory.getLogger(Revocations.class)
                    .error("cannot read the revocation list file={} error=\"{}\"", file, e.getMessage());
        }
    }
}
