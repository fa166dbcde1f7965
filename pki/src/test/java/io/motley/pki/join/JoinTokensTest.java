package io.motley.pki.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinTokensTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private static final String FP = "sha256:" + "ab".repeat(32);

    @TempDir
    Path dir;

    private JoinTokens tokens() {
        return new JoinTokens(dir.resolve("etc/tls/tokens"));
    }

    @Test
    void theSecretIsStoredOnlyAsItsHashInAnOwnerOnlyFile() throws Exception {
        JoinTokens tokens = tokens();
        JoinToken t = tokens.create(FP, JoinTokens.DEFAULT_TTL, null, NOW);
        String stored = Files.readString(tokens.file());
        assertThat(stored)
                .contains(t.id())
                .contains(JoinTokens.hash(t.secret()))
                .doesNotContain(t.secret());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens.file())))
                .isEqualTo("rw-------");
        assertThat(t.pin()).isEqualTo("ab".repeat(32));
        assertThat(JoinToken.parse(t.toString())).isEqualTo(t);
    }

    @Test
    void aTokenWithoutUsesIsGoodAnyNumberOfTimesUntilItExpires() throws Exception {
        JoinTokens tokens = tokens();
        JoinToken t = tokens.create(FP, Duration.ofHours(1), null, NOW);
        for (int i = 0; i < 5; i++) tokens.redeem(t.id(), t.secret(), NOW.plusSeconds(i));
        assertThatThrownBy(() -> tokens.redeem(t.id(), t.secret(), NOW.plus(Duration.ofHours(1))))
                .isInstanceOf(JoinTokens.Refused.class)
                .hasMessageContaining("expired");
        assertThat(tokens.list().get(0).state(NOW.plus(Duration.ofHours(2)))).isEqualTo("expired");
    }

    @Test
    void theDefaultLifetimeIsOneDay() throws Exception {
        JoinTokens tokens = tokens();
        JoinToken t = tokens.create(FP, JoinTokens.DEFAULT_TTL, null, NOW);
        tokens.redeem(t.id(), t.secret(), NOW.plus(Duration.ofHours(23)));
        assertThatThrownBy(() -> tokens.redeem(t.id(), t.secret(), NOW.plus(Duration.ofHours(24))))
                .hasMessageContaining("expired");
    }

    @Test
    void usesAreCountedAndAUsedUpTokenIsRefused() throws Exception {
        JoinTokens tokens = tokens();
        JoinToken t = tokens.create(FP, JoinTokens.DEFAULT_TTL, 2, NOW);
        tokens.redeem(t.id(), t.secret(), NOW);
        tokens.redeem(t.id(), t.secret(), NOW);
        assertThatThrownBy(() -> tokens.redeem(t.id(), t.secret(), NOW)).hasMessageContaining("used up");
        assertThat(tokens.list().get(0).state(NOW)).isEqualTo("used-up");
    }

    @Test
    void aWrongSecretOrUnknownIdIsAWrongTokenAndCountsNoUse() throws Exception {
        JoinTokens tokens = tokens();
        JoinToken t = tokens.create(FP, JoinTokens.DEFAULT_TTL, 1, NOW);
        assertThatThrownBy(() -> tokens.redeem(t.id(), "x".repeat(16), NOW)).hasMessage("wrong token");
        assertThatThrownBy(() -> tokens.redeem("zzzzzz", t.secret(), NOW)).hasMessage("wrong token");
        tokens.redeem(t.id(), t.secret(), NOW);
    }

    @Test
    void aRevokedTokenIsRefusedByIdOrByTheWholeToken() throws Exception {
        JoinTokens tokens = tokens();
        JoinToken a = tokens.create(FP, JoinTokens.DEFAULT_TTL, null, NOW);
        JoinToken b = tokens.create(FP, JoinTokens.DEFAULT_TTL, null, NOW);
        assertThat(tokens.revoke(a.id())).isTrue();
        assertThat(tokens.revoke(b.toString())).isTrue();
        assertThat(tokens.revoke("nosuch")).isFalse();
        assertThatThrownBy(() -> tokens.redeem(a.id(), a.secret(), NOW)).hasMessageContaining("revoked");
        assertThatThrownBy(() -> tokens.redeem(b.id(), b.secret(), NOW)).hasMessageContaining("revoked");
        assertThat(tokens.list()).allMatch(e -> e.state(NOW).equals("revoked"));
    }

    @Test
    void aMalformedTokenIsNotParsed() {
        assertThatThrownBy(() -> JoinToken.parse("abc.def")).isInstanceOf(IllegalArgumentException.class);
        assertThat(JoinToken.parse("abcdef.0123456789abcdef.sha256:" + "cd".repeat(32))
                        .pin())
                .isEqualTo("cd".repeat(32));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> tokens().create(FP, Duration.ZERO, null, NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tokens().create(FP, Duration.ofHours(1), 0, NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
