package io.motley.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code motley deploy INVENTORY [--dry-run] [--controller ADDR:PORT] [--bundle FILE]}, run on the
 * controller's host: puts an agent on every host of the inventory over SSH (docs/deploy.md).
 */
public final class DeployCommand {
    static final String USAGE = "usage: motley deploy INVENTORY [--dry-run] [--controller ADDR:PORT] [--bundle FILE]";

    private DeployCommand() {}

    /** What the command line asked for. */
    record Options(Path inventory, boolean dryRun, String controller, Path bundle) {}

    static Options parse(String[] args, Path defaultBundle) {
        Path inventory = null;
        boolean dryRun = false;
        String controller = null;
        Path bundle = defaultBundle;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--dry-run", "-n" -> dryRun = true;
                case "--controller", "--bundle" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                    if (a.equals("--controller")) controller = args[++i];
                    else bundle = Path.of(args[++i]);
                }
                default -> {
                    if (a.startsWith("-") || inventory != null) throw new IllegalArgumentException(USAGE);
                    inventory = Path.of(a);
                }
            }
        }
        if (inventory == null) throw new IllegalArgumentException(USAGE);
        return new Options(inventory, dryRun, controller, bundle);
    }

    public static void main(String[] args) {
        String dist = System.getenv().getOrDefault("MOTLEY_DIST", ".");
        Path defaultBundle =
                Path.of(dist).toAbsolutePath().normalize().resolveSibling("target/bundle/motley-bundle.tar.xz");
        System.exit(run(args, defaultBundle, System.out, System.err));
    }

    static int run(String[] args, Path defaultBundle, PrintStream out, PrintStream err) {
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
        if (o.dryRun()) {
            out.println("motley deploy --dry-run: " + plans.size() + " host(s), agents connecting to " + controller
                    + "; nothing is connected to or changed.");
            for (DeployPlan p : plans) out.print(p.render());
            return 0;
        }
        if (sha == null) {
            err.println("motley deploy: error: no bundle at " + o.bundle() + ": run scripts/bundle first, or give"
                    + " --bundle FILE");
            return 1;
        }
        err.println(
                "motley deploy: error: deploying over SSH is not available in this build; --dry-run shows the plan");
        return 1;
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
