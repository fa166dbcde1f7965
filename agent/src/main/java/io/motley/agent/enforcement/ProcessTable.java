package io.motley.agent.enforcement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's processes as the strategies need them: parent, group, session, state, CPU time and
 * memory. Read from /proc on Linux, from ps(1) elsewhere (macOS), where sessions, the split of
 * user and system time and environments are not available.
 */
public final class ProcessTable {
    private static final Path PROC = Path.of("/proc");
    private static volatile long clockTicks;
    private static volatile long pageSize;

    private static final Logger log = LoggerFactory.getLogger(ProcessTable.class);

    private ProcessTable() {}

    /**
     * One process. Times in ms, memory in KiB, major page faults counted (0 from ps); {@code start}
     * (clock ticks since boot) tells a reused pid apart; {@code cpu} is the CPU it last ran on (-1
     * where ps is all there is).
     */
    record Proc(
            long pid,
            long ppid,
            long pgid,
            long sid,
            char state,
            long start,
            long userMs,
            long systemMs,
            long rssKiB,
            long vmKiB,
            long majorFaults,
            int cpu) {
        /** A zombie has exited: only its parent's wait is missing, and where init does not reap, that never comes. */
        boolean dead() {
            return state == 'Z' || state == 'X' || state == 'x';
        }

        Key key() {
            return new Key(pid, start);
        }
    }

    /** A process identity that survives pid reuse. */
    record Key(long pid, long start) {}

    static boolean hasProcfs() {
        return Files.isReadable(PROC.resolve("self/stat"));
    }

