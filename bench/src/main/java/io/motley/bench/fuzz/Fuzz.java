package io.motley.bench.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * bench/fuzz: runs every fuzz target (or the ones named) for a while each and prints, per target,
 * inputs tried and crashes found; each crash's whole input goes to a file under the crash directory.
 * Exits 1 when a crash (not a known one) was found.
 *   Fuzz SECONDS_PER_TARGET SEED CRASH_DIR [TARGET...]
 */
public final class Fuzz {
    private Fuzz() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: Fuzz SECONDS_PER_TARGET SEED CRASH_DIR [TARGET...]");
            System.exit(2);
        }
        Duration each = Duration.ofSeconds(Long.parseLong(args[0]));
        long seed = Long.parseLong(args[1]);
        Path crashDir = Path.of(args[2]);
        List<Target<?>> targets = new ArrayList<>();
        for (int i = 3; i < args.length; i++) targets.add(Targets.named(args[i]));
        if (targets.isEmpty()) targets.addAll(Targets.all());
        System.out.printf(
                "fuzzing %d targets, %d s each, seed %d (replay with: bench/fuzz %d --seed %d TARGET)%n",
                targets.size(), each.toSeconds(), seed, each.toSeconds(), seed);
        List<Report> reports = new ArrayList<>();
        for (Target<?> t : targets) {
            System.out.println("  " + t.name() + ": " + t.contract());
            Report r = Fuzzer.run(t, Fuzzer.Settings.time(seed, each));
            reports.add(r);
            System.out.print(r.describe(300));
            save(r, crashDir);
        }
        System.out.println();
        System.out.println("summary (seed " + seed + ")");
        long crashes = 0;
        for (Report r : reports) {
            System.out.println("  " + r.summary());
            crashes += r.crashes().size();
        }
        System.out.println(crashes == 0 ? "no crashes" : crashes + " distinct crashes; whole inputs under " + crashDir);
        // A hung call leaves a thread behind that would keep the JVM busy.
        System.exit(crashes == 0 ? 0 : 1);
    }

    private static void save(Report r, Path dir) throws IOException {
        int n = 0;
        for (Report.Finding f : r.crashes()) {
            Files.createDirectories(dir);
            Path file = dir.resolve(r.target() + "-" + (++n) + ".txt");
            Files.writeString(
                    file,
                    f.kind() + " " + f.signature() + "\n" + f.detail() + "\nseed " + r.seed() + ", input #"
                            + f.iteration() + "\n" + f.input() + "\n");
            System.out.println("    whole input: " + file);
        }
    }
}
