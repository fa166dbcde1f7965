package io.motley.pki.join;

import io.motley.core.config.ClusterConfig;
import io.motley.pki.TlsHome;
import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code motley init} and {@code motley token}, run on the controller's host by the owner of its
 * {@code MOTLEY_HOME}:
 *
 * <pre>
 * motley init [--advertise ADDR] [--port PORT] [--ttl 24h] [--uses N]
 *     the CA and the controller's certificate (owner-only, MOTLEY_HOME/etc/tls), the port kept in
 *     MOTLEY_HOME/etc/motley.conf, a first token, and the line to run on each host that joins
 * motley token create [--ttl 24h] [--uses N]   a new token (ID.SECRET.PIN)
 * motley token list                            the tokens: id, expiry, uses left, state
 * motley token revoke TOKEN|ID                 a token no longer admits anyone
 * </pre>
 */
public final class ClusterCommands {
    static final String INIT_USAGE = "usage: motley init [--advertise ADDR] [--port PORT] [--ttl DURATION] [--uses N]";
    static final String TOKEN_USAGE = "usage: motley token create [--ttl DURATION] [--uses N] | motley token list"
            + " | motley token revoke TOKEN|ID";

    private ClusterCommands() {}

    public static void main(String[] args) {
        Path home = Path.of(System.getenv().getOrDefault("MOTLEY_HOME", System.getProperty("user.home") + "/.motley"));
        String verb = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : java.util.Arrays.copyOfRange(args, 1, args.length);
        int rc = switch (verb) {
            case "init" -> init(home, rest, System.out, System.err, Instant.now(), firstAddress());
            case "token" -> token(home, rest, System.out, System.err, Instant.now());
            default -> {
                System.err.println(INIT_USAGE + "\n" + TOKEN_USAGE);
                yield 2;
            }
        };
        System.exit(rc);
    }

    static int init(Path home, String[] args, PrintStream out, PrintStream err, Instant now, String address) {
        try {
            Options o = Options.parse(args, List.of("--advertise", "--port", "--ttl", "--uses"));
            if (o.has("--help")) {
                out.println(INIT_USAGE);
                return 0;
            }
            Path conf = home.resolve("etc/motley.conf");
            String text = Files.exists(conf) ? Files.readString(conf) : "";
            ClusterConfig config = ClusterConfig.parse(text);
            int port = config.controllerPort();
            if (o.has("--port")) {
                port = Integer.parseInt(o.get("--port"));
                if (port < 1 || port > 65534) throw new IllegalArgumentException("--port must be 1 to 65534");
            }
            if (o.has("--port") || !Files.exists(conf)) keepPort(conf, text, port);
            TlsHome tls = new TlsHome(home);
            TlsCredentials controller = tls.controller(config.clusterName(), now);
            String fingerprint = TlsCredentials.fingerprint(controller.ca());
            JoinToken t = new JoinTokens(Enrolment.tokensFile(tls)).create(fingerprint, o.ttl(), o.uses(), now);
            String host = o.has("--advertise") ? o.get("--advertise") : address;
            out.println("Motley initialised in " + home + " (cluster " + config.clusterName() + ", CA " + fingerprint
                    + ").");
            out.println("Start the controller with `motley controller` (agents on port " + port
                    + ", joining hosts on port " + Enrolment.port(port) + "), then run on each host to join:");
            out.println();
            out.println("  motley join " + host + ":" + port + " --token " + t);
            out.println();
            out.println("The token expires at " + now.plus(o.ttl()) + "; `motley token create` makes another.");
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("motley init: error: " + e.getMessage());
            return 1;
        }
    }

    /** Writes {@code ControllerPort=port} into motley.conf, replacing the line that was there. */
    private static void keepPort(Path conf, String text, int port) throws IOException {
        List<String> lines = new ArrayList<>(text.isEmpty() ? List.of() : List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
        lines.removeIf(l -> l.trim().startsWith("ControllerPort="));
        lines.add("ControllerPort=" + port);
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, String.join("\n", lines) + "\n");
    }

    static int token(Path home, String[] args, PrintStream out, PrintStream err, Instant now) {
        TlsHome tls = new TlsHome(home);
        JoinTokens tokens = new JoinTokens(Enrolment.tokensFile(tls));
        try {
            if (args.length >= 1 && args[0].equals("create")) {
                Options o =
                        Options.parse(java.util.Arrays.copyOfRange(args, 1, args.length), List.of("--ttl", "--uses"));
                if (!tls.hasAuthority())
                    throw new IOException(
                            "no CA in " + tls.dir() + ": run `motley init` on the controller's host first");
                String fingerprint = TlsCredentials.fingerprint(TlsCredentials.readCertificate(tls.caCertificate()));
                out.println(tokens.create(fingerprint, o.ttl(), o.uses(), now));
                return 0;
            }
            if (args.length == 1 && args[0].equals("list")) {
                out.printf("%-8s %-22s %-6s %s%n", "ID", "EXPIRES", "USES", "STATE");
                for (JoinTokens.Entry e : tokens.list()) {
                    out.printf(
                            "%-8s %-22s %-6s %s%n",
                            e.id(), e.expires(), e.usesLeft() < 0 ? "any" : String.valueOf(e.usesLeft()), e.state(now));
                }
                return 0;
            }
            if (args.length == 2 && args[0].equals("revoke")) {
                if (!tokens.revoke(args[1])) {
                    err.println("motley token: error: no token " + args[1].split("\\.")[0] + " here");
                    return 1;
                }
                out.println("revoked token " + args[1].split("\\.")[0]);
                return 0;
            }
            err.println(TOKEN_USAGE);
            return 2;
        } catch (IOException | IllegalArgumentException e) {
            err.println("motley token: error: " + e.getMessage());
            return 1;
        }
    }

    /** A duration as {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d} (a bare number is seconds). */
    static Duration duration(String text) {
        Matcher m = Pattern.compile("(\\d+)([smhd]?)").matcher(text.trim());
        if (!m.matches()) throw new IllegalArgumentException("invalid duration '" + text + "' (e.g. 30m, 24h, 7d)");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** The host's first non-loopback address that is up (IPv4 first), for the join line. */
    static String firstAddress() {
        try {
            List<InetAddress> found = new ArrayList<>();
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!i.isUp() || i.isLoopback()) continue;
                for (InetAddress a : Collections.list(i.getInetAddresses())) {
                    if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) found.add(a);
                }
            }
            for (InetAddress a : found) if (a instanceof Inet4Address) return a.getHostAddress();
            if (!found.isEmpty()) return "[" + found.get(0).getHostAddress().replaceAll("%.*", "") + "]";
        } catch (IOException e) {
            // fall through to the loopback address
        }
        return "127.0.0.1";
    }

    /** {@code --name value} and {@code --name=value} options, no operands. */
    private record Options(java.util.Map<String, String> values) {
        static Options parse(String[] args, List<String> known) {
            java.util.Map<String, String> v = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    v.put("--help", "");
                    continue;
                }
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (!known.contains(name)) throw new IllegalArgumentException("unexpected argument '" + a + "'");
                if (a.contains("=")) v.put(name, a.substring(a.indexOf('=') + 1));
                else if (i + 1 < args.length) v.put(name, args[++i]);
                else throw new IllegalArgumentException(name + " needs a value");
            }
            return new Options(v);
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String get(String name) {
            return values.get(name);
        }

        Duration ttl() {
            return has("--ttl") ? duration(get("--ttl")) : JoinTokens.DEFAULT_TTL;
        }

        Integer uses() {
            return has("--uses") ? Integer.valueOf(get("--uses")) : null;
        }
    }
}
