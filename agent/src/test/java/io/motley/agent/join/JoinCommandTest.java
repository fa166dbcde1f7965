package io.motley.agent.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.pki.TlsHome;
import io.motley.pki.join.Enrolment;
import io.motley.pki.join.JoinToken;
import io.motley.pki.join.JoinTokens;
import io.motley.protocol.link.TlsCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void parsesTheJoinLineAndPassesOtherOptionsToTheAgent() {
        String token = "abcdef.0123456789abcdef." + "ab".repeat(32);
        JoinCommand.Settings s =
                JoinCommand.parse(new String[] {"10.0.0.1:7000", "--token", token, "--cpus", "2"}, "host1");
        assertThat(s.host()).isEqualTo("10.0.0.1");
        assertThat(s.port()).isEqualTo(7000);
        assertThat(s.name()).isEqualTo("host1");
        assertThat(s.start()).isTrue();
        assertThat(s.agentArgs()).isEqualTo(List.of("--cpus", "2"));
        assertThat(JoinCommand.parse(new String[] {"h:1", "--token=" + token, "--name=n9", "--no-start"}, "x"))
                .extracting(JoinCommand.Settings::name, JoinCommand.Settings::start)
                .containsExactly("n9", false);
        assertThatThrownBy(() -> JoinCommand.parse(new String[] {"h:1"}, "x")).hasMessageContaining("usage");
    }

    @Test
    void aJoinWritesOwnerOnlyFilesTheAgentLoadsAndARefusalWritesNothing() throws Exception {
        Path controllerHome = dir.resolve("controller");
        TlsHome ctl = new TlsHome(controllerHome);
        TlsCredentials controller = ctl.controller("lab", Instant.now());
        int agents;
        try (ServerSocket probe = new ServerSocket(0)) {
            agents = probe.getLocalPort() - 1;
        }
        try (Enrolment.Server server =
                new Enrolment.Server(ctl, controller, "127.0.0.1", agents + 1, Instant::now).start()) {
            JoinTokens tokens = new JoinTokens(Enrolment.tokensFile(ctl));
            JoinToken t = tokens.create(
                    TlsCredentials.fingerprint(controller.ca()), JoinTokens.DEFAULT_TTL, null, Instant.now());
            Path home = dir.resolve("joiner");

            JoinToken wrongPin = new JoinToken(t.id(), t.secret(), "1".repeat(64));
            int rc = JoinCommand.join(
                    home,
                    new JoinCommand.Settings("127.0.0.1", agents, wrongPin, "n5", false, List.of()),
                    new PrintStream(out, true),
                    new PrintStream(err, true));
            assertThat(rc).isEqualTo(1);
            assertThat(err.toString()).contains("pin mismatch");
            assertThat(Files.exists(home)).isFalse();

            rc = JoinCommand.join(
                    home,
                    new JoinCommand.Settings("127.0.0.1", agents, t, "n5", false, List.of()),
                    new PrintStream(out, true),
                    new PrintStream(err, true));
            assertThat(rc).as(err.toString()).isZero();
            TlsHome joined = new TlsHome(home);
            TlsCredentials c = joined.node("n5", Instant.now());
            assertThat(TlsCredentials.commonName(c.certificate())).isEqualTo("n5");
            for (Path p : List.of(joined.key("node-n5"), joined.certificate("node-n5"), joined.caCertificate()))
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                        .isEqualTo("rw-------");
            assertThat(joined.hasAuthority()).isFalse();
        }
    }
}
