package io.motley.cli.command;

import io.motley.cli.client.AgentClient;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.job.FreeText;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.protocol.HostCheck;
import io.motley.protocol.HostCheck.Level;
import io.motley.protocol.Message;
import io.motley.protocol.dataparser.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * motley health [--json]: the whole cluster checked at once, one line per finding, and an exit
 * code of 1 when anything failed. Failures: the controller or its database unreachable, a node
 * down or not responding, a certificate expired, a directory of this host's state nearly out of
 * space. Warnings (shown, exit 0): process containment only, a drained node, a clock off, a
 * certificate expiring within 30 days, no certificates (shared-key links), an agent of another
 * version, GPUs the node had and no longer reports. Disk and certificates are checked on this
 * host (its MOTLEY_HOME) and by every node's agent on its own host, sent with its heartbeats.
 */
public final class MotleyHealth implements Command {
    static final String AGENT_VERSION = Version.NUMBER;
    private static final List<OptionSpec> OPTIONS =
            List.of(OptionSpec.flag('\0', "json"), OptionSpec.flag('h', "help"));

    static final String HELP = """
            usage: motley health [--json]
            Checks the cluster: controller and database reachable, each node's state, reason,
            containment, clock, GPUs and version, and the certificates and free space of this
            host and of every node (each node's agent checks its own host and says so with its
            heartbeats). Exits 1 when a check failed; warnings (process
            containment, no GPUs, no certificates yet, a drained node) are shown and exit 0.""";

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("motley health", OPTIONS, false).parse(args);
        if (p.has("help")) {
            io.out().println(HELP);
            return 0;
        }
        if (!p.operands().isEmpty())
            throw new UsageException(
                    "error: unexpected argument " + p.operands().get(0), 2, true);
        String homeText = io.env().get("MOTLEY_HOME");
        if (homeText == null || homeText.isEmpty())
            homeText = io.env().getOrDefault("HOME", System.getProperty("user.home")) + "/.motley";
        List<HostCheck> findings = check(io, Path.of(homeText), io.nowSeconds());
        if (p.has("json")) {
            io.out().print(Json.write(json(findings)));
        } else {
            for (HostCheck f : findings) {
                io.out()
                        .println(String.format(
                                Locale.ROOT, "%-4s %-12s %-10s %s", f.level(), f.check(), f.subject(), f.message()));
            }
            long fails = findings.stream().filter(f -> f.level() == Level.FAIL).count();
            long warns = findings.stream().filter(f -> f.level() == Level.WARN).count();
            io.out()
                    .println(
                            fails == 0
                                    ? "healthy"
                                            + (warns > 0
                                                    ? " (" + warns + " warning" + (warns == 1 ? "" : "s") + ")"
                                                    : "")
                                    : fails + " problem" + (fails == 1 ? "" : "s") + ", " + warns + " warning"
                                            + (warns == 1 ? "" : "s"));
        }
        return findings.stream().anyMatch(f -> f.level() == Level.FAIL) ? 1 : 0;
    }

    static Map<String, Object> json(List<HostCheck> findings) {
        List<Object> list = new ArrayList<>();
        for (HostCheck f : findings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("level", f.level().name().toLowerCase(Locale.ROOT));
            m.put("check", f.check());
            m.put("subject", f.subject());
            m.put("message", f.message());
            list.add(m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("healthy", findings.stream().noneMatch(f -> f.level() == Level.FAIL));
        doc.put("findings", list);
        return doc;
    }

    static List<HostCheck> check(Io io, Path home, long now) {
        List<HostCheck> out = new ArrayList<>();
        boolean reachable = true;
        try {
            Message.Pong pong = io.gateway().ask(new Message.Ping(false));
            out.add(new HostCheck(
                    Level.OK,
                    "controller",
                    pong.host() == null ? "-" : pong.host(),
                    "reachable" + (pong.cluster() == null ? "" : ", cluster " + pong.cluster())));
            out.add(
                    pong.database().equals("ok")
                            ? new HostCheck(Level.OK, "database", "-", "usable")
                            : new HostCheck(Level.FAIL, "database", "-", FreeText.escape(pong.database())));
        } catch (AgentClient.ClusterUnreachable | AgentClient.RequestFailed e) {
            reachable = false;
            out.add(new HostCheck(Level.FAIL, "controller", "-", "unreachable: " + FreeText.escape(e.getMessage())));
        }
        if (reachable) {
            try {
                List<Node> nodes = io.gateway().ask(new Message.Nodes()).nodes();
                if (nodes.isEmpty()) out.add(new HostCheck(Level.FAIL, "nodes", "-", "no node has registered"));
                for (Node n : nodes) out.addAll(node(n));
            } catch (AgentClient.ClusterUnreachable | AgentClient.RequestFailed e) {
                out.add(new HostCheck(Level.FAIL, "nodes", "-", "cannot list: " + FreeText.escape(e.getMessage())));
            }
            out.addAll(nodesOwn(io));
        }
        out.addAll(certificates(home.resolve("etc/tls"), now));
        for (String d : List.of("state", "spool", "log")) out.addAll(disk(home.resolve(d), d));
        return out;
    }

    /**
     * What each node's agent found about its own host (free disk, its certificate), as its last
     * heartbeat said: checked where the node is, so on hosts that share nothing with this one too.
     */
    static List<HostCheck> nodesOwn(Io io) {
        List<HostCheck> out = new ArrayList<>();
        try {
            io.gateway().ask(new Message.HostChecksQuery()).byNode().forEach((node, checks) -> {
                for (HostCheck c : checks)
                    out.add(new HostCheck(
                            c.level(),
                            FreeText.escape(c.check()),
                            FreeText.escape(c.on(node).subject()),
                            FreeText.escape(c.message())));
            });
        } catch (AgentClient.ClusterUnreachable | AgentClient.RequestFailed e) {
            out.add(new HostCheck(Level.WARN, "node-checks", "-", "not available: " + FreeText.escape(e.getMessage())));
        }
        return out;
    }

    /** What one node's record says about it. */
    static List<HostCheck> node(Node n) {
        List<HostCheck> out = new ArrayList<>();
        String reason = n.reason() == null || n.reason().isBlank() ? "" : ": " + FreeText.escape(n.reason());
        if (n.state() == NodeState.DOWN || n.notResponding()) {
            out.add(new HostCheck(
                    Level.FAIL, "node", n.name(), (n.state() == NodeState.DOWN ? "down" : "not responding") + reason));
        } else if (n.state() == NodeState.INVAL) {
            out.add(new HostCheck(Level.FAIL, "node", n.name(), "invalid (configured larger than it is)" + reason));
        } else if (n.state() == NodeState.DRAIN) {
            out.add(new HostCheck(Level.WARN, "node", n.name(), "drained" + reason));
        } else if (n.reason() != null && n.reason().startsWith("Clock skew")) {
            out.add(new HostCheck(Level.WARN, "clock", n.name(), FreeText.escape(n.reason())));
        } else {
            out.add(new HostCheck(
                    Level.OK,
                    "node",
                    n.name(),
                    "up, " + n.cpus() + " CPUs, " + n.memMiB() + " MiB, " + n.os() + "/" + n.arch() + reason));
        }
        String c = n.containment() == null ? "" : n.containment();
        if (c.isEmpty() || c.startsWith("process")) {
            out.add(new HostCheck(
                    Level.WARN,
                    "containment",
                    n.name(),
                    (c.isEmpty() ? "unknown" : c) + ": jobs are tracked but their memory and CPUs are not enforced"));
        } else {
            out.add(new HostCheck(Level.OK, "containment", n.name(), c));
        }
        out.add(new HostCheck(
                Level.OK,
                "gpus",
                n.name(),
                n.gpus().isEmpty()
                        ? "none"
                        : n.gpus().size() + " (" + n.gpus().get(0).model() + ")"));
        if (n.version() != null && !n.version().isEmpty() && !n.version().equals(AGENT_VERSION)) {
            out.add(new HostCheck(
                    Level.WARN, "version", n.name(), "agent " + n.version() + ", commands " + AGENT_VERSION));
        }
        return out;
    }

    /** The certificates in {@code tls}: expired ones fail, those expiring within 30 days warn. */
    static List<HostCheck> certificates(Path tls, long now) {
        List<HostCheck> out = new ArrayList<>();
        if (!Files.isDirectory(tls)) {
            out.add(new HostCheck(
                    Level.WARN, "certificate", "-", "none here (shared-key links, or not the controller's host)"));
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(tls)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".crt"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            out.add(new HostCheck(Level.WARN, "certificate", "-", "cannot list " + tls + ": " + e.getMessage()));
            return out;
        }
        if (files.isEmpty()) out.add(new HostCheck(Level.WARN, "certificate", "-", "none yet in " + tls));
        for (Path f : files) {
            String name = f.getFileName().toString();
            try (InputStream in = Files.newInputStream(f)) {
                X509Certificate cert = (X509Certificate)
                        CertificateFactory.getInstance("X.509").generateCertificate(in);
                out.add(HostCheck.certificate(cert, name, now));
            } catch (IOException | CertificateException | ClassCastException e) {
                out.add(new HostCheck(Level.WARN, "certificate", name, "cannot be read: " + e.getMessage()));
            }
        }
        return out;
    }

    /** Free space where {@code dir} lives. */
    static List<HostCheck> disk(Path dir, String label) {
        return HostCheck.disk(dir, label).stream().toList();
    }
}
