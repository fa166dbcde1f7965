package io.motley.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret that agents prove they hold (HMAC-SHA256 over a fresh nonce from the
 * controller), in the role munge's key plays for Slurm. Kept in a file readable by its owner only.
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
        try {
            return new ClusterKey(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IOException("cluster key " + file + " is not a hex string: " + e.getMessage());
        }
    }

    public static String newNonce() {
        byte[] n = new byte[16];
        new SecureRandom().nextBytes(n);
        return HexFormat.of().formatHex(n);
    }

    public String sign(String nonce, String who) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(nonce.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(who.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable in this JDK", e);
        }
    }

    public boolean verify(String nonce, String who, String signature) {
        if (signature == null) return false;
        return MessageDigest.isEqual(
                sign(nonce, who).getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII));
    }
}
