package io.motley.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.protocol.link.TlsCredentials;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCommandTest {
    private static final Instant NOW = Instant.now();

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Path home, String... args) {
        return NodeCommand.run(home, args, new PrintStream(out, true), new PrintStream(err, true), NOW);
    }

    @Test
    void issuedFilesAreOwnerOnlyAndARemovedNodeIsRefused() throws IOException {
        Path home = dir.resolve("home");
        TlsHome tls = new TlsHome(home);
        tls.controller("lab", NOW);
        Path to = dir.resolve("for-n3");
        assertThat(run(home, "issue", "n3", to.toString())).isZero();
        TlsCredentials n3 =
                TlsCredentials.load(to.resolve("node-n3.key"), to.resolve("node-n3.crt"), to.resolve("ca.crt"));
        assertThat(TlsCredentials.commonName(n3.certificate())).isEqualTo("n3");
        assertThat(n3.ca()).isEqualTo(TlsCredentials.readCertificate(tls.caCertificate()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(to.resolve("node-n3.key"))))
                .isEqualTo("rw-------");

        Revocations controller = new Revocations(tls.revokedList());
        assertThat(controller.refusal(n3.certificate())).isNull();
        assertThat(run(home, "remove", "n3")).isZero();
        assertThat(out.toString()).contains("revoked 1 certificate(s) of node n3");
        assertThat(controller.refusal(n3.certificate())).contains("node n3 was revoked");
    }

    @Test
    void eachRefusalSaysWhy() {
        Path home = dir.resolve("home");
        assertThat(run(home, "issue", "n3", dir.resolve("x").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no CA on this host");
        assertThat(run(home, "remove", "n9")).isEqualTo(1);
        assertThat(err.toString()).contains("no certificate issued here to node n9");
        assertThat(run(home, "frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("usage: motley node");
    }
}
