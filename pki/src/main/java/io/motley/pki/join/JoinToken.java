package io.motley.pki.join;

import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A join token as a joining host is given it: {@code ID.SECRET.PIN}. The id (6 characters, a-z0-9)
 * names the token in {@code motley token list|revoke}; the secret (16 characters, a-z0-9, about 82
 * bits) is what the controller checks, stored there only as its SHA-256; the pin is the SHA-256 of
 * the cluster's CA certificate in hex, which the joining host checks before it sends anything.
 */
public record JoinToken(String id, String secret, String pin) {
    private static final Pattern FORM = Pattern.compile("([a-z0-9]{6})\\.([a-z0-9]{16})\\.(?:sha256:)?([0-9a-f]{64})");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new token for the CA whose fingerprint is {@code caFingerprint} ({@code sha256:HEX}). */
    public static JoinToken create(String caFingerprint) {
        return new JoinToken(random(6), random(16), pinOf(caFingerprint));
    }

    /** Parses {@code ID.SECRET.PIN} (the pin may carry a {@code sha256:} prefix). */
    public static JoinToken parse(String text) {
        Matcher m = FORM.matcher(text.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches())
            throw new IllegalArgumentException(
                    "not a join token (expected ID.SECRET.PIN: 6 and 16 characters a-z0-9, 64 hex digits)");
        return new JoinToken(m.group(1), m.group(2), m.group(3));
    }

    /** The pin of a fingerprint written {@code sha256:HEX}: the hex digits. */
    public static String pinOf(String fingerprint) {
        return fingerprint.startsWith("sha256:") ? fingerprint.substring(7) : fingerprint;
    }

    private static String random(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return b.toString();
    }

    @Override
    public String toString() {
        return id + "." + secret + "." + pin;
    }
}
