package io.motley.protocol.link;

import java.util.Locale;

/**
 * Which {@link Handshake} agents and the controller use: {@link #TLS} (the default) or {@link
 * #SHARED_KEY}, chosen with {@code MOTLEY_LINK=tls|shared-key} in both daemons' environment.
 */
public enum LinkMode {
    /** Mutual TLS 1.3 with the cluster's CA ({@link MutualTls}). */
    TLS,
    /** Both ends prove they hold the cluster key; every frame carries a MAC ({@link SharedKey}). */
    SHARED_KEY;

    /** The mode {@code MOTLEY_LINK} names; TLS when unset. */
    public static LinkMode fromEnvironment() {
        return parse(System.getenv("MOTLEY_LINK"));
    }

    /** The mode a value names; TLS for null or empty. */
    public static LinkMode parse(String value) {
        if (value == null || value.isBlank()) return TLS;
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "tls" -> TLS;
            case "shared-key" -> SHARED_KEY;
            default -> throw new IllegalArgumentException("MOTLEY_LINK must be tls or shared-key, got '" + value + "'");
        };
    }
}