    static Optional<Proc> read(long pid) {
        if (!hasProcfs()) return all().stream().filter(p -> p.pid() == pid).findFirst();
        try {
            return Optional.ofNullable(parseStat(Files.readString(PROC.resolve(pid + "/stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** These processes as they are now (those gone are left out): one ps run where there is no /proc. */
    static Map<Long, Proc> of(Collection<Long> pids) {
        Map<Long, Proc> out = new HashMap<>();
        if (hasProcfs()) {
            for (long pid : pids) read(pid).ifPresent(p -> out.put(pid, p));
        } else if (!pids.isEmpty()) {
            for (Proc p : all()) {
                if (pids.contains(p.pid())) out.put(p.pid(), p);
            }
        }
        return out;
    }

    /** Every process now. */
    static List<Proc> all() {
        if (!hasProcfs()) return fromPs();
        List<Proc> out = new ArrayList<>();
        try (var dirs = Files.newDirectoryStream(PROC)) {
            for (Path d : dirs) {
                String n = d.getFileName().toString();
                if (n.isEmpty() || !Character.isDigit(n.charAt(0))) continue;
                try {
                    Proc p = parseStat(Files.readString(d.resolve("stat")));
                    if (p != null) out.add(p);
                } catch (IOException | RuntimeException ignored) {
                    // it exited while we looked
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    /** Parses /proc/PID/stat (proc(5)); the command name in parentheses may itself hold spaces and parentheses. */
    static Proc parseStat(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) return null;
        long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')).trim());
        String[] f = stat.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state) of proc(5)
        long tick = clockTicks();
        long utime = Long.parseLong(f[11]) * 1000 / tick;
        long stime = Long.parseLong(f[12]) * 1000 / tick;
        long start = Long.parseLong(f[19]);
        long vm = Long.parseLong(f[20]) / 1024;
        long rss = Long.parseLong(f[21]) * pageSize() / 1024;
        return new Proc(
                pid,
                Long.parseLong(f[1]),
                Long.parseLong(f[2]),
                Long.parseLong(f[3]),
                f[0].charAt(0),
                start,
                utime,
                stime,
                rss,
                vm,
                Long.parseLong(f[9]),
                // field 39, processor: kernels before 2.2.8 end earlier
                f.length > 36 ? Integer.parseInt(f[36]) : -1);
    }

    /**
     * The columns asked of ps(1) where there is no /proc: those both macOS's (BSD) ps and procps
     * have, without headers; {@code lstart} comes last because it holds spaces.
     */
    static final List<String> PS_COLUMNS = List.of("pid", "ppid", "pgid", "stat", "rss", "vsz", "time", "lstart");

    /**
     * ps's arguments: one {@code -o NAME=} per column. POSIX (and BSD ps) take all that follows an
     * "=" as the header, so {@code -o pid=,ppid=} would be one column headed ",ppid=" on macOS.
     */
    static List<String> psArguments() {
        List<String> args = new ArrayList<>(List.of("-A"));
        for (String c : PS_COLUMNS) args.addAll(List.of("-o", c + "="));
        return List.copyOf(args);
    }

    /** ps(1) where there is no /proc, by its absolute path (the agent may be root). */
    private static List<Proc> fromPs() {
        List<Proc> out = new ArrayList<>();
        try {
            List<String> cmd = new ArrayList<>(List.of(tool("ps")));
            cmd.addAll(psArguments());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            out.addAll(parsePs(text));
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /**
     * Parses the output of ps with {@link #psArguments()}: pid, parent, process group, state
     * (its first letter: R, S, I, T, U, Z on macOS), resident and virtual size in KiB, CPU time,
     * and the start (as {@code Mon Nov 20 10:00:00 2023}). ps gives no session id and no split of
     * user and system time: both are 0 and the CPU time is all counted as user time. The start
     * tells a reused pid apart; without it (an older column list) it is 0.
     */
    static List<Proc> parsePs(String text) {
        List<Proc> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String[] c = line.trim().split("\\s+");
            if (c.length < 7) continue;
            try {
                long cpu = parseCpuTime(c[6]);
                out.add(new Proc(
                        Long.parseLong(c[0]),
                        Long.parseLong(c[1]),
                        Long.parseLong(c[2]),
                        0,
                        c[3].charAt(0),
                        c.length >= 12 ? parseStart(c[8], c[9], c[10], c[11]) : 0,
                        cpu,
                        0,
                        Long.parseLong(c[4]),
                        Long.parseLong(c[5]),
                        0,
                        -1));
            } catch (RuntimeException ignored) {
                // a header or a line we do not understand
            }
        }
        return out;
    }

    private static final List<String> MONTHS =
            List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");

    /**
     * ps's lstart ({@code Nov 20 10:00:00 2023}, the weekday left off) as seconds counted as if the
     * host's local time were UTC: only an identity that differs for a process started at another
     * second, never compared with a clock. 0 when it does not parse (a localised ps).
     */
    static long parseStart(String month, String day, String time, String year) {
        int m = MONTHS.indexOf(month);
        String[] hms = time.split(":");
        if (m < 0 || hms.length != 3) return 0;
        try {
            return java.time.LocalDateTime.of(
                            Integer.parseInt(year),
                            m + 1,
                            Integer.parseInt(day),
                            Integer.parseInt(hms[0]),
                            Integer.parseInt(hms[1]),
                            Integer.parseInt(hms[2]))
                    .toEpochSecond(java.time.ZoneOffset.UTC);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** A system tool by its absolute path: /bin on macOS, /usr/bin or /bin on Linux. */
    static String tool(String name) {
        for (String dir : List.of("/bin", "/usr/bin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        return name;
    }

    /** ps's TIME: [[dd-]hh:]mm:ss[.cc], in ms. */
    static long parseCpuTime(String t) {
        long days = 0;
        int dash = t.indexOf('-');
        if (dash > 0) {
            days = Long.parseLong(t.substring(0, dash));
            t = t.substring(dash + 1);
        }
        String[] parts = t.split(":");
        double seconds = 0;
        for (String part : parts) seconds = seconds * 60 + Double.parseDouble(part);
        return Math.round((days * 86400 + seconds) * 1000);
    }

    /**
     * Whether a process's initial environment holds every one of {@code entries} ("NAME=value").
     * Only readable for our own processes, or for all as root; false where it cannot be read.
     */
    static boolean environHas(long pid, Collection<String> entries) {
        if (!hasProcfs()) return false;
        try {
            byte[] env = Files.readAllBytes(PROC.resolve(pid + "/environ"));
            String text = "\0" + new String(env, StandardCharsets.UTF_8);
            if (!text.endsWith("\0")) text += "\0";
            for (String e : entries) {
                if (!text.contains("\0" + e + "\0")) return false;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** How much of a process's environment {@link #environ} reads: a user sets its size, sstat reads it as root. */
    static final int ENVIRON_LIMIT = 256 * 1024;

    /**
     * The values of {@code names} in a process's initial environment (those it lacks, or has past its first
     * {@link #ENVIRON_LIMIT} bytes, are left out); empty where it cannot be read (gone, another user's while not
     * root, no /proc).
     */
    static Optional<Map<String, String>> environ(long pid, Collection<String> names) {
        if (!hasProcfs()) return Optional.empty();
        try {
            byte[] env;
            try (var in = Files.newInputStream(PROC.resolve(pid + "/environ"))) {
                env = in.readNBytes(ENVIRON_LIMIT);
            }
            Map<String, String> out = new HashMap<>();
            for (String entry : new String(env, StandardCharsets.UTF_8).split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0 && names.contains(entry.substring(0, eq)))
                    out.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
            return Optional.of(out);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The bytes a process has read and written through read(2) and write(2) and their kind
     * (rchar and wchar of /proc/PID/io, which Slurm's jobacct_gather/linux counts as disk); zeros
     * where they cannot be read.
     */
    /**
     * The process's peak resident memory in KiB as the kernel keeps it (VmHWM of /proc/PID/status):
     * a peak between two samples is not missed. 0 where it cannot be read (no /proc, gone).
     */
    static long peakRssKiB(long pid) {
        if (!hasProcfs()) return 0;
        try {
            for (String line : Files.readAllLines(PROC.resolve(pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String v = line.substring(6).trim();
                    return Long.parseLong(
                            v.endsWith("kB") ? v.substring(0, v.length() - 2).trim() : v);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read
        }
        return 0;
    }

    static long[] io(long pid) {
        long[] out = new long[2];
        if (!hasProcfs()) return out;
        try {
            for (String line : Files.readAllLines(PROC.resolve(pid + "/io"))) {
                if (line.startsWith("rchar:"))
                    out[0] = Long.parseLong(line.substring(6).trim());
                else if (line.startsWith("wchar:"))
                    out[1] = Long.parseLong(line.substring(6).trim());
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read: nothing counted
        }
        return out;
    }

    static void kill(Collection<Long> pids) {
        for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    static void terminate(Collection<Long> pids) {
        for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }

    /**
     * Sends {@code signal} (a name kill(1) knows: TSTP, STOP, CONT, USR1, ...) to {@code pids} through one kill(1),
     * by its absolute path and with the agent's fixed environment ({@link RootCommand}); processes already gone are
     * no error.
     */
    public static void signal(Collection<Long> pids, String signal) {
        if (pids.isEmpty()) return;
        List<String> cmd = new ArrayList<>(List.of(tool("kill"), "-s", signal, "--"));
        pids.forEach(p -> cmd.add(Long.toString(p)));
        try {
            RootCommand.of(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException | IllegalArgumentException e) {
            // no kill(1) by an absolute path: the caller goes on with SIGKILL through the JDK
            log.warn("cannot signal processes pids={} signal={} error={}", pids, signal, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True when the pid is gone or a zombie. */
    static boolean gone(long pid) {
        return read(pid).map(Proc::dead).orElse(true);
    }

    /**
     * The time since boot in clock ticks, the unit of {@link Proc#start()} from /proc; -1 where
     * there is no /proc (ps gives starts of another kind).
     */
    static long uptimeTicks() {
        if (!hasProcfs()) return -1;
        try {
            String up = Files.readString(PROC.resolve("uptime")).trim();
            return (long) (Double.parseDouble(up.substring(0, up.indexOf(' '))) * clockTicks());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * True when {@code p} started less than two seconds before {@code uptimeTicks} ({@link
     * #uptimeTicks()}): it may not have reached its exec yet. False where the uptime is unknown.
     */
    static boolean young(Proc p, long uptimeTicks) {
        return uptimeTicks >= 0 && uptimeTicks - p.start() < 2 * clockTicks();
    }

    static long clockTicks() {
        if (clockTicks == 0) clockTicks = getconf("CLK_TCK", 100);
        return clockTicks;
    }

    static long pageSize() {
        if (pageSize == 0) pageSize = getconf("PAGESIZE", 4096);
        return pageSize;
    }

    private static long getconf(String name, long fallback) {
        try {
            Process p = new ProcessBuilder(tool("getconf"), name)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            long v = Long.parseLong(out);
            return v > 0 ? v : fallback;
        } catch (IOException | NumberFormatException e) {
            return fallback;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        }
    }
}
