package io.motley.core.job;

import java.util.List;
import java.util.Locale;

/**
 * sbatch's {@code --signal=[{R|B}:]SIG[@TIME]}: send signal {@code SIG} (a name, with or without
 * {@code SIG}, or a number) {@code TIME} seconds (60 when left out, at most 65535) before the job's
 * time limit. {@code B:} sends it to the batch shell alone; without it, it goes to the job's
 * steps (every process of the job outside the batch shell's process group), as in Slurm. {@code R:}
 * (reservation overlap in Slurm) is accepted and has no effect, as Motley has no reservations.
 */
public record SignalSpec(int signal, int secondsBefore, boolean batchShellOnly, boolean reservationOverlap) {
    public static final int DEFAULT_SECONDS = 60;
    public static final int MAX_SECONDS = 0xffff;

    /** Signal names by number, as on Linux (index = number; "" where there is none). */
    static final List<String> NAMES = List.of(
            "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
            "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
            "PROF", "WINCH", "IO", "PWR", "SYS");

    public SignalSpec {
        if (signal < 1 || signal >= NAMES.size()) throw new IllegalArgumentException("no such signal: " + signal);
        if (secondsBefore < 0 || secondsBefore > MAX_SECONDS)
            throw new IllegalArgumentException("signal time out of range: " + secondsBefore);
    }

    /** Parses Slurm's form; IllegalArgumentException ("Invalid --signal specification") on anything else. */
    public static SignalSpec parse(String spec) {
        if (spec == null || spec.isBlank()) throw invalid();
        String s = spec.trim();
        boolean batch = false;
        boolean reservation = false;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            String flags = s.substring(0, colon);
            if (flags.isEmpty()) throw invalid();
            for (char c : flags.toUpperCase(Locale.ROOT).toCharArray()) {
                switch (c) {
                    case 'B' -> batch = true;
                    case 'R' -> reservation = true;
                    default -> throw invalid();
                }
            }
            s = s.substring(colon + 1);
        }
        int seconds = DEFAULT_SECONDS;
        int at = s.indexOf('@');
        if (at >= 0) {
            String t = s.substring(at + 1);
            if (!t.matches("[0-9]{1,6}")) throw invalid();
            seconds = Integer.parseInt(t);
            if (seconds > MAX_SECONDS) throw invalid();
            s = s.substring(0, at);
        }
        return new SignalSpec(signalNumber(s), seconds, batch, reservation);
    }

    /** A signal by name (USR1, SIGUSR1, any case) or number; IllegalArgumentException if there is none. */
    public static int signalNumber(String s) {
        if (s.matches("[0-9]{1,3}")) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n < NAMES.size()) return n;
            throw invalid();
        }
        String name = s.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) name = name.substring(3);
        int n = NAMES.indexOf(name);
        if (n <= 0) throw invalid();
        return n;
    }

    /** The signal's name without SIG (USR1), as kill(1) takes it. */
    public String name() {
        return NAMES.get(signal);
    }

    /** The canonical form, which the job keeps: "B:USR1@90", "USR2@60". */
    @Override
    public String toString() {
        return (reservationOverlap ? "R" : "") + (batchShellOnly ? "B" : "")
                + (reservationOverlap || batchShellOnly ? ":" : "") + name() + "@" + secondsBefore;
    }

    private static IllegalArgumentException invalid() {
        return new IllegalArgumentException("Invalid --signal specification");
    }
}
