package io.motley.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.pki.CertificateAuthority;
import io.motley.protocol.HostCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostChecksTest {
    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path home;

    @Test
    void theSpoolWorkAndLogDirectoriesThatExistAreMeasuredAndTheCertificateJudged() throws Exception {
        Path spool = Files.createDirectories(home.resolve("spool/n1"));
        Path log = Files.createDirectories(home.resolve("log"));
        X509Certificate cert = CertificateAuthority.create("lab", NOW, Duration.ofDays(365))
                .issueNode("n1", NOW, Duration.ofDays(10))
                .certificate();
        HostChecks checks = new HostChecks(
                spool, home.resolve("work/n1"), Optional.of(log), () -> cert, () -> NOW.getEpochSecond());
        assertThat(checks.get())
                .extracting(HostCheck::check, HostCheck::subject)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("disk", "spool"),
                        org.assertj.core.groups.Tuple.tuple("disk", "log"),
                        org.assertj.core.groups.Tuple.tuple("certificate", "-"));
        assertThat(checks.get().get(0).message()).endsWith(" MiB free (" + spool + ")");
        assertThat(checks.get().get(2))
                .isEqualTo(new HostCheck(HostCheck.Level.WARN, "certificate", "-", "expires in 10 days"));
    }

    @Test
    void onSharedKeyLinksThereIsNoCertificateToJudge() throws Exception {
        Path spool = Files.createDirectories(home.resolve("spool/n1"));
        Path work = Files.createDirectories(home.resolve("work/n1"));
        HostChecks checks = new HostChecks(spool, work, Optional.empty(), () -> null, () -> NOW.getEpochSecond());
        assertThat(checks.get()).extracting(HostCheck::subject).containsExactly("spool", "work");
    }
}
