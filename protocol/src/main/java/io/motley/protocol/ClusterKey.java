package io.motley.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret that agents and the controller prove to each other they hold (see
 * {@link io.motley.protocol.link.KeyedChannel}), in the role munge's key plays for Slurm. Kept in a
 * file readable by its owner only.
 */
public final class ClusterKey {
    private final byte[] key;

    private ClusterKey(byte[] key) {
        this.key = key;
    }

    /** Loads the key file, creating it with 32 random bytes when it does not exist yet. */
    public static ClusterKey loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, HexFormat.of().formatHex(k) + "\n");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the key is as private as its directory
            }
            try {
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                Files.deleteIfExists(tmp);
            }
        }
        return load(file);
    }

    public static ClusterKey load(Path file) throws IOException {
        String hex = Files.readString(file).trim();
        byte[] k;
        try {
            k = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IOException("cluster key " + file + " is not a hex string: " + e.getMessage());
        }
        if (k.length < 16)
            throw new IOException("cluster key " + file + " is too short: " + k.length + " bytes, at least 16 needed");
        return new ClusterKey(k);
    }

    public static String newNonce() {
        byte[] n = new byte[16];
        new SecureRandom().nextBytes(n);
        return HexFormat.of().formatHex(n);
    }

    /** HMAC-SHA256 under the cluster key of {@code parts}, for the link's proofs and session keys. */
    public byte[] mac(String... parts) {
        return hmac(key, parts);
    }

    /**
     * HMAC-SHA256 under {@code key} of {@code parts}, each length-prefixed so that no two lists of
     * parts ("ab","c" and "a","bc") give the same input.
     */
    public static byte[] hmac(byte[] key, String... parts) {
        Mac mac = hmacOf(key);
        for (String p : parts) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4).putInt(b.length).array());
            mac.update(b);
        }
        return mac.doFinal();
    }

    /** A ready HMAC-SHA256 under {@code key}. */
    public static Mac hmacOf(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable in this JDK", e);
        }
    }
}
