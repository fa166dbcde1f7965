package io.motley.core.accounts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A TRES amount as sacctmgr's GrpTRES takes it: CPUs, memory in MiB and GPUs ({@code gres/gpu});
 * -1 where not set. Written as Slurm writes it: {@code cpu=2,mem=4G,gres/gpu=1}.
 */
public record Tres(long cpu, long memMiB, long gpus) {
    public static final Tres NONE = new Tres(-1, -1, -1);

    public boolean isEmpty() {
        return cpu < 0 && memMiB < 0 && gpus < 0;
    }

    /**
     * Reads {@code cpu=2,mem=4G,gres/gpu=1} over {@code base}: a TRES given -1 is cleared, as
     * sacctmgr does; a TRES Motley does not count (node, billing, ...) is an error.
     */
    public static Tres parse(String text, Tres base) {
        long cpu = base.cpu;
        long mem = base.memMiB;
        long gpus = base.gpus;
        for (String part : text.split(",")) {
            if (part.isBlank()) continue;
            int eq = part.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("Invalid TRES '" + part + "': use NAME=COUNT");
            String name = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).strip();
            switch (name) {
                case "cpu" -> cpu = count(value, part);
                case "mem" -> mem = value.equals("-1") ? -1 : mebibytes(value, part);
                case "gres/gpu" -> gpus = count(value, part);
                default ->
                    throw new IllegalArgumentException(
                            "Invalid TRES '" + part.strip() + "': Motley limits cpu, mem and gres/gpu");
            }
        }
        return new Tres(cpu, mem, gpus);
    }

    private static long count(String value, String part) {
        try {
            long n = Long.parseLong(value);
            if (n < -1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid TRES '" + part.strip() + "': not a count");
        }
    }

    private static long mebibytes(String value, String part) {
        String v = value.toUpperCase(Locale.ROOT);
        long unit = 1;
        char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
        if (Character.isLetter(last)) {
            unit = switch (last) {
                case 'M' -> 1;
                case 'G' -> 1024;
                case 'T' -> 1024L * 1024;
                default -> throw new IllegalArgumentException("Invalid TRES '" + part.strip() + "': unknown unit");
            };
            v = v.substring(0, v.length() - 1);
        }
        long n = count(v, part);
        return Math.multiplyExact(n, unit);
    }

    /** Slurm's form: only the TRES that are set, in TRES order; empty when none is. */
    public String format() {
        List<String> out = new ArrayList<>();
        if (cpu >= 0) out.add("cpu=" + cpu);
        if (memMiB >= 0) out.add("mem=" + memory(memMiB));
        if (gpus >= 0) out.add("gres/gpu=" + gpus);
        return String.join(",", out);
    }

    /** Memory in the largest unit that keeps it exact (Slurm's CONVERT_NUM_UNIT_EXACT): 4096 is 4G. */
    static String memory(long mib) {
        if (mib > 0 && mib % (1024L * 1024) == 0) return mib / (1024L * 1024) + "T";
        if (mib > 0 && mib % 1024 == 0) return mib / 1024 + "G";
        return mib + "M";
    }
}
