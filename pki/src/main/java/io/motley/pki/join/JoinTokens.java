package io.motley.pki.join;

import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The join tokens of a controller's host, {@code MOTLEY_HOME/etc/tls/tokens} (owner-only): one line
 * per token, {@code ID SHA256(SECRET) EXPIRES USES_LEFT STATE} (expiry in epoch seconds, uses left
 * -1 for any number, state {@code active} or {@code revoked}). The secret itself is never stored.
 * Every change happens under a file lock, so {@code motley token} and the controller never lose
 * each other's updates.
 */
public final class JoinTokens {
    /** How long a token is valid unless {@code --ttl} says otherwise. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(24);

    /** One stored token. */
    public record Entry(String id, String hash, Instant expires, int usesLeft, boolean revoked) {
        String line() {
            return id + " " + hash + " " + expires.getEpochSecond() + " " + usesLeft + " "
                    + (revoked ? "revoked" : "active");
        }

        static Entry parse(String line) {
            String[] f = line.trim().split(" ");
            return new Entry(
                    f[0],
                    f[1],
                    Instant.ofEpochSecond(Long.parseLong(f[2])),
                    Integer.parseInt(f[3]),
                    f[4].equals("revoked"));
        }

        /** What {@code motley token list} says of its state at {@code now}. */
        public String state(Instant now) {
            if (revoked) return "revoked";
            if (!now.isBefore(expires)) return "expired";
            if (usesLeft == 0) return "used-up";
            return "active";
        }
    }

    /** A token turned away; the message says which check failed. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private final Path file;

    public JoinTokens(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Creates and stores a token valid until {@code now + ttl}, for {@code uses} joins (null: any number). */
    public JoinToken create(String caFingerprint, Duration ttl, Integer uses, Instant now) throws IOException {
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("--ttl must be positive");
        if (uses != null && uses < 1) throw new IllegalArgumentException("--uses must be at least 1");
        JoinToken t = JoinToken.create(caFingerprint);
        locked(entries -> {
            entries.add(new Entry(t.id(), hash(t.secret()), now.plus(ttl), uses == null ? -1 : uses, false));
            return null;
        });
        return t;
    }

    /** The stored tokens, oldest first. */
    public List<Entry> list() throws IOException {
        return locked(entries -> List.copyOf(entries));
    }

    /** Revokes the token whose id is {@code idOrToken}'s (a full token or its id); false if none is stored. */
    public boolean revoke(String idOrToken) throws IOException {
        String id = idOrToken.contains(".") ? idOrToken.substring(0, idOrToken.indexOf('.')) : idOrToken;
        return locked(entries -> {
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (e.id().equals(id)) {
                    entries.set(i, new Entry(e.id(), e.hash(), e.expires(), e.usesLeft(), true));
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * Checks a token's id and secret at {@code now} and, when it is good, counts one use.
     *
     * @throws Refused wrong token (unknown id or wrong secret), revoked, expired or used up
     */
    public void redeem(String id, String secret, Instant now) throws IOException, Refused {
        redeem(id, secret, now, () -> null);
    }

    /** What is checked once the token is good: a refusal, or null to count the use. */
    public interface Admit {
        String refusal() throws IOException;
    }

    /**
     * As {@link #redeem(String, String, Instant)}, and then {@code admit} under the same lock: a use
     * is counted only when it admits (a refused join costs a single-use token nothing).
     */
    public void redeem(String id, String secret, Instant now, Admit admit) throws IOException, Refused {
        String refusal = locked(entries -> {
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (!e.id().equals(id)) continue;
                if (!MessageDigest.isEqual(
                        e.hash().getBytes(StandardCharsets.US_ASCII),
                        hash(secret).getBytes(StandardCharsets.US_ASCII))) return "wrong token";
                if (e.revoked()) return "the token was revoked (motley token revoke)";
                if (!now.isBefore(e.expires())) return "the token expired at " + e.expires();
                if (e.usesLeft() == 0) return "the token is used up (it was created with --uses)";
                String why = admit.refusal();
                if (why != null) return why;
                if (e.usesLeft() > 0) entries.set(i, new Entry(e.id(), e.hash(), e.expires(), e.usesLeft() - 1, false));
                return null;
            }
            return "wrong token";
        });
        if (refusal != null) throw new Refused(refusal);
    }

    /** The SHA-256 of a secret, in hex. A secret has about 82 random bits, so a fast hash is enough. */
    static String hash(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Change<T> {
        T apply(List<Entry> entries) throws IOException;
    }

    private synchronized <T> T locked(Change<T> change) throws IOException {
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        try (FileChannel ch = FileChannel.open(
                        dir.resolve(".tokens.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            List<Entry> entries = new ArrayList<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) entries.add(Entry.parse(line));
                }
            }
            List<Entry> before = List.copyOf(entries);
            T result = change.apply(entries);
            if (!entries.equals(before)) {
                StringBuilder text = new StringBuilder();
                for (Entry e : entries) text.append(e.line()).append('\n');
                TlsCredentials.writeOwnerOnly(file, text.toString());
            }
            return result;
        }
    }
}
