package io.motley.agent.join;

import io.motley.agent.AgentMain;
import io.motley.pki.CertificateAuthority;
import io.motley.pki.TlsHome;
import io.motley.pki.join.Enrolment;
import io.motley.pki.join.JoinToken;
import io.motley.pki.join.JoinTokens;
import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code motley join HOST:PORT --token TOKEN [--name NAME] [--no-start] [AGENT OPTIONS]}: this host
 * makes its own key pair, has the controller at HOST sign a certificate for it ({@link Enrolment},
 * on PORT + 1), writes key, certificate and CA certificate owner-only to {@code MOTLEY_HOME/etc/tls}
 * and starts the agent as {@code motley agent --controller HOST:PORT --name NAME} would (other
 * options are passed to it). Nothing is written when the join is refused.
 */
public final class JoinCommand {
    static final String USAGE =
            "usage: motley join HOST:PORT --token ID.SECRET.PIN [--name NAME] [--no-start] [motley agent options]";

    private JoinCommand() {}

    /** What {@code motley join} was told. */
    record Settings(String host, int port, JoinToken token, String name, boolean start, List<String> agentArgs) {}

    static Settings parse(String[] args, String defaultName) {
        String target = null;
        String token = null;
        String name = null;
        boolean start = true;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--token") || a.equals("--name")) {
                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                if (a.equals("--token")) token = args[++i];
                else name = args[++i];
            } else if (a.startsWith("--token=")) token = a.substring(8);
            else if (a.startsWith("--name=")) name = a.substring(7);
            else if (a.equals("--no-start")) start = false;
            else if (!a.startsWith("-") && target == null) target = a;
            else rest.add(a);
        }
        if (target == null || token == null) throw new IllegalArgumentException(USAGE);
        int colon = target.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("expected HOST:PORT, got '" + target + "'");
        String host = target.substring(0, colon).replaceAll("^\\[|]$", "");
        int port;
        try {
            port = Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + target + "'");
        }
        return new Settings(
                host, port, JoinToken.parse(token), name != null ? name : defaultName, start, List.copyOf(rest));
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getenv().getOrDefault("MOTLEY_HOME", System.getProperty("user.home") + "/.motley"))
                .toAbsolutePath();
        Settings s;
        try {
            s = parse(args, shortHostname());
        } catch (IllegalArgumentException e) {
            System.err.println("motley join: " + e.getMessage());
            System.exit(2);
            return;
        }
        int rc = join(home, s, System.out, System.err);
        if (rc != 0 || !s.start()) System.exit(rc);
        List<String> agent = new ArrayList<>(
                List.of("--home", home.toString(), "--controller", s.host() + ":" + s.port(), "--name", s.name()));
        agent.addAll(s.agentArgs());
        AgentMain.main(agent.toArray(String[]::new));
    }

    /** Enrols this host and writes its files; 0, or 1 after saying on {@code err} which check failed. */
    static int join(Path home, Settings s, PrintStream out, PrintStream err) {
        KeyPair keys = CertificateAuthority.newKeyPair();
        Enrolment.Issued issued;
        try {
            issued = Enrolment.join(s.host(), Enrolment.port(s.port()), s.token(), s.name(), keys);
        } catch (JoinTokens.Refused e) {
            err.println("motley join: error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("motley join: error: cannot enrol with the controller at " + s.host() + ":"
                    + Enrolment.port(s.port()) + ": " + e.getMessage());
            return 1;
        }
        TlsHome tls = new TlsHome(home);
        try {
            if (!Files.isDirectory(tls.dir())) {
                Files.createDirectories(tls.dir());
                Files.setPosixFilePermissions(tls.dir(), PosixFilePermissions.fromString("rwx------"));
            }
            String stem = TlsHome.nodeFiles(s.name());
            new TlsCredentials(keys.getPrivate(), issued.certificate(), issued.ca())
                    .save(tls.key(stem), tls.certificate(stem), tls.caCertificate());
        } catch (IOException e) {
            err.println(
                    "motley join: error: cannot write this host's certificate to " + tls.dir() + ": " + e.getMessage());
            return 1;
        }
        out.println("joined as node " + s.name() + " (certificate until "
                + issued.certificate().getNotAfter().toInstant() + ", files in " + tls.dir() + ")");
        return 0;
    }

    /** The short host name, as the agent names its node by default. */
    static String shortHostname() {
        String h = null;
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) h = Files.readString(kernel).strip();
            if (h == null || h.isEmpty()) h = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            h = "localhost";
        }
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }
}
