package io.motley.core.size;

import java.util.Objects;

/** Parses and formats memory amounts in mebibytes, the unit Slurm counts memory in. */
public final class MemorySize {

    private static final long KIB_PER_MIB = 1024;
    private static final long MIB_PER_GIB = 1024;
    private static final long MIB_PER_TIB = 1024 * 1024;

    private MemorySize() {}

    /**
     * Parses a Slurm --mem / --mem-per-cpu value: a whole number with an optional K, M, G or T suffix
     * (any case, M when absent). Kibibytes round up to whole mebibytes.
     */
    public static long parseMebibytes(String s) {
        Objects.requireNonNull(s, "memory size");
        String t = s.strip();
        if (t.isEmpty()) {
            throw invalid(s);
        }
        char last = Character.toUpperCase(t.charAt(t.length() - 1));
        String digits = Character.isDigit(last) ? t : t.substring(0, t.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(s);
        }
        try {
            long amount = Long.parseLong(digits);
            return switch (last) {
                case 'K' -> Math.ceilDiv(amount, KIB_PER_MIB);
                case 'G' -> Math.multiplyExact(amount, MIB_PER_GIB);
                case 'T' -> Math.multiplyExact(amount, MIB_PER_TIB);
                case 'M' -> amount;
                default -> {
                    if (!Character.isDigit(last)) {
                        throw invalid(s);
                    }
                    yield amount;
                }
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("memory size '" + s + "' is too large", e);
        }
    }

    /** Formats mebibytes as Slurm prints ReqMem and TRES: in the largest of M, G, T that divides exactly. */
    public static String format(long mib) {
        if (mib < 0) {
            throw new IllegalArgumentException("cannot format a negative memory size: " + mib + " MiB");
        }
        if (mib == 0) {
            return "0";
        }
        if (mib % MIB_PER_TIB == 0) {
            return mib / MIB_PER_TIB + "T";
        }
        if (mib % MIB_PER_GIB == 0) {
            return mib / MIB_PER_GIB + "G";
        }
        return mib + "M";
    }

    private static IllegalArgumentException invalid(String s) {
        return new IllegalArgumentException("'" + s + "' is not a memory size; use a whole number"
                + " with an optional K, M, G or T suffix, e.g. 4000M or 16G");
    }
}
