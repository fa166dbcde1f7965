package io.motley.controller.rest;

import io.motley.controller.cluster.Caller;
import io.motley.protocol.dataparser.Json;
import io.motley.protocol.dataparser.JsonReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slurm's JWT model for the REST API: HS256 tokens signed with a key only the controller holds
 * (generated at its first start, mode 0600, in its state directory), carrying the user
 * ({@code sun}, Slurm's claim) with their uid, gid and groups, and an expiry ({@code exp}). A token
 * is proof enough of its user: the REST API acts as them.
 */
public final class Tokens {
    /** scontrol token's default lifespan, as Slurm's (AuthAltParameters' default). */
    public static final long DEFAULT_LIFESPAN = 1800;

    /** The longest lifespan asked for: a year. */
    public static final long MAX_LIFESPAN = 365L * 24 * 3600;

    private static final String HEADER = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final byte[] key;
    private final LongSupplier clock;

    public Tokens(byte[] key, LongSupplier clockSeconds) {
        if (key.length < 32) throw new IllegalArgumentException("an HS256 key needs at least 32 bytes");
        this.key = key.clone();
        this.clock = clockSeconds;
    }

    /**
     * The key in {@code file} (the controller's state directory, which root owns), made there first
     * with 32 random bytes, readable by its owner only, if it does not exist.
     */
    public static Tokens loadOrCreate(Path file, LongSupplier clockSeconds) throws IOException {
        if (!Files.exists(file)) {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            try {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(file, fresh, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (FileAlreadyExistsException raced) {
                // another start made it first: read theirs
            }
        }
        return new Tokens(Files.readAllBytes(file), clockSeconds);
    }

    /** Why a token is not accepted, in words the client can act on. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** A token for {@code user}, valid for {@code lifespan} seconds from now. */
    public String issue(Caller user, long lifespan) {
        long now = clock.getAsLong();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iat", now);
        claims.put("exp", now + lifespan);
        claims.put("sun", user.user());
        claims.put("uid", user.uid());
        claims.put("gid", user.gid());
        if (user.groups() != null) claims.put("groups", user.groups());
        String body = HEADER + "." + b64(compact(claims).getBytes(StandardCharsets.UTF_8));
        return body + "." + b64(sign(body));
    }

    /** The user a token names, if it is ours (signed with our key), well formed and not expired. */
    public Caller verify(String token) throws Refused {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) throw new Refused("token is not a JWT");
        Map<?, ?> header = object(parts[0], "header");
        if (!"HS256".equals(header.get("alg"))) throw new Refused("token is not signed with HS256");
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new Refused("token signature is not base64url");
        }
        if (!MessageDigest.isEqual(sign(parts[0] + "." + parts[1]), given))
            throw new Refused("token signature is invalid");
        Map<?, ?> claims = object(parts[1], "payload");
        if (!(claims.get("exp") instanceof Long exp)) throw new Refused("token has no expiry");
        if (exp <= clock.getAsLong()) throw new Refused("token expired");
        if (!(claims.get("sun") instanceof String user) || user.isEmpty()) throw new Refused("token names no user");
        if (!(claims.get("uid") instanceof Long uid) || !(claims.get("gid") instanceof Long gid))
            throw new Refused("token carries no uid and gid");
        List<String> groups = null;
        if (claims.get("groups") instanceof List<?> l) {
            groups = new ArrayList<>();
            for (Object g : l) groups.add(String.valueOf(g));
        }
        return new Caller(uid.intValue(), gid.intValue(), user, groups);
    }

    private static Map<?, ?> object(String part, String what) throws Refused {
        try {
            String text = new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
            if (JsonReader.read(text) instanceof Map<?, ?> m) return m;
        } catch (IllegalArgumentException | JsonReader.JsonException e) {
            // answered below
        }
        throw new Refused("token " + what + " is not a base64url JSON object");
    }

    private byte[] sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static String compact(Map<String, Object> claims) {
        return Json.write(claims).replaceAll("\\n\\s*", "");
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
