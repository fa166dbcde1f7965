package io.motley.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * A host reached over SSH with Apache MINA SSHD. Host keys: a host already in {@code
 * ~/.ssh/known_hosts} must present the same key (a changed key is refused); a new host's key is
 * accepted and added there, as {@code ssh -o StrictHostKeyChecking=accept-new} does.
 */
public final class SshRemote implements Remote {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);

    private final ClientSession session;

    private SshRemote(ClientSession session) {
        this.session = session;
    }

    /** One client for a whole deploy: its threads serve every host's session. */
    public static final class Client implements Remote.Connector, AutoCloseable {
        private final SshClient client;
        private final Path sshDir;

        public Client(Path sshDir) {
            this.sshDir = sshDir;
            client = SshClient.setUpDefaultClient();
            client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(
                    AcceptAllServerKeyVerifier.INSTANCE, sshDir.resolve("known_hosts")));
            client.start();
        }

        @Override
        public Remote connect(Inventory.Host host) throws IOException {
            List<Path> keys = new ArrayList<>();
            if (host.key() != null) {
                Path key = Path.of(host.key().replaceFirst("^~/", sshDir.getParent() + "/"));
                if (!Files.isReadable(key)) throw new IOException("cannot read the key " + key);
                keys.add(key);
            } else {
                for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa"))
                    if (Files.isReadable(sshDir.resolve(name))) keys.add(sshDir.resolve(name));
            }
            ClientSession session;
            try {
                session = client.connect(host.user(), host.host(), host.port())
                        .verify(CONNECT_TIMEOUT)
                        .getSession();
            } catch (IOException e) {
                throw new IOException("cannot connect to " + host.host() + ":" + host.port() + ": " + reason(e), e);
            }
            try {
                session.setKeyIdentityProvider(new FileKeyPairProvider(keys));
                session.auth().verify(CONNECT_TIMEOUT);
            } catch (IOException e) {
                session.close(true);
                throw new IOException(
                        "cannot log in to " + host.user() + "@" + host.host() + " with "
                                + (keys.isEmpty() ? "no key (none in " + sshDir + ")" : keys) + ": " + reason(e),
                        e);
            }
            return new SshRemote(session);
        }

        @Override
        public void close() throws IOException {
            client.stop();
            client.close();
        }
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public Result run(String command, InputStream stdin) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(err);
            if (stdin != null) channel.setIn(stdin);
            channel.open().verify(CONNECT_TIMEOUT);
            if (stdin == null) channel.getInvertedIn().close();
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), COMMAND_TIMEOUT);
            Integer status = channel.getExitStatus();
            return new Result(
                    status == null ? -1 : status,
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        session.close();
    }
}
