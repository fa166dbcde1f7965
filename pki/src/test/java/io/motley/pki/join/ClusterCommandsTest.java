package io.motley.pki.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.pki.TlsHome;
import io.motley.protocol.link.TlsCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCommandsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path home;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int init(String... args) {
        return ClusterCommands.init(
                home, args, new PrintStream(out, true), new PrintStream(err, true), NOW, "192.0.2.10");
    }

    private int token(String... args) {
        out.reset();
        return ClusterCommands.token(home, args, new PrintStream(out, true), new PrintStream(err, true), NOW);
    }

    @Test
    void initMakesTheCaKeepsThePortAndPrintsTheJoinLineWithAPinnedToken() throws Exception {
        assertThat(init("--port", "7100")).isZero();
        TlsHome tls = new TlsHome(home);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.caKey())))
                .isEqualTo("rw-------");
        assertThat(Files.exists(tls.certificate("controller"))).isTrue();
        assertThat(Files.readString(home.resolve("etc/motley.conf"))).contains("ControllerPort=7100");
        Matcher m = Pattern.compile("motley join 192\\.0\\.2\\.10:7100 --token (\\S+)")
                .matcher(out.toString());
        assertThat(m.find()).as(out.toString()).isTrue();
        JoinToken t = JoinToken.parse(m.group(1));
        assertThat("sha256:" + t.pin())
                .isEqualTo(TlsCredentials.fingerprint(TlsCredentials.readCertificate(tls.caCertificate())));
        new JoinTokens(Enrolment.tokensFile(tls)).redeem(t.id(), t.secret(), NOW);
    }

    @Test
    void initUsesTheAdvertisedAddress() {
        assertThat(init("--advertise", "ctl.example")).isZero();
        assertThat(out.toString()).contains("motley join ctl.example:6917 --token ");
    }

    @Test
    void tokenCreateListAndRevoke() throws Exception {
        assertThat(init()).isZero();
        assertThat(token("create", "--ttl", "2h", "--uses", "3")).isZero();
        JoinToken t = JoinToken.parse(out.toString().trim());
        assertThat(token("list")).isZero();
        assertThat(out.toString())
                .contains(t.id() + " ")
                .contains(NOW.plus(Duration.ofHours(2)).toString())
                .contains(" 3 ")
                .doesNotContain(t.secret());
        assertThat(token("revoke", t.id())).isZero();
        assertThat(token("list")).isZero();
        assertThat(out.toString()).containsPattern(t.id() + ".*revoked");
        assertThat(token("revoke", "nosuch")).isEqualTo(1);
        assertThat(token("create", "--ttl", "soon")).isEqualTo(1);
    }

    @Test
    void tokenCreateWithoutACaSaysToRunInit() {
        assertThat(token("create")).isEqualTo(1);
        assertThat(err.toString()).contains("motley init");
    }

    @Test
    void durations() {
        assertThat(ClusterCommands.duration("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(ClusterCommands.duration("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(ClusterCommands.duration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(ClusterCommands.duration("90")).isEqualTo(Duration.ofSeconds(90));
    }
}
