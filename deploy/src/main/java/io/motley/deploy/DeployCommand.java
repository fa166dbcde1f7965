package io.motley.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code motley deploy INVENTORY [--dry-run] [--controller ADDR:PORT] [--bundle FILE]}, run on the
 * controller's host: puts an agent on every host of the inventory over SSH (docs/deploy.md).
 */
public final class DeployCommand {
    static final String USAGE = "usage: motley deploy INVENTORY [--dry-run] [--controller ADDR:PORT] [--bundle FILE]"
            + " | motley deploy INVENTORY --remove HOST";

    private DeployCommand() {}

    /** What the command line asked for. */
    record Options(Path inventory, boolean dryRun, String controller, Path bundle, String remove) {}

    static Options parse(String[] args, Path defaultBundle) {
        Path inventory = null;
        boolean dryRun = false;
        String controller = null;
        Path bundle = defaultBundle;
        String remove = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--dry-run", "-n" -> dryRun = true;
                case "--controller", "--bundle", "--remove" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                    if (a.equals("--controller")) controller = args[++i];
                    else if (a.equals("--remove")) remove = args[++i];
                    else bundle = Path.of(args[++i]);
                }
                default -> {
                    if (a.startsWith("-") || inventory != null) throw new IllegalArgumentException(USAGE);
                    inventory = Path.of(a);
                }
            }
        }
        if (inventory == null) throw new IllegalArgumentException(USAGE);
        return new Options(inventory, dryRun, controller, bundle, remove);
    }

    public static void main(String[] args) {
        String dist = System.getenv().getOrDefault("MOTLEY_DIST", ".");
        Path defaultBundle =
                Path.of(dist).toAbsolutePath().normalize().resolveSibling("target/bundle/motley-bundle.tar.xz");
        System.exit(run(args, defaultBundle, System.out, System.err));
    }

    static int run(String[] args, Path defaultBundle, PrintStream out, PrintStream err) {
        Path home = Path.of(System.getenv().getOrDefault("MOTLEY_HOME", System.getProperty("user.home") + "/.motley"));
        return run(args, defaultBundle, home, out, err);
    }

    /** {@code home}: the controller's MOTLEY_HOME on this host, whose etc/motley.conf gets the node settings. */
    static int run(String[] args, Path defaultBundle, Path home, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        Options o;
        try {
            o = parse(args, defaultBundle);
        } catch (IllegalArgumentException e) {
            err.println("motley deploy: " + e.getMessage());
            return 2;
        }
        Inventory inventory;
        try {
            inventory = Inventory.parse(Files.readString(o.inventory()));
        } catch (IOException e) {
            err.println("motley deploy: error: cannot read " + o.inventory() + ": " + e.getMessage());
            return 1;
        } catch (Inventory.InvalidInventory e) {
            err.println("motley deploy: error: " + o.inventory() + ": " + e.getMessage());
            return 1;
        }
        Path bin = Path.of(System.getenv().getOrDefault("MOTLEY_DIST", ".")).resolve("bin");
        Path sshDir = Path.of(System.getProperty("user.home"), ".ssh");
        if (o.remove() != null) {
            Inventory.Host target = inventory.hosts().stream()
                    .filter(h -> h.host().equals(o.remove()) || h.nodeName().equals(o.remove()))
                    .findFirst()
                    .orElse(null);
            if (target == null) {
                err.println("motley deploy: error: " + o.remove() + " is not a host of " + o.inventory());
                return 1;
            }
            if (o.dryRun()) {
                out.println("motley deploy --dry-run --remove " + target.nodeName() + ": drain the node and wait for"
                        + " its jobs, then on " + target.host() + ": " + Removal.stopCommand(inventory, target)
                        + "; then here: motley node remove " + target.nodeName());
                return 0;
            }
            try (SshRemote.Client ssh = new SshRemote.Client(sshDir)) {
                return Removal.remove(
                        inventory,
                        target,
                        ssh,
                        node -> ControllerView.revoke(bin, node),
                        () -> Thread.sleep(1000),
                        3600,
                        out);
            } catch (IOException e) {
                err.println("motley deploy: error: " + e.getMessage());
                return 1;
            }
        }
        String controller = o.controller() != null ? o.controller() : inventory.controller();
        if (controller == null) {
            err.println("motley deploy: error: " + o.inventory() + ": no 'controller: ADDRESS:PORT' (the address the"
                    + " agents connect to) and no --controller");
            return 1;
        }
        String sha;
        try {
            sha = Files.isRegularFile(o.bundle()) ? sha256(o.bundle()) : null;
        } catch (IOException e) {
            err.println("motley deploy: error: cannot read the bundle " + o.bundle() + ": " + e.getMessage());
            return 1;
        }
        DeployPlan.Source source = new DeployPlan.Source(controller, o.bundle().toString(), sha);
        List<DeployPlan> plans = new ArrayList<>();
        for (Inventory.Host h : inventory.hosts()) plans.add(DeployPlan.of(inventory, h, source));
        Path conf = home.resolve("etc/motley.conf");
        ControllerConf.Edit edit;
        try {
            edit = ControllerConf.apply(Files.exists(conf) ? Files.readString(conf) : "", inventory.hosts());
        } catch (IOException e) {
            err.println("motley deploy: error: cannot read " + conf + ": " + e.getMessage());
            return 1;
        }
        if (o.dryRun()) {
            out.println("motley deploy --dry-run: " + plans.size() + " host(s), agents connecting to " + controller
                    + "; nothing is connected to or changed.");
            for (DeployPlan p : plans) out.print(p.render());
            if (edit.changed()) {
                out.println("the controller's " + conf + " would get the inventory's node settings:");
                for (String c : edit.changes()) out.println("  " + c);
            } else {
                out.println("the controller's " + conf + " already has the inventory's node settings");
            }
            return 0;
        }
        if (sha == null) {
            err.println("motley deploy: error: no bundle at " + o.bundle() + ": run scripts/bundle first, or give"
                    + " --bundle FILE");
            return 1;
        }
        if (edit.changed()) {
            try {
                writeConf(conf, edit.text());
            } catch (IOException e) {
                err.println("motley deploy: error: cannot write " + conf + ": " + e.getMessage());
                return 1;
            }
            out.println("wrote the inventory's node settings into " + conf + ":");
            for (String c : edit.changes()) out.println("  " + c);
            out.println("  the controller reads motley.conf when it starts: restart it to apply them (running jobs"
                    + " keep running)");
        }
        long t0 = System.nanoTime();
        List<Deployer.Outcome> outcomes;
        try (SshRemote.Client ssh = new SshRemote.Client(sshDir)) {
            Deployer d = new Deployer(
                    ssh,
                    o.bundle(),
                    new OnceToken(home),
                    out,
                    () -> System.nanoTime() / 1_000_000,
                    Duration.ofSeconds(90),
                    () -> Thread.sleep(500));
            outcomes = d.deploy(plans);
        } catch (IOException | InterruptedException e) {
            err.println("motley deploy: error: " + e.getMessage());
            return 1;
        }
        return report(outcomes, (System.nanoTime() - t0) / 1_000_000, edit.changed(), out);
    }

    /**
     * Replaces motley.conf at once (a file beside it, then a rename), keeping its permissions; a new
     * one is readable by all, as the commands read it too.
     */
    static void writeConf(Path conf, String text) throws IOException {
        Files.createDirectories(conf.getParent());
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = Files.exists(conf)
                ? Files.getPosixFilePermissions(conf)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Path next = conf.resolveSibling(conf.getFileName() + ".deploy-new");
        Files.deleteIfExists(next);
        Files.writeString(
                next, text, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(next, mode);
        Files.move(
                next,
                conf,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Prints the table and the summary; 0 when every host is deployed. */
    static int report(List<Deployer.Outcome> outcomes, long millis, PrintStream out) {
        return report(outcomes, millis, false, out);
    }

    /** {@code confChanged}: this run wrote node settings into motley.conf, so it was not a no-op. */
    static int report(List<Deployer.Outcome> outcomes, long millis, boolean confChanged, PrintStream out) {
        out.println();
        out.print(Deployer.table(outcomes));
        long failed = outcomes.stream().filter(x -> !x.ok()).count();
        long changed =
                outcomes.stream().filter(x -> x.ok() && !x.changed().isEmpty()).count();
        out.printf(
                java.util.Locale.ROOT,
                "%d host(s) in %.1f s: %d deployed or changed, %d already deployed (nothing changed), %d failed%n",
                outcomes.size(),
                millis / 1000.0,
                changed,
                outcomes.size() - failed - changed,
                failed);
        if (failed == 0 && changed == 0 && !confChanged) out.println("Nothing to do: every host was already deployed.");
        for (Deployer.Outcome x : outcomes)
            for (String note : x.notes()) out.println(x.host().nodeName() + ": " + note);
        return failed == 0 ? 0 : 1;
    }

    /** The join token of this run: made on first use as {@code motley token create --ttl 1h} does, then reused. */
    static final class OnceToken implements java.util.function.Supplier<String> {
        private final Path home;
        private String token;

        OnceToken(Path home) {
            this.home = home;
        }

        @Override
        public synchronized String get() {
            if (token == null) {
                try {
                    io.motley.pki.TlsHome tls = new io.motley.pki.TlsHome(home);
                    if (!tls.hasAuthority())
                        throw new IOException("no CA in " + tls.dir() + ": run `motley init` here first");
                    String pin = io.motley.protocol.link.TlsCredentials.fingerprint(
                            io.motley.protocol.link.TlsCredentials.readCertificate(tls.caCertificate()));
                    token = new io.motley.pki.join.JoinTokens(io.motley.pki.join.Enrolment.tokensFile(tls))
                            .create(pin, Duration.ofHours(1), null, java.time.Instant.now())
                            .toString();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot make a join token: " + e.getMessage(), e);
                }
            }
            return token;
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
