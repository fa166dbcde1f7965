package io.motley.pki;

import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * {@code motley node}: the administrator's verbs for nodes' certificates, run on the controller's
 * host by the owner of its {@code MOTLEY_HOME} (the CA's files are theirs alone).
 *
 * <pre>
 * motley node issue NAME DIR    a key, certificate and the CA's certificate for node NAME, owner-only in DIR
 *                               (copy DIR's files to that host's MOTLEY_HOME/etc/tls)
 * motley node remove NAME       revoke every certificate issued to NAME (refused from its next connection)
 * motley node fingerprint       the CA's SHA-256 fingerprint
 * </pre>
 */
public final class NodeCommand {
    static final String USAGE = "usage: motley node issue NAME DIR | motley node remove NAME | motley node fingerprint";

    private NodeCommand() {}

    public static void main(String[] args) {
        Path home = Path.of(System.getenv().getOrDefault("MOTLEY_HOME", System.getProperty("user.home") + "/.motley"));
        System.exit(run(home, args, System.out, System.err, Instant.now()));
    }

    static int run(Path home, String[] args, PrintStream out, PrintStream err, Instant now) {
        TlsHome tls = new TlsHome(home);
        try {
            if (args.length == 3 && args[0].equals("issue")) {
                Path to = Path.of(args[2]);
                Files.createDirectories(to);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
                TlsCredentials c = tls.issueNode(args[1], now);
                String stem = TlsHome.nodeFiles(args[1]);
                c.save(to.resolve(stem + ".key"), to.resolve(stem + ".crt"), to.resolve("ca.crt"));
                out.println("issued node " + args[1] + " a certificate until "
                        + c.certificate().getNotAfter().toInstant() + " in " + to
                        + "; copy its files to that host's MOTLEY_HOME/etc/tls (mode 0600)");
                return 0;
            }
            if (args.length == 2 && args[0].equals("remove")) {
                int n = tls.revokeNode(args[1]);
                if (n == 0) {
                    err.println(
                            "motley node: error: no certificate issued here to node " + args[1] + " is left to revoke");
                    return 1;
                }
                out.println("revoked " + n + " certificate(s) of node " + args[1]
                        + "; the controller refuses them from the node's next connection");
                return 0;
            }
            if (args.length == 1 && args[0].equals("fingerprint")) {
                out.println(TlsCredentials.fingerprint(TlsCredentials.readCertificate(tls.caCertificate())));
                return 0;
            }
            err.println(USAGE);
            return 2;
        } catch (IOException | IllegalArgumentException e) {
            err.println("motley node: error: " + e.getMessage());
            return 1;
        }
    }
}
