package io.motley.controller.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.controller.cluster.Caller;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {
    @TempDir
    Path dir;

    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    final AtomicLong now = new AtomicLong(1_700_000_000L);
    final Caller alice = new Caller(1001, 1002, "alice", List.of("alice", "lab"));

    @Test
    void aTokenCarriesItsUserAndExpiresAfterItsLifespan() throws Exception {
        Tokens t = new Tokens(KEY, now::get);
        String jwt = t.issue(alice, 100);
        assertThat(t.verify(jwt)).isEqualTo(alice);
        String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        assertThat(payload).contains("\"sun\": \"alice\"").contains("\"exp\": 1700000100");
        now.set(1_700_000_099L);
        assertThat(t.verify(jwt).user()).isEqualTo("alice");
        now.set(1_700_000_100L);
        assertThatThrownBy(() -> t.verify(jwt))
                .isInstanceOf(Tokens.Refused.class)
                .hasMessage("token expired");
    }

    @Test
    void aTokenFromAnotherKeyOrAlteredIsRefused() {
        Tokens ours = new Tokens(KEY, now::get);
        Tokens theirs = new Tokens(new byte[32], now::get);
        assertThatThrownBy(() -> ours.verify(theirs.issue(alice, 60))).hasMessage("token signature is invalid");
        String jwt = ours.issue(alice, 60);
        String flipped =
                jwt.substring(0, jwt.length() - 2) + (jwt.endsWith("A") ? "B" : "A") + jwt.charAt(jwt.length() - 1);
        assertThatThrownBy(() -> ours.verify(flipped)).isInstanceOf(Tokens.Refused.class);
        assertThatThrownBy(() -> ours.verify("a.b")).hasMessage("token is not a JWT");
        assertThatThrownBy(() -> ours.verify("!!.!!.!!")).isInstanceOf(Tokens.Refused.class);
    }

    @Test
    void theKeyIsMadeOnceOwnerOnlyAndKeptAcrossStarts() throws Exception {
        Path file = dir.resolve("state/jwt_hs256.key");
        Tokens first = Tokens.loadOrCreate(file, now::get);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.size(file)).isEqualTo(32);
        byte[] key = Files.readAllBytes(file);
        Tokens second = Tokens.loadOrCreate(file, now::get);
        assertThat(Files.readAllBytes(file)).isEqualTo(key);
        assertThat(second.verify(first.issue(alice, 60))).isEqualTo(alice);
    }

    @Test
    void aShortKeyIsRefused() {
        assertThatThrownBy(() -> new Tokens(new byte[16], now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
