package io.motley.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SshRemote} against a real SSH server (MINA's, on a free loopback port, running {@code sh -c}). */
class SshRemoteTest {
    @TempDir
    Path dir;

    SshServer server;

    SshServer start(KeyPair allowed, Path hostKey) throws IOException {
        SshServer s = SshServer.setUpDefaultServer();
        s.setHost("127.0.0.1");
        s.setPort(0);
        s.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(hostKey));
        s.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, allowed.getPublic()));
        s.setCommandFactory(
                (channel, command) -> new ProcessShellFactory(command, "/bin/sh", "-c", command).createShell(channel));
        s.start();
        return s;
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) server.stop(true);
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static Path writeKey(Path file, KeyPair kp) throws IOException {
        Files.writeString(
                file,
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(kp.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        return file;
    }

    static Inventory.Host host(int port, Path key) {
        return new Inventory.Host(
                1,
                "127.0.0.1",
                System.getProperty("user.name"),
                key == null ? null : key.toString(),
                port,
                "n1",
                List.of(),
                List.of(),
                null,
                null,
                null,
                null,
                null);
    }

    @Test
    void runsCommandsWithTheirInputExitStatusAndOutput() throws Exception {
        KeyPair user = rsa();
        server = start(user, dir.resolve("host.ser"));
        Path ssh = Files.createDirectories(dir.resolve("home/.ssh"));
        try (SshRemote.Client client = new SshRemote.Client(ssh);
                Remote r = client.connect(host(server.getPort(), writeKey(dir.resolve("id"), user)))) {
            Remote.Result echo = r.run("echo out; echo err >&2; exit 3", null);
            assertThat(echo.status()).isEqualTo(3);
            assertThat(echo.out()).isEqualTo("out\n");
            assertThat(echo.err()).isEqualTo("err\n");
            byte[] bundle = new byte[3_000_000];
            Remote.Result counted = r.run("wc -c", new ByteArrayInputStream(bundle));
            assertThat(counted.out().strip()).isEqualTo("3000000");
        }
        assertThat(Files.readString(ssh.resolve("known_hosts")))
                .as("a new host's key is kept")
                .contains("127.0.0.1");
    }

    @Test
    void aHostWhoseKeyChangedIsRefused() throws Exception {
        KeyPair user = rsa();
        Path id = writeKey(dir.resolve("id"), user);
        server = start(user, dir.resolve("host1.ser"));
        Path ssh = Files.createDirectories(dir.resolve("home/.ssh"));
        try (SshRemote.Client client = new SshRemote.Client(ssh)) {
            client.connect(host(server.getPort(), id)).close();
        }
        int port = server.getPort();
        server.stop(true);
        server = start(user, dir.resolve("host2.ser"));
        // the known_hosts entry names the port when it is not 22; write the old key for the new port too
        String known = Files.readString(ssh.resolve("known_hosts"));
        Files.writeString(ssh.resolve("known_hosts"), known.replace("]:" + port + " ", "]:" + server.getPort() + " "));
        try (SshRemote.Client client = new SshRemote.Client(ssh)) {
            assertThatThrownBy(() -> client.connect(host(server.getPort(), id)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("127.0.0.1");
        }
    }

    @Test
    void anUnreachableHostAndAWrongKeySayWhy() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path ssh = Files.createDirectories(dir.resolve("home/.ssh"));
        try (SshRemote.Client client = new SshRemote.Client(ssh)) {
            assertThatThrownBy(() -> client.connect(host(closed, null)))
                    .hasMessageStartingWith("cannot connect to 127.0.0.1:" + closed);
            server = start(rsa(), dir.resolve("host.ser"));
            Path other = writeKey(dir.resolve("other"), rsa());
            assertThatThrownBy(() -> client.connect(host(server.getPort(), other)))
                    .hasMessageStartingWith("cannot log in to ");
        }
    }

    @Test
    void logsInWithAnOpenSshEd25519KeyAsSshKeygenMakesIt() throws Exception {
        Path keygen = Path.of("/usr/bin/ssh-keygen");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(keygen), "SshRemoteTest: ssh-keygen is missing: run scripts/setup-test-host");
        Path ssh = Files.createDirectories(dir.resolve("home/.ssh"));
        Process p = new ProcessBuilder(
                        keygen.toString(),
                        "-q",
                        "-t",
                        "ed25519",
                        "-N",
                        "",
                        "-f",
                        ssh.resolve("id_ed25519").toString())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor()).isZero();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("host.ser")));
        // any key is welcome, but the server still checks the signature made with it
        server.setPublickeyAuthenticator(org.apache.sshd.server.auth.pubkey.AcceptAllPublickeyAuthenticator.INSTANCE);
        server.setCommandFactory(
                (channel, command) -> new ProcessShellFactory(command, "/bin/sh", "-c", command).createShell(channel));
        server.start();
        try (SshRemote.Client client = new SshRemote.Client(ssh);
                Remote r = client.connect(host(server.getPort(), null))) {
            assertThat(r.run("echo ok", null).out()).isEqualTo("ok\n");
        }
    }
}
